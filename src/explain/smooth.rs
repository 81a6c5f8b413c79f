//! SmoothGrad (Smilkov et al.) and its variants over noisy copies x + ε of each sample:
//! the mean gradient, the mean squared gradient (SmoothGrad²) or the variance
//! E[g²] − E[g]² (VarGrad), as Captum's NoiseTunnel computes them. The noise is
//! N(0, σ²) in input units (Captum's `stdevs`), drawn from a seed, or given explicitly.

use super::{input_shape, Attribution, Probe};
use crate::backend::Backend;
use crate::rng::{Rng, Stream};
use super::probe::repeat;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Aggregate {
    /// SmoothGrad: E[g].
    Mean,
    /// SmoothGrad²: E[g²].
    MeanSquare,
    /// VarGrad: E[g²] − E[g]².
    Variance,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Noise {
    /// `samples` draws of N(0, σ²) per feature, seeded per sample row.
    Gaussian { sigma: f64, samples: usize, seed: u32 },
    /// The same noise rows (each one input wide) for every sample.
    Given(Vec<f64>),
}

impl Noise {
    /// The noise rows for sample `row` (`features` wide).
    fn rows(&self, row: usize, features: usize) -> Result<Vec<f64>, String> {
        match self {
            Noise::Gaussian { sigma, samples, seed } => {
                if !(sigma.is_finite() && *sigma >= 0.0) || *samples == 0 {
                    return Err(format!("smoothGrad: needs σ ≥ 0 and at least one sample, not σ = {sigma}, n = {samples}"));
                }
                let rng = Rng::new(*seed, Stream::Explain).child(row as u32);
                Ok((0..samples * features).map(|i| sigma * rng.normal(i as u32)).collect())
            }
            Noise::Given(v) => {
                if v.is_empty() || v.len() % features != 0 {
                    return Err(format!("noise: {} numbers are not whole rows of {features}", v.len()));
                }
                Ok(v.clone())
            }
        }
    }
}

pub async fn smooth_grad<B: Backend>(probe: &Probe<'_, B>, x: &[f64], seeds: &[f64], noise: &Noise, aggregate: Aggregate) -> Result<Attribution, String> {
    let (f, k) = (probe.features(), probe.classes());
    let rows = x.len() / f;
    let mut noisy = Vec::new();
    let mut noisy_seeds = Vec::new();
    let mut counts = Vec::with_capacity(rows);
    for r in 0..rows {
        let eps = noise.rows(r, f)?;
        let n = eps.len() / f;
        for e in eps.chunks(f) {
            noisy.extend(x[r * f..(r + 1) * f].iter().zip(e).map(|(x, e)| x + e));
        }
        noisy_seeds.extend(repeat(&seeds[r * k..(r + 1) * k], n));
        counts.push(n);
    }
    let grads = probe.gradients(&noisy, &noisy_seeds, None).await;
    let mut maps = Vec::with_capacity(rows);
    let mut at = 0;
    for n in counts {
        let (mut sum, mut sq) = (vec![0.0; f], vec![0.0; f]);
        for g in grads[at * f..(at + n) * f].chunks(f) {
            for i in 0..f {
                sum[i] += g[i];
                sq[i] += g[i] * g[i];
            }
        }
        at += n;
        let n = n as f64;
        maps.push(match aggregate {
            Aggregate::Mean => sum.iter().map(|s| s / n).collect(),
            Aggregate::MeanSquare => sq.iter().map(|s| s / n).collect(),
            Aggregate::Variance => sum.iter().zip(&sq).map(|(s, q)| q / n - (s / n) * (s / n)).collect(),
        });
    }
    Ok(Attribution { shape: input_shape(probe.net.input), maps, completeness_gap: None })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::explain::testing::*;
    use crate::explain::{saliency, SaliencyMode, Target};
    use crate::nn::Features;

    #[test]
    fn smoothgrad_is_the_gradient_at_zero_noise_and_the_mean_over_given_noise() {
        let be = Be::new();
        let net = net(r#"[{"type":"dense","units":6},{"type":"activation","function":"relu"},{"type":"dense","units":3}]"#, Features::Flat(4), 3, 0.9, 0.0);
        let probe = Probe::new(&be, &net).with_batch(5);
        let x = inputs(2, 4, 7, -1.0, 1.0);
        let seeds = Target::Class(2).seeds(&probe.logits(&x).await_now(), 3, None).unwrap();
        let gradient = saliency(&probe, &x, &seeds, SaliencyMode::Signed).await_now();
        let zero = smooth_grad(&probe, &x, &seeds, &Noise::Gaussian { sigma: 0.0, samples: 4, seed: 1 }, Aggregate::Mean).await_now().unwrap();
        assert_eq!(zero.maps, gradient.maps);
        let var0 = smooth_grad(&probe, &x, &seeds, &Noise::Gaussian { sigma: 0.0, samples: 4, seed: 1 }, Aggregate::Variance).await_now().unwrap();
        assert!(var0.maps.iter().flatten().all(|v| v.abs() < 1e-15));
        // With given noise: the mean, mean square and variance of the gradients at x + ε.
        let eps = inputs(5, 4, 9, -0.8, 0.8);
        let noise = Noise::Given(eps.clone());
        let sg = smooth_grad(&probe, &x, &seeds, &noise, Aggregate::Mean).await_now().unwrap();
        let sq = smooth_grad(&probe, &x, &seeds, &noise, Aggregate::MeanSquare).await_now().unwrap();
        let var = smooth_grad(&probe, &x, &seeds, &noise, Aggregate::Variance).await_now().unwrap();
        for r in 0..2 {
            let noisy: Vec<f64> = eps.chunks(4).flat_map(|e| x[r * 4..r * 4 + 4].iter().zip(e).map(|(a, b)| a + b).collect::<Vec<_>>()).collect();
            let g = probe.gradients(&noisy, &repeat(&seeds[r * 3..r * 3 + 3], 5), None).await_now();
            let mean: Vec<f64> = (0..4).map(|i| (0..5).map(|s| g[s * 4 + i]).sum::<f64>() / 5.0).collect();
            let msq: Vec<f64> = (0..4).map(|i| (0..5).map(|s| g[s * 4 + i].powi(2)).sum::<f64>() / 5.0).collect();
            close(&sg.maps[r], &mean, 1e-12, "SmoothGrad");
            close(&sq.maps[r], &msq, 1e-12, "SmoothGrad²");
            close(&var.maps[r], &(0..4).map(|i| msq[i] - mean[i] * mean[i]).collect::<Vec<_>>(), 1e-12, "VarGrad");
        }
        assert_ne!(sg.maps, gradient.maps, "noise moves the ReLU pattern");
        assert!(smooth_grad(&probe, &x, &seeds, &Noise::Given(vec![0.0; 3]), Aggregate::Mean).await_now().unwrap_err().contains("rows of 4"));
    }
}
