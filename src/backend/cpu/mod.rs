//! The CPU backend on ndarray: the reference implementation of every op.
//!
//! Generic over the element type so that gradient checks can run in f64. Reductions run
//! in a fixed order on one thread, so results repeat bit for bit. The scalar formulas of
//! the activations, gates, losses, pooling, normalisation and convolution ops live in the submodules,
//! beside their gradient checks.

mod activation;
mod conv;
mod direct_conv;
mod gate;
mod loss;
// f32 products in the browser; natively matrixmultiply's AVX kernels are faster.
#[cfg(any(test, all(target_arch = "wasm32", target_feature = "simd128")))]
mod matmul;
mod norm;
mod pool;
mod scalar;
#[cfg(any(target_arch = "wasm32", test))]
mod small;

use super::{
    conv2d_backward_by_im2col, ActivationOp, Backend, BackendKind, ConvGrads, ConvNeeds, ElementRule, GateOp, LossOp, LossOutput, OptimizerState, OptimizerStep, PoolOp, Real,
    Window,
};
use crate::rng::Rng;
use ndarray::{linalg::general_mat_mul, Array2, Axis, Zip};
use std::marker::PhantomData;

#[derive(Clone, Copy, Debug, Default)]
pub struct CpuBackend<E: Real = f32>(PhantomData<E>);

impl<E: Real> CpuBackend<E> {
    pub fn new() -> Self {
        CpuBackend(PhantomData)
    }

    /// `LossOp::MseTarget`: the rows' mean of `loss::mse_target`, with no correct count.
    fn regression_loss(&self, logits: &Array2<E>, targets: &Array2<E>) -> LossOutput<Array2<E>> {
        let inv_n = E::one() / E::from_f64(logits.nrows() as f64);
        let mut grad = Array2::zeros(logits.raw_dim());
        let mut loss = E::zero();
        for ((z, mut g), t) in logits.rows().into_iter().zip(grad.rows_mut()).zip(targets.column(0)) {
            let z = z.to_vec();
            let g = g.as_slice_mut().expect("fresh arrays are contiguous");
            loss = loss + loss::mse_target(&z, *t, g);
            g.iter_mut().for_each(|v| *v = *v * inv_n);
        }
        LossOutput {
            loss: Array2::from_elem((1, 1), loss * inv_n),
            correct: Array2::zeros((1, 1)),
            grad,
        }
    }
}

impl<E: Real> Backend for CpuBackend<E> {
    type E = E;
    type Tensor = Array2<E>;

    fn kind(&self) -> BackendKind {
        BackendKind::Cpu
    }

    fn upload(&self, shape: [usize; 2], data: &[E]) -> Array2<E> {
        Array2::from_shape_vec(shape, data.to_vec()).expect("upload: data length must match shape")
    }

    fn shape(&self, t: &Array2<E>) -> [usize; 2] {
        [t.nrows(), t.ncols()]
    }

    async fn read(&self, t: &Array2<E>) -> Vec<E> {
        t.iter().copied().collect()
    }

    fn matmul(&self, a_in: &Array2<E>, b_in: &Array2<E>, trans_a: bool, trans_b: bool) -> Array2<E> {
        let a = if trans_a { a_in.t() } else { a_in.view() };
        let b = if trans_b { b_in.t() } else { b_in.view() };
        assert_eq!(a.ncols(), b.nrows(), "matmul: inner dimensions differ");
        #[cfg(target_arch = "wasm32")]
        if small::fits(a.nrows(), a.ncols(), b.ncols()) {
            return small::matmul(a, b);
        }
        #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
        if let Some(c) = matmul::product(a_in, b_in, trans_a, trans_b) {
            return c;
        }
        let mut c = Array2::zeros((a.nrows(), b.ncols()));
        general_mat_mul(E::one(), &a, &b, E::zero(), &mut c);
        c
    }

    fn add_bias(&self, x: &mut Array2<E>, bias: &Array2<E>) {
        assert_eq!(bias.shape(), &[1, x.ncols()], "add_bias: bias must be [1, cols]");
        Zip::from(x.rows_mut()).for_each(|mut row| Zip::from(&mut row).and(bias.row(0)).for_each(|v, &b| *v = *v + b));
    }

