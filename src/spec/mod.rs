//! ExperimentSpec: the one description of an experiment (data, model, training).
//!
//! This module is plain data plus validation. It imports no engine code: the engine
//! derives everything from a spec that has passed `validate`, and trusts it.

pub mod dataset;
pub mod events;
pub mod guidance;
pub mod image;
pub mod layers;
pub mod link;
mod upload;

pub use dataset::{Feature, Preprocess};
pub use events::{BiasEdit, EmbeddedWeights, Event, WeightEdit};
pub use guidance::{Guidance, GuidanceMask, GuidancePenalty, PaintedMask};
pub use image::{DecoyKind, DecoySpec, DecoyTest, Texture};
pub use upload::{content_hash, FileRef, UploadFormat, UploadSpec};
pub use layers::{LayerSpec, PaddingSpec, PoolKind};
use serde::{Deserialize, Serialize};

/// Hard limits, checked once at the boundary.
pub mod limits {
    pub const MAX_POINTS: u32 = 10_000;
    pub const MIN_POINTS: u32 = 10;
    pub const MAX_HIDDEN_LAYERS: usize = 8;
    pub const MAX_UNITS: u32 = 64;
    pub const MAX_NOISE: f32 = 5.0;
    /// Image sets: the most samples.
    pub const MAX_IMAGES: u32 = 20_000;
    /// Image sets: the most pixels over all samples (64 MiB of f32 features).
    pub const MAX_IMAGE_PIXELS: u64 = 1 << 24;
    /// Image sets: noise std in percent of full intensity.
    pub const MAX_IMAGE_NOISE: f32 = 50.0;
    /// Side length of square images.
    pub const MIN_IMAGE_SIZE: u32 = 8;
    pub const MAX_IMAGE_SIZE: u32 = 64;
    pub const MAX_LEARNING_RATE: f32 = 10.0;
    /// Largest L1/L2 coefficient and decoupled weight decay.
    pub const MAX_PENALTY: f32 = 10.0;
    /// Most classes of a multiclass point set.
    pub const MAX_CLASSES: u32 = 8;
    /// Largest |coordinate| or |target| of a custom point.
    pub const MAX_CUSTOM_VALUE: f32 = 1.0e6;
    /// Largest C_W / C_b of the criticality init.
    pub const MAX_CRITICALITY: f32 = 10.0;
    pub const MAX_BASE_WIDTH: u32 = 4096;
    /// Longest warm-up, step interval or cosine horizon, in steps.
    pub const MAX_SCHEDULE_STEPS: u32 = 10_000_000;
    /// Largest `model.dropout` rate.
    pub const MAX_DROPOUT: f32 = 0.9;
    /// Most recorded mid-run edits (`events`).
    pub const MAX_EVENTS: usize = 1000;
    /// Latest step an event or embedded weights may name.
    pub const MAX_EVENT_STEP: u64 = 1 << 40;
    /// Largest magnitude of an edited weight or bias.
    pub const MAX_EDIT_VALUE: f32 = 1000.0;
    /// Longest `weights.data` (base64url): 64 hidden layers' worth of 64×64 weights.
    pub const MAX_WEIGHTS_CHARS: usize = 1 << 20;
    /// Most weights and biases of the dense and convolution layers together (32 MiB of
    /// f32, several times that with gradients and optimiser moments). Checked while the
    /// network is built, before anything is allocated.
    pub const MAX_PARAMETERS: usize = 8 << 20;
}

/// Fields at their default are left out of the JSON, so links stay short and a link
/// written before a field existed encodes the same as one written after.
fn is_default<T: Default + PartialEq>(v: &T) -> bool {
    *v == T::default()
}

/// Field defaults that are not the type's: `<name>::value()` and `<name>::is(&v)`.
macro_rules! field_default {
    ($($name:ident: $ty:ty = $value:expr;)*) => {
        $(
            mod $name {
                pub fn value() -> $ty {
                    $value
                }
                pub fn is(v: &$ty) -> bool {
                    *v == value()
                }
            }
        )*
    };
}

