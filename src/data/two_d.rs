//! Two-dimensional classification sets, generated as TensorFlow Playground does, but
//! from the counter-based RNG so that every platform produces the same points.

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
    Rng::new(seed, Stream::DataSplit).shuffle(&mut rows);
    Dataset {
        features: rows.iter().flat_map(|(p, _)| *p).collect(),
        labels: rows.iter().map(|&(_, l)| l).collect(),
        n_features: 2,
        classes: 2,
        n_train: n_train.min(rows.len()),
    }
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
