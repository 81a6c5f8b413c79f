//! DeepLIFT with the Rescale rule (Shrikumar et al.; Captum's DeepLift): each
//! elementwise activation passes back the multiplier Δy/Δx between the sample's and the
//! baseline's forward passes (its gradient where Δx = 0 exactly; Captum switches below
//! |Δx| < 1e-10), linear layers and pooling their gradient, and the map is
//! (x − x′) ⊙ multipliers. On nets of linear layers, average pooling and elementwise
//! activations the map sums to S(x) − S(x′) (the gap is reported); max pooling uses its
//! gradient here, where Captum has a dedicated rule. Residual and squeeze-excite blocks,
//! gates and PReLU are refused.

use super::probe::repeat;
use super::{input_shape, Attribution, Baseline, Probe};
use crate::backend::{Backend, Real};
use crate::nn::{BackwardOptions, BackwardRule, Layer, Mode, Node, Nonlinearity, Trace};

struct Rescale<'a, T> {
    reference: &'a Trace<T>,
    reference_input: &'a T,
}

impl<B: Backend> BackwardRule<B> for Rescale<'_, B::Tensor> {
    fn backward(&self, be: &B, node: &Node<B>, x: &B::Tensor, y: &B::Tensor, dy: &B::Tensor) -> Option<B::Tensor> {
        let Layer::Activation(a) = &node.layer else { return None };
        let Nonlinearity::Elementwise(op) = a.nonlinearity else { return None };
        let x_ref = if node.id == 0 { self.reference_input } else { self.reference.output(self.reference_input, node.id - 1) };
        let y_ref = self.reference.output(self.reference_input, node.id);
        let (mut neg_x, mut neg_y) = (be.copy(x_ref), be.copy(y_ref));
        be.scale(&mut neg_x, -1.0);
        be.scale(&mut neg_y, -1.0);
        let (dx, dyv) = (be.add(x, &neg_x), be.add(y, &neg_y));
        let ratio = be.stabilized_div(&dyv, &dx, 0.0);
        // 1 where Δx ≠ 0, 0 where Δx = 0: the gradient fills in there.
        let moved = be.stabilized_div(&dx, &dx, 0.0);
        let shape = be.shape(x);
        let mut still = be.upload(shape, &vec![B::E::from_f32(1.0); shape[0] * shape[1]]);
        let mut minus = moved;
        be.scale(&mut minus, -1.0);
        still = be.add(&still, &minus);
        let slope = be.activation_backward(op, x, y, &still);
        Some(be.mul(dy, &be.add(&ratio, &slope)))
    }
}

