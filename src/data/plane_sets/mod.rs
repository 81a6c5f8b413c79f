//! The 2-D sets beyond TF Playground's classification four: region-defined classes
//! (moons, yin-yang, checkerboard), Gaussian blobs with any number of classes, the
//! regression sets (plane, gauss) and the user's own points. All deterministic from the
//! seed and, for classification, exactly balanced between classes.

mod blobs;
mod custom;
mod regions;
mod regression;

pub use blobs::blobs;
pub use custom::custom;
pub use regions::{checkerboard, moons, yin_yang};
pub use regression::{gauss_regression, plane};

/// Draws candidates `draw(0)`, `draw(1)`, … (a point and its class) and keeps each until
/// its class holds `per_class` points: a balanced sample of a region-defined labelling.
/// Every class must have a region of positive probability.
fn balanced(per_class: usize, classes: usize, draw: impl Fn(u32) -> ([f32; 2], u32)) -> Vec<([f32; 2], u32)> {
    let mut counts = vec![0; classes];
    let mut rows = Vec::with_capacity(per_class * classes);
    let mut candidate = 0u32;
    while rows.len() < per_class * classes {
        let (p, class) = draw(candidate);
        candidate += 1;
        if counts[class as usize] < per_class {
            counts[class as usize] += 1;
            rows.push((p, class));
        }
    }
    rows
}

#[cfg(test)]
pub(crate) mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;
    use crate::data::checks::{class_counts, seed_reproduces};
    use crate::data::Dataset;

    /// Every class has exactly points/classes samples, the split is roughly balanced too,
    /// and the seed reproduces the set.
    pub fn balanced_and_reproducible(make: impl Fn(u32) -> Dataset, classes: usize, points: usize) {
        let d = make(3);
        assert_eq!((d.classes, d.len(), d.points.len()), (classes, points, points));
        let (all, train) = class_counts(&d);
        assert_eq!(all, vec![points / classes; classes]);
        for t in train {
            assert!(t.abs_diff(d.n_train / classes) <= d.n_train / classes / 2 + 2, "train split {t}");
        }
        seed_reproduces(make);
    }

    #[test]
    fn the_sampler_fills_every_class_exactly() {
        let rows = super::balanced(7, 3, |i| ([i as f32, 0.0], (i * i) % 3));
        let mut counts = [0; 3];
        rows.iter().for_each(|&(_, c)| counts[c as usize] += 1);
        assert_eq!(counts, [7, 7, 7]);
    }
}
