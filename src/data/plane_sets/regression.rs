//! TF Playground's regression sets: points uniform in [−6, 6]² whose target is a function
//! of the point moved by up to 6·noise per coordinate.

use crate::data::two_d::shuffled_targets;
use crate::data::Dataset;
use crate::rng::{Rng, Stream};

const RADIUS: f32 = 6.0;

/// Uniform points and the target `f` of each moved point.
fn sample(points: usize, noise: f32, seed: u32, n_train: usize, f: impl Fn(f32, f32) -> f32) -> Dataset {
    let rng = Rng::new(seed, Stream::DataNoise);
    let rows = (0..points)
        .map(|i| {
            let k = 4 * i as u32;
            let [x, y] = [0, 1].map(|j| rng.uniform_in(k + j, -RADIUS, RADIUS));
            let [nx, ny] = [2, 3].map(|j| rng.uniform_in(k + j, -RADIUS, RADIUS) * noise);
            ([x, y], f(x + nx, y + ny))
        })
        .collect();
    shuffled_targets(rows, seed, n_train)
}

/// The plane target (x₁ + x₂)/10, which spans [−1.2, 1.2] over the view.
fn plane_target(x: f32, y: f32) -> f32 {
    (x + y) / 10.0
}

/// Centres and signs of the six bumps of the gauss regression set.
const BUMPS: [(f32, f32, f32); 6] =
    [(-4.0, 2.5, 1.0), (0.0, 2.5, -1.0), (4.0, 2.5, 1.0), (-4.0, -2.5, -1.0), (0.0, -2.5, 1.0), (4.0, -2.5, -1.0)];

/// The strongest of six signed bumps, each sign·max(0, 1 − distance/2).
fn bumps_target(x: f32, y: f32) -> f32 {
    BUMPS.iter().fold(0.0f32, |best, &(cx, cy, sign)| {
        let v = sign * (1.0 - libm::hypotf(x - cx, y - cy) / 2.0).max(0.0);
        if v.abs() > best.abs() { v } else { best }
    })
}

/// Regression: target (x₁ + x₂)/10 of the moved point.
pub fn plane(points: usize, noise: f32, seed: u32, n_train: usize) -> Dataset {
    sample(points, noise, seed, n_train, plane_target)
}

/// Regression: the strongest of six signed bumps at (±4 or 0, ±2.5), in [−1, 1].
pub fn gauss_regression(points: usize, noise: f32, seed: u32, n_train: usize) -> Dataset {
    sample(points, noise, seed, n_train, bumps_target)
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;
    use super::*;
    use crate::data::checks::seed_reproduces;

    #[test]
    fn targets_follow_the_definitions_without_noise() {
        for (make, f) in [(plane as fn(usize, f32, u32, usize) -> Dataset, plane_target as fn(f32, f32) -> f32), (gauss_regression, bumps_target)] {
            let d = make(500, 0.0, 2, 250);
            assert_eq!((d.classes, d.len(), d.targets.len(), d.n_train), (1, 500, 500, 250));
            assert!(d.is_regression() && d.labels.iter().all(|&l| l == 0));
            for (p, &t) in d.points.iter().zip(&d.targets) {
                assert!(p.iter().all(|v| v.abs() <= RADIUS));
                assert_eq!(t, f(p[0], p[1]));
            }
            seed_reproduces(|seed| make(100, 0.1, seed, 50));
            let noisy = make(500, 0.2, 2, 250);
            assert_eq!(noisy.points, d.points, "noise moves the target, not the point");
            assert_ne!(noisy.targets, d.targets);
        }
        assert_eq!(bumps_target(4.0, 2.5), 1.0);
        assert_eq!(bumps_target(0.0, -2.5), 1.0);
        assert_eq!(bumps_target(0.0, 2.5), -1.0);
        assert_eq!(bumps_target(-4.0, 0.5), 0.0);
        assert!((bumps_target(1.0, 2.5) + 0.5).abs() < 1e-6);
    }
}
