//! The image ops on the GPU (convolution by im2col): `im2col`, its adjoint `col2im` (a
//! gather, one thread per input pixel, so no atomics and a fixed summation order) and
//! `transpose_blocks`; one elementwise dispatch each. ops.rs delegates the trait methods here.

use super::ops::ELEMENTWISE_GROUP;
use super::pipelines::Kernel;
use super::{GpuBackend, GpuTensor};
use crate::backend::Window;

/// The uniform block of window.wgsl: the thread count, then the window's geometry.
fn window_params(len: usize, w: &Window) -> [u32; 12] {
    let (i, [kh, kw], [sh, sw], [ph, pw], [oh, ow]) = (w.input, w.kernel, w.stride, w.pad, w.out);
    [len, i.channels, i.height, i.width, kh, kw, sh, sw, ph, pw, oh, ow]
        .map(|v| u32::try_from(v).expect("image dimensions fit in 32 bits"))
}

/// Runs `kernel` with one thread per element of a new `shape` tensor read from `input`.
fn launch(be: &GpuBackend, kernel: Kernel, params: &[u32], input: &GpuTensor, shape: [usize; 2]) -> GpuTensor {
    let out = be.alloc(shape);
    be.dispatch(kernel, params, &[input.buffer(), out.buffer()], be.grid(out.len(), ELEMENTWISE_GROUP));
    out
}

pub fn im2col(be: &GpuBackend, x: &GpuTensor, window: &Window) -> GpuTensor {
    let len = window.input.len();
    assert_eq!(x.shape[1], len, "im2col: the input has {} columns, the window's image {len}", x.shape[1]);
    let shape = [x.shape[0] * window.out_plane(), window.input.channels * window.window_len()];
    launch(be, Kernel::Im2col, &window_params(shape[0] * shape[1], window), x, shape)
}

pub fn col2im(be: &GpuBackend, cols: &GpuTensor, window: &Window) -> GpuTensor {
    let (p, k) = (window.out_plane(), window.input.channels * window.window_len());
    assert!(
        cols.shape[1] == k && cols.shape[0].is_multiple_of(p),
        "col2im: columns {:?} are not [n·{p}, {k}]",
        cols.shape
    );
    let shape = [cols.shape[0] / p, window.input.len()];
    launch(be, Kernel::Col2im, &window_params(shape[0] * shape[1], window), cols, shape)
}

pub fn transpose_blocks(be: &GpuBackend, x: &GpuTensor, [g, a, b]: [usize; 3], out_shape: [usize; 2]) -> GpuTensor {
    let len = g * a * b;
    assert!(
        x.len() == len && out_shape[0] * out_shape[1] == len,
        "transpose_blocks: {:?} and {out_shape:?} do not both hold {g}·{a}·{b} numbers",
        x.shape
    );
    launch(be, Kernel::TransposeBlocks, &[len as u32, a as u32, b as u32], x, out_shape)
}
