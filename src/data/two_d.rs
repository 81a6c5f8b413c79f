//! Two-dimensional classification sets (spiral, circle, xor, gauss), generated as
//! TensorFlow Playground does, but from the counter-based RNG so that every platform
//! produces the same points. Class 1 is TF Playground's positive label.

use super::Dataset;
use crate::rng::{Rng, Stream};
use std::f32::consts::PI;

/// Two interleaved spirals: for each class, point i of n has radius 5·i/n and angle
/// 1.75·2π·i/n (+π for the second class), plus uniform noise in [−noise, noise].
/// The points are shuffled and the first `n_train` become the training split.
pub fn spiral(points: usize, noise: f32, seed: u32, n_train: usize) -> Dataset {
    let per_class = points / 2;
    let noise_rng = Rng::new(seed, Stream::DataNoise);
    let mut rows: Vec<([f32; 2], u32)> = Vec::with_capacity(per_class * 2);
    for (class, delta) in [(0u32, 0.0f32), (1, PI)] {
        for i in 0..per_class {
            let frac = i as f32 / per_class as f32;
            let r = 5.0 * frac;
            let t = 1.75 * frac * 2.0 * PI + delta;
            let k = 2 * (class as usize * per_class + i) as u32;
            let x = r * libm::sinf(t) + noise_rng.uniform_in(k, -1.0, 1.0) * noise;
            let y = r * libm::cosf(t) + noise_rng.uniform_in(k + 1, -1.0, 1.0) * noise;
            rows.push(([x, y], class));
        }
    }
    shuffled_split(rows, seed, n_train)
}

/// Shuffles labelled points with the seed's split stream; the first `n_train` train.
fn shuffled_split(mut rows: Vec<([f32; 2], u32)>, seed: u32, n_train: usize) -> Dataset {
    Rng::new(seed, Stream::DataSplit).shuffle(&mut rows);
    Dataset {
        features: rows.iter().flat_map(|(p, _)| *p).collect(),
        labels: rows.iter().map(|&(_, l)| l).collect(),
        n_features: 2,
        classes: 2,
        n_train: n_train.min(rows.len()),
        image: None,
        masks: Vec::new(),
        decoy_masks: Vec::new(),
    }
}

/// A disc of class 1 (radius < 2.5) inside a ring of class 0 (radius 3.5 to 5). Noise
/// moves each point by up to 5·noise per coordinate and the label follows the moved
/// point, as in TF Playground.
pub fn circle(points: usize, noise: f32, seed: u32, n_train: usize) -> Dataset {
    const RADIUS: f32 = 5.0;
    let rng = Rng::new(seed, Stream::DataNoise);
    let half = points / 2;
    let rows = (0..2 * half)
        .map(|i| {
            let k = 4 * i as u32;
            let (lo, hi) = if i < half { (0.0, 0.5 * RADIUS) } else { (0.7 * RADIUS, RADIUS) };
            let r = rng.uniform_in(k, lo, hi);
            let angle = rng.uniform_in(k + 1, 0.0, 2.0 * PI);
            let x = r * libm::sinf(angle) + rng.uniform_in(k + 2, -RADIUS, RADIUS) * noise;
            let y = r * libm::cosf(angle) + rng.uniform_in(k + 3, -RADIUS, RADIUS) * noise;
            let inside = (x * x + y * y).sqrt() < 0.5 * RADIUS;
            ([x, y], inside as u32)
        })
        .collect();
    shuffled_split(rows, seed, n_train)
}

/// Points uniform in the four quadrants (kept 0.3 away from the axes); class 1 where
/// x·y ≥ 0 after up to 5·noise of uniform noise per coordinate.
pub fn xor(points: usize, noise: f32, seed: u32, n_train: usize) -> Dataset {
    const PADDING: f32 = 0.3;
    let rng = Rng::new(seed, Stream::DataNoise);
    let away = |v: f32| v + if v > 0.0 { PADDING } else { -PADDING };
    let rows = (0..points)
        .map(|i| {
            let k = 4 * i as u32;
            let x = away(rng.uniform_in(k, -5.0, 5.0));
            let y = away(rng.uniform_in(k + 1, -5.0, 5.0));
            let (nx, ny) = (rng.uniform_in(k + 2, -5.0, 5.0) * noise, rng.uniform_in(k + 3, -5.0, 5.0) * noise);
            ([x, y], ((x + nx) * (y + ny) >= 0.0) as u32)
        })
        .collect();
    shuffled_split(rows, seed, n_train)
}

