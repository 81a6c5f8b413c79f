//! The `Backend` op set on the GPU: shape checks on the CPU, then one kernel dispatch
//! per op (see pipelines.rs for the kernels; pooling, a few dispatches, is in pool_ops.rs,
//! the normalisation ops dispatch from norm_ops.rs, the image ops from conv.rs).

use super::pipelines::Kernel;
use super::{conv, norm_ops, pool_ops, GpuBackend, GpuTensor};
use crate::backend::{
    ActivationOp, Backend, BackendKind, GateOp, LossOp, LossOutput, OptimizerState, OptimizerStep, PoolOp, Window,
};
use crate::rng::Rng;

/// Output tile side of the matmul kernel.
const MATMUL_TILE: usize = 32;
/// Threads per workgroup of the elementwise kernels (`ELEMENTWISE_GROUP` in prelude.wgsl).
pub(super) const ELEMENTWISE_GROUP: u32 = 256;
/// Buffers a `map` binds at most: its inputs and the output.
const MAP_BUFFERS: usize = 8;

impl GpuBackend {
    /// A one-thread-per-element map from `inputs` to a new tensor of `shape`.
    /// `param` follows the length in the uniform block (the activations' parameter).
    fn map(&self, kernel: Kernel, shape: [usize; 2], inputs: &[&GpuTensor], param: f32) -> GpuTensor {
        assert!(inputs.len() < MAP_BUFFERS, "map: {kernel:?} has more inputs than map has room for");
        let out = self.alloc(shape);
        // On the stack: the inputs, then the output.
        let mut buffers = [out.buffer(); MAP_BUFFERS];
        for (slot, t) in buffers.iter_mut().zip(inputs) {
            *slot = t.buffer();
        }
        let buffers = &buffers[..=inputs.len()];
        self.dispatch(kernel, &[out.len() as u32, param.to_bits()], buffers, self.grid(out.len(), ELEMENTWISE_GROUP));
        out
    }
}

impl Backend for GpuBackend {
    type E = f32;
    type Tensor = GpuTensor;

    fn kind(&self) -> BackendKind {
        BackendKind::Webgpu
    }

    fn upload(&self, shape: [usize; 2], data: &[f32]) -> GpuTensor {
        assert_eq!(data.len(), shape[0] * shape[1], "upload: data length must match shape");
        let t = self.alloc(shape);
        if !data.is_empty() {
            self.queue.write_buffer(t.buffer(), 0, bytemuck::cast_slice(data));
        }
        t
    }

    fn shape(&self, t: &GpuTensor) -> [usize; 2] {
        t.shape
    }

    async fn read(&self, t: &GpuTensor) -> Vec<f32> {
        self.read_buffer(t.buffer(), t.len()).await
    }

    fn flush(&self) {
        self.submit();
    }

    fn matmul(&self, a: &GpuTensor, b: &GpuTensor, trans_a: bool, trans_b: bool) -> GpuTensor {
        let [m, k] = if trans_a { [a.shape[1], a.shape[0]] } else { a.shape };
        let [kb, n] = if trans_b { [b.shape[1], b.shape[0]] } else { b.shape };
        assert_eq!(k, kb, "matmul: inner dimensions differ");
        let c = self.alloc([m, n]);
        let groups = [n.div_ceil(MATMUL_TILE).max(1), m.div_ceil(MATMUL_TILE).max(1)];
        assert!(
            groups.iter().all(|&g| g <= self.max_groups as usize),
            "matmul: a {m}x{n} product exceeds the device's dispatch limits"
        );
        // vec4 reads need every stored row to start on a 16-byte boundary.
        let aligned = a.shape[1].is_multiple_of(4) && b.shape[1].is_multiple_of(4);
        self.dispatch(
            if aligned { Kernel::MatmulVec4 } else { Kernel::Matmul },
            &[m as u32, n as u32, k as u32, trans_a as u32, trans_b as u32],
            &[a.buffer(), b.buffer(), c.buffer()],
            [groups[0] as u32, groups[1] as u32],
        );
        c
    }

