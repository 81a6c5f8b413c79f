//! The optimiser a trainer runs: device-resident state beside every parameter, and the
//! per-step hyperparameters built from the training spec. Weights take decay and
//! penalties and their abc learning-rate factor; other parameters learn at the base
//! rate. One fused update dispatch per parameter tensor.

use crate::backend::{Backend, OptimizerState, OptimizerStep, UpdateRule};
use num_traits::Zero;
use crate::nn::Net;
use crate::spec::{Optimizer as Kind, TrainingSpec};

pub struct Optimizer<B: Backend> {
    kind: Kind,
    /// One per parameter, in the network's parameter order.
    state: Vec<OptimizerState<B::Tensor>>,
    /// The squared global gradient norm, reused every step.
    norm_sq: B::Tensor,
    /// Adam steps taken with the current state.
    t: u32,
}

fn rule(kind: Kind) -> UpdateRule {
    match kind {
        Kind::Sgd => UpdateRule::Sgd,
        Kind::Momentum => UpdateRule::Momentum,
        Kind::Nesterov => UpdateRule::Nesterov,
        Kind::Adam => UpdateRule::Adam,
        Kind::AdamW => UpdateRule::AdamW,
    }
}

fn zeros<B: Backend>(be: &B, shape: [usize; 2]) -> OptimizerState<B::Tensor> {
    let z = vec![B::E::zero(); shape[0] * shape[1]];
    OptimizerState { m: be.upload(shape, &z), v: be.upload(shape, &z) }
}

impl<B: Backend> Optimizer<B> {
    pub fn new(be: &B, net: &Net<B>, training: &TrainingSpec) -> Self {
        let mut state = Vec::with_capacity(net.param_count);
        net.visit_params(&mut |p| state.push(zeros(be, be.shape(&p.value))));
        Optimizer { kind: training.optimizer, state, norm_sq: be.upload([1, 1], &[B::E::zero()]), t: 0 }
    }

    /// Adopts a new training spec. The state survives when the optimiser kind is unchanged
    /// and is reset to zero otherwise.
    pub fn reconfigure(&mut self, be: &B, training: &TrainingSpec) {
        if training.optimizer != self.kind {
            self.clear(be);
            self.kind = training.optimizer;
        }
    }

    /// Zeroes every moment and restarts Adam's step count.
    pub fn clear(&mut self, be: &B) {
        for s in &mut self.state {
            *s = zeros(be, be.shape(&s.m));
        }
        self.t = 0;
    }

    /// Clips (if asked) and updates every parameter of `net` with learning rate `lr`;
    /// `grads` are in the network's parameter order.
    pub fn step(&mut self, be: &B, net: &mut Net<B>, grads: &[B::Tensor], training: &TrainingSpec, lr: f32) {
        assert_eq!(grads.len(), self.state.len(), "one gradient per parameter");
        self.t = self.t.saturating_add(1);
        let norm = match training.clip_norm {
            Some(_) => {
                for (k, g) in grads.iter().enumerate() {
                    be.sum_squares(g, &mut self.norm_sq, k > 0);
                }
                Some(&self.norm_sq)
            }
            None => None,
        };
        let weight_step = OptimizerStep {
            rule: rule(self.kind),
            lr,
            momentum: training.momentum,
            beta1: training.beta1,
            beta2: training.beta2,
            epsilon: training.epsilon,
            weight_decay: training.weight_decay,
            l1: training.l1,
            l2: training.l2,
            clip_norm: training.clip_norm,
            t: self.t,
        };
        // Penalties and decay act on weights only.
        let other_step = OptimizerStep { weight_decay: 0.0, l1: 0.0, l2: 0.0, ..weight_step };
        let adaptive = self.kind.is_adaptive();
        let mut k = 0;
        let state = &mut self.state;
        net.visit_params_mut(&mut |p| {
            let base = if p.is_weight() { weight_step } else { other_step };
            let step = OptimizerStep { lr: lr * p.lr_factor(adaptive), ..base };
            be.optimizer_step(&mut p.value, &grads[k], &mut state[k], &step, norm);
            k += 1;
        });
    }
}
