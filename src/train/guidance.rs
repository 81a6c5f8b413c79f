//! Explanation-guided training: the gradient, with respect to the parameters, of the "right
//! for the right reasons" penalty P = λ/n · ‖M ⊙ ∇ₓ S‖² with S = Σₙ Σₖ log pₖ(xₙ) over the
//! batch (Ross et al.), without double backpropagation.
//!
//! With g = ∇ₓ S and v = 2·M² ⊙ g held fixed, ∇θ ‖M ⊙ g‖² = ∇θ ⟨∇ₓ S, v⟩ = d/dε ∇θ S(θ, x + εv)
//! at ε = 0, which a central difference estimates from two more forward/backward passes:
//! [∇θ S(x + hv) − ∇θ S(x − hv)] / 2h. Every pass uses the step's training mode (the same
//! dropout masks), so the three passes see the same network.

use crate::backend::{Backend, Real};
use crate::data::Dataset;
use crate::nn::{BackwardOptions, Mode, Net, Trace};
use crate::spec::{Guidance, GuidanceMask};

/// The central difference's step along v (inputs are in [0, 1]; v is a masked gradient
/// of log-probabilities, so h·v is a small move in input space).
const STEP: f32 = 1e-3;

pub(super) struct Guide<T> {
    /// 2·M² for every training row and input feature, [n_train, features].
    weights: T,
    lambda: f32,
}

/// Grows a binary mask by `radius` in every direction of its `dims` (a square
/// neighbourhood: [h, w] for images, [len] for signals).
fn dilate(mask: &[u8], dims: &[usize], radius: usize) -> Vec<u8> {
    if radius == 0 {
        return mask.to_vec();
    }
    let (h, w) = match *dims {
        [h, w] => (h, w),
        [len] => (1, len),
        _ => unreachable!("masks are 1-D or 2-D"),
    };
    let ry = if h == 1 { 0 } else { radius };
    let mut out = vec![0u8; mask.len()];
    for y in 0..h {
        for x in 0..w {
            let hit = (y.saturating_sub(ry)..=(y + ry).min(h - 1))
                .any(|yy| (x.saturating_sub(radius)..=(x + radius).min(w - 1)).any(|xx| mask[yy * w + xx] != 0));
            out[y * w + x] = hit as u8;
        }
    }
    out
}

/// The mask M (1: must not matter) of every training row, broadcast over channels, as
/// the weights 2·M² of v, row-major [n_train, features].
pub(super) fn mask_weights(guidance: &Guidance, data: &Dataset) -> Result<Vec<f32>, String> {
    let (channels, dims): (usize, Vec<usize>) = match data.image {
        Some([c, h, w]) => (c, vec![h, w]),
        None => (1, vec![data.n_features]),
    };
    let per = dims.iter().product::<usize>();
    let source = match guidance.mask {
        GuidanceMask::Decoy => &data.decoy_masks,
        GuidanceMask::Background => &data.masks,
    };
    if source.len() != data.len() * per {
        let what = match guidance.mask {
            GuidanceMask::Decoy => "decoy masks",
            GuidanceMask::Background => "ground-truth masks",
        };
        return Err(format!("guidance needs {what} for every sample, and this dataset has none"));
    }
    let rows = source.chunks_exact(per).take(data.n_train);
    // Every place a decoy appears in the training split: a sample's own decoy alone
    // would leave the others' places free, and "the other corners are dark" names the
    // class as well as "my corner is lit".
    let decoy_places = match guidance.mask {
        GuidanceMask::Decoy => rows.clone().fold(vec![0u8; per], |acc, row| acc.iter().zip(row).map(|(&a, &b)| a | b).collect()),
        GuidanceMask::Background => Vec::new(),
    };
    let mut weights = Vec::with_capacity(data.n_train * data.n_features);
    for row in rows {
        let marked: Vec<u8> = match guidance.mask {
            GuidanceMask::Decoy => decoy_places.clone(),
            GuidanceMask::Background => row.iter().map(|&m| u8::from(m == 0)).collect(),
        };
        let grown = dilate(&marked, &dims, guidance.dilate as usize);
        for _ in 0..channels {
            weights.extend(grown.iter().map(|&m| 2.0 * f32::from(m)));
        }
    }
    Ok(weights)
}

/// d/dz of Σ_rows Σₖ log softmax(z)ₖ = 1 − K·softmax(z), per row.
fn log_prob_sum_seed<B: Backend>(be: &B, logits: &B::Tensor) -> B::Tensor {
    let [rows, k] = be.shape(logits);
    let mut p = be.softmax(logits);
    be.scale(&mut p, -(k as f32));
    be.add(&p, &be.upload([rows, k], &vec![B::E::from_f32(1.0); rows * k]))
}

/// ∇θ S at `x`, S = Σ log-probabilities of the batch.
fn log_prob_sum_param_grads<B: Backend>(be: &B, model: &Net<B>, x: &B::Tensor, mode: Mode) -> Vec<B::Tensor> {
    let trace = model.forward(be, x, mode);
    let seed = log_prob_sum_seed(be, trace.logits(x));
    model.backward(be, x, &trace, seed, BackwardOptions::training()).params
}

