//! The dense layer y = x·(m·W)ᵀ + b, W stored [out, in] (PyTorch's layout); m is the
//! abc-parametrisation's multiplier (1 otherwise). Image inputs are read in flatten order.

use super::ParamGrads;
use crate::backend::Backend;
use crate::nn::param::Param;

pub struct Dense<B: Backend> {
    /// [out, in]
    pub weight: Param<B::Tensor>,
    /// [1, out]
    pub bias: Param<B::Tensor>,
    pub multiplier: f32,
}

impl<B: Backend> Dense<B> {
    fn scaled(&self, be: &B, mut t: B::Tensor) -> B::Tensor {
        if self.multiplier != 1.0 {
            be.scale(&mut t, self.multiplier);
        }
        t
    }

    pub fn forward(&self, be: &B, x: &B::Tensor) -> B::Tensor {
        let mut z = self.scaled(be, be.matmul(x, &self.weight.value, false, true));
        be.add_bias(&mut z, &self.bias.value);
        z
    }

    /// The weight and bias gradients into `grads` when given.
    pub fn param_grads(&self, be: &B, x: &B::Tensor, dy: &B::Tensor, grads: Option<ParamGrads<'_, B::Tensor>>) {
        if let Some(g) = grads {
            g[0] = Some(self.scaled(be, be.matmul(dy, x, true, false)));
            g[1] = Some(be.sum_rows(dy));
        }
    }

    /// dx; the weight and bias gradients go to `grads` when given.
    pub fn backward(&self, be: &B, x: &B::Tensor, dy: &B::Tensor, grads: Option<ParamGrads<'_, B::Tensor>>) -> B::Tensor {
        self.param_grads(be, x, dy, grads);
        self.scaled(be, be.matmul(dy, &self.weight.value, false, false))
    }
}
