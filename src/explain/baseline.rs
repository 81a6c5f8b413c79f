//! Reference inputs for Integrated Gradients: zero, a mean input, a Gaussian blur of the
//! sample, uniform noise, or a custom sample.

use crate::nn::Features;
use crate::rng::{Rng, Stream};

#[derive(Clone, Debug, PartialEq)]
pub enum Baseline {
    Zero,
    /// A mean input (e.g. the training set's per-feature mean), one row.
    Mean(Vec<f64>),
    /// The sample blurred per channel by a Gaussian of this σ in pixels (images only;
    /// the kernel reaches ⌈3σ⌉ pixels, borders repeat the edge pixel).
    Blur { sigma: f64 },
    /// Uniform in [low, high), drawn per sample from `seed`.
    UniformNoise { low: f64, high: f64, seed: u32 },
    /// A given input, one row.
    Custom(Vec<f64>),
}

impl Baseline {
    /// The baseline of sample `row`, whose input is `x`.
    pub fn of(&self, x: &[f64], input: Features, row: usize) -> Result<Vec<f64>, String> {
        let given = |v: &Vec<f64>, what: &str| {
            if v.len() == x.len() {
                Ok(v.clone())
            } else {
                Err(format!("baseline: the {what} baseline has {} numbers, the input {}", v.len(), x.len()))
            }
        };
        match self {
            Baseline::Zero => Ok(vec![0.0; x.len()]),
            Baseline::Mean(v) => given(v, "mean"),
            Baseline::Custom(v) => given(v, "custom"),
            Baseline::UniformNoise { low, high, seed } => {
                if low.partial_cmp(high) != Some(std::cmp::Ordering::Less) {
                    return Err(format!("baseline: uniform noise needs low < high, not [{low}, {high})"));
                }
                let rng = Rng::new(*seed, Stream::Explain).child(row as u32);
                Ok((0..x.len()).map(|i| low + (high - low) * rng.uniform(i as u32) as f64).collect())
            }
            Baseline::Blur { sigma } => match input {
                Features::Image(s) if *sigma > 0.0 && sigma.is_finite() => Ok(blur(x, s.channels, s.height, s.width, *sigma)),
                Features::Image(_) => Err(format!("baseline: the blur σ must be a positive number, not {sigma}")),
                Features::Flat(_) => Err("baseline: blur needs an image input".into()),
            },
        }
    }
}

/// A separable Gaussian blur of every channel of a [c, h, w] image.
fn blur(x: &[f64], c: usize, h: usize, w: usize, sigma: f64) -> Vec<f64> {
    let r = (3.0 * sigma).ceil() as isize;
    let kernel: Vec<f64> = (-r..=r).map(|d| (-((d * d) as f64) / (2.0 * sigma * sigma)).exp()).collect();
    let total: f64 = kernel.iter().sum();
    let kernel: Vec<f64> = kernel.iter().map(|k| k / total).collect();
    let pass = |src: &[f64], along_rows: bool| {
        let mut out = vec![0.0; src.len()];
        for ch in 0..c {
            for i in 0..h {
                for j in 0..w {
                    let mut acc = 0.0;
                    for (t, k) in kernel.iter().enumerate() {
                        let d = t as isize - r;
                        let (ii, jj) = if along_rows { ((i as isize + d).clamp(0, h as isize - 1) as usize, j) } else { (i, (j as isize + d).clamp(0, w as isize - 1) as usize) };
                        acc += k * src[(ch * h + ii) * w + jj];
                    }
                    out[(ch * h + i) * w + j] = acc;
                }
            }
        }
        out
    };
    pass(&pass(x, false), true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::ImageShape;

    #[test]
    fn baselines_have_the_input_shape_and_blur_keeps_constants_and_smooths() {
        let img = Features::Image(ImageShape::new(1, 3, 3));
        let x: Vec<f64> = (0..9).map(|i| if i == 4 { 9.0 } else { 0.0 }).collect();
        assert_eq!(Baseline::Zero.of(&x, img, 0).unwrap(), vec![0.0; 9]);
        let b = Baseline::Blur { sigma: 1.0 }.of(&x, img, 0).unwrap();
        assert!(b[4] < 9.0 && b[0] > 0.0 && (b[1] - b[3]).abs() < 1e-12);
        assert!(Baseline::Blur { sigma: 0.7 }.of(&[2.5; 9], img, 0).unwrap().iter().all(|v| (v - 2.5).abs() < 1e-12));
        let noise = Baseline::UniformNoise { low: -1.0, high: 2.0, seed: 3 };
        let (n0, n1) = (noise.of(&x, img, 0).unwrap(), noise.of(&x, img, 1).unwrap());
        assert!(n0.iter().all(|v| (-1.0..2.0).contains(v)) && n0 != n1 && n0 == noise.of(&x, img, 0).unwrap());
        assert!(Baseline::Custom(vec![1.0; 4]).of(&x, img, 0).unwrap_err().contains("custom baseline has 4"));
        assert!(Baseline::Blur { sigma: 1.0 }.of(&x[..2], Features::Flat(2), 0).unwrap_err().contains("image"));
    }
}
