//! Spectra for the parametrisation lab: the top eigenvalue of a loss Hessian by power
//! iteration on finite-difference Hessian-vector products of its gradient, and every
//! eigenvalue of a small symmetric matrix (`linalg`'s Jacobi rotations).

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
    crate::linalg::symmetric_eigen(a, n).values
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
