//! Dropout masks, batch normalisation and channel scaling on the CPU (the reference the
//! GPU kernels are tested against), with their naive-definition and gradient checks.
//!
//! A tensor [n, c·p] holds c channels of p values per row: channel j of sample r is the
//! columns j·p..(j+1)·p of row r. Per-channel sums run over r, then q, in order.

use crate::backend::{channel_width, dropout_keep, unbiased_factor, Real};
use crate::rng::Rng;
use ndarray::Array2;

/// The cells [r, j·p + q] of channel j, row by row.
fn cells(rows: usize, width: usize, j: usize) -> impl Iterator<Item = [usize; 2]> {
    (0..rows).flat_map(move |r| (j * width..(j + 1) * width).map(move |c| [r, c]))
}

/// Σ f(cell) over channel j, in order.
fn channel_sum<E: Real>(rows: usize, width: usize, j: usize, f: impl Fn([usize; 2]) -> E) -> E {
    cells(rows, width, j).fold(E::zero(), |s, i| s + f(i))
}

pub fn dropout_mask<E: Real>(shape: [usize; 2], p: f32, rng: Rng) -> Array2<E> {
    let keep = E::from_f32(dropout_keep(p));
    Array2::from_shape_fn(shape, |(r, c)| if rng.uniform((r * shape[1] + c) as u32) < p { E::zero() } else { keep })
}

pub fn channel_moments<E: Real>(x: &Array2<E>, channels: usize) -> Array2<E> {
    let (rows, width) = (x.nrows(), channel_width("channel_moments", x.ncols(), channels));
    assert!(rows * width > 0, "channel_moments: channels must not be empty");
    let count = E::from_f64((rows * width) as f64);
    let mut out = Array2::zeros((2, channels));
    for j in 0..channels {
        let mean = channel_sum(rows, width, j, |i| x[i]) / count;
        out[[0, j]] = mean;
        out[[1, j]] = channel_sum(rows, width, j, |i| (x[i] - mean) * (x[i] - mean)) / count;
    }
    out
}

/// Checks moments [2, c] and the per-channel parameters [1, c]; returns the channel width.
fn check<E: Real>(op: &str, x: &Array2<E>, channels: usize, moments: &Array2<E>, params: &[&Array2<E>]) -> usize {
    assert_eq!(moments.shape(), &[2, channels], "{op}: moments must be [2, channels]");
    assert!(params.iter().all(|t| t.shape() == [1, channels]), "{op}: per-channel parameters must be [1, channels]");
    channel_width(op, x.ncols(), channels)
}

/// 1/√(var + eps) per channel.
fn inv_std<E: Real>(moments: &Array2<E>, eps: f32) -> Vec<E> {
    let eps = E::from_f32(eps);
    moments.row(1).iter().map(|&v| E::one() / (v + eps).sqrt()).collect()
}

pub fn batch_norm<E: Real>(
    x: &Array2<E>,
    channels: usize,
    moments: &Array2<E>,
    gamma: &Array2<E>,
    beta: &Array2<E>,
    eps: f32,
) -> Array2<E> {
    let width = check("batch_norm", x, channels, moments, &[gamma, beta]);
    let inv = inv_std(moments, eps);
    Array2::from_shape_fn(x.raw_dim(), |(r, c)| {
        let j = c / width;
        gamma[[0, j]] * (x[[r, c]] - moments[[0, j]]) * inv[j] + beta[[0, j]]
    })
}

