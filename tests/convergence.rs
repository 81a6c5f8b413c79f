//! Convergence on both backends: XOR with the AIL gates, the spiral with ReLU, and the
//! shapes images with a small CNN each reach their target accuracy on the CPU and on the
//! GPU (lavapipe natively; in the browser the GPU runs a shorter XOR smoke test, since
//! SwiftShader emulates the GPU on the CPU).

use glassbox::backend::cpu::CpuBackend;
use glassbox::backend::Backend;
use glassbox::spec::{Activation, DatasetKind, ExperimentSpec, Optimizer};
use glassbox::train::Trainer;

glassbox::web_test_harness!();

#[macro_use]
mod common;
use common::*;

/// Final (train, test) accuracy after `epochs`.
async fn accuracy_after<B: Backend>(be: B, spec: &ExperimentSpec, epochs: u64) -> (f32, f32) {
    spec.validate().unwrap();
    let data = glassbox::data::build(&spec.dataset, spec.train_points());
    let mut t = Trainer::new(be, spec, &data).unwrap();
    t.train_steps(epochs * t.steps_per_epoch());
    t.sync_history().await;
    let last = t.history().last().unwrap();
    (last.train_acc, last.test_acc)
}

fn xor(activation: Activation) -> ExperimentSpec {
    let mut spec = ExperimentSpec::default();
    spec.dataset.kind = DatasetKind::Xor;
    spec.dataset.points = 400;
    spec.model.activation = activation;
    spec.model.hidden = vec![4];
    spec.training.optimizer = Optimizer::Adam;
    spec.training.learning_rate = 0.02;
    spec
}

fn spiral() -> ExperimentSpec {
    let mut spec = ExperimentSpec::default();
    spec.model.activation = Activation::Relu;
    spec.model.hidden = vec![16, 16];
    spec.training.learning_rate = 0.1;
    spec
}

fn shapes() -> ExperimentSpec {
    let mut spec: ExperimentSpec = serde_json::from_str(include_str!("../examples/shapes-cnn.json")).unwrap();
    spec.dataset.points = 800;
    spec
}

/// (name, spec, epochs, train target, test target)
fn cases() -> Vec<(String, ExperimentSpec, u64, f32, f32)> {
    let mut cases: Vec<_> = [Activation::XnorAil, Activation::AndAil, Activation::OrAil]
        .into_iter()
        .map(|a| (format!("xor, {a:?}"), xor(a), 60, 0.95, 0.93))
        .collect();
    cases.push(("spiral, relu".into(), spiral(), 300, 0.95, 0.9));
    cases.push(("shapes, cnn".into(), shapes(), 15, 0.95, 0.9));
    cases
}

gpu_test! {
    async fn every_task_trains_on_the_cpu() {
        for (name, spec, epochs, train_target, test_target) in cases() {
            let (train, test) = accuracy_after(CpuBackend::<f32>::new(), &spec, epochs).await;
            log(&format!("cpu: {name}: train {train}, test {test} after {epochs} epochs"));
            assert!(train >= train_target && test >= test_target, "cpu: {name}: train {train}, test {test}");
        }
    }
}

gpu_test! {
    async fn every_task_trains_on_the_gpu() {
        let cases = if NATIVE { cases() } else { cases().into_iter().take(1).collect() };
        for (name, spec, epochs, train_target, test_target) in cases {
            let (train, test) = accuracy_after(gpu().await, &spec, epochs).await;
            log(&format!("gpu: {name}: train {train}, test {test} after {epochs} epochs"));
            assert!(train >= train_target && test >= test_target, "gpu: {name}: train {train}, test {test}");
        }
    }
}

