//! Localisation: does a map point at the object? Each metric takes one map's relevance
//! per pixel (`pixel_relevance`) and a ground-truth mask of the same grid (1 inside):
//! the pointing game (the map's maximum falls inside), relevance mass accuracy (the share
//! of positive relevance inside) and the IoU of the map's top-k pixels with the mask.

fn check(relevance: &[f64], mask: &[u8]) -> Result<(), String> {
    if relevance.len() != mask.len() {
        return Err(format!("localisation: the map has {} pixels, the mask {}", relevance.len(), mask.len()));
    }
    Ok(())
}

/// 1 when the map's largest value (the first, on ties) lies inside the mask, else 0.
pub fn pointing_game(relevance: &[f64], mask: &[u8]) -> Result<f64, String> {
    check(relevance, mask)?;
    let best = (0..relevance.len()).reduce(|a, b| if relevance[b] > relevance[a] { b } else { a });
    Ok(best.map_or(0.0, |i| f64::from(mask[i] != 0)))
}

/// Σ inside max(r, 0) / Σ max(r, 0); 0 for a map with no positive relevance.
pub fn relevance_mass(relevance: &[f64], mask: &[u8]) -> Result<f64, String> {
    check(relevance, mask)?;
    let positive = |(r, _): &(&f64, &u8)| **r > 0.0;
    let total: f64 = relevance.iter().zip(mask).filter(positive).map(|(r, _)| r).sum();
    let inside: f64 = relevance.iter().zip(mask).filter(positive).filter(|(_, m)| **m != 0).map(|(r, _)| r).sum();
    Ok(if total > 0.0 { inside / total } else { 0.0 })
}

/// IoU of the `k` highest-relevance pixels (ties broken by position) with the mask; k
/// defaults to the mask's area. 0 when both are empty.
pub fn top_k_iou(relevance: &[f64], mask: &[u8], k: Option<usize>) -> Result<f64, String> {
    check(relevance, mask)?;
    let area = mask.iter().filter(|&&m| m != 0).count();
    let k = k.unwrap_or(area).min(relevance.len());
    let mut order: Vec<usize> = (0..relevance.len()).collect();
    order.sort_by(|&a, &b| relevance[b].total_cmp(&relevance[a]));
    let hits = order[..k].iter().filter(|&&i| mask[i] != 0).count();
    let union = k + area - hits;
    Ok(if union == 0 { 0.0 } else { hits as f64 / union as f64 })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_map_equal_to_the_mask_scores_one_everywhere() {
        let mask = [0, 1, 1, 0, 0, 1, 0, 0, 0];
        let map: Vec<f64> = mask.iter().map(|&m| f64::from(m)).collect();
        assert_eq!(pointing_game(&map, &mask), Ok(1.0));
        assert_eq!(relevance_mass(&map, &mask), Ok(1.0));
        assert_eq!(top_k_iou(&map, &mask, None), Ok(1.0));
    }

    #[test]
    fn misses_and_partial_overlaps_score_their_shares() {
        let mask = [1, 1, 0, 0];
        let map = [1.0, -5.0, 3.0, 0.0];
        assert_eq!(pointing_game(&map, &mask), Ok(0.0));
        // Positive mass 4, of which 1 inside; negative relevance is not counted.
        assert_eq!(relevance_mass(&map, &mask), Ok(0.25));
        // Top 2 = {2, 0}: one hit, union 3.
        assert_eq!(top_k_iou(&map, &mask, None), Ok(1.0 / 3.0));
        assert_eq!(top_k_iou(&map, &mask, Some(1)), Ok(0.0));
        assert_eq!(relevance_mass(&[-1.0, 0.0, 0.0, 0.0], &mask), Ok(0.0));
        assert!(pointing_game(&map, &[1, 0]).unwrap_err().contains("the mask 2"));
    }
}
