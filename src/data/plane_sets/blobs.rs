//! K Gaussian blobs, evenly spaced on a circle.

use crate::data::two_d::{gauss_std, shuffled_split};
use crate::data::Dataset;
use crate::rng::{Rng, Stream};
use std::f32::consts::PI;

/// Distance of the blob centres from the origin.
const CENTRE_RADIUS: f32 = 3.0;

/// The centre of blob c of `classes`: on the circle of radius 3, starting at 45°.
fn centre(c: usize, classes: usize) -> [f32; 2] {
    let angle = PI / 4.0 + 2.0 * PI * c as f32 / classes as f32;
    [CENTRE_RADIUS * libm::cosf(angle), CENTRE_RADIUS * libm::sinf(angle)]
}

/// `classes` Gaussian blobs of points/classes points each, with TF Playground's
/// noise-dependent variance (0.5 at noise 0, 4 from noise 0.5 on).
pub fn blobs(points: usize, classes: usize, noise: f32, seed: u32, n_train: usize) -> Dataset {
    let rng = Rng::new(seed, Stream::DataNoise);
    let std = gauss_std(noise);
    let per_class = points / classes;
    let rows = (0..per_class * classes)
        .map(|i| {
            let class = i / per_class;
            let [cx, cy] = centre(class, classes);
            let k = 2 * i as u32;
            ([cx + (std * rng.normal(k)) as f32, cy + (std * rng.normal(k + 1)) as f32], class as u32)
        })
        .collect();
    shuffled_split(rows, classes, seed, n_train)
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;
    use super::*;
    use crate::data::plane_sets::tests::balanced_and_reproducible;

    #[test]
    fn blobs_gather_around_their_centres() {
        for classes in [2, 5, 8] {
            balanced_and_reproducible(|seed| blobs(80 * classes, classes, 0.0, seed, 40 * classes), classes, 80 * classes);
        }
        let d = blobs(3000, 3, 0.0, 1, 1500);
        for class in 0..3 {
            let own: Vec<&[f32; 2]> = d.points.iter().zip(&d.labels).filter(|(_, &l)| l == class).map(|(p, _)| p).collect();
            let mean = [0, 1].map(|j| own.iter().map(|p| p[j]).sum::<f32>() / own.len() as f32);
            let c = centre(class as usize, 3);
            assert!((mean[0] - c[0]).abs() < 0.1 && (mean[1] - c[1]).abs() < 0.1, "class {class}: {mean:?} vs {c:?}");
        }
    }
}
