//! The fused optimiser update shared by every backend: its hyperparameters for one step
//! (`OptimizerStep`), the per-parameter state, and the element-wise rule that the CPU
//! backend runs and the WGSL kernel (gpu/kernels/optimizer_step.wgsl) mirrors.

use super::Real;

/// Which update the fused kernel applies; the discriminant is the kernel's `mode`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u32)]
pub enum UpdateRule {
    Sgd = 0,
    Momentum = 1,
    Nesterov = 2,
    Adam = 3,
    AdamW = 4,
}

/// Everything one update of one parameter tensor needs. Penalties and decay are per
/// tensor, so a trainer can exempt biases.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct OptimizerStep {
    pub rule: UpdateRule,
    pub lr: f32,
    pub momentum: f32,
    pub beta1: f32,
    pub beta2: f32,
    pub epsilon: f32,
    /// AdamW's decoupled decay λ: p −= lr·λ·p before the Adam step.
    pub weight_decay: f32,
    /// Adds l1·sign(p) to the gradient (sign(0) = 0).
    pub l1: f32,
    /// Adds l2·p to the gradient.
    pub l2: f32,
    /// With a global squared gradient norm n², the gradient is first scaled by
    /// min(1, clip/(√n² + 1e-6)) (PyTorch's clip_grad_norm_).
    pub clip_norm: Option<f32>,
    /// 1-based count of Adam steps taken with this state, for bias correction.
    pub t: u32,
}

impl OptimizerStep {
    /// Plain SGD with learning rate `lr`.
    pub fn sgd(lr: f32) -> Self {
        OptimizerStep {
            rule: UpdateRule::Sgd,
            lr,
            momentum: 0.0,
            beta1: 0.0,
            beta2: 0.0,
            epsilon: 0.0,
            weight_decay: 0.0,
            l1: 0.0,
            l2: 0.0,
            clip_norm: None,
            t: 1,
        }
    }

    /// Adam's bias corrections (1 − β₁ᵗ, 1 − β₂ᵗ), computed with libm so that every
    /// platform gets the same bits.
    pub fn bias_corrections(&self) -> (f64, f64) {
        let t = self.t.max(1) as f64;
        let bc = |beta: f32| 1.0 - libm::pow(beta as f64, t);
        (bc(self.beta1), bc(self.beta2))
    }

    /// The factor the global gradient norm clip applies, given ‖g‖².
    pub fn clip_scale<E: Real>(&self, norm_sq: E) -> E {
        match self.clip_norm {
            Some(c) => {
                let c = E::from_f32(c);
                (c / (norm_sq.sqrt() + E::from_f32(1e-6))).min(E::one())
            }
            None => E::one(),
        }
    }
}

/// Optimiser state beside one parameter: velocity (momentum, Nesterov) or first moment
/// (Adam) in `m`, second moment in `v`. Both have the parameter's shape.
pub struct OptimizerState<T> {
    pub m: T,
    pub v: T,
}

/// Scalars of one step converted once into the element type.
pub struct ElementRule<E> {
    rule: UpdateRule,
    lr: E,
    momentum: E,
    beta1: E,
    beta2: E,
    epsilon: E,
    decay: E,
    l1: E,
    l2: E,
    bc1: E,
    bc2: E,
    scale: E,
}

impl<E: Real> ElementRule<E> {
    pub fn new(step: &OptimizerStep, clip_scale: E) -> Self {
        // Only Adam-like rules read the bias corrections (two libm pows).
        let adaptive = matches!(step.rule, UpdateRule::Adam | UpdateRule::AdamW);
        let (bc1, bc2) = if adaptive { step.bias_corrections() } else { (1.0, 1.0) };
        let e = E::from_f32;
        ElementRule {
            rule: step.rule,
            lr: e(step.lr),
            momentum: e(step.momentum),
            beta1: e(step.beta1),
            beta2: e(step.beta2),
            epsilon: e(step.epsilon),
            decay: e(step.weight_decay),
            l1: e(step.l1),
            l2: e(step.l2),
            bc1: E::from_f64(bc1),
            bc2: E::from_f64(bc2),
            scale: clip_scale,
        }
    }

    /// Updates one parameter and its state in place.
    #[inline]
    pub fn apply(&self, p: &mut E, g: E, m: &mut E, v: &mut E) {
        self.apply_as(self.rule, p, g, m, v)
    }

    /// Updates a whole parameter buffer and its state in one pass, element by element.
    /// The rule is chosen once, outside the loop, so the loop compiles to straight-line
    /// vector code; its operations are lane-wise IEEE ones, so every element gets the
    /// same bits as `apply` gives it.
    pub fn apply_all(&self, p: &mut [E], g: &[E], m: &mut [E], v: &mut [E]) {
        assert!(g.len() == p.len() && m.len() == p.len() && v.len() == p.len(), "apply_all: buffer lengths differ");
        match self.rule {
            UpdateRule::Sgd => self.each(UpdateRule::Sgd, p, g, m, v),
            UpdateRule::Momentum => self.each(UpdateRule::Momentum, p, g, m, v),
            UpdateRule::Nesterov => self.each(UpdateRule::Nesterov, p, g, m, v),
            UpdateRule::Adam => self.each(UpdateRule::Adam, p, g, m, v),
            UpdateRule::AdamW => self.each(UpdateRule::AdamW, p, g, m, v),
        }
    }

