//! GPU parity of the pooling ops: max (on distinct values and on ties), average and
//! log-average-exp pooling with their backward passes (dlog_t included) on the WebGPU
//! backend against the CPU reference, over odd image sizes, 1 and 3 channels, batch 1 and
//! 5 (and 33 natively), and overlapping, non-overlapping, same-padded and global windows.
//! Runs natively (lavapipe) and in headless Chromium.

use glassbox::backend::cpu::CpuBackend;
use glassbox::backend::{Backend, ImageShape, Padding, PoolOp, Window};
use std::collections::BTreeMap;

glassbox::web_test_harness!();

#[macro_use]
mod common;
use common::*;

/// A name for the report that lives as long as the test binary.
fn name(parts: String) -> &'static str {
    Box::leak(parts.into_boxed_str())
}

fn windows(image: ImageShape) -> Vec<(&'static str, Window)> {
    let window = |k, s, pad| Window::new(image, k, s, pad).unwrap();
    vec![
        ("2x2 s2", window([2, 2], [2, 2], Padding::Valid)),
        ("3x3 s2 valid", window([3, 3], [2, 2], Padding::Valid)),
        ("3x3 s2 same", window([3, 3], [2, 2], Padding::Same)),
        ("3x2 s1 same", window([3, 2], [1, 1], Padding::Same)),
        ("global", Window::global(image).unwrap()),
    ]
}

/// Max on distinct values and on small integers (ties, so the first-max rule must agree),
/// Avg, and LogAvgExp at t = 0.5 and t = 3.
async fn outputs<B: Backend<E = f32>>(be: &B, n: usize, window: &Window, salt: u32) -> Outputs {
    let (cols, out_cols) = (window.input.len(), window.input.channels * window.out_plane());
    let x = be.upload([n, cols], &random(n * cols, salt, 3.0));
    let small_ints: Vec<f32> = random(n * cols, salt + 1, 2.5).iter().map(|v| v.round()).collect();
    let ties = be.upload([n, cols], &small_ints);
    let dy = be.upload([n, out_cols], &random(n * out_cols, salt + 2, 1.0));
    let cases = [
        ("Max", PoolOp::Max, &x, None),
        ("Max ties", PoolOp::Max, &ties, None),
        ("Avg", PoolOp::Avg, &x, None),
        ("LogAvgExp", PoolOp::LogAvgExp, &x, Some(0.5f32.ln())),
        ("LogAvgExp", PoolOp::LogAvgExp, &x, Some(3.0f32.ln())),
    ];
    let mut out = Vec::new();
    for (label, op, input, log_t) in cases {
        let log_t = log_t.map(|l| be.upload([1, 1], &[l]));
        let y = be.pool(op, input, window, log_t.as_ref());
        assert_eq!(be.shape(&y), [n, out_cols]);
        let (dx, dlog_t) = be.pool_backward(op, input, &y, &dy, window, log_t.as_ref());
        assert_eq!(dlog_t.is_some(), op == PoolOp::LogAvgExp);
        out.push((name(format!("{label} y")), read(be, &y).await));
        out.push((name(format!("{label} dx")), read(be, &dx).await));
        if let Some(d) = dlog_t {
            out.push((name(format!("{label} dlog_t")), read(be, &d).await));
        }
    }
    out
}

gpu_test! {
    async fn pooling_matches_cpu() {
        let (gpu, cpu) = (gpu().await, CpuBackend::<f32>::new());
        let batches: &[usize] = if NATIVE { &[1, 5, 33] } else { &[1, 5] };
        let mut worst = BTreeMap::new();
        let mut salt = 0;
        for &n in batches {
            for channels in [1, 3] {
                for (h, w) in [(7, 5), (9, 9), (13, 11)] {
                    for (label, window) in windows(ImageShape::new(channels, h, w)) {
                        salt += 10;
                        let case = format!("n={n}, {channels}x{h}x{w}, {label}");
                        let (g, c) = (outputs(&gpu, n, &window, salt).await, outputs(&cpu, n, &window, salt).await);
                        compare(&case, g, c, &mut worst);
                    }
                }
            }
        }
        report(&worst);
    }
}

gpu_test! {
    /// Every 2×2 window of this 3×3 image holds a tie; each sends its gradient to the
    /// first maximum in row-major order.
    async fn max_ties_go_to_the_first_maximum() {
        let gpu = gpu().await;
        let window = Window::new(ImageShape::new(1, 3, 3), [2, 2], [1, 1], Padding::Valid).unwrap();
        let x = gpu.upload([1, 9], &[1.0, 2.0, 2.0, 2.0, 2.0, 0.0, 2.0, 1.0, 2.0]);
        let y = gpu.pool(PoolOp::Max, &x, &window, None);
        let dy = gpu.upload([1, 4], &[1.0, 10.0, 100.0, 1000.0]);
        let (dx, dlog_t) = gpu.pool_backward(PoolOp::Max, &x, &y, &dy, &window, None);
        assert!(dlog_t.is_none());
        assert_eq!(read(&gpu, &y).await, [2.0; 4]);
        assert_eq!(read(&gpu, &dx).await, [0.0, 11.0, 0.0, 100.0, 1000.0, 0.0, 0.0, 0.0, 0.0]);
    }
}