field_default! {
    leaky_slope: f32 = 0.01;
    base_width: u32 = 1;
    momentum: f32 = 0.9;
    beta1: f32 = 0.9;
    beta2: f32 = 0.999;
    epsilon: f32 = 1e-8;
    classes: u32 = 2;
    features: Vec<super::Feature> = vec![super::Feature::X1, super::Feature::X2];
    shape_classes: u32 = 4;
    length: u32 = 64;
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
    /// Mid-run edits, replayed at their steps (see `events`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub events: Vec<Event>,
    /// Trained weights the experiment opens with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weights: Option<EmbeddedWeights>,
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
    /// A disc inside a ring.
    Circle,
    /// The four quadrants, labelled by the sign of x·y.
    Xor,
    /// Two Gaussian blobs.
    Gauss,
    /// Grayscale images of one of four shapes (square, disc, plus, triangle) with
    /// per-pixel masks of the object; see `data::shapes`.
    Shapes,
    /// MNIST-like handwritten digits 0–9 drawn from stroke templates, with per-pixel
    /// masks of the strokes; see `data::digits`.
    Digits,
    /// Two interleaving half circles.
    Moons,
    /// The yin-yang symbol: two interlocking comma shapes with a dot of the other class in each.
    YinYang,
    /// A board of square cells coloured with `classes` colours.
    Checkerboard,
    /// `classes` Gaussian blobs on a circle.
    Blobs,
    /// Regression: the target is a linear function of the point, (x₁ + x₂)/10.
    Plane,
    /// Regression: the target is the strongest of six signed bumps (TF Playground's "gauss").
    GaussRegression,
    /// The points listed in `customPoints` (drawn or uploaded).
    Custom,
    /// 1-D sequences with a class-specific burst and a mask of it; see `data::signals`.
    Signals,
    /// The user's own files, named in `upload` (never their contents); see `data::upload`.
    Upload,
}

impl DatasetKind {
    /// Image sets have `imageSize`² inputs and noise in percent of full intensity.
    pub fn is_image(self) -> bool {
        self.default_image_size().is_some()
    }

    /// The side an image set has when `imageSize` is left out; None for point sets.
    pub fn default_image_size(self) -> Option<u32> {
        match self {
            DatasetKind::Shapes => Some(16),
            DatasetKind::Digits => Some(28),
            _ => None,
        }
    }

    /// Kinds whose target is a real number rather than a class (custom sets say so with `regression`).
    pub fn is_regression(self) -> bool {
        matches!(self, DatasetKind::Plane | DatasetKind::GaussRegression)
    }

    /// Kinds that take any number of classes from 2 to `MAX_CLASSES`.
    pub fn is_multiclass(self) -> bool {
        matches!(self, DatasetKind::Spiral | DatasetKind::Blobs | DatasetKind::Checkerboard | DatasetKind::Custom)
    }

    /// Kinds generated with per-sample ground-truth masks of the class-defining object.
    pub fn has_masks(self) -> bool {
        matches!(self, DatasetKind::Shapes | DatasetKind::Digits | DatasetKind::Signals)
    }