    fn add_bias(&self, x: &mut GpuTensor, bias: &GpuTensor) {
        assert_eq!(bias.shape, [1, x.shape[1]], "add_bias: bias must be [1, cols]");
        self.dispatch(
            Kernel::AddBias,
            &[x.len() as u32, x.shape[1] as u32],
            &[x.buffer(), bias.buffer()],
            self.grid(x.len(), ELEMENTWISE_GROUP),
        );
    }

    fn sum_rows(&self, x: &GpuTensor) -> GpuTensor {
        let [rows, cols] = x.shape;
        let out = self.alloc([1, cols]);
        self.dispatch(Kernel::SumRows, &[rows as u32, cols as u32], &[x.buffer(), out.buffer()], self.grid(cols, 64));
        out
    }

    fn activation(&self, op: ActivationOp, x: &GpuTensor) -> GpuTensor {
        self.map(Kernel::Activation(op), x.shape, &[x], op.param())
    }

    fn activation_backward(&self, op: ActivationOp, x: &GpuTensor, y: &GpuTensor, dy: &GpuTensor) -> GpuTensor {
        assert!(x.shape == y.shape && y.shape == dy.shape, "activation_backward: shapes differ");
        self.map(Kernel::ActivationBackward(op), x.shape, &[x, y, dy], op.param())
    }

    fn prelu(&self, x: &GpuTensor, slope: &GpuTensor) -> GpuTensor {
        assert_eq!(slope.shape, [1, x.shape[1]], "prelu: slope must be [1, cols]");
        let y = self.alloc(x.shape);
        self.dispatch(
            Kernel::Prelu,
            &[x.len() as u32, x.shape[1] as u32],
            &[x.buffer(), slope.buffer(), y.buffer()],
            self.grid(x.len(), ELEMENTWISE_GROUP),
        );
        y
    }

    fn prelu_backward(&self, x: &GpuTensor, slope: &GpuTensor, dy: &GpuTensor) -> (GpuTensor, GpuTensor) {
        let [rows, cols] = x.shape;
        assert_eq!(slope.shape, [1, cols], "prelu_backward: slope must be [1, cols]");
        assert_eq!(x.shape, dy.shape, "prelu_backward: shapes differ");
        let (dx, dslope) = (self.alloc(x.shape), self.alloc([1, cols]));
        self.dispatch(
            Kernel::PreluBackward,
            &[rows as u32, cols as u32],
            &[x.buffer(), slope.buffer(), dy.buffer(), dx.buffer(), dslope.buffer()],
            self.grid(cols, 64),
        );
        (dx, dslope)
    }

    fn pair_gate(&self, op: GateOp, x: &GpuTensor) -> GpuTensor {
        assert!(x.shape[1].is_multiple_of(2), "pair_gate: the input needs an even number of columns");
        self.map(Kernel::Gate(op), [x.shape[0], x.shape[1] / 2], &[x], 0.0)
    }

    fn pair_gate_backward(&self, op: GateOp, x: &GpuTensor, dy: &GpuTensor) -> GpuTensor {
        assert!(
            x.shape[1].is_multiple_of(2) && dy.shape == [x.shape[0], x.shape[1] / 2],
            "pair_gate_backward: shapes differ"
        );
        let dx = self.alloc(x.shape);
        self.dispatch(
            Kernel::GateBackward(op),
            &[dy.len() as u32],
            &[x.buffer(), dy.buffer(), dx.buffer()],
            self.grid(dy.len(), ELEMENTWISE_GROUP),
        );
        dx
    }

    fn softmax(&self, logits: &GpuTensor) -> GpuTensor {
        let [rows, cols] = logits.shape;
        let out = self.alloc(logits.shape);
        let params = [rows as u32, cols as u32];
        self.dispatch(Kernel::Softmax, &params, &[logits.buffer(), out.buffer()], self.grid(rows, 64));
        out
    }

    fn pool(&self, op: PoolOp, x: &GpuTensor, window: &Window, log_t: Option<&GpuTensor>) -> GpuTensor {
        pool_ops::forward(self, op, x, window, log_t)
    }

    fn pool_backward(
        &self,
        op: PoolOp,
        x: &GpuTensor,
        y: &GpuTensor,
        dy: &GpuTensor,
        window: &Window,
        log_t: Option<&GpuTensor>,
    ) -> (GpuTensor, Option<GpuTensor>) {
        pool_ops::backward(self, op, x, y, dy, window, log_t)
    }

