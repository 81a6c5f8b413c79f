//! Integrated Gradients (Sundararajan et al.): (x − x')·∫₀¹ ∂S(x' + α(x − x'))/∂x dα by a
//! quadrature rule, every path point of every sample going through the network in
//! batches. The completeness gap Σ attribution − (S(x) − S(x')) is reported per sample
//! (Captum's convergence delta).

use super::{input_shape, Attribution, Baseline, Probe, Quadrature};
use crate::backend::Backend;
use super::probe::repeat;

#[derive(Clone, Debug, PartialEq)]
pub struct IgOptions {
    pub baseline: Baseline,
    pub steps: usize,
    pub rule: Quadrature,
}

impl Default for IgOptions {
    /// Captum's defaults: a zero baseline, 50 Gauss–Legendre steps.
    fn default() -> Self {
        IgOptions { baseline: Baseline::Zero, steps: 50, rule: Quadrature::GaussLegendre }
    }
}

pub async fn integrated_gradients<B: Backend>(probe: &Probe<'_, B>, x: &[f64], seeds: &[f64], options: &IgOptions) -> Result<Attribution, String> {
    let (f, k) = (probe.features(), probe.classes());
    let (alphas, weights) = options.rule.points(options.steps)?;
    let rows = x.len() / f;
    let mut baselines = Vec::with_capacity(x.len());
    let mut path = Vec::with_capacity(x.len() * alphas.len());
    let mut path_seeds = Vec::with_capacity(seeds.len() * alphas.len());
    for r in 0..rows {
        let xr = &x[r * f..(r + 1) * f];
        let b = options.baseline.of(xr, probe.net.input, r)?;
        for &a in &alphas {
            path.extend(b.iter().zip(xr).map(|(b, x)| b + a * (x - b)));
        }
        path_seeds.extend(repeat(&seeds[r * k..(r + 1) * k], alphas.len()));
        baselines.extend(b);
    }
    let grads = probe.gradients(&path, &path_seeds, None).await;
    let mut ends = x.to_vec();
    ends.extend_from_slice(&baselines);
    let mut end_seeds = seeds.to_vec();
    end_seeds.extend_from_slice(seeds);
    let scores = probe.scores(&ends, &end_seeds).await;
    let mut maps = Vec::with_capacity(rows);
    let mut gaps = Vec::with_capacity(rows);
    for r in 0..rows {
        let mut avg = vec![0.0; f];
        for (s, w) in weights.iter().enumerate() {
            let g = &grads[(r * alphas.len() + s) * f..][..f];
            avg.iter_mut().zip(g).for_each(|(a, g)| *a += w * g);
        }
        let map: Vec<f64> = avg.iter().zip(&x[r * f..]).zip(&baselines[r * f..]).map(|((g, x), b)| g * (x - b)).collect();
        gaps.push(map.iter().sum::<f64>() - (scores[r] - scores[rows + r]));
        maps.push(map);
    }
    Ok(Attribution { shape: input_shape(probe.net.input), maps, completeness_gap: Some(gaps) })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::explain::testing::*;
    use crate::explain::Target;
    use crate::nn::Features;

    fn worst_gap(a: &Attribution) -> f64 {
        a.completeness_gap.as_ref().unwrap().iter().fold(0.0, |m, g| m.max(g.abs()))
    }

    /// Completeness Σ IG = S(x) − S(x') holds up to the quadrature error: first order in
    /// the step for left/right Riemann, second for middle/trapezoid, and to rounding for
    /// Gauss–Legendre on a smooth network.
    #[test]
    fn ig_completeness_gap_shrinks_as_its_rule_allows() {
        let be = Be::new();
        let layers = r#"[{"type":"conv2d","filters":3,"kernel":3},{"type":"activation","function":"softplus"},{"type":"flatten"},{"type":"dense","units":6},{"type":"activation","function":"tanh"},{"type":"dense","units":3}]"#;
        let net = net(layers, image(1, 5, 4), 8, 0.9, 0.0);
        let probe = Probe::new(&be, &net).with_batch(16);
        let x = inputs(3, 20, 5, -2.0, 2.0);
        let seeds = Target::Predicted.seeds(&probe.logits(&x).await_now(), 3, None).unwrap();
        let ig = |rule, steps, baseline| {
            let options = IgOptions { baseline, steps, rule };
            integrated_gradients(&probe, &x, &seeds, &options).await_now().unwrap()
        };
        let noise = Baseline::UniformNoise { low: -0.5, high: 0.5, seed: 2 };
        let gl = ig(Quadrature::GaussLegendre, 32, noise.clone());
        assert!(worst_gap(&gl) < 1e-10, "Gauss–Legendre gap {:e}", worst_gap(&gl));
        assert!(worst_gap(&ig(Quadrature::Left, 8, Baseline::Zero)) > 1e-4, "a coarse Riemann sum leaves a gap");
        for (rule, order) in [(Quadrature::Left, 2.0), (Quadrature::Right, 2.0), (Quadrature::Middle, 4.0), (Quadrature::Trapezoid, 4.0)] {
            let (coarse, fine) = if rule == Quadrature::Trapezoid { (65, 129) } else { (64, 128) };
            let ratio = worst_gap(&ig(rule, coarse, noise.clone())) / worst_gap(&ig(rule, fine, noise.clone()));
            assert!((ratio / order - 1.0).abs() < 0.15, "{rule:?}: gap ratio {ratio}, expected about {order}");
        }
        // The fine rules agree with Gauss–Legendre map for map.
        let mid = ig(Quadrature::Middle, 256, noise.clone());
        for s in 0..3 {
            close(&mid.maps[s], &gl.maps[s], 1e-4, "middle vs Gauss–Legendre");
        }
        // On a linear model IG is w ⊙ (x − x') exactly.
        let linear = super::super::testing::net(r#"[{"type":"dense","units":2}]"#, Features::Flat(3), 1, 1.0, 0.0);
        let probe = Probe::new(&be, &linear);
        let x = [1.0, -2.0, 0.5];
        let a = integrated_gradients(&probe, &x, &[0.0, 1.0], &IgOptions { steps: 3, rule: Quadrature::Left, baseline: Baseline::Custom(vec![0.5, 0.5, 0.5]) })
            .await_now()
            .unwrap();
        let w = match &linear.nodes[0].layer {
            crate::nn::Layer::Dense(d) => d.weight.value.row(1).to_vec(),
            _ => unreachable!(),
        };
        close(&a.maps[0], &[w[0] * 0.5, w[1] * -2.5, 0.0], 1e-12, "linear IG");
    }
}
