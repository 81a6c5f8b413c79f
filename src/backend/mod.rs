//! The `Backend` trait: the op set, and the only place that knows where numbers live.
//!
//! Tensors are row-major matrices `[rows, cols]`. Ops allocate their outputs on the
//! backend's device; nothing is read back unless `read` is called. `read` is async so
//! that a GPU backend can map buffers without blocking the browser's event loop.

pub mod cpu;
pub mod geometry;
pub mod gpu;
mod ops;
mod optim;
mod real;
mod tanh_lanes;

pub use geometry::{channel_width, ImageShape, Padding, Window};
pub use ops::{dropout_keep, unbiased_factor, ActivationOp, GateOp, LossOp, PoolOp};
pub use optim::{ElementRule, OptimizerState, OptimizerStep, UpdateRule};
pub use real::Real;

/// Which engine a backend is, for badges and metrics.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub enum BackendKind {
    Cpu,
    Webgpu,
}

/// The outputs of a fused loss.
pub struct LossOutput<T> {
    /// Mean loss over the rows, shape [1, 1].
    pub loss: T,
    /// Number of rows whose argmax equals the label, shape [1, 1].
    pub correct: T,
    /// d(mean loss)/d(logits), shape of the logits.
    pub grad: T,
}

pub trait Backend {
    /// Element type (f32 on devices; the CPU backend also runs in f64 for gradient checks).
    type E: Real;
    type Tensor;

    fn kind(&self) -> BackendKind;
    fn upload(&self, shape: [usize; 2], data: &[Self::E]) -> Self::Tensor;
    fn shape(&self, t: &Self::Tensor) -> [usize; 2];
    #[allow(async_fn_in_trait)]
    async fn read(&self, t: &Self::Tensor) -> Vec<Self::E>;
    /// Submits the work recorded so far. Backends that run ops eagerly need not override
    /// this; the trainer calls it at the end of every step.
    fn flush(&self) {}

    /// op(a) · op(b), where op transposes when the flag is set.
    fn matmul(&self, a: &Self::Tensor, b: &Self::Tensor, trans_a: bool, trans_b: bool) -> Self::Tensor;
    /// x[r, c] += bias[0, c].
    fn add_bias(&self, x: &mut Self::Tensor, bias: &Self::Tensor);
    /// Column sums, shape [1, cols] (the bias gradient).
    fn sum_rows(&self, x: &Self::Tensor) -> Self::Tensor;
    /// y = f(x), elementwise.
    fn activation(&self, op: ActivationOp, x: &Self::Tensor) -> Self::Tensor;
    /// dx = dy · f'(x), given the input x and the forward output y = f(x).
    fn activation_backward(&self, op: ActivationOp, x: &Self::Tensor, y: &Self::Tensor, dy: &Self::Tensor)
        -> Self::Tensor;
    /// PReLU with one learned slope per column: y = max(0, x) + slope[0, c]·min(0, x).
    fn prelu(&self, x: &Self::Tensor, slope: &Self::Tensor) -> Self::Tensor;
    /// (dx, dslope) of PReLU; dslope has the slope's shape [1, cols].
    fn prelu_backward(&self, x: &Self::Tensor, slope: &Self::Tensor, dy: &Self::Tensor)
        -> (Self::Tensor, Self::Tensor);
    /// [n, 2k] → [n, k]: out[r, j] = gate(x[r, 2j], x[r, 2j + 1]).
    fn pair_gate(&self, op: GateOp, x: &Self::Tensor) -> Self::Tensor;
    /// dx [n, 2k] from the gate's input x and the output gradient dy [n, k].
    fn pair_gate_backward(&self, op: GateOp, x: &Self::Tensor, dy: &Self::Tensor) -> Self::Tensor;
    /// Row-wise softmax.
    fn softmax(&self, logits: &Self::Tensor) -> Self::Tensor;

