//! GPU parity for the activation, PReLU, pair-gate and loss ops (regression's too): every kind on the
//! WebGPU backend against the CPU reference on odd shapes (1x1, batch 1, 7x13, 33x65,
//! and a large batch natively), plus short training runs with a gate, PReLU and the
//! non-default losses. Runs natively (lavapipe) and in headless Chromium.

use glassbox::backend::cpu::CpuBackend;
use glassbox::backend::{ActivationOp, Backend, GateOp, LossOp};
use glassbox::rng::{Rng, Stream};
use glassbox::spec::{Activation, ExperimentSpec, Loss};
use glassbox::train::Trainer;
use std::collections::BTreeMap;

glassbox::web_test_harness!();

#[macro_use]
mod common;
use common::*;

/// A name for the report that lives as long as the test binary.
fn name(parts: String) -> &'static str {
    Box::leak(parts.into_boxed_str())
}

fn shapes() -> Vec<[usize; 2]> {
    let mut shapes = vec![[1, 1], [1, 5], [7, 13], [33, 65]];
    if NATIVE {
        shapes.push([1000, 64]);
    }
    shapes
}

async fn activation_outputs<B: Backend<E = f32>>(be: &B, [rows, cols]: [usize; 2], salt: u32) -> Outputs {
    let x = be.upload([rows, cols], &random(rows * cols, salt, 6.0));
    let dy = be.upload([rows, cols], &random(rows * cols, salt + 1, 1.0));
    let mut out = Vec::new();
    for op in ActivationOp::ALL.into_iter().chain([ActivationOp::LeakyRelu { slope: 0.3 }]) {
        let y = be.activation(op, &x);
        let dx = be.activation_backward(op, &x, &y, &dy);
        out.push((name(format!("{op:?}")), read(be, &y).await));
        out.push((name(format!("{op:?} backward")), read(be, &dx).await));
    }
    let slope = be.upload([1, cols], &random(cols, salt + 2, 0.8));
    let (dx, dslope) = be.prelu_backward(&x, &slope, &dy);
    out.push(("prelu", read(be, &be.prelu(&x, &slope)).await));
    out.push(("prelu backward dx", read(be, &dx).await));
    out.push(("prelu backward dslope", read(be, &dslope).await));
    out
}

async fn gate_outputs<B: Backend<E = f32>>(be: &B, [rows, cols]: [usize; 2], salt: u32) -> Outputs {
    let x = be.upload([rows, 2 * cols], &random(rows * 2 * cols, salt, 6.0));
    let dy = be.upload([rows, cols], &random(rows * cols, salt + 1, 1.0));
    let mut out = Vec::new();
    for op in GateOp::ALL {
        let y = be.pair_gate(op, &x);
        assert_eq!(be.shape(&y), [rows, cols]);
        out.push((op.name(), read(be, &y).await));
        out.push((name(format!("{} backward", op.name())), read(be, &be.pair_gate_backward(op, &x, &dy)).await));
    }
    out
}

const LOSSES: [LossOp; 12] = [
    LossOp::CROSS_ENTROPY,
    LossOp::CrossEntropy { smoothing: 0.1, tamper: 1.0 },
    LossOp::CrossEntropy { smoothing: 0.0, tamper: 0.5 },
    LossOp::CrossEntropy { smoothing: 0.2, tamper: 2.0 },
    LossOp::Focal { gamma: 2.0 },
    LossOp::Focal { gamma: 0.5 },
    LossOp::Poly1 { epsilon: 1.0 },
    LossOp::Encouraging { log_end: 0.75 },
    LossOp::Encouraging { log_end: 1.0 },
    LossOp::Mse,
    LossOp::BinaryCe,
    LossOp::Distillation { beta: 0.5, temperature: 2.0 },
];

