//! Complexity: how concentrated a map is, as the Gini index of its absolute values
//! (Chalasani et al.): 0 when every value is equal, (n − 1)/n — the most — when one
//! value holds everything.

/// The Gini index of |map|: Σᵢ (2i − n − 1)·vᵢ / (n·Σ v) over the values sorted
/// ascending (i from 1); 0 for an all-zero map.
pub fn gini(map: &[f64]) -> f64 {
    let mut v: Vec<f64> = map.iter().map(|x| x.abs()).collect();
    v.sort_by(f64::total_cmp);
    let n = v.len() as f64;
    let total: f64 = v.iter().sum();
    if total <= 0.0 {
        return 0.0;
    }
    v.iter().enumerate().map(|(i, x)| (2.0 * (i + 1) as f64 - n - 1.0) * x).sum::<f64>() / (n * total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_one_hot_map_is_maximally_sparse_and_a_constant_map_not_at_all() {
        let mut one_hot = vec![0.0; 10];
        one_hot[3] = -2.0;
        assert!((gini(&one_hot) - 0.9).abs() < 1e-15);
        assert!(gini(&[0.7; 10]).abs() < 1e-15, "0 up to rounding");
        assert_eq!(gini(&[0.0; 4]), 0.0);
        // Any other map of 10 values lies strictly between.
        let g = gini(&[1.0, 2.0, 0.0, 0.5, 0.0, 0.0, 3.0, 0.0, 0.0, 0.1]);
        assert!(g > 0.0 && g < 0.9, "{g}");
    }
}