impl<T> Guide<T> {
    pub(super) fn new<B: Backend<Tensor = T>>(be: &B, guidance: &Guidance, data: &Dataset) -> Result<Self, String> {
        let weights = mask_weights(guidance, data)?;
        let values: Vec<B::E> = weights.iter().map(|&w| B::E::from_f32(w)).collect();
        Ok(Guide { weights: be.upload([data.n_train, data.n_features], &values), lambda: guidance.lambda })
    }

    /// The input gradient g = ∇ₓ S of the batch `x` (training rows `rows`) from the step's
    /// forward `trace`, and v = 2·M² ⊙ g.
    fn direction<B: Backend<Tensor = T>>(&self, be: &B, model: &Net<B>, x: &T, trace: &Trace<T>, rows: &[u32]) -> (T, T) {
        let seed = log_prob_sum_seed(be, trace.logits(x));
        let g = model.backward(be, x, trace, seed, BackwardOptions::input_only()).input.expect("asked for the input gradient");
        let v = be.mul(&be.gather_rows(&self.weights, rows), &g);
        (g, v)
    }

    /// Adds the penalty's parameter gradient for `batch` to `grads` (one per parameter,
    /// in `visit_params` order).
    pub(super) fn add_gradient<B: Backend<Tensor = T>>(&self, be: &B, model: &Net<B>, batch: Batch<'_, T>, grads: &mut [T]) {
        let Batch { x, trace, rows, mode } = batch;
        let (_, mut v) = self.direction(be, model, x, trace, rows);
        be.scale(&mut v, STEP);
        let ahead = be.add(x, &v);
        be.scale(&mut v, -1.0);
        let behind = be.add(x, &v);
        let plus = log_prob_sum_param_grads(be, model, &ahead, mode);
        let minus = log_prob_sum_param_grads(be, model, &behind, mode);
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

    /// The penalty λ/n·‖M ⊙ ∇ₓ S‖² of the batch.
    async fn penalty(guide: &Guide<<CpuBackend<f64> as Backend>::Tensor>, be: &CpuBackend<f64>, model: &Net<CpuBackend<f64>>, x: &<CpuBackend<f64> as Backend>::Tensor, rows: &[u32]) -> f64 {
        let trace = model.forward(be, x, Mode::Eval);
        let (g, v) = guide.direction(be, model, x, &trace, rows);
        // ‖M ⊙ g‖² = ½⟨v, g⟩ for a binary M (v = 2·M ⊙ g).
        let (v, g) = (be.read(&v).await, be.read(&g).await);
        let dot: f64 = v.iter().zip(&g).map(|(a, b)| a * b).sum();
        f64::from(guide.lambda) * 0.5 * dot / rows.len() as f64
    }

    #[test]
    fn the_penalty_gradient_matches_a_finite_difference_of_the_penalty() {
        pollster::block_on(async {
            let be = CpuBackend::<f64>::new();
            let data = data();
            let mut model = net(&be);
            let guidance = Guidance { lambda: 3.0, mask: GuidanceMask::Background, dilate: 0 };
            let guide = Guide::new(&be, &guidance, &data).unwrap();
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
            let at_theta = penalty(&guide, &be, &model, &x, &rows).await;
            assert!(at_theta > 1e-3, "a penalty worth checking: {at_theta}");
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
                let ahead = penalty(&guide, &be, &model, &x, &rows).await;
                set_params(&be, &mut model, &moved(-1.0));
                let behind = penalty(&guide, &be, &model, &x, &rows).await;
                set_params(&be, &mut model, &theta);
                let fd = (ahead - behind) / (2.0 * eps);
                let est: f64 = estimate.iter().zip(&dir).map(|(e, d)| e.iter().zip(d).map(|(a, b)| a * b).sum::<f64>()).sum();
                assert!((fd - est).abs() <= 1e-4 * (1.0 + fd.abs()), "finite difference {fd} vs the mixed-derivative estimate {est}");
            }
        });
    }

    #[test]
    fn dilation_grows_a_mask_by_a_square_neighbourhood_and_stays_inside() {
        let mut m = vec![0u8; 25];
        m[12] = 1; // the centre of 5×5
        let d = dilate(&m, &[5, 5], 1);
        let lit: Vec<usize> = (0..25).filter(|&i| d[i] == 1).collect();
        assert_eq!(lit, [6, 7, 8, 11, 12, 13, 16, 17, 18]);
        m = vec![0u8; 25];
        m[0] = 1; // a corner clips at the edge
        assert_eq!(dilate(&m, &[5, 5], 2).iter().filter(|&&v| v == 1).count(), 9);
        assert_eq!(dilate(&[0, 0, 1, 0, 0, 0], &[6], 2), [1, 1, 1, 1, 1, 0]);
        assert_eq!(dilate(&[0, 1, 0], &[3], 0), [0, 1, 0]);
    }
}