    // Image ops: pooling.
    /// y [n, c·oh·ow] from the image batch x [n, c·h·w] (`window.input` = (c, h, w)); per
    /// channel and window: Max, the maximum; Avg, the mean; LogAvgExp,
    /// t·log(mean(exp(x/t))), computed stably by subtracting the window's maximum first,
    /// with t = exp(log_t[0, 0]) read on the device from the [1, 1] tensor `log_t` (a
    /// learnable parameter: required for LogAvgExp, `None` otherwise). Window positions
    /// over the padding are skipped, and not counted in the mean (PyTorch's
    /// `count_include_pad = False`). Global pooling is a `Window::global(shape)`.
    fn pool(&self, op: PoolOp, x: &Self::Tensor, window: &Window, log_t: Option<&Self::Tensor>) -> Self::Tensor;
    /// (dx, dlog_t) given x, the forward output y and dy (y's shape). Windows may overlap,
    /// so dx sums over every window covering a pixel. Max sends each window's gradient to
    /// its first maximal element in (ki, kj) row-major order; Avg spreads it evenly;
    /// LogAvgExp weighs it by softmax(x/t) over the window. dlog_t is `Some([1, 1])` for
    /// LogAvgExp, summed over every window, channel and sample (∂y/∂log t = y − Σ softmax·x),
    /// and `None` otherwise.
    fn pool_backward(
        &self,
        op: PoolOp,
        x: &Self::Tensor,
        y: &Self::Tensor,
        dy: &Self::Tensor,
        window: &Window,
        log_t: Option<&Self::Tensor>,
    ) -> (Self::Tensor, Option<Self::Tensor>);
    /// A fused classification loss against class indices stored as a [rows, 1] tensor.
    /// `teacher` holds the teacher's logits (logits' shape) for `LossOp::Distillation`
    /// and must be `None` otherwise.
    fn loss(
        &self,
        op: LossOp,
        logits: &Self::Tensor,
        labels: &Self::Tensor,
        teacher: Option<&Self::Tensor>,
    ) -> LossOutput<Self::Tensor>;
    /// Mean softmax cross-entropy against class indices stored as a [rows, 1] tensor.
    fn softmax_cross_entropy(&self, logits: &Self::Tensor, labels: &Self::Tensor) -> LossOutput<Self::Tensor> {
        self.loss(LossOp::CROSS_ENTROPY, logits, labels, None)
    }
    /// acc[0, 0] = Σ x² (+ acc[0, 0] when `accumulate`): the squared global gradient
    /// norm, summed on the device tensor by tensor.
    fn sum_squares(&self, x: &Self::Tensor, acc: &mut Self::Tensor, accumulate: bool);
    /// One fused optimiser update of `param` and its `state` (see `OptimizerStep`).
    /// `grad_norm_sq` is the [1, 1] squared global norm that clipping needs; it is read
    /// on the device.
    fn optimizer_step(
        &self,
        param: &mut Self::Tensor,
        grad: &Self::Tensor,
        state: &mut OptimizerState<Self::Tensor>,
        step: &OptimizerStep,
        grad_norm_sq: Option<&Self::Tensor>,
    );
    /// x *= s, in place (the abc-parametrisation's layer multipliers).
    fn scale(&self, x: &mut Self::Tensor, s: f32);

