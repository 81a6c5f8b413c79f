//! Session: one experiment built from a spec (dataset, model, trainer) on one backend.
//! The wasm API and the native tests drive the engine only through this type.
//! `edits` holds live changes and their replay, `views` what the page draws, `explain`
//! attribution maps of the model.

use crate::backend::cpu::CpuBackend;
use crate::backend::gpu::GpuBackend;
use crate::backend::BackendKind;
use crate::data::{self, Dataset};
use crate::nn::format::{ModelError, ModelFile};
use crate::spec::{ExperimentSpec, SpecError, TrainingSpec};
use crate::train::{EpochRecord, Evaluation, Trainer};

fn finite(r: &EpochRecord) -> bool {
    r.train_loss.is_finite() && r.test_loss.is_finite()
}

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

/// The numbers `metrics()` reports: the latest epoch record plus counters.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Metrics {
    pub step: u64,
    pub epoch: u32,
    pub train_loss: f32,
    pub test_loss: f32,
    pub train_acc: f32,
    pub test_acc: f32,
    /// Command buffers submitted to the GPU so far (0 on the CPU).
    pub gpu_submissions: u64,
    /// The step at which the weights were last copied back to CPU memory.
    pub weights_synced_at_step: Option<u64>,
    /// Set once the loss is no longer finite; training should stop.
    pub divergence: Option<Divergence>,
}

/// A run whose loss stopped being finite, where it went wrong, and the way back.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Divergence {
    /// The last epoch whose evaluation was finite (the fault began after it).
    pub last_finite_epoch: Option<u32>,
    /// The first epoch whose evaluation was not.
    pub epoch: u32,
    /// The fault began after this step (the end of `last_finite_epoch`)…
    pub began_after_step: Option<u64>,
    /// …and was seen at this one (the step the non-finite loss was found at).
    pub seen_at_step: u64,
    /// The first layer holding or producing a non-finite number, e.g. "the output of
    /// layer 3 (dense)".
    pub location: Option<String>,
    /// The step of the last good weights `rollback` returns to, if any were saved.
    pub rollback_step: Option<u64>,
    /// The learning rate `rollback` switches to.
    pub rollback_learning_rate: f32,
}

/// A host copy of every tensor of the model, taken while the loss was finite.
#[derive(Clone, Debug, PartialEq)]
pub struct WeightSnapshot {
    pub step: u64,
    pub state: Vec<f32>,
}

/// A rollback divides the learning rate by this.
pub const ROLLBACK_LR_DIVISOR: f32 = 10.0;

// One per session, so the variants' size difference costs nothing worth boxing for.
#[allow(clippy::large_enum_variant)]
enum Engine {
    Cpu(Trainer<CpuBackend<f32>>),
    Gpu(Trainer<GpuBackend>),
}

/// Runs the same code on whichever trainer the session holds.
macro_rules! with_trainer {
    ($engine:expr, $t:ident => $body:expr) => {
        match $engine {
            Engine::Cpu($t) => $body,
            Engine::Gpu($t) => $body,
        }
    };
}

mod activations;
mod concepts;
mod edits;
mod explain;
mod gpu_fault;
mod images;
mod leaderboard;
mod labels;
mod retrain;
mod roar;
mod upload;
mod views;

pub use activations::{ActivationAlarm, ActivationWatch};
pub use concepts::{ConceptRequest, MAX_CONCEPT_ITERATIONS};
pub use edits::Applied;
pub use explain::{ExplainRequest, ExplainSource, MAX_EXPLAIN_GRID, MAX_EXPLAIN_NUMBERS, MAX_EXPLAIN_SAMPLES};
pub use leaderboard::{BoardMasks, LeaderboardRequest};
pub use labels::LabelCheck;
pub use roar::Roar;
pub use images::{ActivationMaps, Filters, LayerShape, SampleBatch};
pub use upload::{prepare as prepare_upload, UploadedFiles};
pub use views::{ActivationCodes, Confusion, NetworkLayer, NetworkView, NeuronMaps, PlaneViews, Regions};

