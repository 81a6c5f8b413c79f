//! The 2-D playground's data through a whole session: regression sets train on both
//! backends (finite, decreasing MSE, NaN accuracy, one prediction per grid cell, the GPU
//! following the CPU), and the decision grid sees the plane through the same features
//! and preprocessing as the training data.

use glassbox::backend::cpu::CpuBackend;
use glassbox::session::Session;
use glassbox::spec::{DatasetKind, ExperimentSpec, Feature, Loss, Preprocess};
use glassbox::train::Trainer;

glassbox::web_test_harness!();

#[macro_use]
mod common;
use common::*;

fn plane_spec() -> ExperimentSpec {
    let mut spec = ExperimentSpec::default();
    spec.dataset.kind = DatasetKind::Plane;
    spec.dataset.points = 200;
    spec.training.loss = Loss::Mse;
    spec.model.hidden = vec![4];
    spec.training.learning_rate = 0.01;
    spec.validate().unwrap();
    spec
}

const EPOCHS: u64 = 20;

gpu_test! {
    async fn plane_regression_trains_on_cpu_and_gpu() {
        let spec = plane_spec();
        let mut cpu = Session::new(spec.clone()).unwrap();
        let mut gpu = Session::on_gpu(spec, gpu().await).unwrap();
        for s in [&mut cpu, &mut gpu] {
            let start = s.metrics().await;
            s.train_steps(EPOCHS * s.steps_per_epoch());
            let end = s.metrics().await;
            assert!(end.train_loss.is_finite() && end.test_loss.is_finite());
            assert!(end.train_loss < start.train_loss / 4.0, "MSE {} → {}", start.train_loss, end.train_loss);
            assert!(end.train_acc.is_nan() && end.test_acc.is_nan(), "no accuracy for regression");
            let grid = s.decision_grid(8).await;
            assert_eq!(grid.len(), 64, "one prediction per cell");
            // The target (x₁ + x₂)/10 grows towards the top-right corner (last column, first row).
            assert!(grid[7] > grid[56], "top-right {} vs bottom-left {}", grid[7], grid[56]);
        }
        let (c, g) = (cpu.history_since(0), gpu.history_since(0));
        assert_eq!(c.len(), g.len());
        for (c, g) in c.iter().zip(g) {
            assert!((c.train_loss - g.train_loss).abs() <= 1e-3 * (1.0 + c.train_loss), "epoch {}: cpu {} gpu {}", c.epoch, c.train_loss, g.train_loss);
        }
        log(&format!("plane MSE after {EPOCHS} epochs: cpu {} gpu {}", c[EPOCHS as usize].train_loss, g[EPOCHS as usize].train_loss));
    }
}

/// Custom points on the centres of a 4×4 grid, with every feature and z-scoring: the
/// session's decision grid equals the network applied to the training rows themselves.
#[test]
fn the_grid_uses_the_training_features_and_statistics() {
    let res = 4;
    let cell = 12.0 / res as f32;
    let centres: Vec<[f32; 3]> = (0..res * res)
        .map(|k| [-6.0 + ((k % res) as f32 + 0.5) * cell, 6.0 - ((k / res) as f32 + 0.5) * cell, (k % 3) as f32])
        .collect();
    let mut spec = ExperimentSpec::default();
    spec.dataset.kind = DatasetKind::Custom;
    spec.dataset.classes = 3;
    spec.dataset.points = centres.len() as u32;
    spec.dataset.custom_points = centres.clone();
    spec.dataset.features = Feature::ALL.to_vec();
    spec.dataset.preprocess = Preprocess::Zscore;
    spec.dataset.train_fraction = 0.5;
    spec.training.batch_size = 4;
    spec.validate().unwrap();
    let mut session = Session::new(spec.clone()).unwrap();
    session.train_steps(30);
    let grid = pollster::block_on(session.decision_grid(res as u32));
    let data = session.data().clone();
    assert_eq!((data.n_features, spec.inputs()), (7, 7));
    let mut trainer = Trainer::new(CpuBackend::<f32>::new(), &spec, &data).unwrap();
    trainer.train_steps(30);
    let rows = pollster::block_on(trainer.predict(&data.features, 7));
    for (i, p) in data.points.iter().enumerate() {
        let k = centres.iter().position(|c| c[0] == p[0] && c[1] == p[1]).unwrap();
        assert_eq!(&grid[3 * k..3 * k + 3], &rows[3 * i..3 * i + 3], "point {p:?}");
    }
}
