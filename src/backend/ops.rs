//! Descriptions of the parametrised op families (elementwise activations, pair gates,
//! classification losses, pooling) that both backends implement, and the scalar rules both
//! backends share (dropout's kept value, the unbiased-variance factor). Backends match on
//! these; the formulas live in cpu/ (reference) and gpu/kernels/ (WGSL).

/// An elementwise activation f applied to every element.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum ActivationOp {
    Linear,
    Relu,
    /// x for x > 0, slope·x otherwise.
    LeakyRelu { slope: f32 },
    /// ELU with α = 1: x for x > 0, eˣ − 1 otherwise.
    Elu,
    /// Exact GELU, x·Φ(x) = x·(1 + erf(x/√2))/2 (PyTorch's default).
    Gelu,
    /// x·σ(x).
    Silu,
    Tanh,
    Sigmoid,
    /// log(1 + eˣ), computed stably.
    Softplus,
    Abs,
}

impl ActivationOp {
    pub const ALL: [ActivationOp; 10] = [
        ActivationOp::Linear,
        ActivationOp::Relu,
        ActivationOp::LeakyRelu { slope: 0.01 },
        ActivationOp::Elu,
        ActivationOp::Gelu,
        ActivationOp::Silu,
        ActivationOp::Tanh,
        ActivationOp::Sigmoid,
        ActivationOp::Softplus,
        ActivationOp::Abs,
    ];

    /// A name without parameters: ops with the same name share a GPU pipeline.
    pub fn name(self) -> &'static str {
        match self {
            ActivationOp::Linear => "linear",
            ActivationOp::Relu => "relu",
            ActivationOp::LeakyRelu { .. } => "leaky_relu",
            ActivationOp::Elu => "elu",
            ActivationOp::Gelu => "gelu",
            ActivationOp::Silu => "silu",
            ActivationOp::Tanh => "tanh",
            ActivationOp::Sigmoid => "sigmoid",
            ActivationOp::Softplus => "softplus",
            ActivationOp::Abs => "abs",
        }
    }

    /// The op's scalar parameter (the leaky slope); 0 for ops without one.
    pub fn param(self) -> f32 {
        match self {
            ActivationOp::LeakyRelu { slope } => slope,
            _ => 0.0,
        }
    }
}

/// A gate mapping adjacent pairs (x, y) = (z[2j], z[2j+1]) to one output: [n, 2k] → [n, k].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum GateOp {
    /// max(x, y).
    Maxout,
    /// x + y if both < 0, else min(x, y).
    AndAil,
    /// x + y if both > 0, else max(x, y).
    OrAil,
    /// sign(x·y)·min(|x|, |y|).
    XnorAil,
    /// logit(σ(x)σ(y)) = x + y − log(1 + eˣ + eʸ).
    And,
    /// logit(1 − σ(−x)σ(−y)) = log(eˣ + eʸ + eˣ⁺ʸ).
    Or,
    /// logit(σ(x)σ(y) + σ(−x)σ(−y)) = softplus(x + y) − log(eˣ + eʸ).
    Xnor,
}

impl GateOp {
    pub const ALL: [GateOp; 7] =
        [GateOp::Maxout, GateOp::AndAil, GateOp::OrAil, GateOp::XnorAil, GateOp::And, GateOp::Or, GateOp::Xnor];

    pub fn name(self) -> &'static str {
        match self {
            GateOp::Maxout => "maxout",
            GateOp::AndAil => "and_ail",
            GateOp::OrAil => "or_ail",
            GateOp::XnorAil => "xnor_ail",
            GateOp::And => "and",
            GateOp::Or => "or",
            GateOp::Xnor => "xnor",
        }
    }
}

/// A loss on logits [n, K] against class indices [n, 1] (real targets for `MseTarget`).
/// Every loss is a mean over rows; `Mse` and `BinaryCe` also average over the K outputs (PyTorch's
/// `reduction = "mean"`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum LossOp {
    /// Softmax cross-entropy against (1 − smoothing)·onehot + smoothing/K. With
    /// `tamper` ≠ 1 the backward pass uses p̃ = p^tamper / Σ p^tamper in place of p
    /// (softmax gradient tampering); the loss value is unchanged.
    CrossEntropy { smoothing: f32, tamper: f32 },
    /// −(1 − p_t)^γ · log p_t.
    Focal { gamma: f32 },
    /// −log p_t + ε·(1 − p_t).
    Poly1 { epsilon: f32 },
    /// −log p_t + bonus(p_t): bonus = log(1 − p) up to p = log_end, then its tangent
    /// line (the authors' conservative variant; log_end = 1 is the full bonus, with
    /// 1 − p clamped at 1e-5 as in their code).
    Encouraging { log_end: f32 },
    /// Mean squared error between the raw outputs and the one-hot target.
    Mse,
    /// Sigmoid binary cross-entropy of every output against the one-hot target.
    BinaryCe,
    /// (1 − β)·CE(y, p_s) + β·T²·KL(softmax(z_t/T) ‖ softmax(z_s/T)); needs teacher logits.
    Distillation { beta: f32, temperature: f32 },
    /// Regression: mean squared error of every output against the row's real target,
    /// read from the [n, 1] labels tensor, averaged over outputs. `correct` is 0.
    MseTarget,
}

impl LossOp {
    /// The plain softmax cross-entropy.
    pub const CROSS_ENTROPY: LossOp = LossOp::CrossEntropy { smoothing: 0.0, tamper: 1.0 };
}

/// A pooling reduction over each window of each channel.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PoolOp {
    Max,
    Avg,
    /// Log-average-exp t·log(mean(exp(x/t))) with a learned temperature t: the maximum as
    /// t → 0, the mean as t → ∞.
    LogAvgExp,
}

impl PoolOp {
    pub const ALL: [PoolOp; 3] = [PoolOp::Max, PoolOp::Avg, PoolOp::LogAvgExp];
}

/// 1/(1 − p) rounded to f32: the kept value of a dropout mask on every backend.
pub fn dropout_keep(p: f32) -> f32 {
    assert!((0.0..1.0).contains(&p), "dropout_mask: the drop probability must be in [0, 1)");
    1.0 / (1.0 - p)
}

/// count/(count − 1): the factor that turns a biased variance into an unbiased one.
pub fn unbiased_factor(count: usize) -> f64 {
    assert!(count >= 2, "update_running_moments: the unbiased variance needs at least 2 values per channel");
    count as f64 / (count - 1) as f64
}