pub struct Session {
    /// What the link encodes: `training` holds the options now in force and `events`
    /// every edit so far (see `edits`).
    spec: ExperimentSpec,
    /// The training options in force at the current step.
    training: TrainingSpec,
    /// Events before this index have been applied.
    next_event: usize,
    data: Dataset,
    engine: Engine,
    adapter: String,
    reason: String,
    snapshot: Option<WeightSnapshot>,
    divergence: Option<Divergence>,
    watch: ActivationWatch,
}

fn cpu_adapter_name() -> String {
    if cfg!(target_arch = "wasm32") { "ndarray on wasm32 (simd128)" } else { "ndarray (native)" }.into()
}

/// A spec over the user's files cannot be built from the spec alone: say which files.
fn needs_no_files(spec: &ExperimentSpec) -> Result<(), SpecError> {
    match &spec.dataset.upload {
        Some(upload) => Err(SpecError(format!("This experiment trains on your own files ({}); open them to continue.", upload.describe()))),
        None => Ok(()),
    }
}

impl Session {
    /// A session on the CPU backend.
    pub fn new(spec: ExperimentSpec) -> Result<Self, SpecError> {
        spec.validate()?;
        needs_no_files(&spec)?;
        let data = data::build(&spec.dataset, spec.train_points());
        Session::on_cpu_with(spec, data)
    }

    /// A CPU session on data already in hand.
    fn on_cpu_with(spec: ExperimentSpec, data: Dataset) -> Result<Self, SpecError> {
        Self::assemble(spec, data, |spec, data| Ok(Engine::Cpu(Trainer::new(CpuBackend::new(), spec, data)?)), cpu_adapter_name(), "CPU")
    }

    /// A session on a GPU backend.
    pub fn on_gpu(spec: ExperimentSpec, gpu: GpuBackend) -> Result<Self, SpecError> {
        spec.validate()?;
        needs_no_files(&spec)?;
        let data = data::build(&spec.dataset, spec.train_points());
        Session::on_gpu_with(spec, data, gpu)
    }

    /// A GPU session on data already in hand.
    fn on_gpu_with(spec: ExperimentSpec, data: Dataset, gpu: GpuBackend) -> Result<Self, SpecError> {
        let info = gpu.adapter_info();
        let adapter = match (info.name.is_empty(), info.backend.as_str()) {
            (true, backend) => backend.to_string(),
            (false, backend) => format!("{} ({backend})", info.name),
        };
        Self::assemble(spec, data, |spec, data| Ok(Engine::Gpu(Trainer::new(gpu, spec, data)?)), adapter, "WebGPU")
    }

    /// Validates the spec, builds the trainer on the data with the options in force where the
    /// run starts (step 0, or the step of embedded weights), then applies the events up
    /// to there.
    fn assemble(
        spec: ExperimentSpec,
        data: Dataset,
        engine: impl FnOnce(&ExperimentSpec, &Dataset) -> Result<Engine, String>,
        adapter: String,
        reason: &str,
    ) -> Result<Self, SpecError> {
        spec.validate()?;
        // Every guidance the run will use must find its masks on these data (events apply
        // later, mid-run, where a failure could not be reported).
        for step in std::iter::once(0).chain(spec.events.iter().map(|e| e.step)) {
            if let Some(g) = &spec.training_at(step).guidance {
                crate::train::check_guidance(g, &data).map_err(SpecError)?;
            }
        }
        let start = spec.weights.as_ref().map_or(0, |w| w.step);
        let training = spec.training_at(start);
        let engine = engine(&ExperimentSpec { training: training.clone(), ..spec.clone() }, &data).map_err(SpecError)?;
        let mut session = Session {
            spec,
            training,
            next_event: 0,
            data,
            engine,
            adapter,
            reason: reason.into(),
            snapshot: None,
            divergence: None,
            watch: ActivationWatch::default(),
        };
        session.start_at(start)?;
        Ok(session)
    }

    pub fn spec(&self) -> &ExperimentSpec {
        &self.spec
    }

    pub fn data(&self) -> &Dataset {
        &self.data
    }

    /// Records why this backend was chosen, for the badge and `backend()`.
    pub fn set_backend_reason(&mut self, reason: impl Into<String>) {
        self.reason = reason.into();
    }

