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

/// The nonlinearity after every hidden dense layer: an elementwise function, PReLU
/// (one learned slope per unit), or a pair gate that maps adjacent units (2j, 2j+1) to one.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub enum Activation {
    Linear,
    Relu,
    /// Slope `model.leakySlope` below 0.
    LeakyRelu,
    /// Learned slope per unit, initialised to 0.25 (PyTorch's default).
    Prelu,
    /// α = 1.
    Elu,
    /// The exact erf form.
    Gelu,
    Silu,
    Tanh,
    Sigmoid,
    Softplus,
    Abs,
    Maxout,
    AndAil,
    OrAil,
    XnorAil,
    /// The exact logit-space gates that the AIL forms approximate.
    And,
    Or,
    Xnor,
}

impl Activation {
    /// Gates halve the width: their dense layer produces two units per hidden unit.
    pub fn is_gate(self) -> bool {
        use Activation::*;
        matches!(self, Maxout | AndAil | OrAil | XnorAil | And | Or | Xnor)
    }
}

fn default_leaky_slope() -> f32 {
    0.01
}

fn is_default_leaky_slope(v: &f32) -> bool {
    *v == default_leaky_slope()
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ModelSpec {
    /// Units per hidden layer, counted after the activation; the input and output sizes
    /// follow from the dataset. With a pair gate the dense layer in front of it produces
    /// twice as many units, so a gated layer may have at most `MAX_UNITS / 2` units.
    pub hidden: Vec<u32>,
    pub activation: Activation,
    /// The negative-side slope of `leakyRelu`.
    #[serde(default = "default_leaky_slope", skip_serializing_if = "is_default_leaky_slope")]
    pub leaky_slope: f32,
}

#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub enum Loss {
    /// With optional label smoothing and gradient tampering (see `LossParams`).
    SoftmaxCrossEntropy,
    /// −(1 − p_t)^γ log p_t.
    Focal,
    /// −log p_t + ε(1 − p_t).
    Poly1,
    /// −log p_t + a bonus log(1 − p_t), continued along its tangent above `logEnd`.
    Encouraging,
    /// Squared error of the raw outputs against the one-hot target, averaged over
    /// outputs: the form that carries over to regression targets.
    Mse,
    /// Sigmoid cross-entropy of every output against the one-hot target.
    BinaryCrossEntropy,
    /// (1 − β)·CE + β·T²·KL(teacher ‖ student) at temperature T. Needs a teacher model,
    /// which specs cannot name yet, so `validate` refuses it for now.
    Distillation,
}

/// The losses' parameters; each is used only by the loss named in its comment, and
/// every one has a default so that links written before it existed still open.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "camelCase", default)]
pub struct LossParams {
    /// softmaxCrossEntropy: target (1 − α)·onehot + α/K.
    pub label_smoothing: f32,
    /// softmaxCrossEntropy: the backward pass uses p^α / Σ p^α; 1 is off.
    pub tamper: f32,
    /// focal: γ.
    pub focal_gamma: f32,
    /// poly1: ε.
    pub poly_epsilon: f32,
    /// encouraging: where the bonus leaves log(1 − p) for its tangent; 1 keeps the full bonus.
    pub log_end: f32,
    /// distillation: weight β of the KL term.
    pub distill_beta: f32,
    /// distillation: temperature T.
    pub distill_temperature: f32,
}

impl Default for LossParams {
    fn default() -> Self {
        LossParams {
            label_smoothing: 0.0,
            tamper: 1.0,
            focal_gamma: 2.0,
            poly_epsilon: 1.0,
            log_end: 0.75,
            distill_beta: 0.5,
            distill_temperature: 2.0,
        }
    }
}

impl LossParams {
    fn is_default(&self) -> bool {
        *self == LossParams::default()
    }
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
    #[serde(default, skip_serializing_if = "LossParams::is_default")]
    pub loss_params: LossParams,
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
            model: ModelSpec { hidden: vec![8, 8], activation: Activation::Tanh, leaky_slope: default_leaky_slope() },
            training: TrainingSpec {
                loss: Loss::SoftmaxCrossEntropy,
                loss_params: LossParams::default(),
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
        let max_units = if m.activation.is_gate() { MAX_UNITS / 2 } else { MAX_UNITS };
        for (i, &u) in m.hidden.iter().enumerate() {
            check((1..=max_units).contains(&u), || {
                let why = if m.activation.is_gate() { " (a gate halves its dense layer's width)" } else { "" };
                format!("model.hidden[{i}] must have between 1 and {max_units} units{why}, got {u}")
            })?;
        }
        check(m.leaky_slope.is_finite() && (0.0..=1.0).contains(&m.leaky_slope), || {
            format!("model.leakySlope must be between 0 and 1, got {}", m.leaky_slope)
        })?;
        let t = &self.training;
        self.validate_loss()?;
        check(t.learning_rate.is_finite() && t.learning_rate > 0.0 && t.learning_rate <= MAX_LEARNING_RATE, || {
            format!("training.learningRate must be in (0, {MAX_LEARNING_RATE}], got {}", t.learning_rate)
        })?;
        let n_train = self.train_points() as u32;
        check(t.batch_size >= 1 && t.batch_size <= n_train, || {
            format!("training.batchSize must be between 1 and the {n_train} training points, got {}", t.batch_size)
        })?;
        Ok(())
    }