    /// Sets of 2-D points, the only kind the page can show.
    pub fn is_point_set(self) -> bool {
        !self.is_image() && !matches!(self, DatasetKind::Signals | DatasetKind::Upload)
    }
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct DatasetSpec {
    pub kind: DatasetKind,
    /// Total number of points (or images), train and test together.
    pub points: u32,
    /// Share of the points used for training, in (0, 1).
    pub train_fraction: f32,
    /// Point sets: uniform noise amplitude added to each coordinate. Image sets: standard
    /// deviation of the Gaussian pixel noise, in percent of full intensity.
    pub noise: f32,
    pub seed: u32,
    /// Side length in pixels of an image set's square images; 0 (left out of the JSON)
    /// means the kind's default (`DatasetKind::default_image_size`: 16 for shapes, 28 for
    /// digits). Read the effective side with `side()`, never this field.
    #[serde(default, skip_serializing_if = "is_default")]
    pub image_size: u32,
    /// Number of classes of a multiclass point set (spiral arms, blobs, checkerboard
    /// colours, custom labels); 2 otherwise.
    #[serde(default = "classes::value", skip_serializing_if = "classes::is")]
    pub classes: u32,
    /// The network's inputs, computed from each point (x₁, x₂) in canonical order.
    #[serde(default = "features::value", skip_serializing_if = "features::is")]
    pub features: Vec<Feature>,
    /// How the features are rescaled, with statistics of the training split.
    #[serde(default, skip_serializing_if = "is_default")]
    pub preprocess: Preprocess,
    /// Kind custom: the points `[x₁, x₂, label or target]`; `points` must equal their number.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub custom_points: Vec<[f32; 3]>,
    /// Kind custom: the third value of each point is a real target, not a class.
    #[serde(default, skip_serializing_if = "is_default")]
    pub regression: bool,
    /// Shapes: how many classes, the first of `data::shapes::Shape::ALL`.
    #[serde(default = "shape_classes::value", skip_serializing_if = "shape_classes::is")]
    pub shape_classes: u32,
    /// Shapes: turn each object by a random angle.
    #[serde(default, skip_serializing_if = "is_default")]
    pub rotate: bool,
    /// Shapes: the background.
    #[serde(default, skip_serializing_if = "is_default")]
    pub texture: Texture,
    /// Shapes: three channels, with an object and a background colour drawn per sample.
    #[serde(default, skip_serializing_if = "is_default")]
    pub color: bool,
    /// Image sets: a class-correlated shortcut in the training split.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decoy: Option<DecoySpec>,
    /// Signals: samples per sequence.
    #[serde(default = "length::value", skip_serializing_if = "length::is")]
    pub length: u32,
    /// Uploads: which files the data comes from (name, size, hash; never the pixels).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upload: Option<UploadSpec>,
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



#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ModelSpec {
    /// Units per hidden layer, counted after the activation; the input and output sizes
    /// follow from the dataset. With a pair gate the dense layer in front of it produces
    /// twice as many units, so a gated layer may have at most `MAX_UNITS / 2` units.
    pub hidden: Vec<u32>,
    pub activation: Activation,
    /// The negative-side slope of `leakyRelu`.
    #[serde(default = "leaky_slope::value", skip_serializing_if = "leaky_slope::is")]
    pub leaky_slope: f32,
    /// How weights and biases are drawn (ignored by a parametrisation preset, which sets its own).
    #[serde(default, skip_serializing_if = "is_default")]
    pub init: Init,
    /// Width scaling of multipliers, init and per-layer learning rates (Yang & Hu's abc).
    #[serde(default, skip_serializing_if = "is_default")]
    pub parametrization: Parametrization,
    /// The width at which a preset's multipliers and learning rates are 1 (muP's base shapes).
    #[serde(default = "base_width::value", skip_serializing_if = "base_width::is")]
    pub base_width: u32,
    /// An explicit layer list (ending in the class logits). When present it replaces
    /// `hidden` and `activation`, which describe an MLP.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub layers: Vec<LayerSpec>,
    /// Per-hidden-layer activations overriding `activation` (empty, or one per layer).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub activations: Vec<Activation>,
    /// Inverted-dropout rate after every hidden activation, in [0, 0.9].
    #[serde(default, skip_serializing_if = "is_default")]
    pub dropout: f32,
    /// An identity skip around every hidden layer whose input and output widths agree.
    #[serde(default, skip_serializing_if = "is_default")]
    pub residual: bool,
}

impl ModelSpec {
    /// The activation of hidden layer `i`: its `activations` entry, else `activation`.
    pub fn activation_of(&self, i: usize) -> Activation {
        self.activations.get(i).copied().unwrap_or(self.activation)
    }
}


/// Weight init. Biases are zero except under `criticality`.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, Default, PartialEq)]
#[serde(tag = "kind", rename_all = "camelCase", deny_unknown_fields)]
pub enum Init {
    /// U(±√(6/(fan_in+fan_out))).
    #[default]
    GlorotUniform,
    /// N(0, 2/fan_in).
    He,
    /// N(0, 1/fan_in).
    Lecun,
    /// A random orthogonal matrix (gain 1).
    Orthogonal,
    /// Weights N(0, C_W/fan_in), biases N(0, C_b) (*Principles of Deep Learning Theory*).
    Criticality {
        #[serde(rename = "cW")]
        c_w: f32,
        #[serde(rename = "cB")]
        c_b: f32,
    },
}

/// A point in the abc space; `plain` scales nothing (the init above, one learning rate).
#[derive(Serialize, Deserialize, Clone, Copy, Debug, Default, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub enum Parametrization {
    #[default]
    Plain,
    /// Standard parametrisation.
    Sp,
    /// Neural-tangent parametrisation.
    Ntk,
    /// Maximal-update parametrisation.
    #[serde(rename = "muP")]
    MuP,
    MeanField,
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

/// The update rule; hyperparameters a rule does not use are ignored.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub enum Optimizer {
    Sgd,
    /// v = μv + g; p −= lr·v (PyTorch's convention).
    Momentum,
    /// PyTorch's Nesterov form: v = μv + g; p −= lr·(g + μv).
    Nesterov,
    Adam,
    /// Adam with decoupled weight decay: p −= lr·λ·p before the Adam step.
    AdamW,
}

