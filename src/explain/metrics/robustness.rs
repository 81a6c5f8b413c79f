//! Robustness: max-sensitivity (Yeh et al.), the largest relative change of a map,
//! maxⱼ ‖a(x + δⱼ) − a(x)‖ / ‖a(x)‖, over seeded perturbations δⱼ uniform in the L∞
//! ball of `radius`, each explaining the same score as the original sample.

use super::Explainer;
use crate::backend::Backend;
use crate::explain::probe::repeat;
use crate::explain::Probe;
use crate::rng::{Rng, Stream};

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SensitivityOptions {
    pub radius: f64,
    /// Perturbations per sample.
    pub samples: usize,
    pub seed: u32,
}

/// The max-sensitivity of each row of `x`, whose maps under `explainer` are `maps`
/// (0 where both the map and every perturbed map vanish).
pub async fn max_sensitivity<B: Backend>(probe: &Probe<'_, B>, explainer: &dyn Explainer<B>, x: &[f64], seeds: &[f64], maps: &[Vec<f64>], o: &SensitivityOptions) -> Result<Vec<f64>, String> {
    if !(o.radius.is_finite() && o.radius >= 0.0) || o.samples == 0 {
        return Err(format!("max-sensitivity: the radius must be a number ≥ 0 and the perturbations at least 1, not {} and {}", o.radius, o.samples));
    }
    let (f, k, m) = (probe.features(), probe.classes(), o.samples);
    let mut rows = Vec::with_capacity(x.len() * m);
    for (r, xr) in x.chunks(f).enumerate() {
        for j in 0..m {
            let rng = Rng::new(o.seed, Stream::Explain).child((r * m + j) as u32);
            rows.extend(xr.iter().enumerate().map(|(i, v)| v + o.radius * (2.0 * rng.uniform(i as u32) as f64 - 1.0)));
        }
    }
    let row_seeds: Vec<f64> = seeds.chunks(k).flat_map(|s| repeat(s, m)).collect();
    let perturbed = explainer.explain(probe, &rows, &row_seeds).await?.maps;
    let norm = |v: &[f64]| v.iter().map(|a| a * a).sum::<f64>().sqrt();
    Ok(maps
        .iter()
        .zip(perturbed.chunks(m))
        .map(|(a, others)| {
            let worst = others.iter().map(|b| norm(&a.iter().zip(b).map(|(p, q)| q - p).collect::<Vec<_>>())).fold(0.0, f64::max);
            let size = norm(a);
            if worst == 0.0 { 0.0 } else if size == 0.0 { f64::INFINITY } else { worst / size }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::explain::request::Method;
    use crate::explain::testing::*;
    use crate::nn::Features;

    /// The gradient of a linear model does not move, so its sensitivity is 0; the
    /// gradient × input moves by w⊙δ, at most radius·‖w‖/‖w⊙x‖, and grows with the radius.
    #[test]
    fn a_linear_model_s_gradient_is_insensitive_and_gradient_x_input_bounded() {
        let be = Be::new();
        let net = net(r#"[{"type":"dense","units":2}]"#, Features::Flat(6), 4, 1.0, 0.0);
        let probe = Probe::new(&be, &net).with_batch(5);
        let x = inputs(3, 6, 2, 0.5, 1.0);
        let seeds: Vec<f64> = (0..3).flat_map(|_| [0.0, 1.0]).collect();
        let o = SensitivityOptions { radius: 0.1, samples: 8, seed: 1 };
        let signed = Method::Gradient(crate::explain::SaliencyMode::Signed);
        let maps = signed.explain(&probe, &x, &seeds).await_now().unwrap().maps;
        assert!(max_sensitivity(&probe, &signed, &x, &seeds, &maps, &o).await_now().unwrap().iter().all(|s| s.abs() < 1e-12));
        let gxi = Method::GradientXInput;
        let maps = gxi.explain(&probe, &x, &seeds).await_now().unwrap().maps;
        let small = max_sensitivity(&probe, &gxi, &x, &seeds, &maps, &o).await_now().unwrap();
        let large = max_sensitivity(&probe, &gxi, &x, &seeds, &maps, &SensitivityOptions { radius: 0.3, ..o }).await_now().unwrap();
        let w = &probe.gradients(&x[..6], &seeds[..2], None).await_now();
        let bound = 0.1 * w.iter().map(|v| v * v).sum::<f64>().sqrt() / maps[0].iter().map(|v| v * v).sum::<f64>().sqrt();
        assert!(small[0] > 0.0 && small[0] <= bound + 1e-12, "{} vs {bound}", small[0]);
        assert!(small.iter().zip(&large).all(|(s, l)| l > s), "{small:?} {large:?}");
        assert!(max_sensitivity(&probe, &gxi, &x, &seeds, &maps, &SensitivityOptions { samples: 0, ..o }).await_now().is_err());
    }
}
