//! The user's own points (drawn or uploaded), listed in the spec.

use crate::data::two_d::{shuffled_split, shuffled_targets};
use crate::data::Dataset;
use crate::rng::{Rng, Stream};

/// Points `[x₁, x₂, label or target]` (validated by the spec), moved by uniform noise in
/// [−noise, noise] per coordinate, shuffled and split like every other set.
pub fn custom(listed: &[[f32; 3]], regression: bool, classes: usize, noise: f32, seed: u32, n_train: usize) -> Dataset {
    let rng = Rng::new(seed, Stream::DataNoise);
    let point = |i: usize, [x, y, _]: [f32; 3]| {
        let k = 2 * i as u32;
        [x + rng.uniform_in(k, -1.0, 1.0) * noise, y + rng.uniform_in(k + 1, -1.0, 1.0) * noise]
    };
    if regression {
        let rows = listed.iter().enumerate().map(|(i, &p)| (point(i, p), p[2])).collect();
        shuffled_targets(rows, seed, n_train)
    } else {
        let rows = listed.iter().enumerate().map(|(i, &p)| (point(i, p), p[2] as u32)).collect();
        shuffled_split(rows, classes, seed, n_train)
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;
    use super::*;

    #[test]
    fn custom_points_are_kept_and_shuffled() {
        let listed: Vec<[f32; 3]> = (0..30).map(|i| [i as f32, -(i as f32), (i % 3) as f32]).collect();
        let d = custom(&listed, false, 3, 0.0, 5, 20);
        assert_eq!((d.classes, d.len(), d.n_train), (3, 30, 20));
        for (p, &l) in d.points.iter().zip(&d.labels) {
            assert_eq!([p[0], -p[0], p[0] % 3.0], [p[0], p[1], l as f32]);
        }
        assert_ne!(d.points, listed.iter().map(|p| [p[0], p[1]]).collect::<Vec<_>>(), "shuffled");
        let r = custom(&listed, true, 2, 0.0, 5, 20);
        assert_eq!((r.classes, r.points.clone()), (1, d.points.clone()));
        assert_eq!(r.targets.iter().map(|&t| t as u32).collect::<Vec<_>>(), d.labels);
        let noisy = custom(&listed, false, 3, 0.5, 5, 20);
        let shift = noisy.points.iter().zip(&d.points).map(|(a, b)| (a[0] - b[0]).abs()).fold(0.0, f32::max);
        assert!(shift > 0.1 && shift <= 0.5, "{shift}");
    }
}