    fn sum_rows(&self, x: &Array2<E>) -> Array2<E> {
        x.sum_axis(Axis(0)).insert_axis(Axis(0))
    }

    fn activation(&self, op: ActivationOp, x: &Array2<E>) -> Array2<E> {
        let mut y = x.as_standard_layout().into_owned();
        activation::forward_in_place(op, y.as_slice_mut().expect("standard layout"));
        y
    }

    fn activation_backward(&self, op: ActivationOp, x: &Array2<E>, y: &Array2<E>, dy: &Array2<E>) -> Array2<E> {
        assert!(x.shape() == y.shape() && y.shape() == dy.shape(), "activation_backward: shapes differ");
        let (x, y, dy) = (x.as_standard_layout(), y.as_standard_layout(), dy.as_standard_layout());
        let mut dx = Array2::zeros(x.raw_dim());
        activation::backward_into(
            op,
            x.as_slice().expect("standard layout"),
            y.as_slice().expect("standard layout"),
            dy.as_slice().expect("standard layout"),
            dx.as_slice_mut().expect("fresh arrays are contiguous"),
        );
        dx
    }

    fn prelu(&self, x: &Array2<E>, slope: &Array2<E>) -> Array2<E> {
        assert_eq!(slope.shape(), &[1, x.ncols()], "prelu: slope must be [1, cols]");
        let mut y = x.clone();
        Zip::from(y.rows_mut()).for_each(|mut row| {
            Zip::from(&mut row).and(slope.row(0)).for_each(|v, &a| *v = activation::prelu(*v, a))
        });
        y
    }

    fn prelu_backward(&self, x: &Array2<E>, slope: &Array2<E>, dy: &Array2<E>) -> (Array2<E>, Array2<E>) {
        assert_eq!(slope.shape(), &[1, x.ncols()], "prelu_backward: slope must be [1, cols]");
        assert_eq!(x.shape(), dy.shape(), "prelu_backward: shapes differ");
        let mut dx = dy.clone();
        let mut dslope = Array2::zeros((1, x.ncols()));
        for (mut g, xr) in dx.rows_mut().into_iter().zip(x.rows()) {
            for (c, (g, &x)) in g.iter_mut().zip(xr).enumerate() {
                if x <= E::zero() {
                    dslope[[0, c]] = dslope[[0, c]] + *g * x;
                    *g = *g * slope[[0, c]];
                }
            }
        }
        (dx, dslope)
    }

    fn pair_gate(&self, op: GateOp, x: &Array2<E>) -> Array2<E> {
        assert!(x.ncols().is_multiple_of(2), "pair_gate: the input needs an even number of columns");
        Array2::from_shape_fn((x.nrows(), x.ncols() / 2), |(r, j)| gate::forward(op, x[[r, 2 * j]], x[[r, 2 * j + 1]]))
    }

    fn pair_gate_backward(&self, op: GateOp, x: &Array2<E>, dy: &Array2<E>) -> Array2<E> {
        assert!(x.ncols().is_multiple_of(2) && dy.shape() == [x.nrows(), x.ncols() / 2], "pair_gate_backward: shapes differ");
        Array2::from_shape_fn(x.raw_dim(), |(r, c)| {
            let j = c / 2;
            let (da, db) = gate::partials(op, x[[r, 2 * j]], x[[r, 2 * j + 1]]);
            dy[[r, j]] * if c % 2 == 0 { da } else { db }
        })
    }

    fn softmax(&self, logits: &Array2<E>) -> Array2<E> {
        let mut out = logits.clone();
        for mut row in out.rows_mut() {
            let max = row.fold(E::neg_infinity(), |m, &v| m.max(v));
            row.mapv_inplace(|v| (v - max).det_exp());
            let sum = row.sum();
            row.mapv_inplace(|v| v / sum);
        }
        out
    }

    fn pool(&self, op: PoolOp, x: &Array2<E>, window: &Window, log_t: Option<&Array2<E>>) -> Array2<E> {
        pool::forward(op, x, window, log_t)
    }

