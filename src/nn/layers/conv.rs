//! The 2-D convolution (cross-correlation) layer: weight [out, in·kh·kw] (PyTorch's
//! [out, in, kh, kw] flattened), NCHW rows in and out. The backend chooses how to compute
//! it (`Backend::conv2d`): im2col and a matmul by default, direct loops on the CPU.

use super::ParamGrads;
use crate::backend::{Backend, ConvNeeds, Window};
use crate::nn::param::Param;

pub struct Conv2d<B: Backend> {
    /// [filters, channels·kh·kw]
    pub weight: Param<B::Tensor>,
    /// [1, filters]
    pub bias: Param<B::Tensor>,
    pub window: Window,
    pub filters: usize,
    pub multiplier: f32,
}

impl<B: Backend> Conv2d<B> {
    /// (y, what the backward pass reuses).
    pub fn forward(&self, be: &B, x: &B::Tensor) -> (B::Tensor, B::Tensor) {
        be.conv2d(x, &self.weight.value, &self.bias.value, &self.window, self.multiplier)
    }

    /// The input gradient, with the parameter gradients written to `grads` if given.
    pub fn backward(&self, be: &B, saved: &B::Tensor, dy: &B::Tensor, grads: Option<ParamGrads<'_, B::Tensor>>) -> B::Tensor {
        self.backward_with(be, saved, dy, grads, true).expect("the input gradient was asked for")
    }

    /// The parameter gradients only, for a layer reading the network input.
    pub fn param_grads(&self, be: &B, saved: &B::Tensor, dy: &B::Tensor, grads: Option<ParamGrads<'_, B::Tensor>>) {
        self.backward_with(be, saved, dy, grads, false);
    }

    fn backward_with(
        &self,
        be: &B,
        saved: &B::Tensor,
        dy: &B::Tensor,
        grads: Option<ParamGrads<'_, B::Tensor>>,
        input: bool,
    ) -> Option<B::Tensor> {
        let needs = ConvNeeds { input, params: grads.is_some() };
        let out = be.conv2d_backward(saved, &self.weight.value, dy, &self.window, self.multiplier, needs);
        if let (Some(g), Some((dw, db))) = (grads, out.params) {
            g[0] = Some(dw);
            g[1] = Some(db);
        }
        out.input
    }
}
