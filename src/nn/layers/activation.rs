//! Activation layers: an elementwise function, PReLU (one learned slope per feature or
//! channel), or a pair gate mapping adjacent units, or adjacent channels of an image,
//! to one. Per-channel ops on images run in a channels-last view.

use super::ParamGrads;
use crate::backend::{ActivationOp, Backend, GateOp};
use crate::nn::features::Features;
use crate::nn::param::Param;
use crate::spec::Activation as Function;

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Nonlinearity {
    Elementwise(ActivationOp),
    /// Learned slope per unit or channel.
    Prelu,
    /// Two inputs per output.
    Gate(GateOp),
}

/// PReLU's initial slope (PyTorch's default).
pub const PRELU_INIT: f32 = 0.25;

impl Nonlinearity {
    pub fn from_spec(function: Function, leaky_slope: f32) -> Self {
        use Nonlinearity::{Elementwise as E, Gate as G};
        match function {
            Function::Linear => E(ActivationOp::Linear),
            Function::Relu => E(ActivationOp::Relu),
            Function::LeakyRelu => E(ActivationOp::LeakyRelu { slope: leaky_slope }),
            Function::Prelu => Nonlinearity::Prelu,
            Function::Elu => E(ActivationOp::Elu),
            Function::Gelu => E(ActivationOp::Gelu),
            Function::Silu => E(ActivationOp::Silu),
            Function::Tanh => E(ActivationOp::Tanh),
            Function::Sigmoid => E(ActivationOp::Sigmoid),
            Function::Softplus => E(ActivationOp::Softplus),
            Function::Abs => E(ActivationOp::Abs),
            Function::Maxout => G(GateOp::Maxout),
            Function::AndAil => G(GateOp::AndAil),
            Function::OrAil => G(GateOp::OrAil),
            Function::XnorAil => G(GateOp::XnorAil),
            Function::And => G(GateOp::And),
            Function::Or => G(GateOp::Or),
            Function::Xnor => G(GateOp::Xnor),
        }
    }

    /// Units (or channels) needed in front of `units` outputs.
    pub fn inputs_per(self, units: usize) -> usize {
        match self {
            Nonlinearity::Gate(_) => 2 * units,
            _ => units,
        }
    }
}

pub struct Activation<B: Backend> {
    pub nonlinearity: Nonlinearity,
    /// PReLU's slopes, [1, channels].
    pub slope: Option<Param<B::Tensor>>,
    pub input: Features,
}

/// [n, c·p] (NCHW rows) ↔ [n·p, c] (one row per pixel).
fn channels_last<B: Backend>(be: &B, x: &B::Tensor, c: usize, p: usize) -> B::Tensor {
    let n = be.shape(x)[0];
    be.transpose_blocks(x, [n, c, p], [n * p, c])
}

fn channels_first<B: Backend>(be: &B, x: &B::Tensor, c: usize, p: usize) -> B::Tensor {
    let n = be.shape(x)[0] / p;
    be.transpose_blocks(x, [n, p, c], [n, c * p])
}

impl<B: Backend> Activation<B> {
    /// Whether the op needs the channels-last view: per-channel ops on images.
    fn per_channel_image(&self) -> bool {
        !matches!(self.nonlinearity, Nonlinearity::Elementwise(_)) && self.input.plane() > 1
    }

    fn slope(&self) -> &B::Tensor {
        &self.slope.as_ref().expect("a PReLU layer has slopes").value
    }

    pub fn forward(&self, be: &B, x: &B::Tensor) -> B::Tensor {
        let apply = |x: &B::Tensor| match self.nonlinearity {
            Nonlinearity::Elementwise(op) => be.activation(op, x),
            Nonlinearity::Prelu => be.prelu(x, self.slope()),
            Nonlinearity::Gate(op) => be.pair_gate(op, x),
        };
        if self.per_channel_image() {
            let (c, p) = (self.input.channels(), self.input.plane());
            let out_c = if matches!(self.nonlinearity, Nonlinearity::Gate(_)) { c / 2 } else { c };
            channels_first(be, &apply(&channels_last(be, x, c, p)), out_c, p)
        } else {
            apply(x)
        }
    }

    pub fn backward(
        &self,
        be: &B,
        x: &B::Tensor,
        y: &B::Tensor,
        dy: &B::Tensor,
        grads: Option<ParamGrads<'_, B::Tensor>>,
    ) -> B::Tensor {
        if let Nonlinearity::Elementwise(op) = self.nonlinearity {
            return be.activation_backward(op, x, y, dy);
        }
        if !self.per_channel_image() {
            return self.per_channel_backward(be, x, dy, grads);
        }
        let (c, p) = (self.input.channels(), self.input.plane());
        let out_c = be.shape(dy)[1] / p;
        let dx = self.per_channel_backward(be, &channels_last(be, x, c, p), &channels_last(be, dy, out_c, p), grads);
        channels_first(be, &dx, c, p)
    }

    /// PReLU's or a gate's backward pass on [rows, channels] views.
    fn per_channel_backward(&self, be: &B, x: &B::Tensor, dy: &B::Tensor, grads: Option<ParamGrads<'_, B::Tensor>>) -> B::Tensor {
        match self.nonlinearity {
            Nonlinearity::Prelu => {
                let (dx, dslope) = be.prelu_backward(x, self.slope(), dy);
                if let Some(g) = grads {
                    g[0] = Some(dslope);
                }
                dx
            }
            Nonlinearity::Gate(op) => be.pair_gate_backward(op, x, dy),
            Nonlinearity::Elementwise(op) => unreachable!("{op:?} has no per-channel form"),
        }
    }
}