    fn pool_backward(
        &self,
        op: PoolOp,
        x: &Array2<E>,
        y: &Array2<E>,
        dy: &Array2<E>,
        window: &Window,
        log_t: Option<&Array2<E>>,
    ) -> (Array2<E>, Option<Array2<E>>) {
        pool::backward(op, x, y, dy, window, log_t)
    }

    fn loss(&self, op: LossOp, logits: &Array2<E>, labels: &Array2<E>, teacher: Option<&Array2<E>>) -> LossOutput<Array2<E>> {
        let [n, k] = [logits.nrows(), logits.ncols()];
        assert_eq!(labels.shape(), &[n, 1], "loss: labels must be [rows, 1]");
        let distills = matches!(op, LossOp::Distillation { .. });
        assert_eq!(teacher.is_some(), distills, "loss: teacher logits go with distillation, and only with it");
        if let Some(t) = teacher {
            assert_eq!(t.shape(), logits.shape(), "loss: teacher logits must have the logits' shape");
        }
        if op == LossOp::MseTarget {
            return self.regression_loss(logits, labels);
        }
        let mut grad = Array2::zeros((n, k));
        let (mut loss, mut correct) = (E::zero(), E::zero());
        let inv_n = E::one() / E::from_f64(n as f64);
        let teacher = teacher.map(|t| t.as_standard_layout());
        let z_all = logits.as_standard_layout();
        let z_all = z_all.as_slice().expect("standard layout");
        let mut p = vec![E::zero(); k];
        for (r, mut g) in grad.rows_mut().into_iter().enumerate() {
            let z = &z_all[r * k..(r + 1) * k];
            let label = labels[[r, 0]].to_f64() as usize;
            let (mut best, mut best_i) = (E::neg_infinity(), 0);
            for (i, &v) in z.iter().enumerate() {
                if v > best {
                    best = v;
                    best_i = i;
                }
            }
            // exp(z − max) once for both sums: the softmax's (ndarray's sum, as `softmax`
            // takes it) and the log-sum-exp's (in order).
            p.iter_mut().zip(z).for_each(|(e, &v)| *e = (v - best).det_exp());
            let lse = best + p.iter().fold(E::zero(), |s, &e| s + e).det_ln();
            let sum = ndarray::ArrayView1::from(&p[..]).sum();
            p.iter_mut().for_each(|e| *e = *e / sum);
            let row = loss::Row {
                z,
                p: &p,
                max: best,
                lse,
                label,
                teacher: teacher.as_ref().map(|t| &t.as_slice().expect("standard layout")[r * k..(r + 1) * k]),
            };
            loss = loss + loss::row(op, &row, g.as_slice_mut().expect("fresh arrays are contiguous"));
            if best_i == label {
                correct = correct + E::one();
            }
            g.mapv_inplace(|v| v * inv_n);
        }
        LossOutput {
            loss: Array2::from_elem((1, 1), loss * inv_n),
            correct: Array2::from_elem((1, 1), correct),
            grad,
        }
    }

    fn sum_squares(&self, x: &Array2<E>, acc: &mut Array2<E>, accumulate: bool) {
        assert_eq!(acc.shape(), &[1, 1], "sum_squares: the accumulator must be [1, 1]");
        let start = if accumulate { acc[[0, 0]] } else { E::zero() };
        acc[[0, 0]] = start + x.iter().fold(E::zero(), |s, &v| s + v * v);
    }

    fn optimizer_step(
        &self,
        param: &mut Array2<E>,
        grad: &Array2<E>,
        state: &mut OptimizerState<Array2<E>>,
        step: &OptimizerStep,
        grad_norm_sq: Option<&Array2<E>>,
    ) {
        assert_eq!(param.shape(), grad.shape(), "optimizer_step: parameter and gradient shapes differ");
        assert_eq!(param.shape(), state.m.shape(), "optimizer_step: state m has the wrong shape");
        assert_eq!(param.shape(), state.v.shape(), "optimizer_step: state v has the wrong shape");
        let scale = grad_norm_sq.map_or(E::one(), |n| step.clip_scale(n[[0, 0]]));
        let rule = ElementRule::new(step, scale);
        let OptimizerState { m, v } = state;
        match (param.as_slice_mut(), grad.as_slice(), m.as_slice_mut(), v.as_slice_mut()) {
            (Some(p), Some(g), Some(m), Some(v)) => rule.apply_all(p, g, m, v),
            _ => Zip::from(param).and(grad).and(m).and(v).for_each(|p, &g, m, v| rule.apply(p, g, m, v)),
        }
    }

