//! PRCA: the d-dimensional subspace holding the most relevance, spanned by the top
//! eigenvectors of the symmetrised cross-moment Σ (a·cᵀ + c·aᵀ)/2 (the relevance
//! (Uᵀa)ᵀ(Uᵀc) summed over the points is tr(Uᵀ·M·U)). PCA for comparison: the top
//! eigenvectors of the activations' covariance. The capture curve scores both on
//! (ideally held-out) samples for every d.

use super::{captured, Basis, LayerSamples};
use crate::linalg::symmetric_eigen;

/// Σ over every point of f(a, c), a dim×dim matrix (row-major).
fn moment(s: &LayerSamples, f: impl Fn(&[f64], &[f64], usize, usize) -> f64) -> Vec<f64> {
    let d = s.dim;
    let mut m = vec![0.0; d * d];
    for n in 0..s.len() {
        for (a, c) in s.points(n) {
            for i in 0..d {
                for j in 0..d {
                    m[i * d + j] += f(a, c, i, j);
                }
            }
        }
    }
    m
}

/// Every PRCA direction, most relevant first.
fn prca_directions(s: &LayerSamples) -> Basis {
    let m = moment(s, |a, c, i, j| 0.5 * (a[i] * c[j] + c[i] * a[j]));
    symmetric_eigen(&m, s.dim).vectors
}

/// Every principal direction of the activations (centred), most variance first.
fn pca_directions(s: &LayerSamples) -> Basis {
    let count = (s.len() * s.positions).max(1) as f64;
    let mut mean = vec![0.0; s.dim];
    for n in 0..s.len() {
        for (a, _) in s.points(n) {
            mean.iter_mut().zip(a).for_each(|(m, a)| *m += a / count);
        }
    }
    let m = moment(s, |a, _, i, j| (a[i] - mean[i]) * (a[j] - mean[j]));
    symmetric_eigen(&m, s.dim).vectors
}

/// PRCA's d-dimensional relevant subspace.
pub fn prca(s: &LayerSamples, d: usize) -> Basis {
    prca_directions(s).into_iter().take(d).collect()
}

/// PCA's d-dimensional principal subspace.
pub fn pca(s: &LayerSamples, d: usize) -> Basis {
    pca_directions(s).into_iter().take(d).collect()
}

/// The share of `eval`'s relevance held by PRCA's and PCA's top-d subspaces fitted on
/// `fit`, for d = 1..=dim (entry d − 1).
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct CaptureCurve {
    pub prca: Vec<f64>,
    pub pca: Vec<f64>,
}

pub fn capture_curve(fit: &LayerSamples, eval: &LayerSamples) -> CaptureCurve {
    // With orthonormal directions a subspace's relevance is the sum of each direction's,
    // so the curve is a running sum of one-direction shares.
    let curve = |dirs: Basis| {
        dirs.into_iter()
            .scan(0.0, |sum, u| {
                *sum += captured(eval, &vec![u]);
                Some(*sum)
            })
            .collect()
    };
    CaptureCurve { prca: curve(prca_directions(fit)), pca: curve(pca_directions(fit)) }
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;
    use crate::explain::subspace::collect;
    use crate::explain::testing::*;
    use crate::explain::Probe;
    use crate::linalg::dot;

    /// Relevance lies along v alone (c ∥ v), while the activations vary most along
    /// other axes: PRCA's first direction is v and holds all the relevance; PCA's first
    /// holds none.
    #[test]
    fn prca_finds_the_one_relevant_direction_that_pca_misses() {
        let dim = 4;
        let v: Vec<f64> = [1.0, 2.0, -1.0, 0.5].iter().map(|x| x / 6.25f64.sqrt()).collect();
        // n ⟂ v, large; paired ±n so Σ t·n = 0 exactly.
        let n0 = [2.0, -1.0, 0.0, 0.0];
        let n1 = [0.0, 0.0, 1.0, 2.0];
        let samples: Vec<Vec<(Vec<f64>, Vec<f64>)>> = (0..6)
            .map(|i| {
                let t = 0.3 + 0.1 * i as f64;
                let noise: Vec<f64> = n0.iter().zip(&n1).map(|(a, b)| 5.0 * (a * (i as f64 - 2.5) + b)).collect();
                [1.0, -1.0]
                    .iter()
                    .map(|sign| {
                        let a: Vec<f64> = v.iter().zip(&noise).map(|(v, n)| t * v + sign * n).collect();
                        (a, v.iter().map(|v| t * v).collect())
                    })
                    .collect()
            })
            .collect();
        assert!(dot(&n0, &v).abs() < 1e-12 && dot(&n1, &v).abs() < 1e-12);
        let s = by_hand(dim, &samples);
        let u = prca(&s, 1);
        assert!((dot(&u[0], &v).abs() - 1.0).abs() < 1e-9, "PRCA finds v: {:?}", u[0]);
        let curve = capture_curve(&s, &s);
        println!("constructed: PRCA {:?}, PCA {:?}", curve.prca, curve.pca);
        assert!((curve.prca[0] - 1.0).abs() < 1e-9, "v holds all the relevance");
        assert!(curve.pca[0].abs() < 1e-6, "PCA's top direction (the noise) holds none: {}", curve.pca[0]);
        assert!((curve.pca[dim - 1] - 1.0).abs() < 1e-9 && (curve.prca[dim - 1] - 1.0).abs() < 1e-9, "the whole space holds everything");
    }

    /// On held-out samples of a CNN, PRCA's top-d subspace (fitted on others) holds at
    /// least PCA's share of the relevance for every d.
    #[test]
    fn prca_captures_at_least_pca_on_held_out_samples() {
        let be = Be::new();
        let net = cnn();
        let probe = Probe::new(&be, &net).with_batch(16);
        let (xf, sf) = explained(&probe, 60, 21);
        let (xe, se) = explained(&probe, 60, 22);
        let fit = collect(&probe, &xf, &sf, &composite(), 1).await_now().unwrap();
        let eval = collect(&probe, &xe, &se, &composite(), 1).await_now().unwrap();
        assert_eq!((fit.dim, fit.positions), (8, 36));
        let curve = capture_curve(&fit, &eval);
        println!("held-out relevance captured, d = 1..8\n  PRCA {:.3?}\n  PCA  {:.3?}", curve.prca, curve.pca);
        for d in 0..8 {
            assert!(curve.prca[d] >= curve.pca[d] - 1e-9, "d = {}: PRCA {} < PCA {}", d + 1, curve.prca[d], curve.pca[d]);
        }
        assert!(curve.prca[0] > curve.pca[0] + 0.05, "with one direction PRCA is clearly ahead");
        assert!((curve.prca[7] - 1.0).abs() < 1e-9 && (curve.pca[7] - 1.0).abs() < 1e-9, "all 8 channels hold all the relevance");
    }
}
