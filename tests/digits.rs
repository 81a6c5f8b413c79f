//! The synthetic digits behave like MNIST: logistic regression stays at or below about
//! 92 % test accuracy, while a small LeNet-like CNN reaches 95 %.
#![cfg(all(feature = "native", not(target_arch = "wasm32")))]

use glassbox::backend::cpu::CpuBackend;
use glassbox::spec::ExperimentSpec;
use glassbox::train::Trainer;

/// The LeNet example on `points` digits at the default size and noise.
fn spec(points: u32) -> ExperimentSpec {
    let mut spec: ExperimentSpec = serde_json::from_str(include_str!("../examples/digits-lenet.json")).unwrap();
    spec.dataset.points = points;
    spec
}

/// Final (train, test) accuracy after `epochs`.
fn accuracy_after(spec: &ExperimentSpec, epochs: u64) -> (f32, f32) {
    spec.validate().unwrap();
    let data = glassbox::data::build(&spec.dataset, spec.train_points());
    let mut t = Trainer::new(CpuBackend::<f32>::new(), spec, &data).unwrap();
    t.train_steps(epochs * t.steps_per_epoch());
    pollster::block_on(t.sync_history());
    let last = t.history().last().unwrap();
    (last.train_acc, last.test_acc)
}

#[test]
fn logistic_regression_stays_below_92_percent_and_lenet_reaches_95() {
    let mut linear = spec(POINTS);
    linear.model.layers = serde_json::from_str(r#"[{"type":"dense","units":10}]"#).unwrap();
    linear.training.learning_rate = 0.01;
    let (train, test) = accuracy_after(&linear, LINEAR_EPOCHS);
    println!("logistic regression: train {train:.4}, test {test:.4} after {LINEAR_EPOCHS} epochs");
    assert!(train >= 0.85, "logistic regression did not converge: train {train}");
    assert!(test <= 0.92, "logistic regression reaches {test}: the digits are too easy");
    let (train, test) = accuracy_after(&spec(POINTS), CNN_EPOCHS);
    println!("LeNet: train {train:.4}, test {test:.4} after {CNN_EPOCHS} epochs");
    assert!(test >= 0.95, "LeNet reaches only {test}");
}

const POINTS: u32 = 3000;
const LINEAR_EPOCHS: u64 = 30;
const CNN_EPOCHS: u64 = 8;
