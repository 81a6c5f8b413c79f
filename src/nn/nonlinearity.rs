//! The spec's hidden-layer activation as backend ops: elementwise, PReLU (with its
//! learned per-unit slope) or a pair gate, with the forward and backward passes of each.

use crate::backend::{ActivationOp, Backend, GateOp};
use crate::spec::Activation;

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Nonlinearity {
    Elementwise(ActivationOp),
    /// Learned slope per unit.
    Prelu,
    /// Two dense units per output unit.
    Gate(GateOp),
}

/// PReLU's initial slope (PyTorch's default).
pub const PRELU_INIT: f32 = 0.25;

impl Nonlinearity {
    pub fn from_spec(activation: Activation, leaky_slope: f32) -> Self {
        use Nonlinearity::{Elementwise as E, Gate as G};
        match activation {
            Activation::Linear => E(ActivationOp::Linear),
            Activation::Relu => E(ActivationOp::Relu),
            Activation::LeakyRelu => E(ActivationOp::LeakyRelu { slope: leaky_slope }),
            Activation::Prelu => Nonlinearity::Prelu,
            Activation::Elu => E(ActivationOp::Elu),
            Activation::Gelu => E(ActivationOp::Gelu),
            Activation::Silu => E(ActivationOp::Silu),
            Activation::Tanh => E(ActivationOp::Tanh),
            Activation::Sigmoid => E(ActivationOp::Sigmoid),
            Activation::Softplus => E(ActivationOp::Softplus),
            Activation::Abs => E(ActivationOp::Abs),
            Activation::Maxout => G(GateOp::Maxout),
            Activation::AndAil => G(GateOp::AndAil),
            Activation::OrAil => G(GateOp::OrAil),
            Activation::XnorAil => G(GateOp::XnorAil),
            Activation::And => G(GateOp::And),
            Activation::Or => G(GateOp::Or),
            Activation::Xnor => G(GateOp::Xnor),
        }
    }

    /// Dense units needed in front of `units` outputs.
    pub fn inputs_per(self, units: usize) -> usize {
        match self {
            Nonlinearity::Gate(_) => 2 * units,
            _ => units,
        }
    }

    /// y from the pre-activation z; `slope` is the layer's PReLU slope, if any.
    pub fn forward<B: Backend>(self, be: &B, z: &B::Tensor, slope: Option<&B::Tensor>) -> B::Tensor {
        match self {
            Nonlinearity::Elementwise(op) => be.activation(op, z),
            Nonlinearity::Prelu => be.prelu(z, slope.expect("a PReLU layer has a slope")),
            Nonlinearity::Gate(op) => be.pair_gate(op, z),
        }
    }

    /// (dz, dslope) from dy, given z and y = forward(z).
    pub fn backward<B: Backend>(
        self,
        be: &B,
        z: &B::Tensor,
        y: &B::Tensor,
        dy: &B::Tensor,
        slope: Option<&B::Tensor>,
    ) -> (B::Tensor, Option<B::Tensor>) {
        match self {
            Nonlinearity::Elementwise(op) => (be.activation_backward(op, z, y, dy), None),
            Nonlinearity::Prelu => {
                let (dz, dslope) = be.prelu_backward(z, slope.expect("a PReLU layer has a slope"), dy);
                (dz, Some(dslope))
            }
            Nonlinearity::Gate(op) => (be.pair_gate_backward(op, z, dy), None),
        }
    }
}