impl Optimizer {
    /// Adam-like rules normalise the gradient entrywise (this changes muP's learning-rate exponents).
    pub fn is_adaptive(self) -> bool {
        matches!(self, Optimizer::Adam | Optimizer::AdamW)
    }
}

/// The learning-rate schedule after warm-up.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, Default, PartialEq)]
#[serde(tag = "kind", rename_all = "camelCase", deny_unknown_fields)]
pub enum Schedule {
    #[default]
    Constant,
    /// lr·γ^⌊t/every⌋.
    #[serde(rename_all = "camelCase")]
    Step { every: u32, gamma: f32 },
    /// From lr down to minLr along half a cosine over `steps` steps, then minLr.
    #[serde(rename_all = "camelCase")]
    Cosine { steps: u32, min_lr: f32 },
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
    /// μ of momentum and Nesterov.
    #[serde(default = "momentum::value", skip_serializing_if = "momentum::is")]
    pub momentum: f32,
    #[serde(default = "beta1::value", skip_serializing_if = "beta1::is")]
    pub beta1: f32,
    #[serde(default = "beta2::value", skip_serializing_if = "beta2::is")]
    pub beta2: f32,
    /// Adam's ε.
    #[serde(default = "epsilon::value", skip_serializing_if = "epsilon::is")]
    pub epsilon: f32,
    /// AdamW's decoupled decay λ.
    #[serde(default, skip_serializing_if = "is_default")]
    pub weight_decay: f32,
    /// Adds l1·sign(w) to each weight's gradient.
    #[serde(default, skip_serializing_if = "is_default")]
    pub l1: f32,
    /// Adds l2·w to each weight's gradient (the gradient of (l2/2)·‖w‖²).
    #[serde(default, skip_serializing_if = "is_default")]
    pub l2: f32,
    /// Rescales all gradients together so that their global L2 norm is at most this.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clip_norm: Option<f32>,
    #[serde(default, skip_serializing_if = "is_default")]
    pub schedule: Schedule,
    /// Linear warm-up from lr/warmupSteps to lr; the schedule starts after it.
    #[serde(default, skip_serializing_if = "is_default")]
    pub warmup_steps: u32,
    /// Explanation-guided learning: a penalty on the input gradient inside a mask.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub guidance: Option<Guidance>,
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
                image_size: 0,
                classes: 2,
                features: features::value(),
                preprocess: Preprocess::None,
                custom_points: Vec::new(),
                regression: false,
                shape_classes: shape_classes::value(),
                rotate: false,
                texture: Texture::None,
                color: false,
                decoy: None,
                length: length::value(),
                upload: None,
            },
            model: ModelSpec {
                hidden: vec![8, 8],
                activation: Activation::Tanh,
                leaky_slope: leaky_slope::value(),
                init: Init::GlorotUniform,
                parametrization: Parametrization::Plain,
                base_width: 1,
                layers: Vec::new(),
                activations: Vec::new(),
                dropout: 0.0,
                residual: false,
            },
            training: TrainingSpec {
                loss: Loss::SoftmaxCrossEntropy,
                loss_params: LossParams::default(),
                optimizer: Optimizer::Sgd,
                learning_rate: 0.03,
                batch_size: 10,
                seed: 1,
                momentum: momentum::value(),
                beta1: beta1::value(),
                beta2: beta2::value(),
                epsilon: epsilon::value(),
                weight_decay: 0.0,
                l1: 0.0,
                l2: 0.0,
                clip_norm: None,
                schedule: Schedule::Constant,
                warmup_steps: 0,
                guidance: None,
            },
            backend: BackendChoice::Auto,
            events: Vec::new(),
            weights: None,
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
    /// Number of classes the dataset produces: the network's outputs (1 for regression).
    pub fn classes(&self) -> usize {
        match self.dataset.kind {
            DatasetKind::Shapes => self.dataset.shape_classes as usize,
            DatasetKind::Digits => 10,
            DatasetKind::Signals => image::SIGNAL_CLASSES,
            DatasetKind::Upload => self.dataset.upload.as_ref().map_or(0, |u| u.classes as usize),
            _ if self.dataset.is_regression() => 1,
            _ => self.dataset.classes as usize,
        }
    }

    /// Number of input features the dataset produces.
    pub fn inputs(&self) -> usize {
        match self.dataset.kind {
            DatasetKind::Shapes | DatasetKind::Digits => {
                (self.dataset.channels() * self.dataset.side() * self.dataset.side()) as usize
            }
            DatasetKind::Signals => self.dataset.length as usize,
            DatasetKind::Upload => self.dataset.upload.as_ref().map_or(0, |u| u.features as usize),
            _ => self.dataset.features.len(),
        }
    }

    pub fn train_points(&self) -> usize {
        (self.dataset.points as f32 * self.dataset.train_fraction).floor() as usize
    }

    /// Checks every field against the hard limits.
    pub fn validate(&self) -> Result<(), SpecError> {
        use limits::*;
        self.dataset.validate()?;
        let m = &self.model;
        check(m.hidden.len() <= MAX_HIDDEN_LAYERS, || {
            format!("model.hidden may have at most {MAX_HIDDEN_LAYERS} layers, got {}", m.hidden.len())
        })?;
        check(m.activations.is_empty() || m.activations.len() == m.hidden.len(), || {
            format!("model.activations must be empty or name one activation per hidden layer ({}), got {}", m.hidden.len(), m.activations.len())
        })?;
        for (i, &u) in m.hidden.iter().enumerate() {
            let gate = m.activation_of(i).is_gate();
            let max_units = if gate { MAX_UNITS / 2 } else { MAX_UNITS };
            check((1..=max_units).contains(&u), || {
                let why = if gate { " (a gate halves its dense layer's width)" } else { "" };
                format!("model.hidden[{i}] must have between 1 and {max_units} units{why}, got {u}")
            })?;
        }
        check(m.dropout.is_finite() && (0.0..=MAX_DROPOUT).contains(&m.dropout), || {
            format!("model.dropout must be between 0 and {MAX_DROPOUT}, got {}", m.dropout)
        })?;
        let mlp_only = !m.activations.is_empty() || m.dropout != 0.0 || m.residual;
        check(m.layers.is_empty() || !mlp_only, || {
            "model.activations, model.dropout and model.residual describe an MLP; with model.layers put them in the list".into()
        })?;
        check(m.leaky_slope.is_finite() && (0.0..=1.0).contains(&m.leaky_slope), || {
            format!("model.leakySlope must be between 0 and 1, got {}", m.leaky_slope)
        })?;
        match m.init {
            Init::Criticality { c_w, c_b } => {
                check(c_w.is_finite() && c_w > 0.0 && c_w <= MAX_CRITICALITY, || {
                    format!("model.init.cW must be in (0, {MAX_CRITICALITY}], got {c_w}")
                })?;
                check(c_b.is_finite() && (0.0..=MAX_CRITICALITY).contains(&c_b), || {
                    format!("model.init.cB must be in [0, {MAX_CRITICALITY}], got {c_b}")
                })?;
            }
            Init::GlorotUniform => {}
            other => check(m.parametrization == Parametrization::Plain, || {
                format!("model.init {other:?} conflicts with model.parametrization: a preset sets its own init")
            })?,
        }
        check((1..=MAX_BASE_WIDTH).contains(&m.base_width), || {
            format!("model.baseWidth must be between 1 and {MAX_BASE_WIDTH}, got {}", m.base_width)
        })?;
        layers::validate(&m.layers, "model.layers", 0).map_err(SpecError)?;
        self.training.validate(self.train_points() as u32)?;
        if let Some(g) = &self.training.guidance {
            g.validate(&self.dataset, self.train_points())?;
        }
        check(!self.dataset.is_regression() || self.training.loss == Loss::Mse, || {
            format!("training.loss must be mse for a regression dataset ({:?}), got {:?}", self.dataset.kind, self.training.loss)
        })?;
        self.validate_events()
    }
}

