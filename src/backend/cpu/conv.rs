//! Convolution by im2col on the CPU: unfolding image windows into rows (`im2col`), its
//! adjoint (`col2im`) and the block transpose that moves between channels-last matmul
//! outputs and NCHW rows. One walk over a window's taps serves both directions.

use crate::backend::{Real, Window};
use ndarray::Array2;

/// Calls `f(row, col, pixel, len)` for every run of taps of one sample that lands inside
/// the image: `len` consecutive (kj) taps of one window row, from column `col` =
/// (c·kh + ki)·kw + kj of im2col's output row `row` = i·ow + j (the output position),
/// reading input pixels `pixel` = c·h·w + r·w + q onwards. Output positions run in order,
/// and within one the columns do.
fn for_each_run(window: &Window, mut f: impl FnMut(usize, usize, usize, usize)) {
    let ([kh, kw], [sh, sw], [ph, pw]) = (window.kernel, window.stride, window.pad);
    let (plane, width) = (window.input.plane(), window.input.width);
    for i in 0..window.out[0] {
        let rows = window.taps(0, i);
        for j in 0..window.out[1] {
            let cols = window.taps(1, j);
            if cols.is_empty() {
                continue;
            }
            let row = i * window.out[1] + j;
            for c in 0..window.input.channels {
                for ki in rows.clone() {
                    let pixel = c * plane + (i * sh + ki - ph) * width + j * sw + cols.start - pw;
                    f(row, (c * kh + ki) * kw + cols.start, pixel, cols.len());
                }
            }
        }
    }
}

/// Columns of im2col's output: one per (channel, ki, kj).
fn cols_len(window: &Window) -> usize {
    window.input.channels * window.window_len()
}

pub fn im2col<E: Real>(x: &Array2<E>, window: &Window) -> Array2<E> {
    let len = window.input.len();
    assert_eq!(x.ncols(), len, "im2col: the input has {} columns, the window's image {len}", x.ncols());
    let (n, p, k) = (x.nrows(), window.out_plane(), cols_len(window));
    let x = x.as_standard_layout();
    let x = x.as_slice().expect("standard layout");
    let mut out = vec![E::zero(); n * p * k];
    for s in 0..n {
        let (src, dst) = (&x[s * len..(s + 1) * len], &mut out[s * p * k..(s + 1) * p * k]);
        for_each_run(window, |row, col, pixel, len| {
            dst[row * k + col..row * k + col + len].copy_from_slice(&src[pixel..pixel + len])
        });
    }
    Array2::from_shape_vec((n * p, k), out).expect("length matches")
}

/// Adds in im2col's order, so the GPU's gather (which walks the taps backwards) sums
/// each pixel's entries in the same sequence.
pub fn col2im<E: Real>(cols: &Array2<E>, window: &Window) -> Array2<E> {
    let (p, k, len) = (window.out_plane(), cols_len(window), window.input.len());
    assert!(
        cols.ncols() == k && cols.nrows().is_multiple_of(p),
        "col2im: columns {:?} are not [n·{p}, {k}]",
        cols.shape()
    );
    let n = cols.nrows() / p;
    let cols = cols.as_standard_layout();
    let cols = cols.as_slice().expect("standard layout");
    let mut out = vec![E::zero(); n * len];
    for s in 0..n {
        let (src, dst) = (&cols[s * p * k..(s + 1) * p * k], &mut out[s * len..(s + 1) * len]);
        for_each_run(window, |row, col, pixel, len| {
            for (d, &v) in dst[pixel..pixel + len].iter_mut().zip(&src[row * k + col..row * k + col + len]) {
                *d = *d + v;
            }
        });
    }
    Array2::from_shape_vec((n, len), out).expect("length matches")
}

/// A conv's channels-last matmul output z [n·p, o] → multiplier·z + bias as NCHW rows
/// [n, o·p], in one pass (what scale, add_bias and transpose_blocks do in three).
pub fn channels_first_biased<E: Real>(z: &Array2<E>, bias: &Array2<E>, multiplier: f32, [n, p, o]: [usize; 3]) -> Array2<E> {
    assert_eq!(z.shape(), &[n * p, o], "channels_first_biased: z must be [n·p, o]");
    assert_eq!(bias.shape(), &[1, o], "channels_first_biased: the bias must be [1, o]");
    let (z, bias) = (z.as_standard_layout(), bias.as_standard_layout());
    let (z, bias) = (z.as_slice().expect("standard layout"), bias.as_slice().expect("standard layout"));
    let mult = E::from_f32(multiplier);
    let mut y = vec![E::zero(); n * o * p];
    for (src, dst) in z.chunks_exact(p * o).zip(y.chunks_exact_mut(o * p)) {
        for (pixel, zs) in src.chunks_exact(o).enumerate() {
            for (f, (&v, &b)) in zs.iter().zip(bias).enumerate() {
                dst[f * p + pixel] = v * mult + b;
            }
        }
    }
    Array2::from_shape_vec((n, o * p), y).expect("n·o·p values")
}

