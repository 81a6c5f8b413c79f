//! Direct convolution on the CPU: the conv layer's forward pass and its gradients by
//! loops over each output pixel's window, with no im2col matrix, no block transposes and
//! no separate bias pass. Filters go in blocks of `BLOCK` lanes held in a small
//! accumulator array, so the inner loops are fixed-width and vectorise (SIMD128 in wasm);
//! each pixel's sums run over (channel, ki, kj) in order, so results repeat bit for bit.

use crate::backend::{ConvGrads, ConvNeeds, Real, Window};
use ndarray::Array2;

/// Filters per accumulator block.
const BLOCK: usize = 8;

/// The most numbers (c·kh·kw) a window may hold for the direct loops to be chosen. Small
/// windows (a one-channel first layer: 9) make im2col's matrix many times the image and
/// its matmul too thin to pay for packing; at 8 channels × 3×3 = 72 the matmul wins.
const DIRECT_MAX_WINDOW: usize = 32;

/// Whether the CPU backend convolves over `window` directly (else by im2col).
pub fn is_direct(window: &Window) -> bool {
    window.input.channels * window.window_len() <= DIRECT_MAX_WINDOW
}

/// The weight [o, k] transposed to [k, blocks·BLOCK], the filters past o zero.
fn blocked_weight<E: Real>(weight: &[E], o: usize, k: usize, blocks: usize) -> Vec<E> {
    let mut out = vec![E::zero(); k * blocks * BLOCK];
    for f in 0..o {
        for t in 0..k {
            out[t * blocks * BLOCK + f] = weight[f * k + t];
        }
    }
    out
}

/// The BLOCK values of `v` from `at`.
fn block<E: Real>(v: &[E], at: usize) -> &[E; BLOCK] {
    v[at..at + BLOCK].try_into().expect("BLOCK values")
}

/// Σ a·b over one block, as a fixed tree of lane sums.
fn dot_into<E: Real>(lanes: &mut [E; BLOCK], a: &[E; BLOCK], b: &[E; BLOCK]) {
    for l in 0..BLOCK {
        lanes[l] = lanes[l] + a[l] * b[l];
    }
}

fn lane_sum<E: Real>(l: &[E; BLOCK]) -> E {
    ((l[0] + l[1]) + (l[2] + l[3])) + ((l[4] + l[5]) + (l[6] + l[7]))
}

/// The shapes both passes check: (n, o, k) for x [n, c·h·w] and weight [o, k].
fn dims<E: Real>(name: &str, x: &Array2<E>, weight: &Array2<E>, window: &Window) -> (usize, usize, usize) {
    let k = window.input.channels * window.window_len();
    assert_eq!(x.ncols(), window.input.len(), "{name}: x must have the window's c·h·w columns");
    assert_eq!(weight.ncols(), k, "{name}: the weight must have c·kh·kw = {k} columns");
    (x.nrows(), weight.nrows(), k)
}

/// y = multiplier·(x ⋆ weight) + bias, [n, o·oh·ow]; the saved tensor is x itself.
pub fn forward<E: Real>(x: &Array2<E>, weight: &Array2<E>, bias: &Array2<E>, window: &Window, multiplier: f32) -> Array2<E> {
    let (n, o, k) = dims("conv2d", x, weight, window);
    assert_eq!(bias.shape(), &[1, o], "conv2d: the bias must be [1, filters]");
    let (x, weight, bias) = (x.as_standard_layout(), weight.as_standard_layout(), bias.as_standard_layout());
    let (x, bias) = (x.as_slice().expect("standard layout"), bias.as_slice().expect("standard layout"));
    let blocks = o.div_ceil(BLOCK);
    let wt = blocked_weight(weight.as_slice().expect("standard layout"), o, k, blocks);
    let ([kh, kw], [sh, sw], [ph, pw], [oh, ow]) = (window.kernel, window.stride, window.pad, window.out);
    let (c_in, width, plane, p) = (window.input.channels, window.input.width, window.input.plane(), window.out_plane());
    let mult = E::from_f32(multiplier);
    let mut y = vec![E::zero(); n * o * p];
    for (xs, ys) in x.chunks_exact(window.input.len()).zip(y.chunks_exact_mut(o * p)) {
        for i in 0..oh {
            let rows = window.taps(0, i);
            for j in 0..ow {
                let cols = window.taps(1, j);
                let pixel = i * ow + j;
                for b in 0..blocks {
                    let mut acc = [E::zero(); BLOCK];
                    for c in 0..c_in {
                        for ki in rows.clone() {
                            let src = c * plane + (i * sh + ki - ph) * width + j * sw;
                            let tap = (c * kh + ki) * kw;
                            for kj in cols.clone() {
                                let v = xs[src + kj - pw];
                                let w = block(&wt, ((tap + kj) * blocks + b) * BLOCK);
                                for l in 0..BLOCK {
                                    acc[l] = acc[l] + v * w[l];
                                }
                            }
                        }
                    }
                    for (l, a) in acc.iter().enumerate().take(o - b * BLOCK) {
                        let f = b * BLOCK + l;
                        ys[f * p + pixel] = *a * mult + bias[f];
                    }
                }
            }
        }
    }
    Array2::from_shape_vec((n, o * p), y).expect("n·o·p values")
}