impl DatasetSpec {
    /// The side of an image set's images: `imageSize`, or the kind's default when it is
    /// left out (0). 0 for point sets.
    pub fn side(&self) -> u32 {
        match self.image_size {
            0 => self.kind.default_image_size().unwrap_or(0),
            size => size,
        }
    }

    /// Checks the dataset fields; the limits on points and noise depend on the kind.
    pub fn validate(&self) -> Result<(), SpecError> {
        use limits::*;
        let d = self;
        if d.kind.is_image() {
            let size = d.side();
            check((MIN_IMAGE_SIZE..=MAX_IMAGE_SIZE).contains(&size), || {
                format!("dataset.imageSize must be between {MIN_IMAGE_SIZE} and {MAX_IMAGE_SIZE}, got {size}")
            })?;
            let max = MAX_IMAGES.min((MAX_IMAGE_PIXELS / (d.channels() as u64 * size as u64 * size as u64)) as u32);
            check((MIN_POINTS..=max).contains(&d.points), || {
                format!(
                    "dataset.points (images) must be between {MIN_POINTS} and {max} at imageSize {size} \
                     (at most {MAX_IMAGES} images and {MAX_IMAGE_PIXELS} pixels in all), got {}",
                    d.points
                )
            })?;
        } else if d.kind.is_point_set() {
            check((MIN_POINTS..=MAX_POINTS).contains(&d.points), || {
                format!("dataset.points must be between {MIN_POINTS} and {MAX_POINTS}, got {}", d.points)
            })?;
        }
        if !d.kind.is_image() {
            check(d.image_size == 0, || "dataset.imageSize applies to image datasets only".into())?;
        }
        self.validate_image_options()?;
        self.validate_upload()?;
        check(d.train_fraction.is_finite() && d.train_fraction >= 0.1 && d.train_fraction <= 0.9, || {
            format!("dataset.trainFraction must be between 0.1 and 0.9, got {}", d.train_fraction)
        })?;
        let (max_noise, unit) =
            if d.kind.is_point_set() { (MAX_NOISE, "") } else { (MAX_IMAGE_NOISE, " (percent of full intensity)") };
        check(d.noise.is_finite() && (0.0..=max_noise).contains(&d.noise), || {
            format!("dataset.noise must be between 0 and {max_noise}{unit}, got {}", d.noise)
        })?;
        self.validate_points_fields()
    }
}