pub fn transpose_blocks<E: Real>(x: &Array2<E>, [g, a, b]: [usize; 3], out_shape: [usize; 2]) -> Array2<E> {
    let len = g * a * b;
    assert!(
        x.len() == len && out_shape[0] * out_shape[1] == len,
        "transpose_blocks: {:?} and {out_shape:?} do not both hold {g}·{a}·{b} numbers",
        x.shape()
    );
    let x = x.as_standard_layout();
    let x = x.as_slice().expect("standard layout");
    // Plain index loops: iterating a permuted ndarray view costs an index computation per
    // element, which made this a tenth of a CNN training step.
    let mut out = vec![E::zero(); len];
    for (src, dst) in x.chunks_exact(a * b).zip(out.chunks_exact_mut(a * b)) {
        for (i, row) in src.chunks_exact(b).enumerate() {
            for (j, &v) in row.iter().enumerate() {
                dst[j * a + i] = v;
            }
        }
    }
    Array2::from_shape_vec(out_shape, out).expect("length checked")
}

#[cfg(test)]
pub(super) mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;
    use super::super::tests::random;
    use super::super::CpuBackend;
    use crate::backend::{Backend, ImageShape, Padding, Window};
    use ndarray::Array2;

    /// Stride 1 and 2 (and 3, leaving pixels unread), valid and same padding with odd and
    /// even kernels, non-square images, one to three channels, a kernel larger than the image.
    pub(in crate::backend::cpu) fn windows() -> Vec<Window> {
        let cases = [
            ((1, 5, 5), [3, 3], [1, 1], Padding::Valid),
            ((3, 7, 5), [3, 3], [2, 2], Padding::Same),
            ((2, 6, 9), [2, 3], [1, 1], Padding::Same),
            ((2, 8, 7), [4, 4], [2, 2], Padding::Same),
            ((3, 7, 6), [2, 2], [3, 3], Padding::Valid),
            ((2, 9, 6), [3, 2], [2, 1], Padding::Valid),
            ((1, 4, 3), [5, 5], [1, 1], Padding::Same),
        ];
        cases
            .into_iter()
            .map(|((c, h, w), k, s, pad)| Window::new(ImageShape::new(c, h, w), k, s, pad).unwrap())
            .collect()
    }

    /// A conv layer's forward pass from the backend ops: x [n, c·h·w], weight [o, c·kh·kw],
    /// bias [1, o] → y [n, o·oh·ow].
    fn conv_forward(
        be: &CpuBackend<f64>,
        x: &Array2<f64>,
        w: &Array2<f64>,
        b: &Array2<f64>,
        win: &Window,
    ) -> Array2<f64> {
        let (n, p, o) = (x.nrows(), win.out_plane(), w.nrows());
        let mut y = be.matmul(&be.im2col(x, win), w, false, true);
        be.add_bias(&mut y, b);
        be.transpose_blocks(&y, [n, p, o], [n, o * p])
    }

    /// Its backward pass: (dx, dweight, dbias) from dy [n, o·oh·ow].
    fn conv_backward(
        be: &CpuBackend<f64>,
        x: &Array2<f64>,
        w: &Array2<f64>,
        dy: &Array2<f64>,
        win: &Window,
    ) -> (Array2<f64>, Array2<f64>, Array2<f64>) {
        let (n, p, o) = (x.nrows(), win.out_plane(), w.nrows());
        let dy = be.transpose_blocks(dy, [n, o, p], [n * p, o]);
        let dw = be.matmul(&dy, &be.im2col(x, win), true, false);
        let db = be.sum_rows(&dy);
        let dx = be.col2im(&be.matmul(&dy, w, false, false), win);
        (dx, dw, db)
    }

    /// The textbook six loops (plus the batch), padding by bounds checks.
    pub(in crate::backend::cpu) fn naive_conv(x: &Array2<f64>, w: &Array2<f64>, b: &Array2<f64>, win: &Window) -> Array2<f64> {
        let ImageShape { channels, height, width } = win.input;
        let ([kh, kw], [oh, ow], o) = (win.kernel, win.out, w.nrows());
        let mut y = Array2::zeros((x.nrows(), o * oh * ow));
        for s in 0..x.nrows() {
            for f in 0..o {
                for i in 0..oh {
                    for j in 0..ow {
                        let mut sum = b[[0, f]];
                        for c in 0..channels {
                            for ki in 0..kh {
                                for kj in 0..kw {
                                    let r = (i * win.stride[0] + ki) as isize - win.pad[0] as isize;
                                    let q = (j * win.stride[1] + kj) as isize - win.pad[1] as isize;
                                    if (0..height as isize).contains(&r) && (0..width as isize).contains(&q) {
                                        let pixel = c * height * width + r as usize * width + q as usize;
                                        sum += w[[f, (c * kh + ki) * kw + kj]] * x[[s, pixel]];
                                    }
                                }
                            }
                        }
                        y[[s, (f * oh + i) * ow + j]] = sum;
                    }
                }
            }
        }
        y
    }

    #[test]
    fn conv_by_im2col_matches_naive_cross_correlation() {
        let be = CpuBackend::<f64>::new();
        for (t, win) in windows().into_iter().enumerate() {
            let salt = 10 * t as u32;
            let (n, o) = (3, 4);
            let x = random([n, win.input.len()], salt);
            let w = random([o, win.input.channels * win.window_len()], salt + 1);
            let b = random([1, o], salt + 2);
            let (got, want) = (conv_forward(&be, &x, &w, &b, &win), naive_conv(&x, &w, &b, &win));
            assert_eq!(got.shape(), want.shape());
            for (g, w) in got.iter().zip(&want) {
                assert!((g - w).abs() <= 1e-12 * (1.0 + w.abs()), "{win:?}: {g} vs {w}");
            }
        }
    }

    #[test]
    fn col2im_is_the_adjoint_of_im2col() {
        let be = CpuBackend::<f64>::new();
        for (t, win) in windows().into_iter().enumerate() {
            let salt = 10 * t as u32 + 5;
            let n = 2;
            let x = random([n, win.input.len()], salt);
            let c = random([n * win.out_plane(), win.input.channels * win.window_len()], salt + 1);
            let lhs = (&be.im2col(&x, &win) * &c).sum();
            let rhs = (&x * &be.col2im(&c, &win)).sum();
            assert!((lhs - rhs).abs() <= 1e-12 * lhs.abs().max(rhs.abs()), "{win:?}: {lhs} vs {rhs}");
        }
    }

    #[test]
    fn transpose_blocks_matches_its_definition_and_undoes_itself() {
        let be = CpuBackend::<f64>::new();
        let [g, a, b] = [3, 5, 7];
        let x = random([g * a, b], 40);
        let t = be.transpose_blocks(&x, [g, a, b], [g, b * a]);
        for gi in 0..g {
            for i in 0..a {
                for j in 0..b {
                    assert_eq!(t[[gi, j * a + i]], x[[gi * a + i, j]]);
                }
            }
        }
        assert_eq!(be.transpose_blocks(&t, [g, b, a], [g * a, b]), x);
    }

    #[test]
    fn conv_backward_from_the_ops_matches_central_differences() {
        let be = CpuBackend::<f64>::new();
        let h = 1e-5;
        let mut worst = 0.0f64;
        for (t, win) in windows().into_iter().enumerate() {
            let salt = 10 * t as u32 + 7;
            let (n, o) = (2, 3);
            let x = random([n, win.input.len()], salt);
            let w = random([o, win.input.channels * win.window_len()], salt + 1);
            let b = random([1, o], salt + 2);
            // loss = Σ y ⊙ r, so dy = r.
            let r = random([n, o * win.out_plane()], salt + 3);
            let loss =
                |x: &Array2<f64>, w: &Array2<f64>, b: &Array2<f64>| (&conv_forward(&be, x, w, b, &win) * &r).sum();
            let (dx, dw, db) = conv_backward(&be, &x, &w, &r, &win);
            let params: [(&Array2<f64>, &Array2<f64>); 3] = [(&x, &dx), (&w, &dw), (&b, &db)];
            for (which, (p, grad)) in params.into_iter().enumerate() {
                assert_eq!(p.shape(), grad.shape());
                for idx in 0..p.len() {
                    let at = |delta: f64| {
                        let mut q = [x.clone(), w.clone(), b.clone()];
                        let (rr, cc) = (idx / p.ncols(), idx % p.ncols());
                        q[which][[rr, cc]] += delta;
                        loss(&q[0], &q[1], &q[2])
                    };
                    let numeric = (at(h) - at(-h)) / (2.0 * h);
                    let analytic = grad.as_slice().unwrap()[idx];
                    let err = (analytic - numeric).abs() / (1.0 + numeric.abs());
                    assert!(err < 1e-6, "{win:?} param {which} entry {idx}: {analytic} vs {numeric}");
                    worst = worst.max(err);
                }
            }
        }
        println!("conv backward: worst relative error {worst:.2e}");
    }
}
