//! Session: one experiment built from a spec (dataset, model, trainer, backend).
//! The wasm API and the native tests drive the engine only through this type.

use crate::backend::cpu::CpuBackend;
use crate::backend::BackendKind;
use crate::data::{self, Dataset};
use crate::spec::{ExperimentSpec, SpecError};
use crate::train::{EpochRecord, Trainer};

/// The decision-boundary view covers [−GRID_EXTENT, GRID_EXTENT]² (as TF Playground).
pub const GRID_EXTENT: f32 = 6.0;
/// Largest decision grid a caller may ask for, per side.
pub const MAX_GRID_RESOLUTION: u32 = 256;

/// Which backend runs, on what, and why it was chosen.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct BackendInfo {
    pub kind: BackendKind,
    pub adapter: String,
    pub reason: String,
}

/// The numbers `metrics()` reports: the latest epoch record plus the step count.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Metrics {
    pub step: u64,
    pub epoch: u32,
    pub train_loss: f32,
    pub test_loss: f32,
    pub train_acc: f32,
    pub test_acc: f32,
}

pub struct Session {
    spec: ExperimentSpec,
    data: Dataset,
    trainer: Trainer<CpuBackend<f32>>,
}

impl Session {
    pub fn new(spec: ExperimentSpec) -> Result<Self, SpecError> {
        spec.validate()?;
        let data = data::build(&spec.dataset, spec.train_points());
        let trainer = Trainer::new(CpuBackend::new(), &spec, &data);
        Ok(Session { spec, data, trainer })
    }

    pub fn spec(&self) -> &ExperimentSpec {
        &self.spec
    }

    pub fn data(&self) -> &Dataset {
        &self.data
    }

    pub fn backend_info(&self) -> BackendInfo {
        let adapter = if cfg!(target_arch = "wasm32") { "ndarray on wasm32 (simd128)" } else { "ndarray (native)" };
        BackendInfo {
            kind: BackendKind::Cpu,
            adapter: adapter.into(),
            reason: "CPU: this build has no WebGPU backend yet".into(),
        }
    }

    pub fn train_steps(&mut self, n: u64) {
        self.trainer.train_steps(n);
    }

    pub fn steps_per_epoch(&self) -> u64 {
        self.trainer.steps_per_epoch()
    }

    /// Brings the history up to date and reports the latest record.
    pub async fn metrics(&mut self) -> Metrics {
        self.trainer.sync_history().await;
        let last = *self.trainer.history().last().expect("epoch 0 is always recorded");
        Metrics {
            step: self.trainer.step(),
            epoch: last.epoch,
            train_loss: last.train_loss,
            test_loss: last.test_loss,
            train_acc: last.train_acc,
            test_acc: last.test_acc,
        }
    }

    /// Epoch records from index `from` on (call `metrics` first to sync).
    pub fn history_since(&self, from: usize) -> &[EpochRecord] {
        let h = self.trainer.history();
        &h[from.min(h.len())..]
    }

    /// Class probabilities on a res×res grid over the view, row-major, top row first
    /// (largest x₂), each cell `classes` values.
    pub async fn decision_grid(&self, res: u32) -> Vec<f32> {
        let res = res.clamp(1, MAX_GRID_RESOLUTION) as usize;
        let cell = 2.0 * GRID_EXTENT / res as f32;
        let mut points = Vec::with_capacity(res * res * 2);
        for i in 0..res {
            for j in 0..res {
                points.push(-GRID_EXTENT + (j as f32 + 0.5) * cell);
                points.push(GRID_EXTENT - (i as f32 + 0.5) * cell);
            }
        }
        self.trainer.predict(&points, 2).await
    }

    pub async fn parameters(&self) -> Vec<f32> {
        self.trainer.parameters().await
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;
    use super::*;

    #[test]
    fn the_default_spiral_is_learned() {
        let mut s = Session::new(ExperimentSpec::default()).unwrap();
        let start = pollster::block_on(s.metrics());
        assert_eq!((start.step, start.epoch), (0, 0));
        s.train_steps(25 * 1500);
        let m = pollster::block_on(s.metrics());
        assert_eq!(m.epoch, 1500);
        assert!(m.train_acc >= 0.9, "train accuracy {} after 1500 epochs", m.train_acc);
        assert!(m.train_loss < start.train_loss / 3.0);
        assert_eq!(s.history_since(0).len(), 1501);
    }

    #[test]
    fn decision_grid_has_one_distribution_per_cell() {
        let s = Session::new(ExperimentSpec::default()).unwrap();
        let g = pollster::block_on(s.decision_grid(10));
        assert_eq!(g.len(), 10 * 10 * 2);
        for cell in g.chunks(2) {
            assert!((cell[0] + cell[1] - 1.0).abs() < 1e-5);
        }
    }

    #[test]
    fn invalid_specs_are_refused() {
        let mut spec = ExperimentSpec::default();
        spec.training.batch_size = 0;
        assert!(Session::new(spec).is_err());
    }
}