impl TrainingSpec {
    /// Checks the training fields; `n_train` bounds the batch size.
    pub fn validate(&self, n_train: u32) -> Result<(), SpecError> {
        use limits::*;
        self.validate_loss()?;
        let t = self;
        check(t.learning_rate.is_finite() && t.learning_rate > 0.0 && t.learning_rate <= MAX_LEARNING_RATE, || {
            format!("training.learningRate must be in (0, {MAX_LEARNING_RATE}], got {}", t.learning_rate)
        })?;
        check(t.batch_size >= 1 && t.batch_size <= n_train, || {
            format!("training.batchSize must be between 1 and the {n_train} training points, got {}", t.batch_size)
        })?;
        let unit = |name: &str, v: f32| {
            check(v.is_finite() && (0.0..1.0).contains(&v), || format!("training.{name} must be in [0, 1), got {v}"))
        };
        unit("momentum", t.momentum)?;
        unit("beta1", t.beta1)?;
        unit("beta2", t.beta2)?;
        check(t.epsilon.is_finite() && t.epsilon > 0.0 && t.epsilon <= 1.0, || {
            format!("training.epsilon must be in (0, 1], got {}", t.epsilon)
        })?;
        for (name, v) in [("weightDecay", t.weight_decay), ("l1", t.l1), ("l2", t.l2)] {
            check(v.is_finite() && (0.0..=MAX_PENALTY).contains(&v), || {
                format!("training.{name} must be in [0, {MAX_PENALTY}], got {v}")
            })?;
        }
        if let Some(c) = t.clip_norm {
            check(c.is_finite() && c > 0.0, || format!("training.clipNorm must be a positive number, got {c}"))?;
        }
        let steps = |name: &str, v: u32, min: u32| {
            check((min..=MAX_SCHEDULE_STEPS).contains(&v), || {
                format!("training.{name} must be between {min} and {MAX_SCHEDULE_STEPS}, got {v}")
            })
        };
        steps("warmupSteps", t.warmup_steps, 0)?;
        match t.schedule {
            Schedule::Constant => {}
            Schedule::Step { every, gamma } => {
                steps("schedule.every", every, 1)?;
                check(gamma.is_finite() && gamma > 0.0 && gamma <= 1.0, || {
                    format!("training.schedule.gamma must be in (0, 1], got {gamma}")
                })?;
            }
            Schedule::Cosine { steps: horizon, min_lr } => {
                steps("schedule.steps", horizon, 1)?;
                check(min_lr.is_finite() && min_lr >= 0.0 && min_lr <= t.learning_rate, || {
                    format!("training.schedule.minLr must be in [0, learningRate], got {min_lr}")
                })?;
            }
        }
        Ok(())
    }