    fn scale(&self, x: &mut Array2<E>, s: f32) {
        let s = E::from_f32(s);
        x.mapv_inplace(|v| v * s);
    }

    fn copy(&self, x: &Array2<E>) -> Array2<E> {
        x.clone()
    }

    fn add(&self, a: &Array2<E>, b: &Array2<E>) -> Array2<E> {
        assert_eq!(a.shape(), b.shape(), "add: shapes differ");
        a + b
    }

    fn mul(&self, a: &Array2<E>, b: &Array2<E>) -> Array2<E> {
        assert_eq!(a.shape(), b.shape(), "mul: shapes differ");
        a * b
    }

    fn stabilized_div(&self, a: &Array2<E>, b: &Array2<E>, eps: f32) -> Array2<E> {
        assert_eq!(a.shape(), b.shape(), "stabilized_div: shapes differ");
        let eps = E::from_f32(eps);
        ndarray::Zip::from(a).and(b).map_collect(|&a, &b| {
            let d = if b >= E::zero() { b + eps } else { b - eps };
            if d == E::zero() { E::zero() } else { a / d }
        })
    }

    fn dropout_mask(&self, shape: [usize; 2], p: f32, rng: Rng) -> Array2<E> {
        norm::dropout_mask(shape, p, rng)
    }

    fn channel_moments(&self, x: &Array2<E>, channels: usize) -> Array2<E> {
        norm::channel_moments(x, channels)
    }

    fn batch_norm(&self, x: &Array2<E>, channels: usize, moments: &Array2<E>, gamma: &Array2<E>, beta: &Array2<E>, eps: f32) -> Array2<E> {
        norm::batch_norm(x, channels, moments, gamma, beta, eps)
    }

    fn batch_norm_backward(
        &self,
        x: &Array2<E>,
        channels: usize,
        moments: &Array2<E>,
        gamma: &Array2<E>,
        dy: &Array2<E>,
        eps: f32,
        batch_stats: bool,
    ) -> (Array2<E>, Array2<E>, Array2<E>) {
        norm::batch_norm_backward(x, channels, moments, gamma, dy, eps, batch_stats)
    }

    fn update_running_moments(&self, running: &mut Array2<E>, moments: &Array2<E>, momentum: f32, count: usize) {
        norm::update_running_moments(running, moments, momentum, count)
    }

    fn channel_scale(&self, x: &Array2<E>, s: &Array2<E>) -> Array2<E> {
        norm::channel_scale(x, s)
    }

    fn channel_scale_backward(&self, x: &Array2<E>, s: &Array2<E>, dy: &Array2<E>) -> (Array2<E>, Array2<E>) {
        norm::channel_scale_backward(x, s, dy)
    }

    fn gather_rows(&self, src: &Array2<E>, rows: &[u32]) -> Array2<E> {
        // Whole-row slice copies: a minibatch is gathered every step.
        let cols = src.ncols();
        let src = src.as_standard_layout();
        let all = src.as_slice().expect("standard layout");
        let mut out = Vec::with_capacity(rows.len() * cols);
        for &r in rows {
            let start = r as usize * cols;
            out.extend_from_slice(&all[start..start + cols]);
        }
        Array2::from_shape_vec((rows.len(), cols), out).expect("rows × cols values")
    }

    fn im2col(&self, x: &Array2<E>, window: &Window) -> Array2<E> {
        conv::im2col(x, window)
    }

    fn col2im(&self, cols: &Array2<E>, window: &Window) -> Array2<E> {
        conv::col2im(cols, window)
    }

    fn transpose_blocks(&self, x: &Array2<E>, dims: [usize; 3], out_shape: [usize; 2]) -> Array2<E> {
        conv::transpose_blocks(x, dims, out_shape)
    }