    // Elementwise combination, dropout, normalisation.
    /// a + b, elementwise (equal shapes). Residual blocks and gradient accumulation use it.
    fn add(&self, a: &Self::Tensor, b: &Self::Tensor) -> Self::Tensor;
    /// a ⊙ b, elementwise (equal shapes).
    fn mul(&self, a: &Self::Tensor, b: &Self::Tensor) -> Self::Tensor;
    /// a / (b + eps·sign(b)) elementwise (equal shapes), sign(0) = +1, and 0 where that
    /// denominator is 0: LRP's stabilised division (Zennit's `stabilize`).
    fn stabilized_div(&self, a: &Self::Tensor, b: &Self::Tensor, eps: f32) -> Self::Tensor;
    /// An inverted-dropout mask of `shape` (0 ≤ p < 1): element i (row-major) is 0 when
    /// rng.uniform(i) < p and 1/(1 − p) (rounded to f32) otherwise. Bit-identical on every
    /// backend: the GPU draws the same uniforms with a WGSL port of `crate::rng`.
    fn dropout_mask(&self, shape: [usize; 2], p: f32, rng: crate::rng::Rng) -> Self::Tensor;
    /// Per-channel mean and biased variance of x [n, c·p], where channel j owns columns
    /// j·p..(j+1)·p of every row (p = cols / channels; p = 1 for a dense layer's features,
    /// h·w for NCHW images): returns [2, c], row 0 means, row 1 variances. The variance is
    /// the mean of squared deviations (two passes), not E[x²] − E[x]².
    fn channel_moments(&self, x: &Self::Tensor, channels: usize) -> Self::Tensor;
    /// y = γ·(x − mean)/√(var + eps) + β per channel, with moments [2, c] and gamma, beta [1, c].
    fn batch_norm(
        &self,
        x: &Self::Tensor,
        channels: usize,
        moments: &Self::Tensor,
        gamma: &Self::Tensor,
        beta: &Self::Tensor,
        eps: f32,
    ) -> Self::Tensor;
    /// (dx, dgamma [1, c], dbeta [1, c]). When `batch_stats` the moments are x's own
    /// (training mode) and dx includes their dependence on x; otherwise they are constants
    /// (eval mode, running statistics): dx = dy·γ/√(var + eps).
    #[allow(clippy::too_many_arguments)]
    fn batch_norm_backward(
        &self,
        x: &Self::Tensor,
        channels: usize,
        moments: &Self::Tensor,
        gamma: &Self::Tensor,
        dy: &Self::Tensor,
        eps: f32,
        batch_stats: bool,
    ) -> (Self::Tensor, Self::Tensor, Self::Tensor);
    /// running [2, c] ← (1 − momentum)·running + momentum·m, where m is `moments` with its
    /// variance row scaled by count/(count − 1) (PyTorch's unbiased running variance;
    /// count = values per channel, count ≥ 2).
    fn update_running_moments(&self, running: &mut Self::Tensor, moments: &Self::Tensor, momentum: f32, count: usize);
    /// y[r, j·p + q] = x[r, j·p + q]·s[r, j] with s [n, c]: scales each channel of each
    /// sample (squeeze-and-excitation).
    fn channel_scale(&self, x: &Self::Tensor, s: &Self::Tensor) -> Self::Tensor;
    /// (dx, ds) of channel_scale; ds[r, j] = Σ_q dy[r, j·p + q]·x[r, j·p + q].
    fn channel_scale_backward(&self, x: &Self::Tensor, s: &Self::Tensor, dy: &Self::Tensor)
        -> (Self::Tensor, Self::Tensor);
    /// The rows of `src` at `rows`, in that order.
    fn gather_rows(&self, src: &Self::Tensor, rows: &[u32]) -> Self::Tensor;
    /// A new tensor with x's shape and numbers.
    fn copy(&self, x: &Self::Tensor) -> Self::Tensor;

    // Image ops: convolution by im2col.
    /// Unfolds every window of the image batch x [n, c·h·w] (window.input = (c, h, w)) into
    /// one row: output [n·oh·ow, c·kh·kw]; row (s·oh + i)·ow + j is sample s's window at
    /// output position (i, j); columns are ordered (channel, ki, kj), so that a PyTorch conv
    /// weight [out, in, kh, kw] flattened to [out, in·kh·kw] multiplies it
    /// (cross-correlation). Positions over the padding read 0.
    fn im2col(&self, x: &Self::Tensor, window: &Window) -> Self::Tensor;
    /// The adjoint of im2col: [n·oh·ow, c·kh·kw] → [n, c·h·w], each entry added onto the
    /// pixel it was read from (padding entries dropped).
    fn col2im(&self, cols: &Self::Tensor, window: &Window) -> Self::Tensor;
    /// x holds g·a·b numbers viewed as [g, a, b]; returns them as [g, b, a] stored in a
    /// tensor of shape `out_shape` (whose product must be g·a·b). Conv layers use it to move
    /// between [n·p, c] (channels last, a matmul's output) and [n, c·p] (NCHW rows).
    fn transpose_blocks(&self, x: &Self::Tensor, dims: [usize; 3], out_shape: [usize; 2]) -> Self::Tensor;