pub async fn deeplift<B: Backend>(probe: &Probe<'_, B>, x: &[f64], seeds: &[f64], baseline: &Baseline) -> Result<Attribution, String> {
    let mut refused = None;
    probe.net.visit_nodes(&mut |n| match &n.layer {
        Layer::Residual(_) | Layer::SqueezeExcite(_) => _ = refused.get_or_insert(format!("deepLift: layer {} ({}) is not supported", n.id, n.layer.kind())),
        Layer::Activation(a) if !matches!(a.nonlinearity, Nonlinearity::Elementwise(_)) => {
            _ = refused.get_or_insert(format!("deepLift: layer {} (a gate or PReLU) is not supported", n.id))
        }
        _ => {}
    });
    if let Some(message) = refused {
        return Err(message);
    }
    let (f, k) = (probe.features(), probe.classes());
    let rows = x.len() / f;
    let mut baselines = Vec::with_capacity(x.len());
    for r in 0..rows {
        baselines.extend(baseline.of(&x[r * f..(r + 1) * f], probe.net.input, r)?);
    }
    let mut multipliers = Vec::with_capacity(x.len());
    for ((chunk, refs), seed) in x.chunks(probe.batch * f).zip(baselines.chunks(probe.batch * f)).zip(seeds.chunks(probe.batch * k)) {
        let (xt, rt) = (probe.upload(chunk, f), probe.upload(refs, f));
        let trace = probe.net.forward(probe.be, &xt, Mode::Eval);
        let reference = probe.net.forward(probe.be, &rt, Mode::Eval);
        let rule = Rescale { reference: &reference, reference_input: &rt };
        let options = BackwardOptions { input: true, params: false, layer_grads: false, rule: Some(&rule) };
        let g = probe.net.backward(probe.be, &xt, &trace, probe.upload(seed, k), options);
        multipliers.extend(probe.download(g.input.as_ref().expect("input gradient requested")).await);
        probe.advance(chunk.len() / f).await;
    }
    let mut ends = x.to_vec();
    ends.extend_from_slice(&baselines);
    let scores = probe.scores(&ends, &repeat(seeds, 2)).await;
    let mut maps = Vec::with_capacity(rows);
    let mut gaps = Vec::with_capacity(rows);
    for r in 0..rows {
        let at = r * f..(r + 1) * f;
        let map: Vec<f64> = multipliers[at.clone()].iter().zip(&x[at.clone()]).zip(&baselines[at]).map(|((m, x), b)| m * (x - b)).collect();
        gaps.push(map.iter().sum::<f64>() - (scores[r] - scores[rows + r]));
        maps.push(map);
    }
    Ok(Attribution { shape: input_shape(probe.net.input), maps, completeness_gap: Some(gaps) })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::explain::testing::*;
    use crate::explain::{gradient_x_input, Target};
    use crate::nn::Features;

    /// Summation to delta on ReLU/tanh nets with linear layers and average pooling; on a
    /// bias-free ReLU net with a zero baseline DeepLIFT-Rescale is gradient × input.
    #[test]
    fn deeplift_sums_to_the_score_difference() {
        let be = Be::new();
        let cases = [
            (r#"[{"type":"dense","units":6},{"type":"activation","function":"relu"},{"type":"dense","units":5},{"type":"activation","function":"tanh"},{"type":"dense","units":3}]"#, Features::Flat(4)),
            (r#"[{"type":"conv2d","filters":3,"kernel":3},{"type":"activation","function":"softplus"},{"type":"pool","op":"avg","size":2},{"type":"flatten"},{"type":"dense","units":3}]"#, image(2, 4, 4)),
        ];
        for (layers, input) in cases {
            let net = net(layers, input, 3, 1.0, 0.0);
            let probe = Probe::new(&be, &net).with_batch(2);
            let x = inputs(3, input.len(), 2, -1.0, 1.0);
            let seeds = Target::Predicted.seeds(&probe.logits(&x).await_now(), 3, None).unwrap();
            let a = deeplift(&probe, &x, &seeds, &Baseline::UniformNoise { low: -0.3, high: 0.3, seed: 1 }).await_now().unwrap();
            let gaps = a.completeness_gap.unwrap();
            assert!(gaps.iter().all(|g| g.abs() < 1e-10), "{gaps:?}");
            // Δx = 0 everywhere: the gradient takes over and the map is zero.
            let same = deeplift(&probe, &x, &seeds, &Baseline::Custom(x[..input.len()].to_vec())).await_now().unwrap();
            assert!(same.maps[0].iter().all(|v| *v == 0.0));
        }
        let mut relu = net(r#"[{"type":"dense","units":6},{"type":"activation","function":"relu"},{"type":"dense","units":3}]"#, Features::Flat(4), 5, 1.0, 0.0);
        relu.visit_params_mut(&mut |p| {
            if p.role == crate::nn::ParamRole::Bias {
                p.value.fill(0.0);
            }
        });
        let probe = Probe::new(&be, &relu);
        let x = inputs(2, 4, 6, -1.0, 1.0);
        let seeds = [1.0, 0.0, 0.0, 0.0, 0.0, 1.0];
        let a = deeplift(&probe, &x, &seeds, &Baseline::Zero).await_now().unwrap();
        let gxi = gradient_x_input(&probe, &x, &seeds).await_now();
        for r in 0..2 {
            close(&a.maps[r], &gxi.maps[r], 1e-12, "DeepLIFT vs gradient × input");
        }
    }
}