pub fn batch_norm_backward<E: Real>(
    x: &Array2<E>,
    channels: usize,
    moments: &Array2<E>,
    gamma: &Array2<E>,
    dy: &Array2<E>,
    eps: f32,
    batch_stats: bool,
) -> (Array2<E>, Array2<E>, Array2<E>) {
    let width = check("batch_norm_backward", x, channels, moments, &[gamma]);
    assert_eq!(x.shape(), dy.shape(), "batch_norm_backward: x and dy shapes differ");
    let rows = x.nrows();
    let count = E::from_f64((rows * width) as f64);
    let inv = inv_std(moments, eps);
    let (mut dx, mut dgamma, mut dbeta) = (Array2::zeros(x.raw_dim()), Array2::zeros((1, channels)), Array2::zeros((1, channels)));
    for j in 0..channels {
        let xhat = |i: [usize; 2]| (x[i] - moments[[0, j]]) * inv[j];
        let sum_dy = channel_sum(rows, width, j, |i| dy[i]);
        let sum_dy_xhat = channel_sum(rows, width, j, |i| dy[i] * xhat(i));
        dbeta[[0, j]] = sum_dy;
        dgamma[[0, j]] = sum_dy_xhat;
        let scale = gamma[[0, j]] * inv[j];
        for i in cells(rows, width, j) {
            dx[i] = if batch_stats {
                scale * (dy[i] - sum_dy / count - xhat(i) * (sum_dy_xhat / count))
            } else {
                scale * dy[i]
            };
        }
    }
    (dx, dgamma, dbeta)
}

pub fn update_running_moments<E: Real>(running: &mut Array2<E>, moments: &Array2<E>, momentum: f32, count: usize) {
    assert_eq!(running.shape(), moments.shape(), "update_running_moments: running and batch moments differ in shape");
    assert_eq!(running.nrows(), 2, "update_running_moments: moments must be [2, channels]");
    let (m, correction) = (E::from_f32(momentum), E::from_f64(unbiased_factor(count)));
    for (((row, _), v), &b) in running.indexed_iter_mut().zip(moments) {
        let b = if row == 1 { b * correction } else { b };
        *v = (E::one() - m) * *v + m * b;
    }
}

/// Checks s [n, c] against x [n, c·p]; returns the channel width p.
fn scale_width<E: Real>(op: &str, x: &Array2<E>, s: &Array2<E>) -> usize {
    assert_eq!(s.nrows(), x.nrows(), "{op}: x and s must have the same rows");
    channel_width(op, x.ncols(), s.ncols())
}

pub fn channel_scale<E: Real>(x: &Array2<E>, s: &Array2<E>) -> Array2<E> {
    let width = scale_width("channel_scale", x, s);
    Array2::from_shape_fn(x.raw_dim(), |(r, c)| x[[r, c]] * s[[r, c / width]])
}

