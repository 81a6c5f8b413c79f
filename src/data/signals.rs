//! "signals": 1-D sequences for time-series saliency. Each sample is a flat row of
//! `length` values (`image: None`: the conv layers take square kernels, so a signal is
//! fed to dense layers) around a baseline of 0.5, with one burst whose shape names the
//! class, and a mask marking the burst (one byte per position, like an image mask).
//!
//! The burst spans length/4 positions, starting uniformly where it fits. At s ∈ (0, 1)
//! through the span (sample centres) it is 0.5 + a·hann(s)·shape(s), with amplitude a
//! uniform in [0.25, 0.45) and hann(s) = (1 − cos 2πs)/2; the shapes are a bump (1), a
//! dip (−1), one sine cycle (sin 2πs) and a ripple of four cycles (sin 8πs). (Bursts
//! told apart by frequency alone, with random phase, left an MLP near chance.) Gaussian
//! noise of standard deviation `noise` percent is added everywhere and values are
//! clamped to [0, 1].

use super::Dataset;
use crate::rng::{Rng, Stream};
use crate::spec::image::SIGNAL_CLASSES;
use std::f64::consts::TAU;

/// The classes, in label order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Burst {
    Bump,
    Dip,
    Wave,
    Ripple,
}

impl Burst {
    pub const ALL: [Burst; SIGNAL_CLASSES] = [Burst::Bump, Burst::Dip, Burst::Wave, Burst::Ripple];

    /// The burst at s ∈ [0, 1] through its span, before the amplitude.
    pub fn at(self, s: f64) -> f64 {
        let hann = 0.5 - 0.5 * libm::cos(TAU * s);
        hann * match self {
            Burst::Bump => 1.0,
            Burst::Dip => -1.0,
            Burst::Wave => libm::sin(TAU * s),
            Burst::Ripple => libm::sin(4.0 * TAU * s),
        }
    }
}
/// The burst amplitude.
const AMPLITUDE: (f32, f32) = (0.25, 0.45);

/// `points` signals, sample i of class i mod 4 before the seed's split shuffle; the first
/// `n_train` train.
pub fn signals(points: usize, length: usize, noise: f32, seed: u32, n_train: usize) -> Dataset {
    let mut order: Vec<u32> = (0..points as u32).collect();
    Rng::new(seed, Stream::DataSplit).shuffle(&mut order);
    let data = Rng::new(seed, Stream::DataNoise);
    let mut features = vec![0.0f32; points * length];
    let mut masks = vec![0u8; points * length];
    let classes = SIGNAL_CLASSES as u32;
    for ((&i, row), mask) in order.iter().zip(features.chunks_exact_mut(length)).zip(masks.chunks_exact_mut(length)) {
        draw(Burst::ALL[(i % classes) as usize], data.child(i), noise / 100.0, row, mask);
    }
    Dataset {
        features,
        labels: order.iter().map(|&i| i % classes).collect(),
        n_features: length,
        classes: SIGNAL_CLASSES,
        n_train: n_train.min(points),
        masks,
        ..Dataset::default()
    }
}

/// One sample from its own stream: start and amplitude from indices 0–1, the noise at
/// position t from `rng.child(1).normal(t)`.
fn draw(burst: Burst, rng: Rng, std: f32, row: &mut [f32], mask: &mut [u8]) {
    let span = row.len() / 4;
    let start = rng.below(0, (row.len() - span + 1) as u32) as usize;
    let amplitude = rng.uniform_in(1, AMPLITUDE.0, AMPLITUDE.1) as f64;
    let noise = rng.child(1);
    for (t, (value, on)) in row.iter_mut().zip(mask.iter_mut()).enumerate() {
        let on_burst = (start..start + span).contains(&t);
        *on = on_burst as u8;
        let clean = if on_burst {
            0.5 + amplitude * burst.at(((t - start) as f64 + 0.5) / span as f64)
        } else {
            0.5
        } as f32;
        *value = if std > 0.0 { (clean + std * noise.normal(t as u32) as f32).clamp(0.0, 1.0) } else { clean };
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;
    use super::*;

    #[test]
    fn a_seed_reproduces_the_signals_and_another_does_not() {
        let a = signals(100, 64, 5.0, 3, 50);
        assert_eq!(a, signals(100, 64, 5.0, 3, 50));
        let b = signals(100, 64, 5.0, 4, 50);
        assert_ne!(a.features, b.features);
        assert_ne!(a.masks, b.masks);
        assert_eq!((a.n_features, a.image, a.classes, a.features.len(), a.masks.len()), (64, None, 4, 6400, 6400));
    }

    /// At noise 0 the values leave the baseline only inside the mask, the mask is one run
    /// of length/4 positions, and the burst is its class's shape scaled by the amplitude.
    #[test]
    fn the_mask_is_the_burst_and_its_shape_names_the_class() {
        for length in [48, 64, 200] {
            let d = signals(80, length, 0.0, 7, 40);
            for ((x, m), &label) in d.features.chunks(length).zip(d.masks.chunks(length)).zip(&d.labels) {
                let on: Vec<usize> = (0..length).filter(|&t| m[t] == 1).collect();
                assert_eq!(on.len(), length / 4);
                assert_eq!(on.last().unwrap() - on[0] + 1, length / 4, "one contiguous run");
                assert!(x.iter().zip(m).all(|(&v, &b)| b == 1 || v == 0.5));
                assert!(x.iter().all(|v| (0.0..=1.0).contains(v)));
                let span = on.len() as f64;
                let shape: Vec<f64> = (0..on.len()).map(|j| Burst::ALL[label as usize].at((j as f64 + 0.5) / span)).collect();
                let peak = shape.iter().copied().fold(0.0, |m: f64, v| if v.abs() > m.abs() { v } else { m });
                let amplitude = (x[on[0] + shape.iter().position(|&v| v == peak).unwrap()] as f64 - 0.5) / peak;
                assert!((0.249..0.451).contains(&amplitude), "class {label}: amplitude {amplitude}");
                for (&t, v) in on.iter().zip(&shape) {
                    assert!((x[t] as f64 - 0.5 - amplitude * v).abs() < 1e-6, "class {label} at {t}");
                }
            }
        }
    }
}