    fn loss(&self, op: LossOp, logits: &GpuTensor, labels: &GpuTensor, teacher: Option<&GpuTensor>) -> LossOutput<GpuTensor> {
        let [rows, cols] = logits.shape;
        assert_eq!(labels.shape, [rows, 1], "loss: labels must be [rows, 1]");
        let distills = matches!(op, LossOp::Distillation { .. });
        assert_eq!(teacher.is_some(), distills, "loss: teacher logits go with distillation, and only with it");
        if let Some(t) = teacher {
            assert_eq!(t.shape, logits.shape, "loss: teacher logits must have the logits' shape");
        }
        // The kernel's `kind` numbering and its two parameters.
        let (kind, a, b) = match op {
            LossOp::CrossEntropy { smoothing, tamper } => (0, smoothing, tamper),
            LossOp::Focal { gamma } => (1, gamma, 0.0),
            LossOp::Poly1 { epsilon } => (2, epsilon, 0.0),
            LossOp::Encouraging { log_end } => (3, log_end, 0.0),
            LossOp::Mse => (4, 0.0, 0.0),
            LossOp::BinaryCe => (5, 0.0, 0.0),
            LossOp::Distillation { beta, temperature } => (6, beta, temperature),
            LossOp::MseTarget => (7, 0.0, 0.0),
        };
        let (grad, loss, correct) = (self.alloc(logits.shape), self.alloc([1, 1]), self.alloc([1, 1]));
        self.dispatch(
            Kernel::Loss,
            &[rows as u32, cols as u32, kind, a.to_bits(), b.to_bits()],
            &[
                logits.buffer(),
                labels.buffer(),
                teacher.unwrap_or(logits).buffer(),
                grad.buffer(),
                loss.buffer(),
                correct.buffer(),
            ],
            [1, 1],
        );
        LossOutput { loss, correct, grad }
    }

    fn sum_squares(&self, x: &GpuTensor, acc: &mut GpuTensor, accumulate: bool) {
        assert_eq!(acc.shape, [1, 1], "sum_squares: the accumulator must be [1, 1]");
        self.dispatch(Kernel::SumSquares, &[x.len() as u32, accumulate as u32], &[x.buffer(), acc.buffer()], [1, 1]);
    }

    fn optimizer_step(
        &self,
        param: &mut GpuTensor,
        grad: &GpuTensor,
        state: &mut OptimizerState<GpuTensor>,
        step: &OptimizerStep,
        grad_norm_sq: Option<&GpuTensor>,
    ) {
        assert_eq!(param.shape, grad.shape, "optimizer_step: parameter and gradient shapes differ");
        assert_eq!(param.shape, state.m.shape, "optimizer_step: state m has the wrong shape");
        assert_eq!(param.shape, state.v.shape, "optimizer_step: state v has the wrong shape");
        let (bc1, bc2) = step.bias_corrections();
        let clip = match (step.clip_norm, grad_norm_sq) {
            (Some(c), Some(n)) => Some((c, n)),
            _ => None,
        };
        let params = [
            param.len() as u32,
            step.rule as u32,
            clip.is_some() as u32,
            0,
            step.lr.to_bits(),
            step.momentum.to_bits(),
            step.beta1.to_bits(),
            step.beta2.to_bits(),
            step.epsilon.to_bits(),
            (bc1 as f32).to_bits(),
            (bc2 as f32).to_bits(),
            step.weight_decay.to_bits(),
            step.l1.to_bits(),
            step.l2.to_bits(),
            clip.map_or(0.0f32, |(c, _)| c).to_bits(),
            0,
        ];
        // Without clipping the norm binding is never read; any buffer fills the slot.
        let norm = clip.map_or(grad.buffer(), |(_, n)| n.buffer());
        self.dispatch(
            Kernel::OptimizerStep,
            &params,
            &[param.buffer(), grad.buffer(), state.m.buffer(), state.v.buffer(), norm],
            self.grid(param.len(), ELEMENTWISE_GROUP),
        );
    }

