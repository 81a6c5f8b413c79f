//! GPU parity for the elementwise combination, dropout, batch-norm and channel-scale ops:
//! every op on the WebGPU backend against the CPU reference on odd (n, c, p) shapes —
//! batch 1 with p > 1, batch 7, and batch 130 natively; channels 3 and 5; p = 1, 7, 25 —
//! batch norm in both modes, and dropout masks compared bit for bit. Runs natively
//! (lavapipe) and in headless Chromium.

use glassbox::backend::cpu::CpuBackend;
use glassbox::backend::Backend;
use glassbox::rng::{Rng, Stream};
use std::collections::BTreeMap;

glassbox::web_test_harness!();

#[macro_use]
mod common;
use common::*;

/// (n, c, p) cases.
fn cases() -> Vec<[usize; 3]> {
    let mut cases = vec![[1, 3, 7], [1, 5, 25], [7, 3, 1], [7, 5, 7], [7, 3, 25]];
    if NATIVE {
        cases.extend([[130, 5, 1], [130, 3, 25]]);
    }
    cases
}

const EPS: f32 = 1e-5;

/// Shifted by `offset`, so that the moments are not near zero.
fn shifted(len: usize, salt: u32, scale: f32, offset: f32) -> Vec<f32> {
    random(len, salt, scale).into_iter().map(|v| v + offset).collect()
}

async fn outputs<B: Backend<E = f32>>(be: &B, [n, c, p]: [usize; 3], salt: u32) -> Outputs {
    let cols = c * p;
    let x = be.upload([n, cols], &shifted(n * cols, salt, 2.0, 0.5));
    let other = be.upload([n, cols], &random(n * cols, salt + 1, 2.0));
    let dy = be.upload([n, cols], &random(n * cols, salt + 2, 1.0));
    let gamma = be.upload([1, c], &shifted(c, salt + 3, 0.5, 1.0));
    let beta = be.upload([1, c], &random(c, salt + 4, 1.0));
    let s = be.upload([n, c], &random(n * c, salt + 5, 1.5));
    let running = be.upload([2, c], &shifted(2 * c, salt + 6, 0.5, 1.0));
    let mut out = vec![
        ("add", read(be, &be.add(&x, &other)).await),
        ("mul", read(be, &be.mul(&x, &other)).await),
        ("stabilized_div", read(be, &be.stabilized_div(&dy, &other, 1e-2)).await),
    ];
    // Exact zeros in the denominator: ±eps by sign(0) = +1, and 0 when eps is 0 too.
    let zeros = be.upload([n, cols], &vec![0.0; n * cols]);
    out.push(("stabilized_div by 0", read(be, &be.stabilized_div(&dy, &zeros, 0.5)).await));
    out.push(("stabilized_div by 0, no eps", read(be, &be.stabilized_div(&dy, &zeros, 0.0)).await));
    let moments = be.channel_moments(&x, c);
    out.push(("channel_moments", read(be, &moments).await));
    for (batch_stats, m) in [(true, &moments), (false, &running)] {
        let mode = if batch_stats { "train" } else { "eval" };
        let y = be.batch_norm(&x, c, m, &gamma, &beta, EPS);
        let (dx, dgamma, dbeta) = be.batch_norm_backward(&x, c, m, &gamma, &dy, EPS, batch_stats);
        out.push((if batch_stats { "batch_norm train" } else { "batch_norm eval" }, read(be, &y).await));
        for (part, t) in [("dx", dx), ("dgamma", dgamma), ("dbeta", dbeta)] {
            out.push((Box::leak(format!("bn {mode} {part}").into_boxed_str()), read(be, &t).await));
        }
    }
    let mut updated = be.upload([2, c], &read(be, &running).await);
    be.update_running_moments(&mut updated, &moments, 0.1, n * p);
    out.push(("update_running", read(be, &updated).await));
    let (dx, ds) = be.channel_scale_backward(&x, &s, &dy);
    out.push(("channel_scale", read(be, &be.channel_scale(&x, &s)).await));
    out.push(("channel_scale dx", read(be, &dx).await));
    out.push(("channel_scale ds", read(be, &ds).await));
    out
}

gpu_test! {
    async fn norm_ops_match_cpu() {
        let (gpu, cpu) = (gpu().await, CpuBackend::<f32>::new());
        let mut worst = BTreeMap::new();
        for (salt, case) in cases().into_iter().enumerate() {
            let salt = 10 * salt as u32;
            let name = format!("(n, c, p) = {case:?}");
            compare(&name, outputs(&gpu, case, salt).await, outputs(&cpu, case, salt).await, &mut worst);
        }
        report(&worst);
    }
}

gpu_test! {
    async fn dropout_masks_are_bit_identical() {
        let (gpu, cpu) = (gpu().await, CpuBackend::<f32>::new());
        let shapes: &[[usize; 2]] = if NATIVE { &[[1, 7], [7, 75], [130, 175]] } else { &[[1, 7], [7, 75]] };
        for &shape in shapes {
            for (p, sub) in [(0.0, 1), (0.1, 2), (0.5, 3), (0.9, 4)] {
                let rng = Rng::new(sub, Stream::Init).child(shape[0] as u32);
                let g = read(&gpu, &gpu.dropout_mask(shape, p, rng)).await;
                let c = read(&cpu, &cpu.dropout_mask(shape, p, rng)).await;
                let differ = g.iter().zip(&c).filter(|(g, c)| g.to_bits() != c.to_bits()).count();
                assert_eq!(differ, 0, "dropout mask {shape:?} p = {p}: {differ} elements differ");
                let dropped = c.iter().filter(|&&v| v == 0.0).count();
                log(&format!("dropout {shape:?} p = {p}: identical, {dropped} of {} dropped", c.len()));
            }
        }
    }
}
