//! ExperimentSpec: the one description of an experiment (data, model, training).
//!
//! This module is plain data plus validation. It imports no engine code: the engine
//! derives everything from a spec that has passed `validate`, and trusts it.

pub mod link;

use serde::{Deserialize, Serialize};

/// Hard limits, checked once at the boundary.
pub mod limits {
    pub const MAX_POINTS: u32 = 10_000;
    pub const MIN_POINTS: u32 = 10;
    pub const MAX_HIDDEN_LAYERS: usize = 8;
    pub const MAX_UNITS: u32 = 64;
    pub const MAX_NOISE: f32 = 5.0;
    pub const MAX_LEARNING_RATE: f32 = 10.0;
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ExperimentSpec {
    pub dataset: DatasetSpec,
    pub model: ModelSpec,
    pub training: TrainingSpec,
    /// Where to train; a `?backend=` URL parameter overrides it.
    #[serde(default)]
    pub backend: BackendChoice,
}

#[derive(Serialize, Deserialize, Clone, Copy, Debug, Default, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub enum BackendChoice {
    /// WebGPU only on a hardware adapter that a start-up probe shows to be faster.
    #[default]
    Auto,
    Cpu,
    Gpu,
}

#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub enum DatasetKind {
    /// Two interleaved spirals, generated the way TensorFlow Playground does.
    Spiral,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct DatasetSpec {
    pub kind: DatasetKind,
    /// Total number of points, train and test together.
    pub points: u32,
    /// Share of the points used for training, in (0, 1).
    pub train_fraction: f32,
    /// Uniform noise amplitude added to each coordinate.
    pub noise: f32,
    pub seed: u32,
}

#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub enum Activation {
    Tanh,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ModelSpec {
    /// Units per hidden layer; the input and output sizes follow from the dataset.
    pub hidden: Vec<u32>,
    pub activation: Activation,
}

#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub enum Loss {
    SoftmaxCrossEntropy,
}

#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub enum Optimizer {
    Sgd,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct TrainingSpec {
    pub loss: Loss,
    pub optimizer: Optimizer,
    pub learning_rate: f32,
    pub batch_size: u32,
    /// Seed for initial weights and batch order.
    pub seed: u32,
}

impl Default for ExperimentSpec {
    /// The skeleton's experiment: a 2→8→8→2 tanh MLP on the two-class spiral.
    fn default() -> Self {
        ExperimentSpec {
            dataset: DatasetSpec {
                kind: DatasetKind::Spiral,
                points: 500,
                train_fraction: 0.5,
                noise: 0.0,
                seed: 1,
            },
            model: ModelSpec { hidden: vec![8, 8], activation: Activation::Tanh },
            training: TrainingSpec {
                loss: Loss::SoftmaxCrossEntropy,
                optimizer: Optimizer::Sgd,
                learning_rate: 0.03,
                batch_size: 10,
                seed: 1,
            },
            backend: BackendChoice::Auto,
        }
    }
}

/// Why a spec was refused; the message names the field and the allowed range.
#[derive(Debug, Clone, PartialEq)]
pub struct SpecError(pub String);

impl std::fmt::Display for SpecError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for SpecError {}

fn check(ok: bool, msg: impl FnOnce() -> String) -> Result<(), SpecError> {
    if ok {
        Ok(())
    } else {
        Err(SpecError(msg()))
    }
}

impl ExperimentSpec {
    /// Number of classes the dataset produces.
    pub fn classes(&self) -> usize {
        match self.dataset.kind {
            DatasetKind::Spiral => 2,
        }
    }

    /// Number of input features the dataset produces.
    pub fn inputs(&self) -> usize {
        2
    }

    pub fn train_points(&self) -> usize {
        (self.dataset.points as f32 * self.dataset.train_fraction).floor() as usize
    }

    /// Checks every field against the hard limits.
    pub fn validate(&self) -> Result<(), SpecError> {
        use limits::*;
        let d = &self.dataset;
        check((MIN_POINTS..=MAX_POINTS).contains(&d.points), || {
            format!("dataset.points must be between {MIN_POINTS} and {MAX_POINTS}, got {}", d.points)
        })?;
        check(d.train_fraction.is_finite() && d.train_fraction >= 0.1 && d.train_fraction <= 0.9, || {
            format!("dataset.trainFraction must be between 0.1 and 0.9, got {}", d.train_fraction)
        })?;
        check(d.noise.is_finite() && (0.0..=MAX_NOISE).contains(&d.noise), || {
            format!("dataset.noise must be between 0 and {MAX_NOISE}, got {}", d.noise)
        })?;
        let m = &self.model;
        check(m.hidden.len() <= MAX_HIDDEN_LAYERS, || {
            format!("model.hidden may have at most {MAX_HIDDEN_LAYERS} layers, got {}", m.hidden.len())
        })?;
        for (i, &u) in m.hidden.iter().enumerate() {
            check((1..=MAX_UNITS).contains(&u), || {
                format!("model.hidden[{i}] must have between 1 and {MAX_UNITS} units, got {u}")
            })?;
        }
        let t = &self.training;
        check(t.learning_rate.is_finite() && t.learning_rate > 0.0 && t.learning_rate <= MAX_LEARNING_RATE, || {
            format!("training.learningRate must be in (0, {MAX_LEARNING_RATE}], got {}", t.learning_rate)
        })?;
        let n_train = self.train_points() as u32;
        check(t.batch_size >= 1 && t.batch_size <= n_train, || {
            format!("training.batchSize must be between 1 and the {n_train} training points, got {}", t.batch_size)
        })?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;
    use super::*;

    #[test]
    fn default_spec_is_valid_and_matches_the_skeleton() {
        let s = ExperimentSpec::default();
        s.validate().unwrap();
        assert_eq!(s.train_points(), 250);
        assert_eq!(s.model.hidden, vec![8, 8]);
    }

    #[test]
    fn out_of_range_fields_are_named_in_the_error() {
        let mut s = ExperimentSpec::default();
        s.training.learning_rate = f32::NAN;
        assert!(s.validate().unwrap_err().0.contains("learningRate"));
        let mut s = ExperimentSpec::default();
        s.model.hidden = vec![8, 0];
        assert!(s.validate().unwrap_err().0.contains("model.hidden[1]"));
        let mut s = ExperimentSpec::default();
        s.model.hidden = vec![4; 9];
        assert!(s.validate().unwrap_err().0.contains("at most 8"));
        let mut s = ExperimentSpec::default();
        s.dataset.points = 1_000_000;
        assert!(s.validate().unwrap_err().0.contains("dataset.points"));
        let mut s = ExperimentSpec::default();
        s.training.batch_size = 251;
        assert!(s.validate().unwrap_err().0.contains("batchSize"));
    }
}
