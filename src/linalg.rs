//! Small dense linear algebra on the host, row-major f64: the eigen-decomposition of a
//! symmetric matrix (cyclic Jacobi rotations) and Gram–Schmidt orthonormalisation.

/// The eigenvalues of a symmetric matrix, largest first, and their unit eigenvectors.
pub struct Eigen {
    pub values: Vec<f64>,
    /// `vectors[i]` belongs to `values[i]`.
    pub vectors: Vec<Vec<f64>>,
}

/// The eigen-decomposition of the symmetric n×n matrix `a` (row-major).
pub fn symmetric_eigen(a: &[f64], n: usize) -> Eigen {
    let mut m = a.to_vec();
    // Columns of v accumulate the rotations: A = V·diag·Vᵀ at the end.
    let mut v = vec![0.0; n * n];
    (0..n).for_each(|i| v[i * n + i] = 1.0);
    for _sweep in 0..100 {
        let off: f64 = (0..n).flat_map(|i| (0..n).filter(move |&j| j != i).map(move |j| (i, j))).map(|(i, j)| m[i * n + j].powi(2)).sum();
        let scale: f64 = m.iter().map(|x| x * x).sum();
        if off <= 1e-24 * scale.max(f64::MIN_POSITIVE) {
            break;
        }
        for p in 0..n {
            for q in p + 1..n {
                let apq = m[p * n + q];
                if apq == 0.0 {
                    continue;
                }
                // The rotation in the (p, q) plane that zeroes m[p][q].
                let theta = (m[q * n + q] - m[p * n + p]) / (2.0 * apq);
                let t = theta.signum() / (theta.abs() + (theta * theta + 1.0).sqrt());
                let t = if theta == 0.0 { 1.0 } else { t };
                let c = 1.0 / (t * t + 1.0).sqrt();
                let s = t * c;
                for k in 0..n {
                    let (mkp, mkq) = (m[k * n + p], m[k * n + q]);
                    m[k * n + p] = c * mkp - s * mkq;
                    m[k * n + q] = s * mkp + c * mkq;
                    let (vkp, vkq) = (v[k * n + p], v[k * n + q]);
                    v[k * n + p] = c * vkp - s * vkq;
                    v[k * n + q] = s * vkp + c * vkq;
                }
                for k in 0..n {
                    let (mpk, mqk) = (m[p * n + k], m[q * n + k]);
                    m[p * n + k] = c * mpk - s * mqk;
                    m[q * n + k] = s * mpk + c * mqk;
                }
            }
        }
    }
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&i, &j| m[j * n + j].total_cmp(&m[i * n + i]));
    Eigen { values: order.iter().map(|&i| m[i * n + i]).collect(), vectors: order.iter().map(|&i| (0..n).map(|k| v[k * n + i]).collect()).collect() }
}

pub fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// Orthonormalises `columns` in place, in order (modified Gram–Schmidt, twice for
/// accuracy). A column that falls into the span of the earlier ones is replaced by the
/// first coordinate axis that does not.
pub fn orthonormalise(columns: &mut [Vec<f64>]) {
    for i in 0..columns.len() {
        let (done, rest) = columns.split_at_mut(i);
        let col = &mut rest[0];
        let norm0 = dot(col, col).sqrt();
        let mut axis = 0;
        loop {
            for _ in 0..2 {
                for u in done.iter() {
                    let p = dot(col, u);
                    col.iter_mut().zip(u).for_each(|(c, u)| *c -= p * u);
                }
            }
            let norm = dot(col, col).sqrt();
            if norm > 1e-10 * norm0.max(1.0) || axis >= col.len() {
                col.iter_mut().for_each(|c| *c /= norm);
                break;
            }
            col.iter_mut().enumerate().for_each(|(k, c)| *c = if k == axis { 1.0 } else { 0.0 });
            axis += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;
    use super::*;

    #[test]
    fn jacobi_vectors_diagonalise_a_symmetric_matrix() {
        let n = 5;
        let a: Vec<f64> = (0..n * n).map(|k| {
            let (i, j) = (k / n, k % n);
            ((i * 7 + j * 7 + i * j) % 11) as f64 - 5.0
        }).collect();
        let e = symmetric_eigen(&a, n);
        assert!(e.values.windows(2).all(|w| w[0] >= w[1]), "largest first: {:?}", e.values);
        for (l, v) in e.values.iter().zip(&e.vectors) {
            assert!((dot(v, v) - 1.0).abs() < 1e-12);
            for i in 0..n {
                let av: f64 = (0..n).map(|j| a[i * n + j] * v[j]).sum();
                assert!((av - l * v[i]).abs() < 1e-9, "A·v = λ·v at {i}: {av} vs {}", l * v[i]);
            }
        }
        assert!(dot(&e.vectors[0], &e.vectors[3]).abs() < 1e-12);
    }

    #[test]
    fn gram_schmidt_gives_orthonormal_columns_even_from_dependent_ones() {
        let mut cols = vec![vec![1.0, 1.0, 0.0], vec![2.0, 2.0, 0.0], vec![0.0, 1.0, 3.0]];
        orthonormalise(&mut cols);
        for i in 0..3 {
            for j in 0..3 {
                let want = if i == j { 1.0 } else { 0.0 };
                assert!((dot(&cols[i], &cols[j]) - want).abs() < 1e-12, "{cols:?}");
            }
        }
        // The first column keeps its direction.
        assert!((cols[0][0] - 0.5f64.sqrt()).abs() < 1e-12);
    }
}
