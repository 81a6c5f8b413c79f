//! Pooling over windows or globally: max, average, or logAvgExp with a fixed or learned
//! temperature (learned as log t, so t stays positive).

use super::ParamGrads;
use crate::backend::{Backend, PoolOp, Window};
use crate::nn::param::Param;

pub struct Pool<B: Backend> {
    pub op: PoolOp,
    pub window: Window,
    /// logAvgExp's log t, [1, 1]; a parameter only when learned.
    pub log_t: Option<Param<B::Tensor>>,
    pub learn_temperature: bool,
}

impl<B: Backend> Pool<B> {
    pub fn forward(&self, be: &B, x: &B::Tensor) -> B::Tensor {
        be.pool(self.op, x, &self.window, self.log_t.as_ref().map(|p| &p.value))
    }

    pub fn backward(
        &self,
        be: &B,
        x: &B::Tensor,
        y: &B::Tensor,
        dy: &B::Tensor,
        grads: Option<ParamGrads<'_, B::Tensor>>,
    ) -> B::Tensor {
        let (dx, dlog_t) = be.pool_backward(self.op, x, y, dy, &self.window, self.log_t.as_ref().map(|p| &p.value));
        if let (Some(g), true) = (grads, self.learn_temperature) {
            g[0] = dlog_t;
        }
        dx
    }
}
