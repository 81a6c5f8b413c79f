//! Explanation-guided training: the parameter gradient of a penalty on the explanation
//! inside a mask M (1: must not matter), without double backpropagation.
//!
//! Both penalties are a function of an input gradient g = ∇ₓ S of a score S summed over
//! the batch. Holding u = ∂penalty/∂g fixed, ∇θ penalty = ∇θ ⟨∇ₓ S, u⟩ = d/dε ∇θ S(θ, x + εu)
//! at ε = 0, which a central difference estimates from two more forward/backward passes:
//! [∇θ S(x + hu) − ∇θ S(x − hu)] / 2h. Every pass uses the step's training mode (the same
//! dropout masks), so the three passes see the same network.
//! - rrr (Ross et al.): P = ‖K·M ⊙ g‖², S = Σₙ Σₖ log pₖ(xₙ), u = 2·(K·M)² ⊙ g.
//! - energy: P = Σₙ (1 − Iₙ/Tₙ) with A = x ⊙ g, S = Σₙ z_yₙ(xₙ) (the label's logit),
//!   Tₙ = Σᵢ Kᵢ·A⁺ᵢ, Iₙ = Σᵢ Kᵢ·(1 − Mᵢ)·A⁺ᵢ (K: the pixels that take part, see
//!   `masks`); ∂P/∂Aᵢ = [Aᵢ > 0]·Kᵢ·(Iₙ − (1 − Mᵢ)·Tₙ)/Tₙ², so u = x ⊙ ∂P/∂A.
//!
//! The step adds λ/n times the batch's sum.

use crate::backend::{ActivationOp, Backend, Real};
use crate::data::Dataset;
use crate::nn::{BackwardOptions, Mode, Net, Trace};
use crate::spec::{Guidance, GuidancePenalty};

mod masks;

/// The central difference's step along u (inputs are in [0, 1]; u is a masked gradient,
/// so h·u is a small move in input space).
const STEP: f32 = 1e-3;
/// Keeps the energy's Iₙ/Tₙ finite for a sample without positive evidence (Tₙ = 0).
const ENERGY_EPS: f32 = 1e-9;

/// Whether `guidance` finds its masks on `data`: painted bitsets must match the images'
/// size, which a spec alone cannot check for uploaded images.
pub(crate) fn check(guidance: &Guidance, data: &Dataset) -> Result<(), String> {
    masks::masks(guidance, data).map(|_| ())
}

pub(super) struct Guide<T> {
    /// Per training row and input feature, [n_train, features], with K the pixels that
    /// take part (see `masks`): 2·(K·M)² (rrr) or K·(1 − M) (energy: where evidence may lie).
    weights: T,
    energy: Option<Energy<T>>,
    lambda: f32,
}

/// What only the energy needs.
struct Energy<T> {
    /// The labels' one-hots, [n_train, classes].
    onehot: T,
    /// K, [n_train, features].
    counted: T,
}

/// d/dz of Σ_rows Σₖ log softmax(z)ₖ = 1 − K·softmax(z), per row.
fn log_prob_sum_seed<B: Backend>(be: &B, logits: &B::Tensor) -> B::Tensor {
    let [rows, k] = be.shape(logits);
    let mut p = be.softmax(logits);
    be.scale(&mut p, -(k as f32));
    be.add(&p, &be.upload([rows, k], &vec![B::E::from_f32(1.0); rows * k]))
}

/// A [rows, 1] column's entries repeated across `columns`: [rows, columns].
fn broadcast<B: Backend>(be: &B, column: &B::Tensor, columns: usize) -> B::Tensor {
    be.matmul(column, &be.upload([1, columns], &vec![B::E::from_f32(1.0); columns]), false, false)
}

/// Each row's sum, [rows, 1].
fn row_sums<B: Backend>(be: &B, x: &B::Tensor) -> B::Tensor {
    let [_, columns] = be.shape(x);
    be.matmul(x, &be.upload([columns, 1], &vec![B::E::from_f32(1.0); columns]), false, false)
}

