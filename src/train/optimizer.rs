//! The optimiser a trainer runs: device-resident state beside every parameter, the
//! per-step hyperparameters built from the training spec, and the per-layer learning
//! rates of the abc-parametrisation. One fused update dispatch per parameter tensor.

use crate::backend::{Backend, OptimizerState, OptimizerStep, UpdateRule};
use crate::nn::abc::LayerWidth;
use crate::nn::{Dense, Gradients, Mlp};
use crate::spec::{ModelSpec, Optimizer as Kind, TrainingSpec};

pub struct Optimizer<B: Backend> {
    kind: Kind,
    /// State per layer, weight and bias.
    state: Vec<Dense<OptimizerState<B::Tensor>>>,
    /// State per PReLU slope tensor.
    slopes: Vec<OptimizerState<B::Tensor>>,
    /// The squared global gradient norm, reused every step.
    norm_sq: B::Tensor,
    /// Per-layer learning-rate factors n^(−c) for the weights.
    lr_factors: Vec<f32>,
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
    let z = vec![<B::E as num_traits::Zero>::zero(); shape[0] * shape[1]];
    OptimizerState { m: be.upload(shape, &z), v: be.upload(shape, &z) }
}

fn lr_factors(model: &ModelSpec, sizes: &[usize], kind: Kind) -> Vec<f32> {
    LayerWidth::of_mlp(sizes, model.base_width)
        .iter()
        .map(|w| w.lr_factor(model.parametrization, kind.is_adaptive()))
        .collect()
}

impl<B: Backend> Optimizer<B> {
    pub fn new(be: &B, mlp: &Mlp<B>, model: &ModelSpec, sizes: &[usize], training: &TrainingSpec) -> Self {
        let state = mlp
            .layers
            .iter()
            .map(|l| Dense { weight: zeros(be, be.shape(&l.weight)), bias: zeros(be, be.shape(&l.bias)) })
            .collect();
        Optimizer {
            kind: training.optimizer,
            state,
            slopes: mlp.slopes.iter().map(|t| zeros(be, be.shape(t))).collect(),
            norm_sq: be.upload([1, 1], &[<B::E as num_traits::Zero>::zero()]),
            lr_factors: lr_factors(model, sizes, training.optimizer),
            t: 0,
        }
    }

    /// Adopts a new training spec. The state survives when the optimiser kind is unchanged
    /// and is reset to zero otherwise; per-layer learning rates follow the new kind.
    pub fn reconfigure(&mut self, be: &B, model: &ModelSpec, sizes: &[usize], training: &TrainingSpec) {
        if training.optimizer != self.kind {
            for s in &mut self.state {
                s.weight = zeros(be, be.shape(&s.weight.m));
                s.bias = zeros(be, be.shape(&s.bias.m));
            }
            for s in &mut self.slopes {
                *s = zeros(be, be.shape(&s.m));
            }
            self.kind = training.optimizer;
            self.t = 0;
        }
        self.lr_factors = lr_factors(model, sizes, training.optimizer);
    }

    /// Clips (if asked) and updates every parameter of `mlp` with learning rate `lr`.
    pub fn step(&mut self, be: &B, mlp: &mut Mlp<B>, grads: &Gradients<B::Tensor>, training: &TrainingSpec, lr: f32) {
        self.t = self.t.saturating_add(1);
        let norm = match training.clip_norm {
            Some(_) => {
                for (k, g) in grads.layers.iter().enumerate() {
                    be.sum_squares(&g.weight, &mut self.norm_sq, k > 0);
                    be.sum_squares(&g.bias, &mut self.norm_sq, true);
                }
                for g in &grads.slopes {
                    be.sum_squares(g, &mut self.norm_sq, true);
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
        // Penalties and decay act on weights only; biases and PReLU slopes learn at the base rate.
        let bias_step = OptimizerStep { weight_decay: 0.0, l1: 0.0, l2: 0.0, ..weight_step };
        for (((layer, g), s), &factor) in mlp.layers.iter_mut().zip(&grads.layers).zip(&mut self.state).zip(&self.lr_factors) {
            let w = OptimizerStep { lr: lr * factor, ..weight_step };
            be.optimizer_step(&mut layer.weight, &g.weight, &mut s.weight, &w, norm);
            be.optimizer_step(&mut layer.bias, &g.bias, &mut s.bias, &bias_step, norm);
        }
        for ((slope, g), s) in mlp.slopes.iter_mut().zip(&grads.slopes).zip(&mut self.slopes) {
            be.optimizer_step(slope, g, s, &bias_step, norm);
        }
    }
}