/// The gradients of `forward` for dy [n, o·oh·ow], given its input x: the input's (by
/// scattering each pixel's Σ_f w·dy onto its window) and the weight's and bias's (summed
/// over samples, then pixels, in order).
pub fn backward<E: Real>(
    x: &Array2<E>,
    weight: &Array2<E>,
    dy: &Array2<E>,
    window: &Window,
    multiplier: f32,
    needs: ConvNeeds,
) -> ConvGrads<Array2<E>> {
    let (n, o, k) = dims("conv2d_backward", x, weight, window);
    let p = window.out_plane();
    assert_eq!(dy.shape(), &[n, o * p], "conv2d_backward: dy must be [n, filters·oh·ow]");
    let (x, weight, dy) = (x.as_standard_layout(), weight.as_standard_layout(), dy.as_standard_layout());
    let (x, dy) = (x.as_slice().expect("standard layout"), dy.as_slice().expect("standard layout"));
    let blocks = o.div_ceil(BLOCK);
    let width_o = blocks * BLOCK;
    let wt = blocked_weight(weight.as_slice().expect("standard layout"), o, k, blocks);
    let ([kh, kw], [sh, sw], [ph, pw], [oh, ow]) = (window.kernel, window.stride, window.pad, window.out);
    let (c_in, height, width, plane, len) = (window.input.channels, window.input.height, window.input.width, window.input.plane(), window.input.len());
    let mut dx = needs.input.then(|| vec![E::zero(); n * len]);
    // dW as [k, blocks·BLOCK] (wt's layout), db over the padded filters.
    let mut dwt = vec![E::zero(); if needs.params { k * width_o } else { 0 }];
    let mut db = vec![E::zero(); width_o];
    // One sample's dy, channels last: [p, blocks·BLOCK], the padding filters zero.
    let mut g = vec![E::zero(); p * width_o];
    for s in 0..n {
        let (xs, dys) = (&x[s * len..(s + 1) * len], &dy[s * o * p..(s + 1) * o * p]);
        for f in 0..o {
            for (pixel, &v) in dys[f * p..(f + 1) * p].iter().enumerate() {
                g[pixel * width_o + f] = v;
            }
        }
        if needs.params {
            for pixel in 0..p {
                for (d, &v) in db.iter_mut().zip(&g[pixel * width_o..(pixel + 1) * width_o]) {
                    *d = *d + v;
                }
            }
            // dW[tap, f] = Σ_pixels x(tap at pixel)·dy[f, pixel], one block of filters at a time.
            for c in 0..c_in {
                for ki in 0..kh {
                    for kj in 0..kw {
                        let tap = (c * kh + ki) * kw + kj;
                        for b in 0..blocks {
                            let mut acc = [E::zero(); BLOCK];
                            for i in 0..oh {
                                let Some(r) = (i * sh + ki).checked_sub(ph).filter(|&r| r < height) else { continue };
                                for j in 0..ow {
                                    let Some(q) = (j * sw + kj).checked_sub(pw).filter(|&q| q < width) else { continue };
                                    let v = xs[c * plane + r * width + q];
                                    let gv = block(&g, (i * ow + j) * width_o + b * BLOCK);
                                    for l in 0..BLOCK {
                                        acc[l] = acc[l] + v * gv[l];
                                    }
                                }
                            }
                            let d = &mut dwt[tap * width_o + b * BLOCK..][..BLOCK];
                            for l in 0..BLOCK {
                                d[l] = d[l] + acc[l];
                            }
                        }
                    }
                }
            }
        }
        if let Some(dx) = dx.as_mut() {
            let dxs = &mut dx[s * len..(s + 1) * len];
            for i in 0..oh {
                let rows = window.taps(0, i);
                for j in 0..ow {
                    let cols = window.taps(1, j);
                    let gp = &g[(i * ow + j) * width_o..(i * ow + j + 1) * width_o];
                    for c in 0..c_in {
                        for ki in rows.clone() {
                            let src = c * plane + (i * sh + ki - ph) * width + j * sw;
                            let tap = (c * kh + ki) * kw;
                            for kj in cols.clone() {
                                let mut lanes = [E::zero(); BLOCK];
                                for b in 0..blocks {
                                    dot_into(&mut lanes, block(&wt, ((tap + kj) * blocks + b) * BLOCK), block(gp, b * BLOCK));
                                }
                                dxs[src + kj - pw] = dxs[src + kj - pw] + lane_sum(&lanes);
                            }
                        }
                    }
                }
            }
        }
    }
    let mult = E::from_f32(multiplier);
    let input = dx.map(|mut dx| {
        if multiplier != 1.0 {
            dx.iter_mut().for_each(|v| *v = *v * mult);
        }
        Array2::from_shape_vec((n, len), dx).expect("n·len values")
    });
    let params = needs.params.then(|| {
        let dw = Array2::from_shape_fn((o, k), |(f, t)| dwt[t * width_o + f] * mult);
        (dw, Array2::from_shape_fn((1, o), |(_, f)| db[f]))
    });
    ConvGrads { input, params }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;
    use super::super::conv::tests::{naive_conv, windows};
    use super::super::tests::random;
    use super::*;

    /// Filters: fewer than a block, and more than one block with a partial last one.
    const FILTERS: [usize; 2] = [3, 9];

    #[test]
    fn forward_matches_naive_cross_correlation_with_a_multiplier() {
        for (t, win) in windows().into_iter().enumerate() {
            for (u, o) in FILTERS.into_iter().enumerate() {
                let salt = 100 + 10 * t as u32 + u as u32;
                let x = random([3, win.input.len()], salt);
                let w = random([o, win.input.channels * win.window_len()], salt + 1);
                let b = random([1, o], salt + 2);
                let got = forward(&x, &w, &b, &win, 0.5);
                let want = naive_conv(&x, &(&w * 0.5), &b, &win);
                assert_eq!(got.shape(), want.shape());
                for (g, v) in got.iter().zip(&want) {
                    assert!((g - v).abs() <= 1e-12 * (1.0 + v.abs()), "{win:?} with {o} filters: {g} vs {v}");
                }
            }
        }
    }

    #[test]
    fn backward_matches_central_differences_and_computes_only_what_is_asked() {
        let h = 1e-5;
        let all = ConvNeeds { input: true, params: true };
        for (t, win) in windows().into_iter().enumerate() {
            for (u, o) in FILTERS.into_iter().enumerate() {
                let salt = 300 + 10 * t as u32 + u as u32;
                let x = random([2, win.input.len()], salt);
                let w = random([o, win.input.channels * win.window_len()], salt + 1);
                let b = random([1, o], salt + 2);
                // loss = Σ y ⊙ r, so dy = r.
                let r = random([2, o * win.out_plane()], salt + 3);
                let loss = |q: &[Array2<f64>; 3]| (&forward(&q[0], &q[1], &q[2], &win, 1.5) * &r).sum();
                let grads = backward(&x, &w, &r, &win, 1.5, all);
                let (dw, db) = grads.params.expect("asked for");
                let analytic = [grads.input.expect("asked for"), dw, db];
                for (which, grad) in analytic.iter().enumerate() {
                    for idx in 0..grad.len() {
                        let at = |delta: f64| {
                            let mut q = [x.clone(), w.clone(), b.clone()];
                            let cols = q[which].ncols();
                            q[which][[idx / cols, idx % cols]] += delta;
                            loss(&q)
                        };
                        let numeric = (at(h) - at(-h)) / (2.0 * h);
                        let got = grad.as_slice().unwrap()[idx];
                        assert!((got - numeric).abs() <= 1e-6 * (1.0 + numeric.abs()), "{win:?} {o} filters, param {which} entry {idx}: {got} vs {numeric}");
                    }
                }
                let only_params = backward(&x, &w, &r, &win, 1.5, ConvNeeds { input: false, params: true });
                assert!(only_params.input.is_none() && only_params.params.unwrap().0 == analytic[1]);
                let only_input = backward(&x, &w, &r, &win, 1.5, ConvNeeds { input: true, params: false });
                assert!(only_input.params.is_none() && only_input.input.unwrap() == analytic[0]);
            }
        }
    }
}