    fn validate_loss(&self) -> Result<(), SpecError> {
        let (loss, p) = (self.training.loss, &self.training.loss_params);
        let in_range = |name: &str, v: f32, lo: f32, hi: f32, lo_open: bool| {
            let ok = v.is_finite() && v <= hi && if lo_open { v > lo } else { v >= lo };
            let open = if lo_open { "(" } else { "[" };
            check(ok, || format!("training.lossParams.{name} must be in {open}{lo}, {hi}], got {v}"))
        };
        in_range("labelSmoothing", p.label_smoothing, 0.0, 0.99, false)?;
        in_range("tamper", p.tamper, 0.0, 10.0, true)?;
        in_range("focalGamma", p.focal_gamma, 0.0, 10.0, false)?;
        in_range("polyEpsilon", p.poly_epsilon, -1.0, 10.0, false)?;
        in_range("logEnd", p.log_end, 0.0, 1.0, true)?;
        in_range("distillBeta", p.distill_beta, 0.0, 1.0, false)?;
        in_range("distillTemperature", p.distill_temperature, 0.0, 100.0, true)?;
        let cross_entropy = loss == Loss::SoftmaxCrossEntropy;
        check(cross_entropy || p.label_smoothing == 0.0, || {
            "training.lossParams.labelSmoothing applies to softmaxCrossEntropy only".into()
        })?;
        check(cross_entropy || p.tamper == 1.0, || "training.lossParams.tamper applies to softmaxCrossEntropy only".into())?;
        check(loss != Loss::Distillation, || {
            "training.loss distillation needs a teacher model, and specs cannot name one yet".into()
        })
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

    /// The JSON that links carried before activations and losses had parameters.
    const OLD_DEFAULT_JSON: &str = r#"{"dataset":{"kind":"spiral","points":500,"trainFraction":0.5,"noise":0.0,"seed":1},"model":{"hidden":[8,8],"activation":"tanh"},"training":{"loss":"softmaxCrossEntropy","optimizer":"sgd","learningRate":0.03,"batchSize":10,"seed":1},"backend":"auto"}"#;

    #[test]
    fn old_specs_decode_unchanged_and_defaults_encode_as_before() {
        let old: ExperimentSpec = serde_json::from_str(OLD_DEFAULT_JSON).unwrap();
        assert_eq!(old, ExperimentSpec::default());
        assert_eq!(serde_json::to_string(&ExperimentSpec::default()).unwrap(), OLD_DEFAULT_JSON);
    }

    #[test]
    fn new_activations_and_loss_parameters_round_trip() {
        let json = OLD_DEFAULT_JSON
            .replace(r#""activation":"tanh""#, r#""activation":"leakyRelu","leakySlope":0.2"#)
            .replace(r#""loss":"softmaxCrossEntropy""#, r#""loss":"focal","lossParams":{"focalGamma":1.5}"#);
        let spec: ExperimentSpec = serde_json::from_str(&json).unwrap();
        assert_eq!(spec.model.activation, Activation::LeakyRelu);
        assert_eq!(spec.model.leaky_slope, 0.2);
        assert_eq!(spec.training.loss, Loss::Focal);
        assert_eq!(spec.training.loss_params, LossParams { focal_gamma: 1.5, ..LossParams::default() });
        let again: ExperimentSpec = serde_json::from_str(&serde_json::to_string(&spec).unwrap()).unwrap();
        assert_eq!(again, spec);
        spec.validate().unwrap();
        for (name, want) in [("andAil", Activation::AndAil), ("xnor", Activation::Xnor), ("prelu", Activation::Prelu)] {
            let got: Activation = serde_json::from_str(&format!("\"{name}\"")).unwrap();
            assert_eq!(got, want);
        }
    }

    #[test]
    fn gates_and_loss_parameters_are_validated() {
        let mut s = ExperimentSpec::default();
        s.model.activation = Activation::AndAil;
        s.model.hidden = vec![32];
        s.validate().unwrap();
        s.model.hidden = vec![33];
        assert!(s.validate().unwrap_err().0.contains("halves"));
        let mut s = ExperimentSpec::default();
        s.training.loss_params.log_end = 0.0;
        assert!(s.validate().unwrap_err().0.contains("logEnd"));
        let mut s = ExperimentSpec::default();
        s.training.loss = Loss::Poly1;
        s.training.loss_params.label_smoothing = 0.1;
        assert!(s.validate().unwrap_err().0.contains("softmaxCrossEntropy only"));
        let mut s = ExperimentSpec::default();
        s.training.loss = Loss::Distillation;
        assert!(s.validate().unwrap_err().0.contains("teacher"));
        let mut s = ExperimentSpec::default();
        s.model.leaky_slope = f32::NAN;
        assert!(s.validate().unwrap_err().0.contains("leakySlope"));
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