    pub fn backend_info(&self) -> BackendInfo {
        let kind = match self.engine {
            Engine::Cpu(_) => BackendKind::Cpu,
            Engine::Gpu(_) => BackendKind::Webgpu,
        };
        BackendInfo { kind, adapter: self.adapter.clone(), reason: self.reason.clone() }
    }

    /// The training options in force now.
    pub fn training(&self) -> &TrainingSpec {
        &self.training
    }

    pub fn step(&self) -> u64 {
        with_trainer!(&self.engine, t => t.step())
    }

    /// Whole epochs completed.
    pub fn epoch(&self) -> u32 {
        with_trainer!(&self.engine, t => t.epoch())
    }

    pub fn steps_per_epoch(&self) -> u64 {
        with_trainer!(&self.engine, t => t.steps_per_epoch())
    }

    /// Steps until the current epoch ends.
    pub fn steps_left_in_epoch(&self) -> u64 {
        with_trainer!(&self.engine, t => t.steps_left_in_epoch())
    }

    fn gpu_submissions(&self) -> u64 {
        match &self.engine {
            Engine::Cpu(_) => 0,
            Engine::Gpu(t) => t.be.submissions(),
        }
    }

    /// Chooses which epochs the history records: every epoch (the default; what `step`
    /// and the native runner use) or, while a page plays, the epochs `metrics` reports.
    pub fn set_evaluation(&mut self, evaluation: Evaluation) {
        with_trainer!(&mut self.engine, t => t.set_evaluation(evaluation));
    }

    /// Evaluates the current epoch if it has no record yet (see `Trainer::evaluate_now`),
    /// brings the history up to date and reports the latest record; the first time the
    /// loss is not finite it also locates the fault.
    pub async fn metrics(&mut self) -> Metrics {
        let (step, last) = with_trainer!(&mut self.engine, t => {
            t.evaluate_now();
            t.sync_history().await;
            (t.step(), *t.history().last().expect("epoch 0 is always recorded"))
        });
        // On a faulted GPU the numbers read are meaningless, not a divergence.
        if self.divergence.is_none() && !finite(&last) && self.gpu_fault().is_none() {
            self.divergence = Some(self.diagnose().await);
        }
        Metrics {
            step,
            epoch: last.epoch,
            train_loss: last.train_loss,
            test_loss: last.test_loss,
            train_acc: last.train_acc,
            test_acc: last.test_acc,
            gpu_submissions: self.gpu_submissions(),
            weights_synced_at_step: self.snapshot.as_ref().map(|s| s.step),
            divergence: self.divergence.clone(),
        }
    }

    async fn diagnose(&self) -> Divergence {
        let history = self.history_since(0);
        let first_bad = history.iter().position(|r| !finite(r)).unwrap_or(history.len() - 1);
        let location = with_trainer!(&self.engine, t => t.locate_non_finite().await);
        let last_finite_epoch = first_bad.checked_sub(1).map(|i| history[i].epoch);
        Divergence {
            last_finite_epoch,
            epoch: history[first_bad].epoch,
            began_after_step: last_finite_epoch.map(|e| e as u64 * self.steps_per_epoch()),
            seen_at_step: self.step(),
            location,
            rollback_step: self.snapshot.as_ref().map(|s| s.step),
            rollback_learning_rate: self.training.learning_rate / ROLLBACK_LR_DIVISOR,
        }
    }

    /// After a divergence: back to the last good weights with the learning rate divided
    /// by `ROLLBACK_LR_DIVISOR` and fresh optimiser moments. Training carries on from the
    /// current step; the spec (and so the link) records the new rate.
    pub fn rollback(&mut self) -> Result<(), String> {
        let Some(rate) = self.divergence.as_ref().map(|d| d.rollback_learning_rate) else {
            return Err("Nothing to roll back: the run has not diverged.".into());
        };
        let Some(state) = self.snapshot.as_ref().map(|s| s.state.clone()) else {
            return Err("No good weights were saved before the run diverged; reset to start again.".into());
        };
        let mut training = self.training.clone();
        training.learning_rate = rate;
        self.set_training(training).map_err(|e| e.0)?;
        with_trainer!(&mut self.engine, t => t.restore(&state))?;
        self.divergence = None;
        self.watch = ActivationWatch::default();
        Ok(())
    }

