//! The 2-D convolution (cross-correlation) by im2col: the windows of x become rows, one
//! matmul with the weight [out, in·kh·kw] (PyTorch's [out, in, kh, kw] flattened) gives a
//! channels-last result, and a block transpose returns it to NCHW rows.

use super::ParamGrads;
use crate::backend::{Backend, Window};
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
    fn scaled(&self, be: &B, mut t: B::Tensor) -> B::Tensor {
        if self.multiplier != 1.0 {
            be.scale(&mut t, self.multiplier);
        }
        t
    }

    /// (y, the im2col matrix the backward pass reuses).
    pub fn forward(&self, be: &B, x: &B::Tensor) -> (B::Tensor, B::Tensor) {
        let n = be.shape(x)[0];
        let p = self.window.out_plane();
        let cols = be.im2col(x, &self.window);
        let mut z = self.scaled(be, be.matmul(&cols, &self.weight.value, false, true));
        be.add_bias(&mut z, &self.bias.value);
        (be.transpose_blocks(&z, [n, p, self.filters], [n, self.filters * p]), cols)
    }

    pub fn backward(&self, be: &B, cols: &B::Tensor, dy: &B::Tensor, grads: Option<ParamGrads<'_, B::Tensor>>) -> B::Tensor {
        let n = be.shape(dy)[0];
        let p = self.window.out_plane();
        let dz = be.transpose_blocks(dy, [n, self.filters, p], [n * p, self.filters]);
        if let Some(g) = grads {
            g[0] = Some(self.scaled(be, be.matmul(&dz, cols, true, false)));
            g[1] = Some(be.sum_rows(&dz));
        }
        let dcols = self.scaled(be, be.matmul(&dz, &self.weight.value, false, false));
        be.col2im(&dcols, &self.window)
    }
}