impl<T> Guide<T> {
    pub(super) fn new<B: Backend<Tensor = T>>(be: &B, guidance: &Guidance, data: &Dataset) -> Result<Self, String> {
        let masks::Masks { must_not, counted } = masks::masks(guidance, data)?;
        let shape = [data.n_train, data.n_features];
        let upload = |values: &mut dyn Iterator<Item = f32>| be.upload(shape, &values.map(B::E::from_f32).collect::<Vec<_>>());
        let pairs = || must_not.iter().zip(&counted);
        let (weights, energy) = match guidance.penalty {
            GuidancePenalty::Rrr => (upload(&mut pairs().map(|(m, k)| 2.0 * (m * k).powi(2))), None),
            GuidancePenalty::Energy => {
                let mut onehot = vec![B::E::from_f32(0.0); data.n_train * data.classes];
                for (row, &label) in data.labels[..data.n_train].iter().enumerate() {
                    onehot[row * data.classes + label as usize] = B::E::from_f32(1.0);
                }
                let energy = Energy { onehot: be.upload([data.n_train, data.classes], &onehot), counted: upload(&mut counted.iter().copied()) };
                (upload(&mut pairs().map(|(m, k)| k * (1.0 - m))), Some(energy))
            }
        };
        Ok(Guide { weights, energy, lambda: guidance.lambda })
    }

    /// The score's input gradient g = ∇ₓ S of the batch `x` (training rows `rows`) from
    /// the step's forward `trace`.
    fn input_gradient<B: Backend<Tensor = T>>(&self, be: &B, model: &Net<B>, x: &T, trace: &Trace<T>, rows: &[u32]) -> T {
        let seed = self.score_seed(be, trace.logits(x), rows);
        model.backward(be, x, trace, seed, BackwardOptions::input_only()).input.expect("asked for the input gradient")
    }

    /// dS/dz of the penalty's score S at the batch's `logits`.
    fn score_seed<B: Backend<Tensor = T>>(&self, be: &B, logits: &T, rows: &[u32]) -> T {
        match &self.energy {
            None => log_prob_sum_seed(be, logits),
            Some(energy) => be.gather_rows(&energy.onehot, rows),
        }
    }

    /// ∇θ S at `x`.
    fn score_param_grads<B: Backend<Tensor = T>>(&self, be: &B, model: &Net<B>, x: &T, rows: &[u32], mode: Mode) -> Vec<T> {
        let trace = model.forward(be, x, mode);
        let seed = self.score_seed(be, trace.logits(x), rows);
        model.backward(be, x, &trace, seed, BackwardOptions::training()).params
    }

    /// The input gradient g and u = ∂P/∂g (see the module comment).
    fn direction<B: Backend<Tensor = T>>(&self, be: &B, model: &Net<B>, x: &T, trace: &Trace<T>, rows: &[u32]) -> (T, T) {
        let g = self.input_gradient(be, model, x, trace, rows);
        let weights = be.gather_rows(&self.weights, rows);
        let Some(energy) = &self.energy else {
            let u = be.mul(&weights, &g);
            return (g, u);
        };
        let [_, features] = be.shape(x);
        let a = be.mul(x, &g);
        let positive = be.activation(ActivationOp::Relu, &a);
        let counted = be.gather_rows(&energy.counted, rows);
        let total = broadcast(be, &row_sums(be, &be.mul(&counted, &positive)), features);
        let inside = broadcast(be, &row_sums(be, &be.mul(&weights, &positive)), features);
        let mut numerator = be.mul(&weights, &total);
        be.scale(&mut numerator, -1.0);
        let numerator = be.mul(&counted, &be.add(&inside, &numerator));
        let d_positive = be.stabilized_div(&numerator, &be.mul(&total, &total), ENERGY_EPS);
        let d_a = be.activation_backward(ActivationOp::Relu, &a, &positive, &d_positive);
        let u = be.mul(x, &d_a);
        (g, u)
    }

