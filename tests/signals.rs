//! Smoke test: an MLP learns the signals' burst shapes well above chance (25 %).
#![cfg(all(feature = "native", not(target_arch = "wasm32")))]

use glassbox::backend::cpu::CpuBackend;
use glassbox::spec::{Activation, DatasetKind, ExperimentSpec, Optimizer};
use glassbox::train::Trainer;

#[test]
fn an_mlp_learns_the_signals() {
    let mut spec = ExperimentSpec::default();
    spec.dataset.kind = DatasetKind::Signals;
    spec.dataset.points = 2000;
    spec.dataset.noise = 5.0;
    spec.model.hidden = vec![64];
    spec.model.activation = Activation::Relu;
    spec.training.optimizer = Optimizer::Adam;
    spec.training.learning_rate = 0.005;
    spec.training.batch_size = 32;
    spec.validate().unwrap();
    let data = glassbox::data::build(&spec.dataset, spec.train_points());
    let mut t = Trainer::new(CpuBackend::<f32>::new(), &spec, &data).unwrap();
    let epochs = 30;
    t.train_steps(epochs * t.steps_per_epoch());
    pollster::block_on(t.sync_history());
    let (first, last) = (t.history()[0], *t.history().last().unwrap());
    println!("signals, MLP 64→64→4: epoch 0 test {:.3}; after {epochs} epochs train {:.3}, test {:.3}", first.test_acc, last.train_acc, last.test_acc);
    assert!(last.test_acc >= 0.7, "test accuracy {} (chance 0.25)", last.test_acc);
    assert!(last.train_loss < first.train_loss);
}
