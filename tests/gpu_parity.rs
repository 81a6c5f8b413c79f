//! GPU parity: every op of the WebGPU backend against the CPU reference on odd shapes,
//! and 100 training steps of the default experiment on both. Runs natively on whatever
//! adapter wgpu finds (lavapipe on CI) and in headless Chromium (SwiftShader WebGPU) on
//! smaller shapes; a missing adapter is a failure, not a skip.

use glassbox::backend::cpu::CpuBackend;
use glassbox::backend::{ActivationOp, Backend, OptimizerState, OptimizerStep};
use glassbox::rng::{Rng, Stream};
use glassbox::spec::ExperimentSpec;
use glassbox::train::Trainer;
use std::collections::BTreeMap;

glassbox::web_test_harness!();

#[macro_use]
mod common;
use common::*;



/// op(A)·op(B) for all four transpose flags, A and B stored so that op(A) is m×k and op(B) k×n.
async fn matmul_outputs<B: Backend<E = f32>>(be: &B, [m, k, n]: [usize; 3]) -> Outputs {
    let a = random(m * k, 1, 2.0);
    let b = random(k * n, 2, 2.0);
    let mut out = Vec::new();
    for (trans_a, trans_b) in [(false, false), (true, false), (false, true), (true, true)] {
        let a = be.upload(if trans_a { [k, m] } else { [m, k] }, &a);
        let b = be.upload(if trans_b { [n, k] } else { [k, n] }, &b);
        let c = be.matmul(&a, &b, trans_a, trans_b);
        assert_eq!(be.shape(&c), [m, n]);
        out.push(("matmul", read(be, &c).await));
    }
    out
}

/// Every other op on a [rows, cols] input.
async fn op_outputs<B: Backend<E = f32>>(be: &B, [rows, cols]: [usize; 2], salt: u32) -> Outputs {
    let x = be.upload([rows, cols], &random(rows * cols, salt, 6.0));
    let bias = be.upload([1, cols], &random(cols, salt + 1, 1.0));
    let dy = be.upload([rows, cols], &random(rows * cols, salt + 2, 1.0));
    let rng = Rng::new(salt, Stream::BatchOrder);
    let labels: Vec<f32> = (0..rows as u32).map(|i| rng.below(i, cols as u32) as f32).collect();
    let labels = be.upload([rows, 1], &labels);
    // Small integers, so that rows often have tied maxima (the first one counts).
    let tied: Vec<f32> = (0..rows * cols).map(|i| rng.below(1_000_000 + i as u32, 3) as f32).collect();
    let tied = be.upload([rows, cols], &tied);
    let picks: Vec<u32> = (0..rows as u32 + 3).map(|i| rng.below(2_000_000 + i, rows as u32)).collect();

    let mut biased = be.upload([rows, cols], &read(be, &x).await);
    be.add_bias(&mut biased, &bias);
    let y = be.activation(ActivationOp::Tanh, &x);
    let loss = be.softmax_cross_entropy(&x, &labels);
    let tied_loss = be.softmax_cross_entropy(&tied, &labels);
    let mut param = be.upload([rows, cols], &read(be, &x).await);
    let zeros = vec![0.0; rows * cols];
    let mut state = OptimizerState { m: be.upload([rows, cols], &zeros), v: be.upload([rows, cols], &zeros) };
    be.optimizer_step(&mut param, &dy, &mut state, &OptimizerStep::sgd(0.03), None);
    vec![
        ("add_bias", read(be, &biased).await),
        ("sum_rows", read(be, &be.sum_rows(&x)).await),
        ("tanh", read(be, &y).await),
        ("tanh_backward", read(be, &be.activation_backward(ActivationOp::Tanh, &x, &y, &dy)).await),
        ("softmax", read(be, &be.softmax(&x)).await),
        ("ce_loss", read(be, &loss.loss).await),
        ("ce_correct", read(be, &loss.correct).await),
        ("ce_grad", read(be, &loss.grad).await),
        ("ce_correct_ties", read(be, &tied_loss.correct).await),
        ("ce_grad_ties", read(be, &tied_loss.grad).await),
        ("sgd_update", read(be, &param).await),
        ("gather_rows", read(be, &be.gather_rows(&x, &picks)).await),
        ("upload_read", read(be, &x).await),
    ]
}

gpu_test! {
    async fn matmul_matches_cpu_on_odd_shapes() {
        let (gpu, cpu) = (gpu().await, CpuBackend::<f32>::new());
        let mut worst = BTreeMap::new();
        // Odd shapes take the scalar kernel; shapes whose stored rows are multiples of 4
        // (for some transpose flags, or all) take the vec4 kernel, in partial tiles too.
        let mut shapes = vec![
            [1, 1, 1], [1, 2, 8], [10, 8, 8], [7, 13, 5], [33, 65, 17], [32, 32, 32], [64, 1, 3],
            [4, 4, 4], [36, 44, 20], [5, 12, 8], [12, 7, 16], [1, 4, 4],
        ];
        if NATIVE {
            shapes.extend([[1000, 64, 50], [128, 784, 12], [100, 36, 130]]);
        }
        for mkn in shapes {
            compare(&format!("{mkn:?}"), matmul_outputs(&gpu, mkn).await, matmul_outputs(&cpu, mkn).await, &mut worst);
        }
        report(&worst);
        assert!(gpu.submissions() > 0);
    }
}

