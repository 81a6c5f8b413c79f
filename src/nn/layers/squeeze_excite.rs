//! Squeeze-and-excitation: per-sample channel gates s = σ(W₂·relu(W₁·GAP(x) + b₁) + b₂)
//! that rescale the channels of x.

use super::{Dense, ParamGrads};
use crate::backend::{ActivationOp, Backend, PoolOp, Window};

pub struct SqueezeExcite<B: Backend> {
    /// channels → channels / reduction
    pub squeeze: Dense<B>,
    /// channels / reduction → channels
    pub excite: Dense<B>,
    /// The global window over the input image.
    pub window: Window,
}

/// What the backward pass needs from the forward pass.
pub struct Gates<T> {
    /// GAP(x), [n, c]
    pooled: T,
    squeezed: T,
    hidden: T,
    excited: T,
    /// σ(excited), [n, c]
    gates: T,
}

impl<B: Backend> SqueezeExcite<B> {
    pub fn forward(&self, be: &B, x: &B::Tensor) -> (B::Tensor, Gates<B::Tensor>) {
        let pooled = be.pool(PoolOp::Avg, x, &self.window, None);
        let squeezed = self.squeeze.forward(be, &pooled);
        let hidden = be.activation(ActivationOp::Relu, &squeezed);
        let excited = self.excite.forward(be, &hidden);
        let gates = be.activation(ActivationOp::Sigmoid, &excited);
        let y = be.channel_scale(x, &gates);
        (y, Gates { pooled, squeezed, hidden, excited, gates })
    }

    /// dx; gradients of (W₁, b₁, W₂, b₂) go to `grads` in that order.
    pub fn backward(
        &self,
        be: &B,
        x: &B::Tensor,
        saved: &Gates<B::Tensor>,
        dy: &B::Tensor,
        grads: Option<ParamGrads<'_, B::Tensor>>,
    ) -> B::Tensor {
        let (squeeze_grads, excite_grads) = match grads {
            Some(g) => {
                let (a, b) = g.split_at_mut(2);
                (Some(a), Some(b))
            }
            None => (None, None),
        };
        let (dx_direct, dgates) = be.channel_scale_backward(x, &saved.gates, dy);
        let dexcited = be.activation_backward(ActivationOp::Sigmoid, &saved.excited, &saved.gates, &dgates);
        let dhidden = self.excite.backward(be, &saved.hidden, &dexcited, excite_grads);
        let dsqueezed = be.activation_backward(ActivationOp::Relu, &saved.squeezed, &saved.hidden, &dhidden);
        let dpooled = self.squeeze.backward(be, &saved.pooled, &dsqueezed, squeeze_grads);
        let (dx_pool, _) = be.pool_backward(PoolOp::Avg, x, &saved.pooled, &dpooled, &self.window, None);
        be.add(&dx_direct, &dx_pool)
    }
}