pub fn channel_scale_backward<E: Real>(x: &Array2<E>, s: &Array2<E>, dy: &Array2<E>) -> (Array2<E>, Array2<E>) {
    let width = scale_width("channel_scale_backward", x, s);
    assert_eq!(x.shape(), dy.shape(), "channel_scale_backward: x and dy shapes differ");
    let dx = Array2::from_shape_fn(x.raw_dim(), |(r, c)| dy[[r, c]] * s[[r, c / width]]);
    let ds = Array2::from_shape_fn(s.raw_dim(), |(r, j)| {
        (j * width..(j + 1) * width).fold(E::zero(), |acc, c| acc + dy[[r, c]] * x[[r, c]])
    });
    (dx, ds)
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;
    use super::*;
    use crate::backend::{cpu::CpuBackend, Backend};
    use crate::rng::Stream;

    /// Uniform in [lo, hi), addressed by `salt`.
    fn random(shape: [usize; 2], salt: u32, lo: f32, hi: f32) -> Array2<f64> {
        let r = Rng::new(salt, Stream::Init);
        Array2::from_shape_fn(shape, |(i, j)| r.uniform_in((i * shape[1] + j) as u32, lo, hi) as f64)
    }

    /// (n, c, p) cases: dense features (p = 1) and small images (p = 6).
    const CASES: [[usize; 3]; 2] = [[5, 3, 1], [3, 2, 6]];
    const EPS: f32 = 1e-3;

    /// Naive per-channel values of x, gathered by index arithmetic.
    fn channel_values(x: &Array2<f64>, c: usize, j: usize) -> Vec<f64> {
        let p = x.ncols() / c;
        let mut v = Vec::new();
        for r in 0..x.nrows() {
            for q in 0..p {
                v.push(x[[r, j * p + q]]);
            }
        }
        v
    }

    #[test]
    fn add_and_mul_are_elementwise() {
        let be = CpuBackend::<f64>::new();
        let (a, b) = (random([4, 7], 1, -2.0, 2.0), random([4, 7], 2, -2.0, 2.0));
        let (sum, prod) = (be.add(&a, &b), be.mul(&a, &b));
        for (i, (&x, &y)) in a.iter().zip(&b).enumerate() {
            let (r, c) = (i / 7, i % 7);
            assert_eq!(sum[[r, c]], x + y);
            assert_eq!(prod[[r, c]], x * y);
        }
    }

    #[test]
    fn moments_and_forward_match_naive_definitions() {
        for [n, c, p] in CASES {
            let x = random([n, c * p], 3, -2.0, 3.0);
            let (gamma, beta) = (random([1, c], 4, 0.5, 2.0), random([1, c], 5, -1.0, 1.0));
            let m = channel_moments(&x, c);
            let y = batch_norm(&x, c, &m, &gamma, &beta, EPS);
            for j in 0..c {
                let v = channel_values(&x, c, j);
                let mean = v.iter().sum::<f64>() / v.len() as f64;
                let var = v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / v.len() as f64;
                assert!((m[[0, j]] - mean).abs() < 1e-14 && (m[[1, j]] - var).abs() < 1e-14);
                for r in 0..n {
                    for q in 0..p {
                        let want = gamma[[0, j]] * (x[[r, j * p + q]] - mean) / (var + EPS as f64).sqrt() + beta[[0, j]];
                        assert!((y[[r, j * p + q]] - want).abs() < 1e-13);
                    }
                }
            }
        }
    }

    #[test]
    fn two_pass_variance_survives_a_large_offset() {
        // E[x²] − E[x]² would lose every digit of a variance of 1 at an offset of 1e4 in f32.
        let x = Array2::from_shape_fn((1, 4), |(_, c)| 10_000.0f32 + [-1.0, 1.0, -1.0, 1.0][c]);
        let m = channel_moments(&x, 1);
        assert_eq!((m[[0, 0]], m[[1, 0]]), (10_000.0, 1.0));
    }

    /// Σ w ⊙ batch_norm(x), with the moments recomputed from x when `batch_stats`.
    fn bn_loss(x: &Array2<f64>, c: usize, fixed: &Array2<f64>, gamma: &Array2<f64>, beta: &Array2<f64>, w: &Array2<f64>, batch_stats: bool) -> f64 {
        let m = if batch_stats { channel_moments(x, c) } else { fixed.clone() };
        (batch_norm(x, c, &m, gamma, beta, EPS) * w).sum()
    }

    fn show(errors: &[f64]) -> String {
        errors.iter().map(|e| format!("{e:.2e}")).collect::<Vec<_>>().join(", ")
    }

    /// Worst |numeric − analytic| / (1 + |analytic|) over every element of `at`, perturbing
    /// it by ±H and evaluating `loss` on the perturbed copy.
    fn worst_error(at: &Array2<f64>, analytic: &Array2<f64>, loss: impl Fn(&Array2<f64>) -> f64) -> f64 {
        const H: f64 = 1e-5;
        let mut worst = 0.0f64;
        for i in 0..at.len() {
            let idx = [i / at.ncols(), i % at.ncols()];
            let (mut plus, mut minus) = (at.clone(), at.clone());
            plus[idx] += H;
            minus[idx] -= H;
            let numeric = (loss(&plus) - loss(&minus)) / (2.0 * H);
            worst = worst.max((numeric - analytic[idx]).abs() / (1.0 + analytic[idx].abs()));
        }
        worst
    }

    #[test]
    fn batch_norm_backward_matches_central_differences_in_both_modes() {
        for [n, c, p] in CASES {
            let x = random([n, c * p], 6, -2.0, 3.0);
            let (gamma, beta) = (random([1, c], 7, 0.5, 2.0), random([1, c], 8, -1.0, 1.0));
            let w = random([n, c * p], 9, -1.0, 1.0);
            // Running statistics for eval mode: not x's own.
            let running = Array2::from_shape_fn((2, c), |(r, j)| if r == 0 { 0.3 * j as f64 } else { 1.5 + j as f64 });
            for batch_stats in [true, false] {
                let m = if batch_stats { channel_moments(&x, c) } else { running.clone() };
                let (dx, dgamma, dbeta) = batch_norm_backward(&x, c, &m, &gamma, &w, EPS, batch_stats);
                let errors = [
                    worst_error(&x, &dx, |x| bn_loss(x, c, &running, &gamma, &beta, &w, batch_stats)),
                    worst_error(&gamma, &dgamma, |g| bn_loss(&x, c, &running, g, &beta, &w, batch_stats)),
                    worst_error(&beta, &dbeta, |b| bn_loss(&x, c, &running, &gamma, b, &w, batch_stats)),
                ];
                println!("batch_norm_backward n={n} c={c} p={p} batch_stats={batch_stats}: worst (dx, dgamma, dbeta) errors {}", show(&errors));
                assert!(errors.iter().all(|&e| e < 1e-7), "{errors:?}");
            }
        }
    }

    #[test]
    fn channel_scale_matches_its_definition_and_central_differences() {
        let [n, c, p] = [3, 2, 6];
        let (x, s, w) = (random([n, c * p], 10, -2.0, 2.0), random([n, c], 11, -1.0, 2.0), random([n, c * p], 12, -1.0, 1.0));
        let y = channel_scale(&x, &s);
        for r in 0..n {
            for k in 0..c * p {
                assert_eq!(y[[r, k]], x[[r, k]] * s[[r, k / p]]);
            }
        }
        let (dx, ds) = channel_scale_backward(&x, &s, &w);
        let errors = [
            worst_error(&x, &dx, |x| (channel_scale(x, &s) * &w).sum()),
            worst_error(&s, &ds, |s| (channel_scale(&x, s) * &w).sum()),
        ];
        println!("channel_scale_backward: worst (dx, ds) errors {}", show(&errors));
        assert!(errors.iter().all(|&e| e < 1e-8), "{errors:?}");
    }

    #[test]
    fn running_moments_follow_the_formula() {
        let (mut running, m) = (random([2, 3], 13, 0.0, 2.0), random([2, 3], 14, 0.0, 2.0));
        let before = running.clone();
        // A momentum exact in f32, so the f64 run sees the same value.
        update_running_moments(&mut running, &m, 0.25, 5);
        for j in 0..3 {
            assert!((running[[0, j]] - (0.75 * before[[0, j]] + 0.25 * m[[0, j]])).abs() < 1e-15);
            assert!((running[[1, j]] - (0.75 * before[[1, j]] + 0.25 * m[[1, j]] * 5.0 / 4.0)).abs() < 1e-15);
        }
    }

    #[test]
    fn dropout_masks_drop_a_fraction_p_and_rescale_the_rest() {
        let (p, shape) = (0.3f32, [100, 1000]);
        let rng = Rng::new(1, Stream::Init).child(7);
        let mask: Array2<f32> = dropout_mask(shape, p, rng);
        let keep = 1.0 / (1.0 - p);
        assert!(mask.iter().all(|&v| v == 0.0 || v == keep));
        let zeros = mask.iter().filter(|&&v| v == 0.0).count() as f64 / mask.len() as f64;
        assert!((zeros - p as f64).abs() < 0.005, "dropped fraction {zeros}");
        assert_eq!(mask, dropout_mask::<f32>(shape, p, rng));
        assert_ne!(mask, dropout_mask::<f32>(shape, p, Rng::new(1, Stream::Init).child(8)));
        assert!(dropout_mask::<f32>([3, 5], 0.0, rng).iter().all(|&v| v == 1.0));
    }
}
