//! Classes defined by regions of the plane: two moons, yin-yang and a checkerboard. The
//! yin-yang and the checkerboard label the moved point (as TF Playground's circle and xor
//! do), so noise mislabels points near the boundaries; moons add noise to the points.

use super::balanced;
use crate::data::two_d::shuffled_split;
use crate::data::Dataset;
use crate::rng::{Rng, Stream};
use std::f32::consts::PI;

/// Two interleaving half circles (scikit-learn's moons, scaled by 3 and centred): class 0
/// is (cos t, sin t), class 1 is (1 − cos t, ½ − sin t), t uniform in [0, π], plus
/// Gaussian noise of standard deviation `noise` per coordinate.
pub fn moons(points: usize, noise: f32, seed: u32, n_train: usize) -> Dataset {
    let rng = Rng::new(seed, Stream::DataNoise);
    let (angles, jitter) = (rng.child(0), rng.child(1));
    let half = points / 2;
    let rows = (0..2 * half)
        .map(|i| {
            let t = angles.uniform_in(i as u32, 0.0, PI);
            let class = (i >= half) as u32;
            let (cos, sin) = (libm::cosf(t), libm::sinf(t));
            let (x, y) = if class == 0 { (cos, sin) } else { (1.0 - cos, 0.5 - sin) };
            let jitter = |j: u32| (jitter.normal(2 * i as u32 + j) as f32) * noise;
            ([3.0 * (x - 0.5) + jitter(0), 3.0 * (y - 0.25) + jitter(1)], class)
        })
        .collect();
    shuffled_split(rows, 2, seed, n_train)
}

const YIN_YANG_RADIUS: f32 = 5.0;

/// The yin-yang symbol of radius 5: class 1 on the right half and in the upper small
/// disc, class 0 on the left half and in the lower one, each small disc holding a dot of
/// the other class. Symmetric: the point −p has the other class than p.
fn yin_yang_class([x, y]: [f32; 2]) -> u32 {
    let (half, dot) = (YIN_YANG_RADIUS / 2.0, YIN_YANG_RADIUS / 6.0);
    let top = (x * x + (y - half) * (y - half)).sqrt();
    let bottom = (x * x + (y + half) * (y + half)).sqrt();
    match () {
        _ if top < dot => 0,
        _ if bottom < dot => 1,
        _ if top < half => 1,
        _ if bottom < half => 0,
        _ => (x > 0.0) as u32,
    }
}

/// Points uniform in the disc of radius 5, labelled by the yin-yang after moving them by
/// up to 5·noise per coordinate.
pub fn yin_yang(points: usize, noise: f32, seed: u32, n_train: usize) -> Dataset {
    let rng = Rng::new(seed, Stream::DataNoise);
    let rows = balanced(points / 2, 2, |i| {
        let k = 4 * i;
        let r = YIN_YANG_RADIUS * rng.uniform(k).sqrt();
        let angle = rng.uniform_in(k + 1, 0.0, 2.0 * PI);
        let p = [r * libm::cosf(angle), r * libm::sinf(angle)];
        let moved = [0, 1].map(|j| p[j] + rng.uniform_in(k + 2 + j as u32, -YIN_YANG_RADIUS, YIN_YANG_RADIUS) * noise);
        (p, yin_yang_class(moved))
    });
    shuffled_split(rows, 2, seed, n_train)
}

const BOARD_EXTENT: f32 = 5.0;

/// The board's cells per side: 4, or `classes` when that is more, so that every colour
/// appears.
fn board_cells(classes: usize) -> usize {
    classes.max(4)
}

/// Cell (i, j) of the board over [−5, 5]² has colour (i + j) mod classes; points off
/// the board continue the pattern.
fn board_class([x, y]: [f32; 2], classes: usize) -> u32 {
    let cell = 2.0 * BOARD_EXTENT / board_cells(classes) as f32;
    let index = |v: f32| ((v + BOARD_EXTENT) / cell).floor() as i64;
    (index(x) + index(y)).rem_euclid(classes as i64) as u32
}

/// Points uniform on the board, coloured by the cell of the point moved by up to 5·noise
/// per coordinate; two classes give the usual checkerboard.
pub fn checkerboard(points: usize, classes: usize, noise: f32, seed: u32, n_train: usize) -> Dataset {
    let rng = Rng::new(seed, Stream::DataNoise);
    let rows = balanced(points / classes, classes, |i| {
        let k = 4 * i;
        let p = [0, 1].map(|j| rng.uniform_in(k + j, -BOARD_EXTENT, BOARD_EXTENT));
        let moved = [0, 1].map(|j| p[j as usize] + rng.uniform_in(k + 2 + j, -BOARD_EXTENT, BOARD_EXTENT) * noise);
        (p, board_class(moved, classes))
    });
    shuffled_split(rows, classes, seed, n_train)
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;
    use super::*;
    use crate::data::plane_sets::tests::balanced_and_reproducible;

    #[test]
    fn moons_lie_on_their_arcs() {
        balanced_and_reproducible(|seed| moons(300, 0.1, seed, 150), 2, 300);
        let d = moons(400, 0.0, 1, 200);
        for (p, &l) in d.points.iter().zip(&d.labels) {
            // Back to scikit-learn's coordinates: class 0 on the upper half of the unit
            // circle around (0, 0), class 1 on the lower half of the one around (1, ½).
            let (x, y) = (p[0] / 3.0 + 0.5, p[1] / 3.0 + 0.25);
            let (cx, cy, side) = if l == 0 { (0.0, 0.0, 1.0) } else { (1.0, 0.5, -1.0) };
            assert!((((x - cx).powi(2) + (y - cy).powi(2)).sqrt() - 1.0).abs() < 1e-4);
            assert!(side * (y - cy) >= -1e-5, "{p:?} class {l}");
        }
    }

    #[test]
    fn yin_yang_is_point_symmetric_and_labels_its_regions() {
        balanced_and_reproducible(|seed| yin_yang(300, 0.05, seed, 150), 2, 300);
        for p in [[1.0, -4.0], [-3.0, 3.5], [0.5, 2.5], [-1.0, 1.5], [4.0, 0.1]] {
            assert_eq!(yin_yang_class([-p[0], -p[1]]), 1 - yin_yang_class(p), "{p:?}");
        }
        assert_eq!([[3.0, -1.0], [-1.0, 2.0], [0.2, 2.6], [1.0, -2.0]].map(yin_yang_class), [1, 1, 0, 0]);
        let d = yin_yang(400, 0.0, 2, 200);
        for (p, &l) in d.points.iter().zip(&d.labels) {
            assert!(p[0].hypot(p[1]) <= 5.0 + 1e-4);
            assert_eq!(l, yin_yang_class(*p));
        }
    }

    #[test]
    fn checkerboards_colour_cells_with_every_class() {
        for classes in [2, 3, 8] {
            balanced_and_reproducible(|seed| checkerboard(40 * classes, classes, 0.02, seed, 20 * classes), classes, 40 * classes);
        }
        assert_eq!([[-4.0, -4.0], [-1.0, -4.0], [1.0, -4.0], [-1.0, -1.0], [4.9, 4.9]].map(|p| board_class(p, 2)), [0, 1, 0, 0, 0]);
        let d = checkerboard(300, 3, 0.0, 4, 150);
        for (p, &l) in d.points.iter().zip(&d.labels) {
            assert!(p.iter().all(|v| v.abs() <= 5.0));
            assert_eq!(l, board_class(*p, 3));
        }
    }
}
