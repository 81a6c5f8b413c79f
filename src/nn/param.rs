//! A learnable tensor with what the optimiser needs to know about it: its role (only
//! weights take decay and penalties) and its abc learning-rate factor.

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParamRole {
    /// A dense or convolution weight.
    Weight,
    Bias,
    /// PReLU's negative-side slope.
    Slope,
    /// Batch norm's γ.
    Scale,
    /// Batch norm's β.
    Shift,
    /// logAvgExp pooling's log t.
    LogTemperature,
}

pub struct Param<T> {
    pub value: T,
    pub role: ParamRole,
    /// Multiplies the learning rate: the abc-parametrisation's n^(−c) for SGD-like and
    /// for adaptive optimisers, in that order ([1, 1] otherwise).
    pub lr_factors: [f32; 2],
}

impl<T> Param<T> {
    pub fn new(value: T, role: ParamRole) -> Self {
        Param { value, role, lr_factors: [1.0, 1.0] }
    }

    /// The learning-rate factor under an adaptive (Adam-like) optimiser or not.
    pub fn lr_factor(&self, adaptive: bool) -> f32 {
        self.lr_factors[adaptive as usize]
    }

    /// Whether weight decay and L1/L2 penalties apply.
    pub fn is_weight(&self) -> bool {
        self.role == ParamRole::Weight
    }
}