    /// Epoch records from index `from` on (call `metrics` first to sync).
    pub fn history_since(&self, from: usize) -> &[EpochRecord] {
        let h = with_trainer!(&self.engine, t => t.history());
        &h[from.min(h.len())..]
    }

    /// Class probabilities on a res×res grid over the view, row-major, top row first
    /// (largest x₂), each cell `classes` values (one value, the prediction, for
    /// regression); the plane points pass through the set's features and preprocessing.
    /// Empty for data that is not 2-D.
    pub async fn decision_grid(&self, res: u32) -> Vec<f32> {
        match self.plane_inputs(res) {
            Some((inputs, _)) => with_trainer!(&self.engine, t => t.predict(&inputs, self.data.n_features).await),
            None => Vec::new(),
        }
    }

    /// The network inputs (the set's features of the raw point, preprocessed) at the
    /// centres of a res×res grid over the view (row-major, top row first) and the
    /// clamped resolution; None for data that is not 2-D.
    fn plane_inputs(&self, res: u32) -> Option<(Vec<f32>, usize)> {
        if self.data.points.is_empty() {
            return None;
        }
        let res = res.clamp(1, MAX_GRID_RESOLUTION) as usize;
        let cell = 2.0 * GRID_EXTENT / res as f32;
        let points: Vec<[f32; 2]> = (0..res * res)
            .map(|k| [-GRID_EXTENT + ((k % res) as f32 + 0.5) * cell, GRID_EXTENT - ((k / res) as f32 + 0.5) * cell])
            .collect();
        Some((data::plane::inputs(&self.spec.dataset, &self.data.preprocessing, &points), res))
    }

    pub async fn parameters(&self) -> Vec<f32> {
        with_trainer!(&self.engine, t => t.parameters().await)
    }

    /// The trained model in the documented model format (see `nn::format`).
    pub async fn model_json(&self) -> String {
        with_trainer!(&self.engine, t => t.model.export(&t.be).await).to_json()
    }

    /// Loads weights from a model file; the architecture must match the spec's.
    pub fn load_model(&mut self, json: &str) -> Result<(), ModelError> {
        let file = ModelFile::parse(json)?;
        with_trainer!(&mut self.engine, t => t.model.import(&t.be, &file))
    }

