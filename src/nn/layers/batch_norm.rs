//! Batch normalisation per feature (flat inputs) or per channel (images): batch
//! statistics while training, running statistics (PyTorch's momentum and unbiased
//! variance) in evaluation.

use super::ParamGrads;
use crate::backend::Backend;
use crate::nn::param::Param;

pub struct BatchNorm<B: Backend> {
    /// γ, [1, channels]
    pub scale: Param<B::Tensor>,
    /// β, [1, channels]
    pub shift: Param<B::Tensor>,
    /// [2, channels]: running means, then running variances.
    pub running: B::Tensor,
    pub channels: usize,
    pub momentum: f32,
    pub epsilon: f32,
}

impl<B: Backend> BatchNorm<B> {
    /// y, and the batch moments when `train` (they are saved for backward and for the
    /// running statistics).
    pub fn forward(&self, be: &B, x: &B::Tensor, train: bool) -> (B::Tensor, Option<B::Tensor>) {
        if train {
            let moments = be.channel_moments(x, self.channels);
            let y = be.batch_norm(x, self.channels, &moments, &self.scale.value, &self.shift.value, self.epsilon);
            (y, Some(moments))
        } else {
            (be.batch_norm(x, self.channels, &self.running, &self.scale.value, &self.shift.value, self.epsilon), None)
        }
    }

    /// `batch` holds the batch moments of a training forward pass, None in evaluation.
    pub fn backward(
        &self,
        be: &B,
        x: &B::Tensor,
        batch: Option<&B::Tensor>,
        dy: &B::Tensor,
        grads: Option<ParamGrads<'_, B::Tensor>>,
    ) -> B::Tensor {
        let moments = batch.unwrap_or(&self.running);
        let (dx, dscale, dshift) =
            be.batch_norm_backward(x, self.channels, moments, &self.scale.value, dy, self.epsilon, batch.is_some());
        if let Some(g) = grads {
            g[0] = Some(dscale);
            g[1] = Some(dshift);
        }
        dx
    }

    /// Folds a training batch's moments into the running statistics; `count` is the
    /// number of values per channel in that batch.
    pub fn update_running(&mut self, be: &B, moments: &B::Tensor, count: usize) {
        if count >= 2 {
            be.update_running_moments(&mut self.running, moments, self.momentum, count);
        }
    }
}