    fn scale(&self, x: &mut GpuTensor, s: f32) {
        self.dispatch(Kernel::Scale, &[x.len() as u32, s.to_bits()], &[x.buffer()], self.grid(x.len(), ELEMENTWISE_GROUP));
    }

    fn add(&self, a: &GpuTensor, b: &GpuTensor) -> GpuTensor {
        assert_eq!(a.shape, b.shape, "add: shapes differ");
        self.map(Kernel::Add, a.shape, &[a, b], 0.0)
    }

    fn mul(&self, a: &GpuTensor, b: &GpuTensor) -> GpuTensor {
        assert_eq!(a.shape, b.shape, "mul: shapes differ");
        self.map(Kernel::Mul, a.shape, &[a, b], 0.0)
    }

    fn stabilized_div(&self, a: &GpuTensor, b: &GpuTensor, eps: f32) -> GpuTensor {
        assert_eq!(a.shape, b.shape, "stabilized_div: shapes differ");
        self.map(Kernel::StabilizedDiv, a.shape, &[a, b], eps)
    }

    fn dropout_mask(&self, shape: [usize; 2], p: f32, rng: Rng) -> GpuTensor {
        norm_ops::dropout_mask(self, shape, p, rng)
    }

    fn channel_moments(&self, x: &GpuTensor, channels: usize) -> GpuTensor {
        norm_ops::channel_moments(self, x, channels)
    }

    fn batch_norm(&self, x: &GpuTensor, channels: usize, moments: &GpuTensor, gamma: &GpuTensor, beta: &GpuTensor, eps: f32) -> GpuTensor {
        norm_ops::batch_norm(self, x, channels, moments, gamma, beta, eps)
    }

    fn batch_norm_backward(
        &self,
        x: &GpuTensor,
        channels: usize,
        moments: &GpuTensor,
        gamma: &GpuTensor,
        dy: &GpuTensor,
        eps: f32,
        batch_stats: bool,
    ) -> (GpuTensor, GpuTensor, GpuTensor) {
        norm_ops::batch_norm_backward(self, x, channels, moments, gamma, dy, eps, batch_stats)
    }

    fn update_running_moments(&self, running: &mut GpuTensor, moments: &GpuTensor, momentum: f32, count: usize) {
        norm_ops::update_running_moments(self, running, moments, momentum, count)
    }

    fn channel_scale(&self, x: &GpuTensor, s: &GpuTensor) -> GpuTensor {
        norm_ops::channel_scale(self, x, s)
    }

    fn channel_scale_backward(&self, x: &GpuTensor, s: &GpuTensor, dy: &GpuTensor) -> (GpuTensor, GpuTensor) {
        norm_ops::channel_scale_backward(self, x, s, dy)
    }

    fn gather_rows(&self, src: &GpuTensor, rows: &[u32]) -> GpuTensor {
        let [src_rows, cols] = src.shape;
        assert!(rows.iter().all(|&r| (r as usize) < src_rows), "gather_rows: row index out of range");
        let index = self.pool.take((rows.len() * 4) as u64, wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_DST);
        if !rows.is_empty() {
            self.queue.write_buffer(index.buffer(), 0, bytemuck::cast_slice(rows));
        }
        let out = self.alloc([rows.len(), cols]);
        self.dispatch(
            Kernel::GatherRows,
            &[out.len() as u32, cols as u32],
            &[src.buffer(), index.buffer(), out.buffer()],
            self.grid(out.len(), ELEMENTWISE_GROUP),
        );
        out
    }

    fn copy(&self, x: &GpuTensor) -> GpuTensor {
        let out = self.alloc(x.shape);
        if x.len() > 0 {
            self.record(|encoder| encoder.copy_buffer_to_buffer(x.buffer(), 0, out.buffer(), 0, (x.len() * 4) as u64));
        }
        out
    }

    fn im2col(&self, x: &GpuTensor, window: &Window) -> GpuTensor {
        conv::im2col(self, x, window)
    }

    fn col2im(&self, cols: &GpuTensor, window: &Window) -> GpuTensor {
        conv::col2im(self, cols, window)
    }

    fn transpose_blocks(&self, x: &GpuTensor, dims: [usize; 3], out_shape: [usize; 2]) -> GpuTensor {
        conv::transpose_blocks(self, x, dims, out_shape)
    }
}