    /// `apply_as(rule, …)` over the buffers; inlined so that `rule` is a constant.
    #[inline(always)]
    fn each(&self, rule: UpdateRule, p: &mut [E], g: &[E], m: &mut [E], v: &mut [E]) {
        for (((p, &g), m), v) in p.iter_mut().zip(g).zip(m.iter_mut()).zip(v.iter_mut()) {
            self.apply_as(rule, p, g, m, v);
        }
    }

    #[inline(always)]
    fn apply_as(&self, rule: UpdateRule, p: &mut E, g: E, m: &mut E, v: &mut E) {
        let zero = E::zero();
        let sign = if *p > zero { E::one() } else if *p < zero { -E::one() } else { zero };
        let g = g * self.scale + self.l2 * *p + self.l1 * sign;
        match rule {
            UpdateRule::Sgd => *p = *p - self.lr * g,
            UpdateRule::Momentum => {
                *m = self.momentum * *m + g;
                *p = *p - self.lr * *m;
            }
            UpdateRule::Nesterov => {
                *m = self.momentum * *m + g;
                *p = *p - self.lr * (g + self.momentum * *m);
            }
            UpdateRule::Adam | UpdateRule::AdamW => {
                if rule == UpdateRule::AdamW {
                    *p = *p * (E::one() - self.lr * self.decay);
                }
                *m = self.beta1 * *m + (E::one() - self.beta1) * g;
                *v = self.beta2 * *v + (E::one() - self.beta2) * g * g;
                let m_hat = *m / self.bc1;
                let v_hat = *v / self.bc2;
                *p = *p - self.lr * m_hat / (v_hat.sqrt() + self.epsilon);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;
    use super::*;
    use crate::backend::cpu::CpuBackend;
    use crate::backend::Backend;
    use crate::rng::{Rng, Stream};
    use ndarray::Array2;

    fn random(len: usize, salt: u32) -> Vec<f64> {
        let r = Rng::new(salt, Stream::Init);
        (0..len).map(|i| r.uniform_in(i as u32, -2.0, 2.0) as f64).collect()
    }

    /// The formulas written out the way PyTorch documents them, one step at a time, on
    /// the whole parameter list (so the clip uses the global norm).
    struct Reference {
        p: Vec<Vec<f64>>,
        m: Vec<Vec<f64>>,
        v: Vec<Vec<f64>>,
        t: i32,
    }

    impl Reference {
        fn step(&mut self, s: &OptimizerStep, grads: &[Vec<f64>]) {
            self.t += 1;
            let norm = grads.iter().flatten().map(|g| g * g).sum::<f64>().sqrt();
            let coef = s.clip_norm.map_or(1.0, |c| (c as f64 / (norm + 1e-6)).min(1.0));
            let (lr, mu, b1, b2) = (s.lr as f64, s.momentum as f64, s.beta1 as f64, s.beta2 as f64);
            for (k, grad) in grads.iter().enumerate() {
                for (i, &gi) in grad.iter().enumerate() {
                    let p = self.p[k][i];
                    let sign = if p > 0.0 { 1.0 } else if p < 0.0 { -1.0 } else { 0.0 };
                    let g = coef * gi + s.l2 as f64 * p + s.l1 as f64 * sign;
                    let (m, v) = (&mut self.m[k][i], &mut self.v[k][i]);
                    self.p[k][i] = match s.rule {
                        UpdateRule::Sgd => p - lr * g,
                        UpdateRule::Momentum => {
                            *m = mu * *m + g;
                            p - lr * *m
                        }
                        UpdateRule::Nesterov => {
                            *m = mu * *m + g;
                            p - lr * (g + mu * *m)
                        }
                        UpdateRule::Adam | UpdateRule::AdamW => {
                            let p = if s.rule == UpdateRule::AdamW { p - lr * s.weight_decay as f64 * p } else { p };
                            *m = b1 * *m + (1.0 - b1) * g;
                            *v = b2 * *v + (1.0 - b2) * g * g;
                            let m_hat = *m / (1.0 - b1.powi(self.t));
                            let v_hat = *v / (1.0 - b2.powi(self.t));
                            p - lr * m_hat / (v_hat.sqrt() + s.epsilon as f64)
                        }
                    };
                }
            }
        }
    }

    /// Each rule, with L1, L2, clipping and decoupled decay switched on, for 6 steps on two
    /// tensors, against the reference; the fused CPU op runs in f64.
    #[test]
    fn every_rule_matches_its_formula_over_several_steps() {
        let be = CpuBackend::<f64>::new();
        let shapes = [[3usize, 5usize], [1, 5]];
        let mut worst = 0.0f64;
        for rule in [UpdateRule::Sgd, UpdateRule::Momentum, UpdateRule::Nesterov, UpdateRule::Adam, UpdateRule::AdamW] {
            for (clip, l1, l2, decay) in [(None, 0.0, 0.0, 0.0), (Some(0.5), 0.01, 0.02, 0.1), (Some(100.0), 0.0, 0.05, 0.3)] {
                let init: Vec<Vec<f64>> = shapes.iter().enumerate().map(|(k, s)| random(s[0] * s[1], k as u32)).collect();
                let mut reference = Reference {
                    p: init.clone(),
                    m: shapes.iter().map(|s| vec![0.0; s[0] * s[1]]).collect(),
                    v: shapes.iter().map(|s| vec![0.0; s[0] * s[1]]).collect(),
                    t: 0,
                };
                let mut params: Vec<Array2<f64>> = shapes.iter().zip(&init).map(|(s, p)| be.upload(*s, p)).collect();
                let mut states: Vec<OptimizerState<Array2<f64>>> = shapes
                    .iter()
                    .map(|&s| OptimizerState { m: Array2::zeros(s), v: Array2::zeros(s) })
                    .collect();
                let mut norm_sq = Array2::zeros((1, 1));
                for t in 1..=6u32 {
                    let grads: Vec<Vec<f64>> =
                        shapes.iter().enumerate().map(|(k, s)| random(s[0] * s[1], 100 * t + k as u32)).collect();
                    let step = OptimizerStep {
                        rule,
                        lr: 0.05,
                        momentum: 0.9,
                        beta1: 0.8,
                        beta2: 0.99,
                        epsilon: 1e-8,
                        weight_decay: decay,
                        l1,
                        l2,
                        clip_norm: clip,
                        t,
                    };
                    reference.step(&step, &grads);
                    let grads: Vec<Array2<f64>> = shapes.iter().zip(&grads).map(|(s, g)| be.upload(*s, g)).collect();
                    for (k, g) in grads.iter().enumerate() {
                        be.sum_squares(g, &mut norm_sq, k > 0);
                    }
                    for ((p, g), st) in params.iter_mut().zip(&grads).zip(&mut states) {
                        be.optimizer_step(p, g, st, &step, clip.map(|_| &norm_sq));
                    }
                    for (param, want) in params.iter().zip(&reference.p) {
                        for (a, b) in param.iter().zip(want) {
                            let err = (a - b).abs() / (1.0 + b.abs());
                            assert!(err < 1e-12, "{rule:?} clip {clip:?} step {t}: {a} vs {b}");
                            worst = worst.max(err);
                        }
                    }
                }
            }
        }
        println!("optimiser rules vs reference (f64): max relative error {worst:e}");
    }

    /// The one-pass buffer update gives every element exactly the bits of the
    /// per-element rule (the vector loop must not reorder or fuse any operation), for
    /// every rule, on a length that leaves a remainder after any vector width.
    #[test]
    fn whole_buffer_update_matches_the_element_rule_bit_for_bit() {
        let len = 37;
        let f32s = |salt| random(len, salt).into_iter().map(|x| x as f32).collect::<Vec<f32>>();
        for rule in [UpdateRule::Sgd, UpdateRule::Momentum, UpdateRule::Nesterov, UpdateRule::Adam, UpdateRule::AdamW] {
            let step = OptimizerStep {
                rule,
                lr: 0.05,
                momentum: 0.9,
                beta1: 0.8,
                beta2: 0.99,
                epsilon: 1e-8,
                weight_decay: 0.1,
                l1: 0.01,
                l2: 0.02,
                clip_norm: Some(0.5),
                t: 3,
            };
            let er = ElementRule::new(&step, 0.7f32);
            let (mut p, g) = (f32s(1), f32s(2));
            p[4] = 0.0; // sign(0) = 0 for L1
            let (mut m, mut v) = (f32s(3), f32s(4).into_iter().map(f32::abs).collect::<Vec<f32>>());
            let (p0, mut p1, mut m1, mut v1) = (p.clone(), p.clone(), m.clone(), v.clone());
            for i in 0..len {
                er.apply(&mut p1[i], g[i], &mut m1[i], &mut v1[i]);
            }
            er.apply_all(&mut p, &g, &mut m, &mut v);
            for (a, b) in [(&p, &p1), (&m, &m1), (&v, &v1)] {
                assert!(a.iter().zip(b.iter()).all(|(x, y)| x.to_bits() == y.to_bits()), "{rule:?}: {a:?} vs {b:?}");
            }
            assert!(p.iter().zip(&p0).all(|(a, b)| a != b), "{rule:?} moves every parameter");
        }
    }

    #[test]
    fn clip_scale_is_one_below_the_threshold() {
        let mut s = OptimizerStep::sgd(0.1);
        assert_eq!(s.clip_scale(4.0f64), 1.0);
        s.clip_norm = Some(1.0);
        assert_eq!(s.clip_scale(0.25f64), 1.0);
        assert!((s.clip_scale(16.0f64) - 0.25).abs() < 1e-6);
    }
}
