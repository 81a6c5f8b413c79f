//! Dispatch of the dropout, batch-norm and channel-scale ops (the `Backend` methods in
//! ops.rs delegate here): shape checks on the CPU, then one kernel each. The per-channel
//! reductions run one workgroup per channel with a fixed-order tree, so they repeat bit
//! for bit.

use super::ops::ELEMENTWISE_GROUP;
use super::pipelines::Kernel;
use super::{GpuBackend, GpuTensor};
use crate::backend::{channel_width, dropout_keep, unbiased_factor};
use crate::rng::Rng;

/// Threads per workgroup of the per-channel reductions (`CHANNEL_GROUP` in channel_reduce.wgsl).
const CHANNEL_GROUP: u32 = 64;

/// Checks moments [2, c] and the per-channel parameters [1, c] against x [n, c·w];
/// returns the channel width w.
fn check(op: &str, x: &GpuTensor, channels: usize, moments: &GpuTensor, params: &[&GpuTensor]) -> usize {
    assert_eq!(moments.shape, [2, channels], "{op}: moments must be [2, channels]");
    assert!(params.iter().all(|t| t.shape == [1, channels]), "{op}: per-channel parameters must be [1, channels]");
    channel_width(op, x.shape[1], channels)
}

/// Workgroups for one workgroup per channel.
fn per_channel(be: &GpuBackend, channels: usize) -> [u32; 2] {
    be.grid(channels * CHANNEL_GROUP as usize, CHANNEL_GROUP)
}

pub(super) fn dropout_mask(be: &GpuBackend, shape: [usize; 2], p: f32, rng: Rng) -> GpuTensor {
    let keep = dropout_keep(p);
    let mask = be.alloc(shape);
    assert!(mask.len() <= u32::MAX as usize, "dropout_mask: too many elements for 32-bit indices");
    be.dispatch(
        Kernel::DropoutMask,
        &[mask.len() as u32, rng.key(), p.to_bits(), keep.to_bits()],
        &[mask.buffer()],
        be.grid(mask.len(), ELEMENTWISE_GROUP),
    );
    mask
}

pub(super) fn channel_moments(be: &GpuBackend, x: &GpuTensor, channels: usize) -> GpuTensor {
    let [rows, cols] = x.shape;
    let width = channel_width("channel_moments", cols, channels);
    assert!(rows * width > 0, "channel_moments: channels must not be empty");
    let out = be.alloc([2, channels]);
    be.dispatch(
        Kernel::ChannelMoments,
        &[rows as u32, channels as u32, width as u32],
        &[x.buffer(), out.buffer()],
        per_channel(be, channels),
    );
    out
}

pub(super) fn batch_norm(
    be: &GpuBackend,
    x: &GpuTensor,
    channels: usize,
    moments: &GpuTensor,
    gamma: &GpuTensor,
    beta: &GpuTensor,
    eps: f32,
) -> GpuTensor {
    let width = check("batch_norm", x, channels, moments, &[gamma, beta]);
    let y = be.alloc(x.shape);
    be.dispatch(
        Kernel::BatchNorm,
        &[x.len() as u32, channels as u32, width as u32, eps.to_bits()],
        &[x.buffer(), moments.buffer(), gamma.buffer(), beta.buffer(), y.buffer()],
        be.grid(x.len(), ELEMENTWISE_GROUP),
    );
    y
}

#[allow(clippy::too_many_arguments)]
pub(super) fn batch_norm_backward(
    be: &GpuBackend,
    x: &GpuTensor,
    channels: usize,
    moments: &GpuTensor,
    gamma: &GpuTensor,
    dy: &GpuTensor,
    eps: f32,
    batch_stats: bool,
) -> (GpuTensor, GpuTensor, GpuTensor) {
    let width = check("batch_norm_backward", x, channels, moments, &[gamma]);
    assert_eq!(x.shape, dy.shape, "batch_norm_backward: x and dy shapes differ");
    let (dx, dgamma, dbeta) = (be.alloc(x.shape), be.alloc([1, channels]), be.alloc([1, channels]));
    be.dispatch(
        Kernel::BatchNormBackward,
        &[x.shape[0] as u32, channels as u32, width as u32, batch_stats as u32, eps.to_bits()],
        &[x.buffer(), moments.buffer(), gamma.buffer(), dy.buffer(), dx.buffer(), dgamma.buffer(), dbeta.buffer()],
        per_channel(be, channels),
    );
    (dx, dgamma, dbeta)
}

pub(super) fn update_running_moments(be: &GpuBackend, running: &mut GpuTensor, moments: &GpuTensor, momentum: f32, count: usize) {
    assert_eq!(running.shape, moments.shape, "update_running_moments: running and batch moments differ in shape");
    assert_eq!(running.shape[0], 2, "update_running_moments: moments must be [2, channels]");
    let correction = unbiased_factor(count) as f32;
    be.dispatch(
        Kernel::UpdateRunningMoments,
        &[running.len() as u32, running.shape[1] as u32, momentum.to_bits(), correction.to_bits()],
        &[running.buffer(), moments.buffer()],
        be.grid(running.len(), ELEMENTWISE_GROUP),
    );
}

/// Checks s [n, c] against x [n, c·w]; returns the channel width w.
fn scale_width(op: &str, x: &GpuTensor, s: &GpuTensor) -> usize {
    assert_eq!(s.shape[0], x.shape[0], "{op}: x and s must have the same rows");
    channel_width(op, x.shape[1], s.shape[1])
}

pub(super) fn channel_scale(be: &GpuBackend, x: &GpuTensor, s: &GpuTensor) -> GpuTensor {
    let width = scale_width("channel_scale", x, s);
    let y = be.alloc(x.shape);
    be.dispatch(
        Kernel::ChannelScale,
        &[x.len() as u32, width as u32],
        &[x.buffer(), s.buffer(), y.buffer()],
        be.grid(x.len(), ELEMENTWISE_GROUP),
    );
    y
}

pub(super) fn channel_scale_backward(be: &GpuBackend, x: &GpuTensor, s: &GpuTensor, dy: &GpuTensor) -> (GpuTensor, GpuTensor) {
    let width = scale_width("channel_scale_backward", x, s);
    assert_eq!(x.shape, dy.shape, "channel_scale_backward: x and dy shapes differ");
    let (dx, ds) = (be.alloc(x.shape), be.alloc(s.shape));
    be.dispatch(
        Kernel::ChannelScaleBackward,
        &[s.len() as u32, width as u32],
        &[x.buffer(), s.buffer(), dy.buffer(), dx.buffer(), ds.buffer()],
        be.grid(s.len(), ELEMENTWISE_GROUP),
    );
    (dx, ds)
}
