//! Weight and bias initialisation for dense layers, drawn from the counter RNG so that a
//! seed gives the same numbers on every platform: Glorot, He, LeCun, orthogonal,
//! criticality, and the plain Gaussians the abc-parametrisation asks for.

use crate::rng::Rng;
use crate::spec::Init;

/// A dense layer's initial numbers: weight [fan_out, fan_in] row-major, bias [fan_out].
pub struct LayerInit {
    pub weight: Vec<f32>,
    pub bias: Vec<f32>,
}

/// `len` draws from N(0, std²).
pub fn normal(rng: Rng, len: usize, std: f64) -> Vec<f32> {
    (0..len).map(|i| (std * rng.normal(i as u32)) as f32).collect()
}

/// Draws one layer. `rng` is the layer's own stream; biases use a child of it.
pub fn draw(init: Init, fan_in: usize, fan_out: usize, rng: Rng) -> LayerInit {
    let len = fan_in * fan_out;
    let zeros = || vec![0.0; fan_out];
    let lecun_std = |gain: f64| libm::sqrt(gain / fan_in as f64);
    match init {
        // Exactly the skeleton's draws: the determinism fixture depends on these bits.
        Init::GlorotUniform => {
            let limit = (6.0 / (fan_in + fan_out) as f32).sqrt();
            LayerInit { weight: (0..len).map(|i| rng.uniform_in(i as u32, -limit, limit)).collect(), bias: zeros() }
        }
        Init::He => LayerInit { weight: normal(rng, len, lecun_std(2.0)), bias: zeros() },
        Init::Lecun => LayerInit { weight: normal(rng, len, lecun_std(1.0)), bias: zeros() },
        Init::Orthogonal => LayerInit { weight: orthogonal(rng, fan_out, fan_in), bias: zeros() },
        Init::Criticality { c_w, c_b } => LayerInit {
            weight: normal(rng, len, lecun_std(c_w as f64)),
            bias: normal(rng.child(0), fan_out, libm::sqrt(c_b as f64)),
        },
    }
}

/// A [rows, cols] matrix with orthonormal rows (rows ≤ cols) or columns (rows > cols):
/// modified Gram–Schmidt on a Gaussian matrix, which is the QR factor with a positive
/// diagonal in R (the sign convention of PyTorch's `orthogonal_`).
fn orthogonal(rng: Rng, rows: usize, cols: usize) -> Vec<f32> {
    let (count, dim) = if rows <= cols { (rows, cols) } else { (cols, rows) };
    // `count` vectors of length `dim`: the rows, or the columns when the matrix is tall.
    let mut vecs: Vec<Vec<f64>> =
        (0..count).map(|k| (0..dim).map(|j| rng.normal((k * dim + j) as u32)).collect()).collect();
    for k in 0..count {
        let (done, rest) = vecs.split_at_mut(k);
        let v = &mut rest[0];
        for q in done.iter() {
            let dot: f64 = q.iter().zip(v.iter()).map(|(a, b)| a * b).sum();
            v.iter_mut().zip(q).for_each(|(x, q)| *x -= dot * q);
        }
        let norm = libm::sqrt(v.iter().map(|x| x * x).sum::<f64>());
        v.iter_mut().for_each(|x| *x /= norm);
    }
    let mut out = vec![0.0f32; rows * cols];
    for (k, v) in vecs.iter().enumerate() {
        for (j, &x) in v.iter().enumerate() {
            let (r, c) = if rows <= cols { (k, j) } else { (j, k) };
            out[r * cols + c] = x as f32;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;
    use super::*;
    use crate::rng::Stream;

    fn moments(v: &[f32]) -> (f64, f64) {
        let n = v.len() as f64;
        let mean = v.iter().map(|&x| x as f64).sum::<f64>() / n;
        let var = v.iter().map(|&x| (x as f64 - mean).powi(2)).sum::<f64>() / n;
        (mean, var)
    }

    /// Sample variance of n normal draws has relative standard error √(2/n); allow 5σ.
    fn assert_variance(v: &[f32], want: f64, what: &str) {
        let (mean, var) = moments(v);
        let tol = 5.0 * (2.0 / v.len() as f64).sqrt();
        assert!((var / want - 1.0).abs() < tol, "{what}: variance {var} vs {want}");
        assert!(mean.abs() < 5.0 * (want / v.len() as f64).sqrt(), "{what}: mean {mean}");
    }

    #[test]
    fn variances_match_each_rule() {
        let (fan_in, fan_out) = (200, 150);
        let rng = |l| Rng::new(7, Stream::Init).child(l);
        let glorot = draw(Init::GlorotUniform, fan_in, fan_out, rng(0));
        assert_variance(&glorot.weight, 2.0 / (fan_in + fan_out) as f64, "glorot");
        assert_variance(&draw(Init::He, fan_in, fan_out, rng(1)).weight, 2.0 / fan_in as f64, "he");
        assert_variance(&draw(Init::Lecun, fan_in, fan_out, rng(2)).weight, 1.0 / fan_in as f64, "lecun");
        let crit = draw(Init::Criticality { c_w: 2.0, c_b: 0.5 }, fan_in, 3000, rng(3));
        assert_variance(&crit.weight, 2.0 / fan_in as f64, "criticality weights");
        assert_variance(&crit.bias, 0.5, "criticality biases");
        assert!(glorot.bias.iter().all(|&b| b == 0.0));
        let z: Vec<f32> = normal(rng(4), 100_000, 1.0);
        let kurtosis = z.iter().map(|&x| (x as f64).powi(4)).sum::<f64>() / z.len() as f64;
        assert!((kurtosis - 3.0).abs() < 0.1, "Box–Muller draws have kurtosis {kurtosis}");
    }

    #[test]
    fn orthogonal_has_orthonormal_rows_or_columns() {
        for (rows, cols) in [(5, 9), (9, 5), (7, 7)] {
            let w = draw(Init::Orthogonal, cols, rows, Rng::new(3, Stream::Init)).weight;
            let (count, dim) = if rows <= cols { (rows, cols) } else { (cols, rows) };
            let at = |k: usize, j: usize| if rows <= cols { w[k * cols + j] } else { w[j * cols + k] } as f64;
            let mut worst = 0.0f64;
            for a in 0..count {
                for b in 0..count {
                    let dot: f64 = (0..dim).map(|j| at(a, j) * at(b, j)).sum();
                    worst = worst.max((dot - (a == b) as u8 as f64).abs());
                }
            }
            assert!(worst < 1e-6, "{rows}x{cols}: |WᵀW − I| up to {worst}");
        }
    }

    #[test]
    fn draws_are_seeded() {
        let a = draw(Init::He, 4, 3, Rng::new(1, Stream::Init));
        let b = draw(Init::He, 4, 3, Rng::new(1, Stream::Init));
        let c = draw(Init::He, 4, 3, Rng::new(2, Stream::Init));
        assert_eq!(a.weight, b.weight);
        assert_ne!(a.weight, c.weight);
    }
}