    /// Adds the penalty's parameter gradient for `batch` to `grads` (one per parameter,
    /// in `visit_params` order).
    pub(super) fn add_gradient<B: Backend<Tensor = T>>(&self, be: &B, model: &Net<B>, batch: Batch<'_, T>, grads: &mut [T]) {
        let Batch { x, trace, rows, mode } = batch;
        let (_, mut u) = self.direction(be, model, x, trace, rows);
        be.scale(&mut u, STEP);
        let ahead = be.add(x, &u);
        be.scale(&mut u, -1.0);
        let behind = be.add(x, &u);
        let plus = self.score_param_grads(be, model, &ahead, rows, mode);
        let minus = self.score_param_grads(be, model, &behind, rows, mode);
        let coef = self.lambda / (2.0 * STEP * rows.len() as f32);
        for ((grad, p), mut m) in grads.iter_mut().zip(plus).zip(minus) {
            be.scale(&mut m, -1.0);
            let mut d = be.add(&p, &m);
            be.scale(&mut d, coef);
            *grad = be.add(grad, &d);
        }
    }
}

/// One training step's batch: its inputs, their forward trace in the step's `mode`, and
/// which training rows they are.
pub(super) struct Batch<'a, T> {
    pub x: &'a T,
    pub trace: &'a Trace<T>,
    pub rows: &'a [u32],
    pub mode: Mode,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::cpu::CpuBackend;
    use crate::backend::ImageShape;
    use crate::nn::Features;
    use crate::rng::{Rng, Stream};
    use crate::spec::ModelSpec;

    /// Six seeded 5×5 two-channel images of 3 classes, each with a random object mask.
    fn data() -> Dataset {
        let rng = Rng::new(7, Stream::Init);
        let (n, c, h, w) = (6, 2, 5, 5);
        Dataset {
            features: (0..n * c * h * w).map(|i| rng.uniform(i as u32)).collect(),
            labels: (0..n as u32).map(|i| i % 3).collect(),
            n_features: c * h * w,
            classes: 3,
            n_train: 4,
            image: Some([c, h, w]),
            masks: (0..n * h * w).map(|i| u8::from(rng.child(1).uniform(i as u32) < 0.4)).collect(),
            ..Dataset::default()
        }
    }

    fn net(be: &CpuBackend<f64>) -> Net<CpuBackend<f64>> {
        // Smooth activations, so the penalty has the derivatives the check compares.
        let model: ModelSpec = serde_json::from_str(
            r#"{"hidden": [], "activation": "tanh", "layers": [
                {"type": "conv2d", "filters": 3, "kernel": 3, "padding": "same"}, {"type": "activation", "function": "tanh"},
                {"type": "flatten"}, {"type": "dense", "units": 4}, {"type": "activation", "function": "softplus"},
                {"type": "dense", "units": 3}]}"#,
        )
        .unwrap();
        Net::build(be, Features::Image(ImageShape::new(2, 5, 5)), &model, 3, 11).unwrap()
    }

    async fn params(be: &CpuBackend<f64>, model: &Net<CpuBackend<f64>>) -> Vec<Vec<f64>> {
        let mut tensors = Vec::new();
        model.visit_params(&mut |p| tensors.push(p.value.clone()));
        let mut out = Vec::new();
        for t in &tensors {
            out.push(be.read(t).await);
        }
        out
    }

    fn set_params(be: &CpuBackend<f64>, model: &mut Net<CpuBackend<f64>>, values: &[Vec<f64>]) {
        let mut i = 0;
        model.visit_params_mut(&mut |p| {
            p.value = be.upload(be.shape(&p.value), &values[i]);
            i += 1;
        });
    }

    /// The penalty of the batch `x` (training rows `rows`), straight from its definition
    /// (see the module comment) given the score's input gradient.
    async fn penalty(guide: &Guide<<CpuBackend<f64> as Backend>::Tensor>, be: &CpuBackend<f64>, model: &Net<CpuBackend<f64>>, x: &<CpuBackend<f64> as Backend>::Tensor, masks: &masks::Masks, rows: &[u32]) -> f64 {
        let trace = model.forward(be, x, Mode::Eval);
        let g = be.read(&guide.input_gradient(be, model, x, &trace, rows)).await;
        let xs = be.read(x).await;
        let features = masks.must_not.len() / 4;
        let mut sum = 0.0;
        for (n, &row) in rows.iter().enumerate() {
            let m = masks.must_not[row as usize * features..][..features].iter().map(|&m| f64::from(m));
            let k: Vec<f64> = masks.counted[row as usize * features..][..features].iter().map(|&k| f64::from(k)).collect();
            let (g, xs) = (&g[n * features..][..features], &xs[n * features..][..features]);
            sum += match guide.energy {
                None => m.zip(&k).zip(g).map(|((m, k), g)| (k * m * g).powi(2)).sum::<f64>(),
                Some(_) => {
                    let positive: Vec<f64> = xs.iter().zip(g).zip(&k).map(|((x, g), k)| k * (x * g).max(0.0)).collect();
                    let inside: f64 = positive.iter().zip(m).map(|(a, m)| a * (1.0 - m)).sum();
                    1.0 - inside / positive.iter().sum::<f64>()
                }
            };
        }
        f64::from(guide.lambda) * sum / rows.len() as f64
    }

    #[test]
    fn the_penalty_gradient_matches_a_finite_difference_of_the_penalty() {
        // Soft masks with confidence weighting exercise every factor.
        let robust = r#", "soften": 0.8, "confidence": 0.3"#;
        for (penalty_kind, extra) in [("rrr", ""), ("energy", ""), ("rrr", robust), ("energy", robust)] {
            pollster::block_on(async {
                let be = CpuBackend::<f64>::new();
                let data = data();
                let mut model = net(&be);
                let guidance: Guidance =
                    serde_json::from_str(&format!(r#"{{"lambda": 3, "mask": "background", "penalty": "{penalty_kind}"{extra}}}"#)).unwrap();
                let guide = Guide::new(&be, &guidance, &data).unwrap();
                let masks = masks::masks(&guidance, &data).unwrap();
                let rows = [0u32, 1, 2, 3];
                let features: Vec<f64> = data.features.iter().map(|&v| f64::from(v)).collect();
                let x = be.gather_rows(&be.upload([data.len(), data.n_features], &features), &rows);
                let trace = model.forward(&be, &x, Mode::Eval);
                let theta = params(&be, &model).await;
                let mut grads = Vec::new();
                model.visit_params(&mut |p| {
                    let [r, c] = be.shape(&p.value);
                    grads.push(be.upload([r, c], &vec![0.0; r * c]));
                });
                guide.add_gradient(&be, &model, Batch { x: &x, trace: &trace, rows: &rows, mode: Mode::Eval }, &mut grads);
                let estimate: Vec<Vec<f64>> = {
                    let mut out = Vec::new();
                    for g in &grads {
                        out.push(be.read(g).await);
                    }
                    out
                };
                let at_theta = penalty(&guide, &be, &model, &x, &masks, &rows).await;
                assert!(at_theta > 1e-3, "{penalty_kind}: a penalty worth checking: {at_theta}");
                // Along three seeded directions in parameter space.
                for k in 0..3 {
                    let rng = Rng::new(3, Stream::Init).child(k);
                    let mut index = 0;
                    let dir: Vec<Vec<f64>> = theta
                        .iter()
                        .map(|t| t.iter().map(|_| { index += 1; f64::from(rng.uniform_in(index, -1.0, 1.0)) }).collect())
                        .collect();
                    let eps = 1e-5;
                    let moved = |sign: f64| -> Vec<Vec<f64>> {
                        theta.iter().zip(&dir).map(|(t, d)| t.iter().zip(d).map(|(a, b)| a + sign * eps * b).collect()).collect()
                    };
                    set_params(&be, &mut model, &moved(1.0));
                    let ahead = penalty(&guide, &be, &model, &x, &masks, &rows).await;
                    set_params(&be, &mut model, &moved(-1.0));
                    let behind = penalty(&guide, &be, &model, &x, &masks, &rows).await;
                    set_params(&be, &mut model, &theta);
                    let fd = (ahead - behind) / (2.0 * eps);
                    let est: f64 = estimate.iter().zip(&dir).map(|(e, d)| e.iter().zip(d).map(|(a, b)| a * b).sum::<f64>()).sum();
                    println!("{penalty_kind}{extra}: finite difference {fd:.6}, mixed-derivative estimate {est:.6}");
                    assert!(fd.abs() > 1e-3, "{penalty_kind}: a direction worth checking: {fd}");
                    assert!((fd - est).abs() <= 1e-4 * (1.0 + fd.abs()), "{penalty_kind}: finite difference {fd} vs the mixed-derivative estimate {est}");
                }
            });
        }
    }
}
