//! Pooling on the GPU. Forward: one thread per output window (kernels/pool.wgsl).
//! Backward: one thread per window records what the gradient needs (its argmax, or its
//! max and Σ exp, and the window's dlog_t term; pool_stats.wgsl), then one thread per
//! input pixel gathers dx over the windows covering it (pool_backward.wgsl), and dlog_t
//! is summed in a fixed order by two column sums. No atomics: results repeat bit for bit.

use super::ops::ELEMENTWISE_GROUP;
use super::pipelines::Kernel;
use super::{GpuBackend, GpuTensor};
use crate::backend::{Backend, PoolOp, Window};

/// Columns of the [rows, REDUCE_COLS] layout in which the dlog_t terms are summed:
/// column sums in parallel, then one sum of the REDUCE_COLS partial sums.
const REDUCE_COLS: usize = 256;

/// The uniform block of pool_common.wgsl.
fn params(op: PoolOp, w: &Window, len: usize, windows: usize) -> [u32; 13] {
    let op = match op {
        PoolOp::Max => 0,
        PoolOp::Avg => 1,
        PoolOp::LogAvgExp => 2,
    };
    [len, op, windows, w.input.height, w.input.width, w.out[0], w.out[1]]
        .into_iter()
        .chain(w.kernel)
        .chain(w.stride)
        .chain(w.pad)
        .map(|v| u32::try_from(v).expect("pool: sizes must fit in 32 bits"))
        .collect::<Vec<_>>()
        .try_into()
        .expect("13 words")
}

/// Checks the shapes; returns the buffer for the log-temperature slot (x's when unused).
fn check<'a>(name: &str, op: PoolOp, x: &'a GpuTensor, w: &Window, log_t: Option<&'a GpuTensor>) -> &'a wgpu::Buffer {
    assert_eq!(x.shape[1], w.input.len(), "{name}: x must have the window's c·h·w columns");
    assert_eq!(log_t.is_some(), op == PoolOp::LogAvgExp, "{name}: log_t goes with LogAvgExp, and only with it");
    if let Some(l) = log_t {
        assert_eq!(l.shape, [1, 1], "{name}: log_t must be [1, 1]");
    }
    log_t.unwrap_or(x).buffer()
}

pub(super) fn forward(be: &GpuBackend, op: PoolOp, x: &GpuTensor, w: &Window, log_t: Option<&GpuTensor>) -> GpuTensor {
    let log_t = check("pool", op, x, w, log_t);
    let y = be.alloc([x.shape[0], w.input.channels * w.out_plane()]);
    let len = y.len();
    be.dispatch(Kernel::Pool, &params(op, w, len, len), &[x.buffer(), log_t, y.buffer()], be.grid(len, ELEMENTWISE_GROUP));
    y
}

pub(super) fn backward(
    be: &GpuBackend,
    op: PoolOp,
    x: &GpuTensor,
    y: &GpuTensor,
    dy: &GpuTensor,
    w: &Window,
    log_t: Option<&GpuTensor>,
) -> (GpuTensor, Option<GpuTensor>) {
    let log_t = check("pool_backward", op, x, w, log_t);
    let out_shape = [x.shape[0], w.input.channels * w.out_plane()];
    assert!(y.shape == out_shape && dy.shape == out_shape, "pool_backward: y and dy must be [n, c·oh·ow]");
    let windows = dy.len();
    let lae = op == PoolOp::LogAvgExp;
    // The dlog_t terms, zero-padded to whole rows; a placeholder the kernel never writes
    // for the other ops.
    let terms = be.alloc(if lae { [windows.div_ceil(REDUCE_COLS), REDUCE_COLS] } else { [1, 1] });
    let stats = be.alloc([windows, 2]);
    let items = if lae { terms.len() } else { windows };
    be.dispatch(
        Kernel::PoolStats,
        &params(op, w, items, windows),
        &[x.buffer(), log_t, y.buffer(), dy.buffer(), stats.buffer(), terms.buffer()],
        be.grid(items, ELEMENTWISE_GROUP),
    );
    let dx = be.alloc(x.shape);
    be.dispatch(
        Kernel::PoolBackward,
        &params(op, w, dx.len(), windows),
        &[x.buffer(), log_t, dy.buffer(), stats.buffer(), dx.buffer()],
        be.grid(dx.len(), ELEMENTWISE_GROUP),
    );
    let dlog_t = lae.then(|| {
        let mut partial = be.sum_rows(&terms);
        partial.shape = [REDUCE_COLS, 1];
        be.sum_rows(&partial)
    });
    (dx, dlog_t)
}