/// Two Gaussian blobs at (2, 2) (class 1) and (−2, −2) (class 0); the variance grows
/// linearly with noise from 0.5 (noise 0) to 4 (noise 0.5), as in TF Playground.
pub fn gauss(points: usize, noise: f32, seed: u32, n_train: usize) -> Dataset {
    let rng = Rng::new(seed, Stream::DataNoise);
    let variance = 0.5 + (noise.min(0.5) / 0.5) * 3.5;
    let std = (variance as f64).sqrt();
    let half = points / 2;
    let rows = (0..2 * half)
        .map(|i| {
            let (center, class) = if i < half { (2.0, 1) } else { (-2.0, 0) };
            let k = 2 * i as u32;
            let x = center + (std * rng.normal(k)) as f32;
            let y = center + (std * rng.normal(k + 1)) as f32;
            ([x, y], class)
        })
        .collect();
    shuffled_split(rows, seed, n_train)
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;
    use super::*;

    #[test]
    fn spiral_has_balanced_classes_on_the_defined_curve() {
        let d = spiral(500, 0.0, 1, 250);
        assert_eq!(d.len(), 500);
        assert_eq!(d.n_train, 250);
        assert_eq!(d.labels.iter().filter(|&&l| l == 1).count(), 250);
        for (p, &l) in d.features.chunks(2).zip(&d.labels) {
            let r = (p[0] * p[0] + p[1] * p[1]).sqrt();
            assert!(r < 5.0 + 1e-4);
            // Without noise the angle is a fixed function of the radius.
            let t = 1.75 * 2.0 * PI * r / 5.0 + if l == 1 { PI } else { 0.0 };
            assert!((p[0] - r * t.sin()).abs() < 1e-3 && (p[1] - r * t.cos()).abs() < 1e-3);
        }
    }

    fn class_counts(d: &Dataset) -> [usize; 2] {
        let ones = d.labels.iter().filter(|&&l| l == 1).count();
        [d.len() - ones, ones]
    }

    #[test]
    fn circle_labels_follow_the_radius() {
        let d = circle(400, 0.0, 3, 200);
        assert_eq!(class_counts(&d), [200, 200]);
        for (p, &l) in d.features.chunks(2).zip(&d.labels) {
            let r = (p[0] * p[0] + p[1] * p[1]).sqrt();
            assert_eq!(l == 1, r < 2.5, "r {r}");
            assert!(r <= 5.0 + 1e-4 && !(2.5..3.5 - 1e-4).contains(&r), "r {r}");
        }
        // With noise some labels come from moved points, so the radius test has exceptions.
        let noisy = circle(400, 0.3, 3, 200);
        assert_ne!(noisy.features, d.features);
    }

    #[test]
    fn xor_labels_follow_the_quadrant_and_keep_off_the_axes() {
        let d = xor(500, 0.0, 2, 250);
        let [zeros, ones] = class_counts(&d);
        assert!(zeros > 200 && ones > 200, "{zeros} {ones}");
        for (p, &l) in d.features.chunks(2).zip(&d.labels) {
            assert!(p[0].abs() >= 0.3 && p[1].abs() >= 0.3 && p[0].abs() <= 5.3);
            assert_eq!(l == 1, p[0] * p[1] >= 0.0);
        }
    }

    #[test]
    fn gauss_blobs_sit_at_their_centres_with_the_noise_variance() {
        for (noise, variance) in [(0.0f32, 0.5f64), (0.5, 4.0)] {
            let d = gauss(4000, noise, 5, 2000);
            for class in [0u32, 1] {
                let xs: Vec<f64> =
                    d.features.chunks(2).zip(&d.labels).filter(|(_, &l)| l == class).map(|(p, _)| p[0] as f64).collect();
                let mean = xs.iter().sum::<f64>() / xs.len() as f64;
                let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / xs.len() as f64;
                let centre = if class == 1 { 2.0 } else { -2.0 };
                assert!((mean - centre).abs() < 0.15, "class {class} mean {mean}");
                assert!((var / variance - 1.0).abs() < 0.1, "class {class} variance {var} vs {variance}");
            }
        }
    }

    #[test]
    fn seed_changes_order_and_noise_but_is_reproducible() {
        assert_eq!(spiral(100, 0.3, 4, 50), spiral(100, 0.3, 4, 50));
        assert_ne!(spiral(100, 0.3, 4, 50).features, spiral(100, 0.3, 5, 50).features);
        let clean = spiral(100, 0.0, 4, 50);
        let noisy = spiral(100, 0.3, 4, 50);
        let max_shift =
            clean.features.iter().zip(&noisy.features).map(|(a, b)| (a - b).abs()).fold(0.0f32, f32::max);
        assert!(max_shift > 0.05 && max_shift <= 0.3 + 1e-5, "{max_shift}");
    }
}
