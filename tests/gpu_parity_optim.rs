//! GPU parity of the optimiser ops: the fused update in every mode (with L1/L2, global-norm
//! clipping and AdamW decay), the sum-of-squares reduction and the scale op against the
//! CPU on odd shapes, and 100 training steps with Adam and with clipped Nesterov on both
//! backends. Runs natively (lavapipe) and in headless Chromium.

use glassbox::backend::cpu::CpuBackend;
use glassbox::backend::{Backend, OptimizerState, OptimizerStep, UpdateRule};
use glassbox::spec::{ExperimentSpec, ModelSpec, Optimizer, Parametrization, Schedule, TrainingSpec};
use glassbox::train::Trainer;
use std::collections::BTreeMap;

glassbox::web_test_harness!();

#[macro_use]
mod common;
use common::*;

const RULES: [UpdateRule; 5] =
    [UpdateRule::Sgd, UpdateRule::Momentum, UpdateRule::Nesterov, UpdateRule::Adam, UpdateRule::AdamW];

/// Every hyperparameter switched on (each rule ignores those it does not use). ε is
/// large because Adam divides by |g|: where the penalties cancel a gradient to ~1e-7, the
/// last-bit difference in the clip scale (the GPU sums squares in tree order) would be
/// amplified to ~lr; ε = 1e-3 bounds that without hiding a wrong formula. The training
/// tests below use the default ε = 1e-8.
fn step(rule: UpdateRule, t: u32) -> OptimizerStep {
    OptimizerStep {
        rule,
        lr: 0.03,
        momentum: 0.9,
        beta1: 0.9,
        beta2: 0.999,
        epsilon: 1e-3,
        weight_decay: 0.1,
        l1: 0.01,
        l2: 0.02,
        clip_norm: Some(1.5),
        t,
    }
}

/// Four steps of `rule` on a [rows, cols] weight and a [1, cols] bias with fresh gradients
/// each step, clipping to a norm the gradients exceed; returns parameters, state and norms.
async fn optimizer_outputs<B: Backend<E = f32>>(be: &B, [rows, cols]: [usize; 2], rule: UpdateRule, salt: u32) -> Outputs {
    let shapes = [[rows, cols], [1, cols]];
    let mut params: Vec<B::Tensor> =
        shapes.iter().enumerate().map(|(k, s)| be.upload(*s, &random(s[0] * s[1], salt + k as u32, 1.0))).collect();
    let mut states: Vec<OptimizerState<B::Tensor>> = shapes
        .iter()
        .map(|s| {
            let z = vec![0.0; s[0] * s[1]];
            OptimizerState { m: be.upload(*s, &z), v: be.upload(*s, &z) }
        })
        .collect();
    let mut norm_sq = be.upload([1, 1], &[0.0]);
    let mut out = Vec::new();
    for t in 1..=4u32 {
        let grads: Vec<B::Tensor> = shapes
            .iter()
            .enumerate()
            .map(|(k, s)| be.upload(*s, &random(s[0] * s[1], salt + 10 * t + k as u32, 2.0)))
            .collect();
        for (k, g) in grads.iter().enumerate() {
            be.sum_squares(g, &mut norm_sq, k > 0);
        }
        let step = step(rule, t);
        for ((p, g), s) in params.iter_mut().zip(&grads).zip(&mut states) {
            be.optimizer_step(p, g, s, &step, Some(&norm_sq));
        }
        be.flush();
        out.push(("sum_squares", read(be, &norm_sq).await));
    }
    let name = match rule {
        UpdateRule::Sgd => "sgd",
        UpdateRule::Momentum => "momentum",
        UpdateRule::Nesterov => "nesterov",
        UpdateRule::Adam => "adam",
        UpdateRule::AdamW => "adamw",
    };
    for (p, s) in params.iter().zip(&states) {
        out.push((name, read(be, p).await));
        out.push(("state_m", read(be, &s.m).await));
        out.push(("state_v", read(be, &s.v).await));
    }
    // Unclipped too: the norm binding is then unused.
    let mut p = be.upload([rows, cols], &random(rows * cols, salt + 99, 1.0));
    let g = be.upload([rows, cols], &random(rows * cols, salt + 98, 1.0));
    let z = vec![0.0; rows * cols];
    let mut s = OptimizerState { m: be.upload([rows, cols], &z), v: be.upload([rows, cols], &z) };
    be.optimizer_step(&mut p, &g, &mut s, &OptimizerStep { clip_norm: None, ..step(rule, 1) }, None);
    out.push(("unclipped", read(be, &p).await));
    let mut scaled = be.upload([rows, cols], &random(rows * cols, salt + 97, 3.0));
    be.scale(&mut scaled, 0.37);
    out.push(("scale", read(be, &scaled).await));
    out
}

fn shapes() -> Vec<[usize; 2]> {
    let mut shapes = vec![[1, 1], [1, 5], [7, 13], [33, 65], [300, 3]];
    if NATIVE {
        shapes.extend([[1000, 64], [257, 129]]);
    }
    shapes
}

gpu_test! {
    async fn optimizer_step_matches_cpu_in_every_mode() {
        let (gpu, cpu) = (gpu().await, CpuBackend::<f32>::new());
        let mut worst = BTreeMap::new();
        for (i, shape) in shapes().into_iter().enumerate() {
            for rule in RULES {
                let salt = 1000 * i as u32;
                let case = format!("{rule:?} {shape:?}");
                compare(&case, optimizer_outputs(&gpu, shape, rule, salt).await, optimizer_outputs(&cpu, shape, rule, salt).await, &mut worst);
            }
        }
        report(&worst);
    }
}