    /// Copies every tensor of the model into CPU memory if the latest evaluation is
    /// finite (the caller does this every few seconds, so that a divergence or a lost
    /// device costs at most that much training). Returns the snapshot now held.
    pub async fn sync_weights(&mut self) -> Option<&WeightSnapshot> {
        if self.metrics().await.divergence.is_none() && self.gpu_fault().is_none() {
            let step = with_trainer!(&self.engine, t => t.step());
            let state = with_trainer!(&self.engine, t => t.state().await);
            // The device may have failed while the weights were being read.
            if self.gpu_fault().is_none() {
                self.snapshot = Some(WeightSnapshot { step, state });
            }
        }
        self.snapshot.as_ref()
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
        assert_eq!(m.gpu_submissions, 0);
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

    /// The CPU predicts a grid in blocks of rows: each cell is what the network gives that
    /// point alone.
    #[test]
    fn a_grid_in_blocks_is_the_grid_point_by_point() {
        let mut s = Session::new(ExperimentSpec::default()).unwrap();
        s.train_steps(100);
        let (inputs, _) = s.plane_inputs(30).unwrap();
        let n = s.data.n_features;
        let grid = pollster::block_on(s.decision_grid(30));
        let alone: Vec<f32> =
            inputs.chunks(n).flat_map(|p| with_trainer!(&s.engine, t => pollster::block_on(t.predict(p, n)))).collect();
        assert_eq!(grid.len(), 900 * 2);
        assert_eq!(grid.iter().map(|v| v.to_bits()).collect::<Vec<_>>(), alone.iter().map(|v| v.to_bits()).collect::<Vec<_>>());
    }

    #[test]
    fn weight_snapshots_record_the_step_and_the_weights() {
        let mut s = Session::new(ExperimentSpec::default()).unwrap();
        s.train_steps(7);
        let snap = pollster::block_on(s.sync_weights()).unwrap().clone();
        assert_eq!(snap.step, 7);
        assert_eq!(snap.state, pollster::block_on(s.parameters()), "an MLP's state is its parameters");
        assert_eq!(pollster::block_on(s.metrics()).weights_synced_at_step, Some(7));
    }

    /// A learning rate far too high: the loss stops being finite, the session says where
    /// it began, and a rollback returns to the saved weights with a tenth of the rate.
    #[test]
    fn a_diverging_run_is_located_and_rolled_back() {
        use crate::spec::{Activation, Loss};
        let mut spec = ExperimentSpec::default();
        spec.model.activation = Activation::Relu;
        spec.training.loss = Loss::Mse;
        spec.training.learning_rate = 10.0;
        let mut s = Session::new(spec).unwrap();
        assert!(s.rollback().unwrap_err().contains("not diverged"));
        let saved = pollster::block_on(s.sync_weights()).unwrap().clone();
        s.train_steps(25 * 20);
        let m = pollster::block_on(s.metrics());
        let d = m.divergence.expect("lr 10 with MSE and ReLU diverges");
        println!("{d:?}");
        assert!(d.location.as_deref().is_some_and(|l| l.contains("layer")), "{d:?}");
        // Every epoch is evaluated here, so the fault began within one epoch of 25 steps.
        let last_good = d.last_finite_epoch.expect("epoch 0 was finite");
        assert_eq!(d.epoch, last_good + 1);
        assert_eq!(d.began_after_step, Some(last_good as u64 * 25));
        assert_eq!(d.seen_at_step, 25 * 20);
        assert_eq!(d.rollback_step, Some(saved.step));
        assert_eq!(d.rollback_learning_rate, 1.0);
        // No snapshot is taken of diverged weights.
        assert_eq!(pollster::block_on(s.sync_weights()).unwrap().step, saved.step);
        s.rollback().unwrap();
        assert_eq!(s.spec().training.learning_rate, 1.0);
        assert_eq!(pollster::block_on(s.parameters()), saved.state);
        assert_eq!(pollster::block_on(s.metrics()).divergence, None);
        let mut fresh = Session::new(ExperimentSpec { training: TrainingSpec { learning_rate: 10.0, ..s.spec().training.clone() }, ..s.spec().clone() }).unwrap();
        fresh.train_steps(25 * 20);
        assert!(pollster::block_on(fresh.metrics()).divergence.is_some(), "and without a snapshot…");
        assert!(fresh.rollback().unwrap_err().contains("No good weights"));
    }

    /// Evaluating on demand changes which epochs are recorded, not the run: the same
    /// weights, and the records it has are bit for bit those of every-epoch evaluation.
    #[test]
    fn on_demand_evaluation_records_the_reported_epochs_of_the_same_run() {
        let mut every = Session::new(ExperimentSpec::default()).unwrap();
        every.train_steps(25 * 10 + 7);
        pollster::block_on(every.metrics());
        let mut lazy = Session::new(ExperimentSpec::default()).unwrap();
        lazy.set_evaluation(Evaluation::OnDemand);
        lazy.train_steps(25 * 3);
        assert_eq!(pollster::block_on(lazy.metrics()).epoch, 3);
        lazy.train_steps(25 * 7);
        pollster::block_on(lazy.metrics());
        lazy.train_steps(7);
        assert_eq!(lazy.steps_left_in_epoch(), 18);
        let m = pollster::block_on(lazy.metrics());
        assert_eq!((m.step, m.epoch), (257, 10), "epoch 10 was recorded at its end");
        assert_eq!(pollster::block_on(lazy.parameters()), pollster::block_on(every.parameters()));
        let picked: Vec<EpochRecord> = [0, 3, 10].iter().map(|&e| every.history_since(e)[0]).collect();
        assert_eq!(lazy.history_since(0), picked.as_slice(), "one record per reported epoch");
        lazy.set_evaluation(Evaluation::EveryEpoch);
        lazy.train_steps(25 * 2);
        pollster::block_on(lazy.metrics());
        let epochs: Vec<u32> = lazy.history_since(3).iter().map(|r| r.epoch).collect();
        assert_eq!(epochs, [11, 12]);
    }

    /// A run diverging between reports is caught at the next one, and no snapshot is
    /// taken of its weights.
    #[test]
    fn on_demand_evaluation_still_detects_divergence() {
        use crate::spec::{Activation, Loss};
        let mut spec = ExperimentSpec::default();
        spec.model.activation = Activation::Relu;
        spec.training.loss = Loss::Mse;
        spec.training.learning_rate = 10.0;
        let mut s = Session::new(spec).unwrap();
        s.set_evaluation(Evaluation::OnDemand);
        pollster::block_on(s.sync_weights());
        s.train_steps(25 * 20);
        assert_eq!(pollster::block_on(s.sync_weights()).unwrap().step, 0);
        let m = pollster::block_on(s.metrics());
        let d = m.divergence.expect("lr 10 with MSE and ReLU diverges");
        assert_eq!((d.last_finite_epoch, d.epoch), (Some(0), 20));
        assert!(d.location.as_deref().is_some_and(|l| l.contains("layer")), "{d:?}");
    }

    /// Changing the learning rate mid-run is the same as having trained with a schedule
    /// that changes it at that step; state survives an unchanged kind and resets otherwise.
    #[test]
    fn training_spec_changes_mid_run_keep_weights_and_state() {
        use crate::spec::{Optimizer, Schedule};
        let adam = |lr: f32| {
            let mut spec = ExperimentSpec::default();
            spec.training.optimizer = Optimizer::Adam;
            spec.training.learning_rate = lr;
            spec
        };
        // Reference: one run with a step schedule that halves the rate after 30 steps.
        let mut reference = adam(0.02);
        reference.training.schedule = Schedule::Step { every: 30, gamma: 0.5 };
        let mut a = Session::new(reference).unwrap();
        a.train_steps(60);

        let mut b = Session::new(adam(0.02)).unwrap();
        b.train_steps(30);
        let mut halved = b.spec().training.clone();
        halved.learning_rate = 0.01;
        b.set_training(halved).unwrap();
        b.train_steps(30);
        assert_eq!(pollster::block_on(a.parameters()), pollster::block_on(b.parameters()));
        assert_eq!(b.spec().training.learning_rate, 0.01);

        // Switching to SGD resets the state: the next step is plain SGD from these weights.
        let mut c = Session::new(adam(0.02)).unwrap();
        c.train_steps(30);
        let mut sgd = c.spec().training.clone();
        sgd.optimizer = Optimizer::Sgd;
        sgd.batch_size = 25;
        c.set_training(sgd).unwrap();
        assert_eq!(c.steps_per_epoch(), 10);
        c.train_steps(20);
        let m = pollster::block_on(c.metrics());
        assert_eq!(m.step, 50);
        assert!(m.train_loss.is_finite());

        // A bad spec is refused and leaves the session as it was.
        let mut bad = c.spec().training.clone();
        bad.beta1 = 1.0;
        assert!(c.set_training(bad).unwrap_err().0.contains("beta1"));
        assert_eq!(c.spec().training.batch_size, 25);
    }

    #[test]
    fn adam_learns_the_spiral() {
        let mut spec = ExperimentSpec::default();
        spec.training.optimizer = crate::spec::Optimizer::Adam;
        spec.training.learning_rate = 0.01;
        let mut s = Session::new(spec).unwrap();
        s.train_steps(25 * 300);
        let m = pollster::block_on(s.metrics());
        assert!(m.train_acc >= 0.9, "train accuracy {} after 300 epochs of Adam", m.train_acc);
    }

    #[test]
    fn a_saved_model_loads_into_a_fresh_session_with_the_same_predictions() {
        let mut trained = Session::new(ExperimentSpec::default()).unwrap();
        trained.train_steps(500);
        let json = pollster::block_on(trained.model_json());
        let mut fresh = Session::new(ExperimentSpec::default()).unwrap();
        fresh.load_model(&json).unwrap();
        assert_eq!(pollster::block_on(fresh.decision_grid(8)), pollster::block_on(trained.decision_grid(8)));
        let mut other = ExperimentSpec::default();
        other.model.hidden = vec![4];
        assert!(Session::new(other).unwrap().load_model(&json).is_err());
    }

    #[test]
    fn invalid_specs_are_refused() {
        let mut spec = ExperimentSpec::default();
        spec.training.batch_size = 0;
        assert!(Session::new(spec).is_err());
    }
}
