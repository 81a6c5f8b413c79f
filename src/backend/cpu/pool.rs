//! Pooling over the windows of an image batch (max, mean, log-average-exp) and its
//! backward: the reference for the GPU kernels (gpu/kernels/pool*.wgsl), which scan each
//! window in the same order with the same formulas.

use crate::backend::{PoolOp, Real, Window};
use ndarray::Array2;

/// The in-plane pixel indices (r·W + c) under every window, in output order; each
/// window's taps in (ki, kj) row-major order, the padding skipped.
fn windows(w: &Window) -> Vec<Vec<usize>> {
    let positions = (0..w.out[0]).flat_map(|oi| (0..w.out[1]).map(move |oj| (oi, oj)));
    positions
        .map(|(oi, oj)| {
            let offsets = (0..w.kernel[0]).flat_map(|ki| (0..w.kernel[1]).map(move |kj| (ki, kj)));
            offsets.filter_map(|(ki, kj)| w.source(oi, oj, ki, kj)).map(|(r, c)| r * w.input.width + c).collect()
        })
        .collect()
}

/// One window of one channel, scanned in tap order.
struct Scan<E> {
    /// The maximum, and the pixel of its first occurrence.
    max: E,
    arg: usize,
    count: usize,
    /// Σ x for Avg; Σ e with e = exp((x − max)/t) for LogAvgExp; zero for Max.
    total: E,
    /// Σ e·(x − max) for LogAvgExp; zero otherwise.
    moment: E,
}

impl<E: Real> Scan<E> {
    fn new(op: PoolOp, plane: &[E], taps: &[usize], t: E) -> Self {
        let mut s = Scan { max: plane[taps[0]], arg: taps[0], count: taps.len(), total: E::zero(), moment: E::zero() };
        for &i in &taps[1..] {
            if plane[i] > s.max {
                s.max = plane[i];
                s.arg = i;
            }
        }
        for &i in taps {
            let v = plane[i];
            match op {
                PoolOp::Max => {}
                PoolOp::Avg => s.total = s.total + v,
                PoolOp::LogAvgExp => {
                    let e = ((v - s.max) / t).det_exp();
                    s.total = s.total + e;
                    s.moment = s.moment + e * (v - s.max);
                }
            }
        }
        s
    }

    fn value(&self, op: PoolOp, t: E) -> E {
        let count = E::from_f64(self.count as f64);
        match op {
            PoolOp::Max => self.max,
            PoolOp::Avg => self.total / count,
            PoolOp::LogAvgExp => self.max + t * (self.total / count).det_ln(),
        }
    }
}

/// Each window's taps inside the image as (first pixel r·W + c, rows, columns), in output
/// order: max pooling's compact form of `windows`.
fn spans(w: &Window) -> Vec<(usize, usize, usize)> {
    let positions = (0..w.out[0]).flat_map(|oi| (0..w.out[1]).map(move |oj| (oi, oj)));
    positions
        .map(|(oi, oj)| {
            let (rows, cols) = (w.taps(0, oi), w.taps(1, oj));
            let first = (oi * w.stride[0] + rows.start - w.pad[0]) * w.input.width + oj * w.stride[1] + cols.start - w.pad[1];
            (first, rows.len(), cols.len())
        })
        .collect()
}

/// The pixel of the first maximum under one span of one plane, scanned in tap order as
/// `Scan` does.
fn first_max<E: Real>(plane: &[E], width: usize, (first, rows, cols): (usize, usize, usize)) -> usize {
    let (mut arg, mut max) = (first, plane[first]);
    for r in 0..rows {
        let start = first + r * width;
        for (i, &v) in plane[start..start + cols].iter().enumerate() {
            // Selects rather than branches: which tap wins is data, so a branch mispredicts.
            let more = v > max;
            arg = if more { start + i } else { arg };
            max = if more { v } else { max };
        }
    }
    arg
}

/// Checks the shapes and returns the temperature (1 for the ops without one).
fn check<E: Real>(name: &str, op: PoolOp, x: &Array2<E>, w: &Window, log_t: Option<&Array2<E>>) -> E {
    assert_eq!(x.ncols(), w.input.len(), "{name}: x must have the window's c·h·w columns");
    assert_eq!(log_t.is_some(), op == PoolOp::LogAvgExp, "{name}: log_t goes with LogAvgExp, and only with it");
    log_t.map_or(E::one(), |l| {
        assert_eq!(l.shape(), &[1, 1], "{name}: log_t must be [1, 1]");
        l[[0, 0]].det_exp()
    })
}

