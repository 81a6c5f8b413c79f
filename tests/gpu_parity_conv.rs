//! GPU parity for the image ops (im2col, col2im, transpose_blocks): the WebGPU backend
//! against the CPU reference on odd shapes — batches of 1 and 5 (37 natively), 1 and 3
//! channels, 7×5 and 13×11 images, 3×3, 2×3 and 5×5 kernels, strides 1 and 2, valid and
//! same padding — plus, natively, an im2col large enough to fold its dispatch past 65535
//! workgroups. Runs natively (lavapipe) and in headless Chromium.

use glassbox::backend::cpu::CpuBackend;
use glassbox::backend::{Backend, ImageShape, Padding, Window};
use std::collections::BTreeMap;

glassbox::web_test_harness!();

#[macro_use]
mod common;
use common::*;

/// (batch, window) pairs; every window with every batch size.
fn cases() -> Vec<(usize, Window)> {
    let windows = [
        ((1, 7, 5), [3, 3], [1, 1], Padding::Valid),
        ((3, 7, 5), [2, 3], [2, 2], Padding::Same),
        ((3, 13, 11), [5, 5], [1, 1], Padding::Same),
        ((1, 13, 11), [2, 3], [1, 1], Padding::Valid),
        ((3, 13, 11), [3, 3], [2, 2], Padding::Valid),
        ((1, 7, 5), [5, 5], [2, 2], Padding::Same),
    ];
    let batches: &[usize] = if NATIVE { &[1, 5, 37] } else { &[1, 5] };
    let mut cases = Vec::new();
    for &n in batches {
        for ((c, h, w), k, s, pad) in windows {
            cases.push((n, Window::new(ImageShape::new(c, h, w), k, s, pad).unwrap()));
        }
    }
    if NATIVE {
        // 160·40·40 windows of 3·5·5: 19.2M elements, over 65535 groups of 256 threads.
        cases.push((160, Window::new(ImageShape::new(3, 40, 40), [5, 5], [1, 1], Padding::Same).unwrap()));
    }
    cases
}

/// Output channels of the conv whose matmul output transpose_blocks reorders.
const OUT_CHANNELS: usize = 5;

async fn outputs<B: Backend<E = f32>>(be: &B, n: usize, win: &Window, salt: u32) -> Outputs {
    let (p, k) = (win.out_plane(), win.input.channels * win.window_len());
    let x = be.upload([n, win.input.len()], &random(n * win.input.len(), salt, 2.0));
    let cols = be.upload([n * p, k], &random(n * p * k, salt + 1, 2.0));
    let y = be.upload([n * p, OUT_CHANNELS], &random(n * p * OUT_CHANNELS, salt + 2, 2.0));
    let nchw = be.transpose_blocks(&y, [n, p, OUT_CHANNELS], [n, OUT_CHANNELS * p]);
    let back = be.transpose_blocks(&nchw, [n, OUT_CHANNELS, p], [n * p, OUT_CHANNELS]);
    vec![
        ("im2col", read(be, &be.im2col(&x, win)).await),
        ("col2im", read(be, &be.col2im(&cols, win)).await),
        ("transpose_blocks", read(be, &nchw).await),
        ("transpose back", read(be, &back).await),
    ]
}

gpu_test! {
    async fn image_ops_match_cpu() {
        let (gpu, cpu) = (gpu().await, CpuBackend::<f32>::new());
        let mut worst = BTreeMap::new();
        for (t, (n, win)) in cases().into_iter().enumerate() {
            let salt = 10 * t as u32;
            let case = format!("n={n} {win:?}");
            compare(&case, outputs(&gpu, n, &win, salt).await, outputs(&cpu, n, &win, salt).await, &mut worst);
        }
        report(&worst);
    }
}