    /// A conv layer's forward pass: x [n, c·h·w] (NCHW rows), weight [o, c·kh·kw], bias
    /// [1, o] → (y = multiplier·(x ⋆ weight) + bias as [n, o·oh·ow], what `conv2d_backward`
    /// needs). By default im2col, one matmul and a block transpose, keeping the im2col matrix.
    fn conv2d(&self, x: &Self::Tensor, weight: &Self::Tensor, bias: &Self::Tensor, window: &Window, multiplier: f32) -> (Self::Tensor, Self::Tensor) {
        conv2d_by_im2col(self, x, weight, bias, window, multiplier)
    }

    /// The conv layer's vector-Jacobian product for dy [n, o·oh·ow], given what `conv2d`
    /// saved: the input gradient and (dweight, dbias), each only if `needs` asks for it.
    fn conv2d_backward(
        &self,
        saved: &Self::Tensor,
        weight: &Self::Tensor,
        dy: &Self::Tensor,
        window: &Window,
        multiplier: f32,
        needs: ConvNeeds,
    ) -> ConvGrads<Self::Tensor> {
        conv2d_backward_by_im2col(self, saved, weight, dy, window, multiplier, needs)
    }
}

/// `Backend::conv2d` by im2col: one matmul and a block transpose; saves the im2col matrix.
pub fn conv2d_by_im2col<B: Backend + ?Sized>(
    be: &B,
    x: &B::Tensor,
    weight: &B::Tensor,
    bias: &B::Tensor,
    window: &Window,
    multiplier: f32,
) -> (B::Tensor, B::Tensor) {
    let (n, p, o) = (be.shape(x)[0], window.out_plane(), be.shape(weight)[0]);
    let cols = be.im2col(x, window);
    let mut z = be.matmul(&cols, weight, false, true);
    if multiplier != 1.0 {
        be.scale(&mut z, multiplier);
    }
    be.add_bias(&mut z, bias);
    (be.transpose_blocks(&z, [n, p, o], [n, o * p]), cols)
}

/// `Backend::conv2d_backward` from the im2col matrix `cols` that `conv2d_by_im2col` saved.
pub fn conv2d_backward_by_im2col<B: Backend + ?Sized>(
    be: &B,
    cols: &B::Tensor,
    weight: &B::Tensor,
    dy: &B::Tensor,
    window: &Window,
    multiplier: f32,
    needs: ConvNeeds,
) -> ConvGrads<B::Tensor> {
    let (n, p, o) = (be.shape(dy)[0], window.out_plane(), be.shape(weight)[0]);
    let dz = be.transpose_blocks(dy, [n, o, p], [n * p, o]);
    let scaled = |mut t: B::Tensor| {
        if multiplier != 1.0 {
            be.scale(&mut t, multiplier);
        }
        t
    };
    let params = needs.params.then(|| (scaled(be.matmul(&dz, cols, true, false)), be.sum_rows(&dz)));
    let input = needs.input.then(|| be.col2im(&scaled(be.matmul(&dz, weight, false, false)), window));
    ConvGrads { input, params }
}

/// Which gradients a conv layer's backward pass computes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ConvNeeds {
    pub input: bool,
    pub params: bool,
}

/// A conv layer's gradients: the input's, and (weight, bias), where asked for.
pub struct ConvGrads<T> {
    pub input: Option<T>,
    pub params: Option<(T, T)>,
}