pub fn forward<E: Real>(op: PoolOp, x: &Array2<E>, w: &Window, log_t: Option<&Array2<E>>) -> Array2<E> {
    let t = check("pool", op, x, w, log_t);
    let x = x.as_standard_layout();
    if op == PoolOp::Max {
        let spans = spans(w);
        let mut y = Vec::with_capacity(x.nrows() * w.input.channels * w.out_plane());
        for xp in x.as_slice().expect("standard layout").chunks(w.input.plane()) {
            y.extend(spans.iter().map(|&span| xp[first_max(xp, w.input.width, span)]));
        }
        return Array2::from_shape_vec((x.nrows(), w.input.channels * w.out_plane()), y).expect("n·c·oh·ow values");
    }
    let windows = windows(w);
    let mut y = Array2::zeros((x.nrows(), w.input.channels * w.out_plane()));
    let in_planes = x.as_slice().expect("standard layout").chunks(w.input.plane());
    let out_planes = y.as_slice_mut().expect("fresh arrays are contiguous").chunks_mut(w.out_plane());
    for (xp, yp) in in_planes.zip(out_planes) {
        for (v, taps) in yp.iter_mut().zip(&windows) {
            *v = Scan::new(op, xp, taps, t).value(op, t);
        }
    }
    y
}

