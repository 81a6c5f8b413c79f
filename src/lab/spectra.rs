//! Spectra for the parametrisation lab: the top eigenvalue of a loss Hessian by power
//! iteration on finite-difference Hessian-vector products of its gradient, and every
//! eigenvalue of a small symmetric matrix (cyclic Jacobi rotations).

use crate::rng::{Rng, Stream};

/// A gradient that can be evaluated at any parameter vector.
pub(super) trait GradientAt {
    async fn at(&mut self, theta: &[f32]) -> Vec<f64>;
}

fn norm(v: &[f64]) -> f64 {
    v.iter().map(|x| x * x).sum::<f64>().sqrt()
}

/// The eigenvalue of largest magnitude of the Hessian at `theta`, from `iters` steps of
/// power iteration on Hv ≈ (g(θ + εv) − g(θ − εv)) / 2ε with unit v, starting from a
/// seeded random direction. Returns the last Rayleigh quotient vᵀHv.
pub(super) async fn top_hessian_eigenvalue(g: &mut impl GradientAt, theta: &[f32], iters: usize, eps: f64, seed: u32) -> f64 {
    let rng = Rng::new(seed, Stream::Init);
    let mut v: Vec<f64> = (0..theta.len()).map(|i| rng.normal(i as u32)).collect();
    let n = norm(&v);
    v.iter_mut().for_each(|x| *x /= n);
    let mut lambda = 0.0;
    for _ in 0..iters {
        let shifted = |sign: f64| -> Vec<f32> { theta.iter().zip(&v).map(|(&t, &d)| (t as f64 + sign * eps * d) as f32).collect() };
        let up = g.at(&shifted(1.0)).await;
        let down = g.at(&shifted(-1.0)).await;
        let hv: Vec<f64> = up.iter().zip(&down).map(|(a, b)| (a - b) / (2.0 * eps)).collect();
        lambda = v.iter().zip(&hv).map(|(a, b)| a * b).sum();
        let n = norm(&hv);
        if n == 0.0 || !n.is_finite() {
            break;
        }
        v = hv.into_iter().map(|x| x / n).collect();
    }
    lambda
}

/// The eigenvalues of the symmetric n×n matrix `a` (row-major), largest first.
pub(super) fn symmetric_eigenvalues(a: &[f64], n: usize) -> Vec<f64> {
    let mut m = a.to_vec();
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
                }
                for k in 0..n {
                    let (mpk, mqk) = (m[p * n + k], m[q * n + k]);
                    m[p * n + k] = c * mpk - s * mqk;
                    m[q * n + k] = s * mpk + c * mqk;
                }
            }
        }
    }
    let mut eig: Vec<f64> = (0..n).map(|i| m[i * n + i]).collect();
    eig.sort_by(|a, b| b.total_cmp(a));
    eig
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;
    use super::*;

    /// A = Q·diag(d)·Qᵀ for a fixed rotation Q in the first two coordinates.
    fn rotated(d: &[f64]) -> Vec<f64> {
        let n = d.len();
        let (c, s) = (0.6f64, 0.8f64);
        let mut q = vec![0.0; n * n];
        for i in 0..n {
            q[i * n + i] = 1.0;
        }
        q[0] = c;
        q[1] = -s;
        q[n] = s;
        q[n + 1] = c;
        let mut a = vec![0.0; n * n];
        for i in 0..n {
            for j in 0..n {
                a[i * n + j] = (0..n).map(|k| q[i * n + k] * d[k] * q[j * n + k]).sum();
            }
        }
        a
    }

    struct Quadratic(Vec<f64>, usize);

    impl GradientAt for Quadratic {
        async fn at(&mut self, theta: &[f32]) -> Vec<f64> {
            let n = self.1;
            (0..n).map(|i| (0..n).map(|j| self.0[i * n + j] * theta[j] as f64).sum()).collect()
        }
    }

    #[test]
    fn jacobi_finds_the_eigenvalues_of_a_rotated_diagonal() {
        let eig = symmetric_eigenvalues(&rotated(&[1.0, 5.0, -2.0, 0.5]), 4);
        for (got, want) in eig.iter().zip([5.0, 1.0, 0.5, -2.0]) {
            assert!((got - want).abs() < 1e-9, "{eig:?}");
        }
    }

    #[test]
    fn power_iteration_on_finite_differences_finds_the_top_curvature() {
        let mut g = Quadratic(rotated(&[1.0, 5.0, 0.3, 0.5, 2.0]), 5);
        let lambda = pollster::block_on(top_hessian_eigenvalue(&mut g, &[0.1, -0.2, 0.3, 0.0, 1.0], 60, 1e-2, 7));
        assert!((lambda - 5.0).abs() < 1e-3, "λ = {lambda}");
    }
}