    /// Direct loops (`direct_conv`, saving x) where a window holds few numbers
    /// (`direct_conv::is_direct`), im2col and a matmul (saving the columns) otherwise.
    fn conv2d(&self, x: &Array2<E>, weight: &Array2<E>, bias: &Array2<E>, window: &Window, multiplier: f32) -> (Array2<E>, Array2<E>) {
        if direct_conv::is_direct(window) {
            (direct_conv::forward(x, weight, bias, window, multiplier), x.to_owned())
        } else {
            let (n, p, o) = (x.nrows(), window.out_plane(), weight.nrows());
            let cols = conv::im2col(x, window);
            let z = self.matmul(&cols, weight, false, true);
            (conv::channels_first_biased(&z, bias, multiplier, [n, p, o]), cols)
        }
    }

    fn conv2d_backward(
        &self,
        saved: &Array2<E>,
        weight: &Array2<E>,
        dy: &Array2<E>,
        window: &Window,
        multiplier: f32,
        needs: ConvNeeds,
    ) -> ConvGrads<Array2<E>> {
        if direct_conv::is_direct(window) {
            direct_conv::backward(saved, weight, dy, window, multiplier, needs)
        } else {
            conv2d_backward_by_im2col(self, saved, weight, dy, window, multiplier, needs)
        }
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;
    use super::*;
    use crate::rng::{Rng, Stream};

    /// Uniform in [−2, 2), addressed by `salt` (shared with the submodules' tests).
    pub(super) fn random(shape: [usize; 2], salt: u32) -> Array2<f64> {
        let r = Rng::new(salt, Stream::Init);
        Array2::from_shape_fn(shape, |(i, j)| r.uniform_in((i * shape[1] + j) as u32, -2.0, 2.0) as f64)
    }

    fn naive_matmul(a: &Array2<f64>, b: &Array2<f64>) -> Array2<f64> {
        let mut c = Array2::zeros((a.nrows(), b.ncols()));
        for i in 0..a.nrows() {
            for j in 0..b.ncols() {
                for k in 0..a.ncols() {
                    c[[i, j]] += a[[i, k]] * b[[k, j]];
                }
            }
        }
        c
    }

    fn assert_close(a: &Array2<f64>, b: &Array2<f64>, tol: f64) {
        assert_eq!(a.shape(), b.shape());
        for (x, y) in a.iter().zip(b) {
            assert!((x - y).abs() <= tol * (1.0 + y.abs()), "{x} vs {y}");
        }
    }

    #[test]
    fn matmul_matches_naive_loops_for_every_transpose() {
        let be = CpuBackend::<f64>::new();
        let (a, b) = (random([7, 5], 1), random([5, 3], 2));
        let want = naive_matmul(&a, &b);
        let at = a.t().to_owned();
        let bt = b.t().to_owned();
        assert_close(&be.matmul(&a, &b, false, false), &want, 1e-12);
        assert_close(&be.matmul(&at, &b, true, false), &want, 1e-12);
        assert_close(&be.matmul(&a, &bt, false, true), &want, 1e-12);
        assert_close(&be.matmul(&at, &bt, true, true), &want, 1e-12);
    }

    #[test]
    fn elementwise_ops_match_naive_definitions() {
        let be = CpuBackend::<f64>::new();
        let x = random([4, 3], 3);
        let bias = random([1, 3], 4);
        let mut xb = x.clone();
        be.add_bias(&mut xb, &bias);
        let y = be.activation(ActivationOp::Tanh, &xb);
        let dy = random([4, 3], 5);
        let dx = be.activation_backward(ActivationOp::Tanh, &xb, &y, &dy);
        let sums = be.sum_rows(&x);
        for i in 0..4 {
            for j in 0..3 {
                assert!((xb[[i, j]] - (x[[i, j]] + bias[[0, j]])).abs() < 1e-15);
                assert!((y[[i, j]] - xb[[i, j]].tanh()).abs() < 1e-15);
                let t = xb[[i, j]].tanh();
                assert!((dx[[i, j]] - dy[[i, j]] * (1.0 - t * t)).abs() < 1e-14);
            }
        }
        for j in 0..3 {
            let s: f64 = (0..4).map(|i| x[[i, j]]).sum();
            assert!((sums[[0, j]] - s).abs() < 1e-14);
        }
    }

    #[test]
    fn softmax_cross_entropy_matches_its_definition() {
        let be = CpuBackend::<f64>::new();
        let z = random([5, 3], 6) * 10.0;
        let labels = Array2::from_shape_vec((5, 1), vec![0.0, 2.0, 1.0, 1.0, 0.0]).unwrap();
        let out = be.softmax_cross_entropy(&z, &labels);
        let (mut loss, mut correct) = (0.0, 0.0);
        for r in 0..5 {
            let lse = z.row(r).iter().map(|v| v.exp()).sum::<f64>().ln();
            let l = labels[[r, 0]] as usize;
            loss += lse - z[[r, l]];
            let argmax = (0..3).max_by(|&a, &b| z[[r, a]].total_cmp(&z[[r, b]])).unwrap();
            correct += (argmax == l) as u8 as f64;
            for c in 0..3 {
                let p = (z[[r, c]] - lse).exp();
                let want = (p - (c == l) as u8 as f64) / 5.0;
                assert!((out.grad[[r, c]] - want).abs() < 1e-14);
            }
        }
        assert!((out.loss[[0, 0]] - loss / 5.0).abs() < 1e-13);
        assert_eq!(out.correct[[0, 0]], correct);
    }

    /// The loss's probabilities are `softmax`'s to the bit, also past eight classes
    /// (where ndarray's sum and the log-sum-exp's sum go in different orders).
    #[test]
    fn the_loss_uses_the_softmax_bits() {
        let be = CpuBackend::<f32>::new();
        let z = random([6, 11], 9).mapv(|v| v as f32 * 7.0);
        let labels = Array2::from_shape_fn((6, 1), |(r, _)| (r * 2 % 11) as f32);
        let p = be.softmax(&z);
        let out = be.softmax_cross_entropy(&z, &labels);
        let inv_n = 1.0 / 6.0f32;
        for r in 0..6 {
            for c in 0..11 {
                let want = (p[[r, c]] - if c == r * 2 % 11 { 1.0 } else { 0.0 }) * inv_n;
                assert_eq!(out.grad[[r, c]].to_bits(), want.to_bits(), "row {r}, class {c}");
            }
        }
    }

    #[test]
    fn softmax_is_stable_for_huge_logits() {
        let be = CpuBackend::<f32>::new();
        let z = Array2::from_shape_vec((1, 3), vec![1000.0f32, 999.0, -1000.0]).unwrap();
        let p = be.softmax(&z);
        assert!(p.iter().all(|v| v.is_finite()));
        assert!((p.sum() - 1.0).abs() < 1e-6);
        let out = be.softmax_cross_entropy(&z, &Array2::from_elem((1, 1), 1.0));
        // f32 spacing near 1000 is 6e-5, so the loss is exact to about that.
        assert!((out.loss[[0, 0]] - 1.3132617).abs() < 2e-4);
    }

    #[test]
    fn sgd_and_gather_do_what_they_say() {
        let be = CpuBackend::<f64>::new();
        let mut p = random([3, 2], 7);
        let before = p.clone();
        let g = random([3, 2], 8);
        let mut state = OptimizerState { m: Array2::zeros((3, 2)), v: Array2::zeros((3, 2)) };
        be.optimizer_step(&mut p, &g, &mut state, &OptimizerStep::sgd(0.5), None);
        assert_close(&p, &(&before - &(&g * 0.5)), 1e-6);
        let mut sq = Array2::zeros((1, 1));
        be.sum_squares(&g, &mut sq, false);
        be.sum_squares(&g, &mut sq, true);
        assert!((sq[[0, 0]] - 2.0 * g.iter().map(|v| v * v).sum::<f64>()).abs() < 1e-12);
        let mut s = g.clone();
        be.scale(&mut s, 0.25);
        assert_close(&s, &(&g * 0.25), 1e-15);
        let rows = be.gather_rows(&before, &[2, 0, 2]);
        assert_eq!(rows.row(0), before.row(2));
        assert_eq!(rows.row(1), before.row(0));
        assert_eq!(rows.row(2), before.row(2));
    }
}