gpu_test! {
    async fn sum_squares_handles_large_tensors() {
        let (gpu, cpu) = (gpu().await, CpuBackend::<f32>::new());
        let mut worst = BTreeMap::new();
        let lens = if NATIVE { vec![1, 255, 256, 257, 70_001] } else { vec![1, 257, 4099] };
        for len in lens {
            let x = random(len, len as u32, 1.0);
            let mut outs: Vec<Outputs> = Vec::new();
            for be in [&gpu as &dyn SumSquares, &cpu as &dyn SumSquares] {
                outs.push(vec![("sum_squares_large", be.run(&x).await)]);
            }
            let cpu_out = outs.pop().unwrap();
            compare(&format!("len {len}"), outs.pop().unwrap(), cpu_out, &mut worst);
        }
        report(&worst);
    }
}

/// Σx² twice (overwrite, then accumulate) on any f32 backend, behind one object type.
trait SumSquares {
    fn run<'a>(&'a self, x: &'a [f32]) -> std::pin::Pin<Box<dyn std::future::Future<Output = Vec<f32>> + 'a>>;
}

impl<B: Backend<E = f32>> SumSquares for B {
    fn run<'a>(&'a self, x: &'a [f32]) -> std::pin::Pin<Box<dyn std::future::Future<Output = Vec<f32>> + 'a>> {
        Box::pin(async move {
            let t = self.upload([1, x.len()], x);
            let mut acc = self.upload([1, 1], &[123.0]);
            self.sum_squares(&t, &mut acc, false);
            let once = read(self, &acc).await[0];
            self.sum_squares(&t, &mut acc, true);
            vec![once, read(self, &acc).await[0]]
        })
    }
}

/// 100 steps of `spec` on both backends: same epoch losses, accuracies and weights.
async fn training_matches(spec: ExperimentSpec) {
    spec.validate().unwrap();
    let data = glassbox::data::build(&spec.dataset, spec.train_points());
    let mut cpu = Trainer::new(CpuBackend::<f32>::new(), &spec, &data).unwrap();
    let mut gpu = Trainer::new(gpu().await, &spec, &data).unwrap();
    let submitted = gpu.be.submissions();
    cpu.train_steps(100);
    gpu.train_steps(100);
    assert!(gpu.be.submissions() <= submitted + 100 + 1, "at most one submission per step");
    cpu.sync_history().await;
    gpu.sync_history().await;
    assert_eq!(cpu.history().len(), 5);
    for (g, c) in gpu.history().iter().zip(cpu.history()) {
        log(&format!("{:?} epoch {}: train loss gpu {} cpu {}", spec.training.optimizer, c.epoch, g.train_loss, c.train_loss));
        for (gl, cl) in [(g.train_loss, c.train_loss), (g.test_loss, c.test_loss)] {
            assert!((gl - cl).abs() <= 1e-3 * cl.abs(), "epoch {}: loss gpu {gl} vs cpu {cl}", c.epoch);
        }
        let acc_gap = (g.train_acc - c.train_acc).abs().max((g.test_acc - c.test_acc).abs());
        assert!(acc_gap <= 0.01, "epoch {}: accuracies differ by {acc_gap}", c.epoch);
    }
    let (gp, cp) = (gpu.parameters().await, cpu.parameters().await);
    let worst = gp.iter().zip(&cp).map(|(g, c)| (g - c).abs() / (1.0 + c.abs())).fold(0.0, f32::max);
    log(&format!("{:?}: parameters after 100 steps, max |gpu − cpu| / (1 + |cpu|) = {worst:.3e}", spec.training.optimizer));
    assert!(worst <= 1e-3);
}

gpu_test! {
    async fn adam_training_matches_cpu() {
        let training = TrainingSpec {
            optimizer: Optimizer::Adam,
            learning_rate: 0.01,
            schedule: Schedule::Cosine { steps: 100, min_lr: 0.001 },
            warmup_steps: 10,
            ..ExperimentSpec::default().training
        };
        training_matches(ExperimentSpec { training, ..ExperimentSpec::default() }).await;
    }
}

gpu_test! {
    /// muP at twice the base width: the layer multipliers (the `scale` op) and per-layer
    /// learning rates are in play on both backends.
    async fn mup_adam_training_matches_cpu() {
        let model = ModelSpec {
            hidden: vec![16, 16],
            parametrization: Parametrization::MuP,
            base_width: 8,
            ..ExperimentSpec::default().model
        };
        let training = TrainingSpec { optimizer: Optimizer::Adam, learning_rate: 0.01, ..ExperimentSpec::default().training };
        training_matches(ExperimentSpec { model, training, ..ExperimentSpec::default() }).await;
    }
}

gpu_test! {
    async fn clipped_nesterov_with_penalties_matches_cpu() {
        let training = TrainingSpec {
            optimizer: Optimizer::Nesterov,
            clip_norm: Some(0.5),
            l1: 1e-4,
            l2: 1e-3,
            ..ExperimentSpec::default().training
        };
        training_matches(ExperimentSpec { training, ..ExperimentSpec::default() }).await;
    }
}