async fn loss_outputs<B: Backend<E = f32>>(be: &B, [rows, cols]: [usize; 2], salt: u32) -> Outputs {
    let z = be.upload([rows, cols], &random(rows * cols, salt, 3.0));
    let teacher = be.upload([rows, cols], &random(rows * cols, salt + 1, 3.0));
    let rng = Rng::new(salt, Stream::BatchOrder);
    let labels: Vec<f32> = (0..rows as u32).map(|i| rng.below(i, cols as u32) as f32).collect();
    let labels = be.upload([rows, 1], &labels);
    let mut out = Vec::new();
    for op in LOSSES {
        let t = matches!(op, LossOp::Distillation { .. }).then_some(&teacher);
        let o = be.loss(op, &z, &labels, t);
        out.push((name(format!("{op:?} loss")), read(be, &o.loss).await));
        out.push((name(format!("{op:?} correct")), read(be, &o.correct).await));
        out.push((name(format!("{op:?} grad")), read(be, &o.grad).await));
    }
    let targets = be.upload([rows, 1], &random(rows, salt + 2, 2.0));
    let o = be.loss(LossOp::MseTarget, &z, &targets, None);
    out.push(("MseTarget loss", read(be, &o.loss).await));
    out.push(("MseTarget correct", read(be, &o.correct).await));
    out.push(("MseTarget grad", read(be, &o.grad).await));
    out
}

gpu_test! {
    async fn activations_and_prelu_match_cpu() {
        let (gpu, cpu) = (gpu().await, CpuBackend::<f32>::new());
        let mut worst = BTreeMap::new();
        for (salt, shape) in shapes().into_iter().enumerate() {
            let salt = 10 * salt as u32;
            let case = format!("{shape:?}");
            compare(&case, activation_outputs(&gpu, shape, salt).await, activation_outputs(&cpu, shape, salt).await, &mut worst);
        }
        report(&worst);
    }
}

gpu_test! {
    async fn pair_gates_match_cpu() {
        let (gpu, cpu) = (gpu().await, CpuBackend::<f32>::new());
        let mut worst = BTreeMap::new();
        for (salt, shape) in shapes().into_iter().enumerate() {
            let salt = 10 * salt as u32 + 1;
            let case = format!("{shape:?}");
            compare(&case, gate_outputs(&gpu, shape, salt).await, gate_outputs(&cpu, shape, salt).await, &mut worst);
        }
        report(&worst);
    }
}

gpu_test! {
    async fn losses_match_cpu() {
        let (gpu, cpu) = (gpu().await, CpuBackend::<f32>::new());
        let mut worst = BTreeMap::new();
        for (salt, shape) in shapes().into_iter().enumerate() {
            let salt = 10 * salt as u32 + 2;
            let case = format!("{shape:?}");
            compare(&case, loss_outputs(&gpu, shape, salt).await, loss_outputs(&cpu, shape, salt).await, &mut worst);
        }
        report(&worst);
    }
}

gpu_test! {
    /// 50 steps with a gate, PReLU and non-default losses give the same losses and
    /// parameters (PReLU slopes included) on both backends.
    async fn training_with_new_activations_and_losses_matches_cpu() {
        let cases = [
            (Activation::AndAil, Loss::Focal),
            (Activation::Prelu, Loss::Encouraging),
            (Activation::Xnor, Loss::SoftmaxCrossEntropy),
        ];
        for (activation, loss) in cases {
            let mut spec = ExperimentSpec::default();
            spec.model.activation = activation;
            spec.training.loss = loss;
            if loss == Loss::SoftmaxCrossEntropy {
                spec.training.loss_params.label_smoothing = 0.1;
                spec.training.loss_params.tamper = 0.5;
            }
            spec.validate().unwrap();
            let data = glassbox::data::build(&spec.dataset, spec.train_points());
            let mut cpu = Trainer::new(CpuBackend::<f32>::new(), &spec, &data).unwrap();
            let mut gpu = Trainer::new(gpu().await, &spec, &data).unwrap();
            cpu.train_steps(50);
            gpu.train_steps(50);
            cpu.sync_history().await;
            gpu.sync_history().await;
            for (g, c) in gpu.history().iter().zip(cpu.history()) {
                for (gl, cl) in [(g.train_loss, c.train_loss), (g.test_loss, c.test_loss)] {
                    assert!((gl - cl).abs() <= 1e-3 * (1.0 + cl.abs()), "{activation:?}/{loss:?} epoch {}: {gl} vs {cl}", c.epoch);
                }
            }
            let (gp, cp) = (gpu.parameters().await, cpu.parameters().await);
            assert_eq!(gp.len(), cp.len());
            let worst = gp.iter().zip(&cp).map(|(g, c)| (g - c).abs() / (1.0 + c.abs())).fold(0.0, f32::max);
            log(&format!("{activation:?} + {loss:?}: parameters after 50 steps differ by at most {worst:.3e}"));
            assert!(worst <= 1e-3);
        }
    }
}
