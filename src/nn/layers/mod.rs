//! The layer types a network is built from. Each computes its forward pass and its
//! vector-Jacobian product; `nn::net` strings them together and records what they saw.

mod activation;
mod batch_norm;
mod conv;
mod dense;
mod pool;
mod squeeze_excite;

pub use activation::{Activation, Nonlinearity, PRELU_INIT};
pub use batch_norm::BatchNorm;
pub use conv::Conv2d;
pub use dense::Dense;
pub use pool::Pool;
pub use squeeze_excite::{Gates, SqueezeExcite};

use crate::backend::Backend;
use crate::nn::features::Features;
use crate::nn::param::Param;

/// The slots a layer writes its parameter gradients into, in its parameter order.
pub type ParamGrads<'a, T> = &'a mut [Option<T>];

pub enum Layer<B: Backend> {
    Dense(Dense<B>),
    Conv2d(Conv2d<B>),
    /// Images to flat vectors: the data is already in flatten order, so nothing moves.
    Flatten,
    Activation(Activation<B>),
    Pool(Pool<B>),
    /// Inverted dropout with this rate while training; the identity in evaluation.
    Dropout(f32),
    BatchNorm(BatchNorm<B>),
    /// y = x + body(x).
    Residual(Vec<Node<B>>),
    SqueezeExcite(SqueezeExcite<B>),
}

/// A layer in place: its id (its position in a depth-first walk of the network, which
/// indexes traces and hooks), its input and output shapes, and its parameters' offset
/// in the network's parameter list.
pub struct Node<B: Backend> {
    pub id: usize,
    /// The spec the layer was built from (a residual block's body is in `layer`).
    pub spec: crate::spec::LayerSpec,
    pub input: Features,
    pub output: Features,
    pub first_param: usize,
    pub layer: Layer<B>,
}

impl<B: Backend> Layer<B> {
    /// Calls `f` on the layer's own parameters (not those of a residual body), in
    /// gradient order.
    pub fn visit_params<'a>(&'a self, f: &mut impl FnMut(&'a Param<B::Tensor>)) {
        match self {
            Layer::Dense(d) => [&d.weight, &d.bias].into_iter().for_each(f),
            Layer::Conv2d(c) => [&c.weight, &c.bias].into_iter().for_each(f),
            Layer::Activation(a) => a.slope.iter().for_each(f),
            Layer::Pool(p) => p.log_t.iter().filter(|_| p.learn_temperature).for_each(f),
            Layer::BatchNorm(b) => [&b.scale, &b.shift].into_iter().for_each(f),
            Layer::SqueezeExcite(s) => {
                [&s.squeeze.weight, &s.squeeze.bias, &s.excite.weight, &s.excite.bias].into_iter().for_each(f)
            }
            Layer::Flatten | Layer::Dropout(_) | Layer::Residual(_) => {}
        }
    }

    pub fn visit_params_mut(&mut self, f: &mut impl FnMut(&mut Param<B::Tensor>)) {
        match self {
            Layer::Dense(d) => [&mut d.weight, &mut d.bias].into_iter().for_each(f),
            Layer::Conv2d(c) => [&mut c.weight, &mut c.bias].into_iter().for_each(f),
            Layer::Activation(a) => a.slope.iter_mut().for_each(f),
            Layer::Pool(p) => {
                let learn = p.learn_temperature;
                p.log_t.iter_mut().filter(|_| learn).for_each(f)
            }
            Layer::BatchNorm(b) => [&mut b.scale, &mut b.shift].into_iter().for_each(f),
            Layer::SqueezeExcite(s) => [&mut s.squeeze.weight, &mut s.squeeze.bias, &mut s.excite.weight, &mut s.excite.bias]
                .into_iter()
                .for_each(f),
            Layer::Flatten | Layer::Dropout(_) | Layer::Residual(_) => {}
        }
    }

    /// Calls `f` on every tensor the layer owns, learned or not, in the model file's
    /// order: the parameters, then batch norm's running statistics or a fixed logAvgExp
    /// temperature.
    pub fn visit_state<'a>(&'a self, f: &mut impl FnMut(&'a B::Tensor)) {
        self.visit_params(&mut |p| f(&p.value));
        match self {
            Layer::BatchNorm(b) => f(&b.running),
            Layer::Pool(p) if !p.learn_temperature => p.log_t.iter().for_each(|t| f(&t.value)),
            _ => {}
        }
    }

    pub fn visit_state_mut(&mut self, f: &mut impl FnMut(&mut B::Tensor)) {
        self.visit_params_mut(&mut |p| f(&mut p.value));
        match self {
            Layer::BatchNorm(b) => f(&mut b.running),
            Layer::Pool(p) if !p.learn_temperature => p.log_t.iter_mut().for_each(|t| f(&mut t.value)),
            _ => {}
        }
    }

    /// How many parameters `visit_params` visits.
    pub fn param_count(&self) -> usize {
        let mut n = 0;
        self.visit_params(&mut |_| n += 1);
        n
    }

    /// A short name for messages and hooks.
    pub fn kind(&self) -> &'static str {
        match self {
            Layer::Dense(_) => "dense",
            Layer::Conv2d(_) => "conv2d",
            Layer::Flatten => "flatten",
            Layer::Activation(_) => "activation",
            Layer::Pool(_) => "pool",
            Layer::Dropout(_) => "dropout",
            Layer::BatchNorm(_) => "batchNorm",
            Layer::Residual(_) => "residual",
            Layer::SqueezeExcite(_) => "squeezeExcite",
        }
    }
}