pub fn backward<E: Real>(
    op: PoolOp,
    x: &Array2<E>,
    y: &Array2<E>,
    dy: &Array2<E>,
    w: &Window,
    log_t: Option<&Array2<E>>,
) -> (Array2<E>, Option<Array2<E>>) {
    let t = check("pool_backward", op, x, w, log_t);
    let out_shape = [x.nrows(), w.input.channels * w.out_plane()];
    assert!(y.shape() == out_shape && dy.shape() == out_shape, "pool_backward: y and dy must be [n, c·oh·ow]");
    let (x, y, dy) = (x.as_standard_layout(), y.as_standard_layout(), dy.as_standard_layout());
    let mut dx = Array2::zeros(x.raw_dim());
    if op == PoolOp::Max {
        // The argmax is found again rather than kept from the forward pass: two compares
        // per 2×2 window cost less than storing and passing indices through the backend.
        let spans = spans(w);
        let in_planes = x.as_slice().expect("standard layout").chunks(w.input.plane());
        let dx_planes = dx.as_slice_mut().expect("fresh arrays are contiguous").chunks_mut(w.input.plane());
        for ((xp, dxp), dyp) in in_planes.zip(dx_planes).zip(dy.as_slice().expect("standard layout").chunks(w.out_plane())) {
            for (&span, &g) in spans.iter().zip(dyp) {
                let arg = first_max(xp, w.input.width, span);
                dxp[arg] = dxp[arg] + g;
            }
        }
        return (dx, None);
    }
    let windows = windows(w);
    let mut dlog_t = E::zero();
    let in_planes = x.as_slice().expect("standard layout").chunks(w.input.plane());
    let dx_planes = dx.as_slice_mut().expect("fresh arrays are contiguous").chunks_mut(w.input.plane());
    let out_planes = y.as_slice().expect("standard layout").chunks(w.out_plane());
    let dy_planes = dy.as_slice().expect("standard layout").chunks(w.out_plane());
    for (((xp, dxp), yp), dyp) in in_planes.zip(dx_planes).zip(out_planes).zip(dy_planes) {
        for (o, taps) in windows.iter().enumerate() {
            let s = Scan::new(op, xp, taps, t);
            let g = dyp[o];
            match op {
                PoolOp::Max => dxp[s.arg] = dxp[s.arg] + g,
                PoolOp::Avg => {
                    let share = g / E::from_f64(s.count as f64);
                    for &i in taps {
                        dxp[i] = dxp[i] + share;
                    }
                }
                PoolOp::LogAvgExp => {
                    for &i in taps {
                        dxp[i] = dxp[i] + g * ((xp[i] - s.max) / t).det_exp() / s.total;
                    }
                    // ∂y/∂log t = t·∂y/∂t = y − Σ softmax·x, shifted by the max for accuracy.
                    dlog_t = dlog_t + g * ((yp[o] - s.max) - s.moment / s.total);
                }
            }
        }
    }
    (dx, (op == PoolOp::LogAvgExp).then(|| Array2::from_elem((1, 1), dlog_t)))
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;
    use super::*;
    use crate::backend::{ImageShape, Padding};
    use crate::rng::{Rng, Stream};

    const N: usize = 3;
    const IMAGE: ImageShape = ImageShape { channels: 2, height: 7, width: 6 };

    /// Overlapping (3×3 stride 2), non-overlapping (2×2 stride 2, leaving the last row
    /// uncovered), same-padded (odd total padding) and global windows.
    fn windows_under_test() -> Vec<(&'static str, Window)> {
        vec![
            ("3x3 s2 valid", Window::new(IMAGE, [3, 3], [2, 2], Padding::Valid).unwrap()),
            ("2x2 s2 valid", Window::new(IMAGE, [2, 2], [2, 2], Padding::Valid).unwrap()),
            ("3x3 s2 same", Window::new(IMAGE, [3, 3], [2, 2], Padding::Same).unwrap()),
            ("3x2 s1 same", Window::new(IMAGE, [3, 2], [1, 1], Padding::Same).unwrap()),
            ("global", Window::global(IMAGE).unwrap()),
        ]
    }

    fn random(shape: [usize; 2], salt: u32, scale: f32) -> Array2<f64> {
        let r = Rng::new(salt, Stream::Init);
        Array2::from_shape_fn(shape, |(i, j)| r.uniform_in((i * shape[1] + j) as u32, -scale, scale) as f64)
    }

    /// Distinct values in [−2, 2), at least 4/len apart (no max ties, no kinks near).
    fn distinct(shape: [usize; 2]) -> Array2<f64> {
        let len = shape[0] * shape[1];
        assert!(!len.is_multiple_of(37), "i ↦ 37·i mod len must be a permutation");
        Array2::from_shape_fn(shape, |(i, j)| ((i * shape[1] + j) * 37 % len) as f64 * 4.0 / len as f64 - 2.0)
    }

    fn lt(log_t: f64) -> Array2<f64> {
        Array2::from_elem((1, 1), log_t)
    }

    fn op_log_t(op: PoolOp, log_t: f64) -> Option<Array2<f64>> {
        (op == PoolOp::LogAvgExp).then(|| lt(log_t))
    }

    /// Pooling straight from the definitions, with the padding arithmetic done by hand.
    fn naive(op: PoolOp, x: &Array2<f64>, w: &Window, t: f64) -> Array2<f64> {
        let ImageShape { channels, height, width } = w.input;
        let [oh, ow] = w.out;
        let mut y = Array2::zeros((x.nrows(), channels * oh * ow));
        for s in 0..x.nrows() {
            for ch in 0..channels {
                for oi in 0..oh {
                    for oj in 0..ow {
                        let mut vals = Vec::new();
                        for ki in 0..w.kernel[0] {
                            for kj in 0..w.kernel[1] {
                                let r = (oi * w.stride[0] + ki) as isize - w.pad[0] as isize;
                                let c = (oj * w.stride[1] + kj) as isize - w.pad[1] as isize;
                                if (0..height as isize).contains(&r) && (0..width as isize).contains(&c) {
                                    vals.push(x[[s, ch * height * width + r as usize * width + c as usize]]);
                                }
                            }
                        }
                        let len = vals.len() as f64;
                        y[[s, ch * oh * ow + oi * ow + oj]] = match op {
                            PoolOp::Max => vals.iter().fold(f64::NEG_INFINITY, |m, &v| m.max(v)),
                            PoolOp::Avg => vals.iter().sum::<f64>() / len,
                            PoolOp::LogAvgExp => t * (vals.iter().map(|v| (v / t).exp()).sum::<f64>() / len).ln(),
                        };
                    }
                }
            }
        }
        y
    }

    #[test]
    fn every_op_matches_naive_loops() {
        for (name, w) in windows_under_test() {
            let x = random([N, IMAGE.len()], 1, 3.0);
            for op in PoolOp::ALL {
                for log_t in [0.5f64.ln(), 3.0f64.ln()] {
                    let got = forward(op, &x, &w, op_log_t(op, log_t).as_ref());
                    let want = naive(op, &x, &w, log_t.exp());
                    assert_eq!(got.shape(), want.shape());
                    for (g, v) in got.iter().zip(&want) {
                        assert!((g - v).abs() <= 1e-12 * (1.0 + v.abs()), "{op:?} on {name}: {g} vs {v}");
                    }
                }
            }
        }
    }

    #[test]
    fn log_avg_exp_tends_to_max_and_mean_and_is_stable() {
        let w = Window::new(IMAGE, [3, 3], [2, 2], Padding::Same).unwrap();
        let x = random([N, IMAGE.len()], 2, 3.0);
        let max = forward(PoolOp::Max, &x, &w, None);
        let mean = forward(PoolOp::Avg, &x, &w, None);
        // max − t·ln(window size) ≤ LAE ≤ max, so at t = 1e-4 it is within 2.2e-4 of the max.
        let cold = forward(PoolOp::LogAvgExp, &x, &w, Some(&lt(1e-4f64.ln())));
        assert!(cold.iter().zip(&max).all(|(c, m)| c <= m && m - c <= 1e-4 * 9f64.ln()));
        // At large t, LAE = mean + var/(2t) + O(1/t²), with var ≤ 9 here.
        let hot = forward(PoolOp::LogAvgExp, &x, &w, Some(&lt(1e5f64.ln())));
        assert!(hot.iter().zip(&mean).all(|(h, m)| h >= m && h - m <= 5e-5), "{hot} vs {mean}");
        // ±1e4 inputs overflow a naive exp(x/t) in f32 and f64 alike.
        let big = x.mapv(|v| if v > 0.0 { 1e4 + v } else { -1e4 + v });
        let big32 = big.mapv(|v| v as f32);
        let y = forward(PoolOp::LogAvgExp, &big32, &w, Some(&Array2::from_elem((1, 1), 0.5f32.ln())));
        let m32 = forward(PoolOp::Max, &big32, &w, None);
        assert!(y.iter().zip(&m32).all(|(y, m)| y.is_finite() && y <= m && m - y <= 0.5 * 9f32.ln()));
        let dy = Array2::ones(y.raw_dim());
        let (dx, dlog_t) = backward(PoolOp::LogAvgExp, &big32, &y, &dy, &w, Some(&Array2::from_elem((1, 1), 0.5f32.ln())));
        assert!(dx.iter().all(|v| v.is_finite()) && dlog_t.unwrap()[[0, 0]].is_finite());
        let y64 = forward(PoolOp::LogAvgExp, &big, &w, Some(&lt(3.0f64.ln())));
        assert!(y64.iter().all(|v| v.is_finite()));
    }

    #[test]
    fn max_ties_send_the_gradient_to_the_first_maximum() {
        // One 1×3×3 image, one 2×2 stride-1 window grid: every window holds a tie.
        let image = ImageShape::new(1, 3, 3);
        let w = Window::new(image, [2, 2], [1, 1], Padding::Valid).unwrap();
        let x = Array2::from_shape_vec((1, 9), vec![1.0, 2.0, 2.0, 2.0, 2.0, 0.0, 2.0, 1.0, 2.0]).unwrap();
        let y = forward(PoolOp::Max, &x, &w, None);
        let dy = Array2::from_shape_vec((1, 4), vec![1.0, 10.0, 100.0, 1000.0]).unwrap();
        let (dx, dlog_t) = backward(PoolOp::Max, &x, &y, &dy, &w, None);
        assert!(dlog_t.is_none());
        // Windows: (0,0) → pixel 1; (0,1) → pixel 1; (1,0) → pixel 3; (1,1) → pixel 4.
        assert_eq!(dx.as_slice().unwrap(), &[0.0, 11.0, 0.0, 100.0, 1000.0, 0.0, 0.0, 0.0, 0.0]);
    }

    /// Σ dy·pool(x), the scalar whose gradient the backward pass computes.
    fn objective(op: PoolOp, x: &Array2<f64>, dy: &Array2<f64>, w: &Window, log_t: f64) -> f64 {
        (forward(op, x, w, op_log_t(op, log_t).as_ref()) * dy).sum()
    }

    #[test]
    fn gradients_match_central_differences() {
        let h = 1e-5;
        let mut report = Vec::new();
        for (name, w) in windows_under_test() {
            let x = distinct([N, IMAGE.len()]);
            let dy = random([N, IMAGE.channels * w.out_plane()], 3, 1.0);
            for op in PoolOp::ALL {
                for log_t in [0.5f64.ln(), 3.0f64.ln()] {
                    let lt = op_log_t(op, log_t);
                    let y = forward(op, &x, &w, lt.as_ref());
                    let (dx, dlog_t) = backward(op, &x, &y, &dy, &w, lt.as_ref());
                    // Error relative to 1 + |analytic|: the gradients here are at most a few units.
                    let mut worst = 0.0f64;
                    for idx in 0..x.len() {
                        let at = (idx / x.ncols(), idx % x.ncols());
                        let (mut up, mut down) = (x.clone(), x.clone());
                        up[at] += h;
                        down[at] -= h;
                        let num = (objective(op, &up, &dy, &w, log_t) - objective(op, &down, &dy, &w, log_t)) / (2.0 * h);
                        worst = worst.max((num - dx[at]).abs() / (1.0 + dx[at].abs()));
                    }
                    assert!(worst < 1e-8, "{op:?} dx on {name}: worst error {worst:e}");
                    let mut line = format!("{op:?} {name}: dx {worst:.1e}");
                    if let Some(d) = dlog_t {
                        let num = (objective(op, &x, &dy, &w, log_t + h) - objective(op, &x, &dy, &w, log_t - h)) / (2.0 * h);
                        let err = (num - d[[0, 0]]).abs() / (1.0 + d[[0, 0]].abs());
                        assert!(err < 1e-8, "{op:?} dlog_t on {name} at log t = {log_t}: error {err:e}");
                        line += &format!(", dlog_t {err:.1e} (log t = {log_t:.2})");
                    }
                    report.push(line);
                    if op != PoolOp::LogAvgExp {
                        break; // the temperature only matters to LogAvgExp
                    }
                }
            }
        }
        println!("pool gradient checks (|num − analytic| / (1 + |analytic|)):\n{}", report.join("\n"));
    }
}