gpu_test! {
    async fn every_other_op_matches_cpu_on_odd_shapes() {
        let (gpu, cpu) = (gpu().await, CpuBackend::<f32>::new());
        let mut worst = BTreeMap::new();
        let mut shapes = vec![[1, 1], [1, 5], [7, 13], [33, 65], [10, 2], [300, 3]];
        if NATIVE {
            shapes.push([1000, 64]);
        }
        for (salt, shape) in shapes.into_iter().enumerate() {
            let salt = 10 * salt as u32;
            compare(&format!("{shape:?}"), op_outputs(&gpu, shape, salt).await, op_outputs(&cpu, shape, salt).await, &mut worst);
        }
        report(&worst);
        assert!(gpu.submissions() > 0);
    }
}

gpu_test! {
    async fn softmax_is_stable_for_huge_logits() {
        let gpu = gpu().await;
        let z = gpu.upload([1, 3], &[1000.0, 999.0, -1000.0]);
        let p = read(&gpu, &gpu.softmax(&z)).await;
        assert!(p.iter().all(|v| v.is_finite()), "{p:?}");
        assert!((p.iter().sum::<f32>() - 1.0).abs() < 1e-6);
        let out = gpu.softmax_cross_entropy(&z, &gpu.upload([1, 1], &[1.0]));
        assert!((read(&gpu, &out.loss).await[0] - 1.3132617).abs() < 2e-4);
        assert_eq!(read(&gpu, &out.correct).await, [0.0]);
    }
}

gpu_test! {
    /// A tensor dropped while commands that read it are still unsubmitted must not have its
    /// buffer handed to an upload, whose write would land before those commands run.
    async fn a_freed_buffer_is_not_reused_before_its_readers_run() {
        let gpu = gpu().await;
        let x = gpu.upload([1, 4], &[0.1, 0.2, 0.3, 0.4]);
        let y = gpu.activation(ActivationOp::Tanh, &x);
        drop(x);
        let other = gpu.upload([1, 4], &[9.0; 4]);
        let want: Vec<f32> = [0.1f32, 0.2, 0.3, 0.4].iter().map(|v| v.tanh()).collect();
        for (g, w) in read(&gpu, &y).await.iter().zip(&want) {
            assert!((g - w).abs() < 1e-6, "{g} vs {w}");
        }
        assert_eq!(read(&gpu, &other).await, [9.0; 4]);
    }
}

/// Runs `steps` steps and waits for the device, returning seconds per step.
#[cfg(not(target_arch = "wasm32"))]
fn timed<B: Backend<E = f32>>(trainer: &mut Trainer<B>, steps: u64) -> f64 {
    let start = std::time::Instant::now();
    trainer.train_steps(steps);
    pollster::block_on(trainer.parameters());
    start.elapsed().as_secs_f64() / steps as f64
}

gpu_test! {
    async fn training_matches_cpu() {
        let spec = ExperimentSpec::default();
        let data = glassbox::data::build(&spec.dataset, spec.train_points());
        let mut cpu = Trainer::new(CpuBackend::<f32>::new(), &spec, &data).unwrap();
        let mut gpu = Trainer::new(gpu().await, &spec, &data).unwrap();
        let submitted = gpu.be.submissions();

        cpu.train_steps(100);
        gpu.train_steps(100);
        assert!(gpu.be.submissions() >= submitted + 100, "one submission per step");
        cpu.sync_history().await;
        gpu.sync_history().await;
        assert_eq!(gpu.history().len(), cpu.history().len());
        assert_eq!(cpu.history().len(), 5);
        for (g, c) in gpu.history().iter().zip(cpu.history()) {
            log(&format!(
                "epoch {}: train loss gpu {} cpu {}, test loss gpu {} cpu {}",
                c.epoch, g.train_loss, c.train_loss, g.test_loss, c.test_loss
            ));
            assert_eq!(g.epoch, c.epoch);
            for (gl, cl) in [(g.train_loss, c.train_loss), (g.test_loss, c.test_loss)] {
                assert!((gl - cl).abs() <= 1e-3 * cl.abs(), "epoch {}: loss gpu {gl} vs cpu {cl}", c.epoch);
            }
            let acc_gap = (g.train_acc - c.train_acc).abs().max((g.test_acc - c.test_acc).abs());
            assert!(acc_gap <= 0.01, "epoch {}: accuracies differ by {acc_gap}", c.epoch);
        }
        let (gp, cp) = (gpu.parameters().await, cpu.parameters().await);
        assert_eq!(gp.len(), cp.len());
        let worst = gp.iter().zip(&cp).map(|(g, c)| (g - c).abs() / (1.0 + c.abs())).fold(0.0, f32::max);
        log(&format!("parameters after 100 steps: max |gpu − cpu| / (1 + |cpu|) = {worst:.3e}"));
        assert!(worst <= 1e-3);

        #[cfg(not(target_arch = "wasm32"))]
        {
            let (cpu_step, gpu_step) = (timed(&mut cpu, 250), timed(&mut gpu, 250));
            log(&format!(
                "time per step (batch {}): cpu {:.1} µs, gpu {:.1} µs on {}",
                spec.training.batch_size,
                cpu_step * 1e6,
                gpu_step * 1e6,
                gpu.be.adapter_info().name
            ));
        }
    }
}