    fn validate_loss(&self) -> Result<(), SpecError> {
        let (loss, p) = (self.loss, &self.loss_params);
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

    #[test]
    fn new_fields_are_validated_by_name() {
        type Breaker = Box<dyn Fn(&mut ExperimentSpec)>;
        let cases: Vec<(&str, Breaker)> = vec![
            ("training.learningRate", Box::new(|s| s.training.learning_rate = -0.1)),
            ("training.momentum", Box::new(|s| s.training.momentum = 1.0)),
            ("training.beta1", Box::new(|s| s.training.beta1 = -0.1)),
            ("training.beta2", Box::new(|s| s.training.beta2 = f32::NAN)),
            ("training.epsilon", Box::new(|s| s.training.epsilon = 0.0)),
            ("training.weightDecay", Box::new(|s| s.training.weight_decay = -1.0)),
            ("training.l1", Box::new(|s| s.training.l1 = f32::INFINITY)),
            ("training.l2", Box::new(|s| s.training.l2 = 11.0)),
            ("training.clipNorm", Box::new(|s| s.training.clip_norm = Some(0.0))),
            ("training.schedule.every", Box::new(|s| s.training.schedule = Schedule::Step { every: 0, gamma: 0.5 })),
            ("training.schedule.gamma", Box::new(|s| s.training.schedule = Schedule::Step { every: 5, gamma: 1.5 })),
            ("training.schedule.steps", Box::new(|s| s.training.schedule = Schedule::Cosine { steps: 0, min_lr: 0.0 })),
            ("training.schedule.minLr", Box::new(|s| s.training.schedule = Schedule::Cosine { steps: 9, min_lr: 1.0 })),
            ("model.init.cW", Box::new(|s| s.model.init = Init::Criticality { c_w: 0.0, c_b: 0.0 })),
            ("model.init.cB", Box::new(|s| s.model.init = Init::Criticality { c_w: 2.0, c_b: f32::NAN })),
            ("model.baseWidth", Box::new(|s| s.model.base_width = 0)),
            ("model.parametrization", Box::new(|s| {
                s.model.init = Init::He;
                s.model.parametrization = Parametrization::MuP;
            })),
        ];
        for (field, break_it) in cases {
            let mut s = ExperimentSpec::default();
            break_it(&mut s);
            let err = s.validate().unwrap_err().0;
            assert!(err.contains(field), "expected an error naming {field}, got {err}");
        }
    }

    #[test]
    fn shapes_specs_carry_the_image_size_and_validate_image_limits() {
        let json = OLD_DEFAULT_JSON.replace(r#""kind":"spiral""#, r#""kind":"shapes""#);
        let mut spec: ExperimentSpec = serde_json::from_str(&json).unwrap();
        assert_eq!((spec.dataset.kind, spec.dataset.image_size, spec.dataset.side()), (DatasetKind::Shapes, 0, 16));
        assert_eq!((spec.classes(), spec.inputs()), (4, 256));
        spec.dataset.noise = 50.0;
        spec.validate().unwrap();
        assert_eq!(serde_json::to_string(&spec).unwrap(), json.replace(r#""noise":0.0"#, r#""noise":50.0"#));
        spec.dataset.image_size = 32;
        let encoded = serde_json::to_string(&spec).unwrap();
        assert!(encoded.contains(r#""imageSize":32"#), "{encoded}");
        assert_eq!(serde_json::from_str::<ExperimentSpec>(&encoded).unwrap(), spec);
        assert_eq!(spec.inputs(), 1024);
        spec.dataset.points = 16_384;
        spec.training.batch_size = 10;
        spec.validate().unwrap();
        type Breaker = Box<dyn Fn(&mut ExperimentSpec)>;
        let cases: Vec<(&str, Breaker)> = vec![
            ("dataset.imageSize must be between 8 and 64", Box::new(|s| s.dataset.image_size = 7)),
            ("dataset.imageSize must be between 8 and 64", Box::new(|s| s.dataset.image_size = 65)),
            ("between 10 and 20000 at imageSize 16", Box::new(|s| s.dataset.points = 20_001)),
            ("between 10 and 4096 at imageSize 64", Box::new(|s| {
                s.dataset.image_size = 64;
                s.dataset.points = 4097;
            })),
            ("dataset.noise must be between 0 and 50", Box::new(|s| s.dataset.noise = 50.5)),
            ("dataset.imageSize applies to image datasets only", Box::new(|s| {
                s.dataset.kind = DatasetKind::Spiral;
                s.dataset.image_size = 32;
            })),
            ("dataset.noise must be between 0 and 5,", Box::new(|s| {
                s.dataset.kind = DatasetKind::Gauss;
                s.dataset.noise = 6.0;
            })),
        ];
        for (message, break_it) in cases {
            let mut s = ExperimentSpec::default();
            s.dataset.kind = DatasetKind::Shapes;
            break_it(&mut s);
            let err = s.validate().unwrap_err().0;
            assert!(err.contains(message), "expected an error containing {message:?}, got {err}");
        }
    }

    /// Left out, `imageSize` is the kind's default (16 for shapes, 28 for digits); any
    /// explicit size, the other kind's default included, survives a round trip.
    #[test]
    fn the_image_size_defaults_per_kind_and_explicit_sizes_round_trip() {
        let digits_json = OLD_DEFAULT_JSON.replace(r#""kind":"spiral""#, r#""kind":"digits""#);
        let spec: ExperimentSpec = serde_json::from_str(&digits_json).unwrap();
        assert_eq!((spec.dataset.side(), spec.classes(), spec.inputs()), (28, 10, 784));
        spec.validate().unwrap();
        assert_eq!(serde_json::to_string(&spec).unwrap(), digits_json);
        for (kind, size) in [("digits", 16), ("shapes", 16), ("shapes", 28)] {
            let json = OLD_DEFAULT_JSON.replace(r#""kind":"spiral""#, &format!(r#""kind":"{kind}","imageSize":{size}"#));
            let spec: ExperimentSpec = serde_json::from_str(&json).unwrap();
            assert_eq!(spec.dataset.side(), size, "{kind}");
            let again: ExperimentSpec = serde_json::from_str(&serde_json::to_string(&spec).unwrap()).unwrap();
            assert_eq!(again.dataset.side(), size, "{kind}");
        }
        assert_eq!(ExperimentSpec::default().dataset.side(), 0, "point sets have no side");
    }

    /// A spec written before the optimiser fields existed decodes to today's defaults.
    #[test]
    fn old_specs_decode_to_the_defaults() {
        let old = r#"{"dataset":{"kind":"spiral","points":500,"trainFraction":0.5,"noise":0.0,"seed":1},
            "model":{"hidden":[8,8],"activation":"tanh"},
            "training":{"loss":"softmaxCrossEntropy","optimizer":"sgd","learningRate":0.03,"batchSize":10,"seed":1}}"#;
        let spec: ExperimentSpec = serde_json::from_str(old).unwrap();
        assert_eq!(spec, ExperimentSpec::default());
        let round: ExperimentSpec = serde_json::from_str(&serde_json::to_string(&spec).unwrap()).unwrap();
        assert_eq!(round, spec);
        let tagged = r#"{"kind":"criticality","cW":2.0,"cB":0.1}"#;
        assert_eq!(serde_json::from_str::<Init>(tagged).unwrap(), Init::Criticality { c_w: 2.0, c_b: 0.1 });
        let cosine = r#"{"kind":"cosine","steps":100,"minLr":0.001}"#;
        assert_eq!(serde_json::from_str::<Schedule>(cosine).unwrap(), Schedule::Cosine { steps: 100, min_lr: 0.001 });
        assert_eq!(serde_json::from_str::<Parametrization>(r#""muP""#).unwrap(), Parametrization::MuP);
    }
}
