//! "digits": MNIST-like grayscale images of the handwritten digits 0–9, drawn from
//! stroke templates, with a per-pixel mask of the strokes.
//!
//! Each digit is a few strokes (polylines and elliptic arcs) in a unit box (y pointing
//! down). A sample bends its template with a smooth random displacement field (elastic
//! jitter of the stroke points), draws the optional strokes (the flag of a 1, the bar of
//! a 7) with some probability, and maps the box into the image with a random affine
//! transform: rotation ±15°, scale, aspect, shear and translation around a box two
//! thirds of the image high (MNIST's 20 of 28 pixels), then moved (or, rarely, shrunk)
//! to keep a pixel clear of every edge. The strokes are drawn with a
//! random width, anti-aliased: a pixel whose centre lies at distance d from the nearest
//! stroke segment has coverage clamp(w/2 + 1/2 − d, 0, 1), which is its value (strokes
//! are at full intensity, the background 0). The mask is coverage ≥ 1/2, i.e. d ≤ w/2.
//! Gaussian noise of standard deviation `noise` percent of full intensity is added to
//! every pixel and the result clamped to [0, 1], as in `shapes`.

use super::Dataset;
use crate::rng::{Rng, Stream};

/// A piece of a stroke in the unit box: a point to draw a line to, or an elliptic arc
/// (centre, radii, from and to angle in degrees; 0° points right, 90° down).
#[derive(Clone, Copy)]
enum Piece {
    To(f32, f32),
    Arc(f32, f32, f32, f32, f32, f32),
}
use Piece::{Arc, To};

/// One connected stroke; an optional one is drawn with probability `OPTIONAL`.
struct Stroke {
    pieces: &'static [Piece],
    optional: bool,
}

const fn stroke(pieces: &'static [Piece]) -> Stroke {
    Stroke { pieces, optional: false }
}

const fn optional(pieces: &'static [Piece]) -> Stroke {
    Stroke { pieces, optional: true }
}

/// The templates, in label order.
const TEMPLATES: [&[Stroke]; 10] = [
    &[stroke(&[Arc(0.5, 0.5, 0.32, 0.46, -90.0, 270.0)])],
    &[stroke(&[To(0.56, 0.04), To(0.52, 0.96)]), optional(&[To(0.32, 0.24), To(0.56, 0.04)])],
    &[stroke(&[Arc(0.5, 0.3, 0.3, 0.25, 190.0, 390.0), To(0.16, 0.96), To(0.86, 0.96)])],
    &[stroke(&[Arc(0.5, 0.28, 0.27, 0.22, 200.0, 450.0), Arc(0.5, 0.72, 0.3, 0.24, 270.0, 520.0)])],
    &[stroke(&[To(0.56, 0.04), To(0.14, 0.66), To(0.88, 0.66)]), stroke(&[To(0.68, 0.24), To(0.68, 0.96)])],
    &[stroke(&[To(0.8, 0.05), To(0.32, 0.05), To(0.27, 0.45), Arc(0.5, 0.68, 0.3, 0.27, 225.0, 510.0)])],
    &[stroke(&[To(0.72, 0.04), To(0.4, 0.3), To(0.24, 0.62), Arc(0.5, 0.7, 0.27, 0.26, 180.0, 540.0)])],
    &[stroke(&[To(0.14, 0.05), To(0.86, 0.05), To(0.42, 0.96)]), optional(&[To(0.42, 0.5), To(0.8, 0.5)])],
    &[stroke(&[Arc(0.5, 0.27, 0.24, 0.22, 0.0, 360.0)]), stroke(&[Arc(0.5, 0.72, 0.29, 0.25, 0.0, 360.0)])],
    &[stroke(&[Arc(0.48, 0.3, 0.27, 0.24, 0.0, 360.0)]), stroke(&[To(0.75, 0.3), To(0.66, 0.96)])],
];

/// Chance that an optional stroke is drawn.
const OPTIONAL: f32 = 0.4;
/// Longest arc step, in degrees.
const ARC_STEP: f32 = 15.0;
/// Height of the unit box in the image, as a share of the side.
const BOX: f32 = 0.7;
/// Largest rotation, degrees.
const ROTATION: f32 = 15.0;
/// Overall scale and horizontal aspect of the box.
const SCALE: (f32, f32) = (0.75, 1.1);
const ASPECT: (f32, f32) = (0.7, 1.15);
/// Largest horizontal shear (x += shear·y).
const SHEAR: f32 = 0.35;
/// Largest translation of the box centre, as a share of the side.
const SHIFT: f32 = 0.09;
/// Stroke width in pixels at side 28 (it scales with the side).
const WIDTH: (f32, f32) = (1.4, 3.6);
/// The elastic jitter: `WAVES` sine waves per coordinate, each of amplitude up to
/// `JITTER` (unit box) and up to `FREQUENCY` periods across the box.
const WAVES: u32 = 3;
const JITTER: f32 = 0.06;
const FREQUENCY: f32 = 1.5;

/// `points` images of `side`² pixels, sample i of class i mod 10 before the seed's split
/// shuffle (as the other sets do); the first `n_train` train. `noise` is the pixel noise
/// std in percent of full intensity.
pub fn digits(points: usize, side: usize, noise: f32, seed: u32, n_train: usize) -> Dataset {
    let pixels = side * side;
    let mut order: Vec<u32> = (0..points as u32).collect();
    Rng::new(seed, Stream::DataSplit).shuffle(&mut order);
    let data = Rng::new(seed, Stream::DataNoise);
    let mut features = vec![0.0f32; points * pixels];
    let mut masks = vec![0u8; points * pixels];
    for ((&i, image), mask) in order.iter().zip(features.chunks_exact_mut(pixels)).zip(masks.chunks_exact_mut(pixels)) {
        draw(i as usize % 10, data.child(i), side, noise / 100.0, image, mask);
    }
    Dataset {
        features,
        labels: order.iter().map(|&i| i % 10).collect(),
        n_features: pixels,
        classes: TEMPLATES.len(),
        n_train: n_train.min(points),
        image: Some([1, side, side]),
        masks,
        decoy_masks: Vec::new(),
    }
}

/// The template's strokes as polylines in the unit box; optional strokes are kept when
/// `keep(k)` says so for the k-th stroke.
fn polylines(digit: usize, keep: impl Fn(u32) -> bool) -> Vec<Vec<[f32; 2]>> {
    let mut lines = Vec::new();
    for (k, s) in TEMPLATES[digit].iter().enumerate() {
        if s.optional && !keep(k as u32) {
            continue;
        }
        let mut line = Vec::new();
        for &piece in s.pieces {
            match piece {
                To(x, y) => line.push([x, y]),
                Arc(cx, cy, rx, ry, from, to) => {
                    let steps = ((to - from).abs() / ARC_STEP).ceil().max(1.0) as u32;
                    for j in 0..=steps {
                        let a = (from + (to - from) * j as f32 / steps as f32).to_radians();
                        line.push([cx + rx * libm::cosf(a), cy + ry * libm::sinf(a)]);
                    }
                }
            }
        }
        lines.push(line);
    }
    lines
}

/// Distance from `p` to the segment a–b.
fn distance_to_segment(p: [f32; 2], a: [f32; 2], b: [f32; 2]) -> f32 {
    let (ab, ap) = ([b[0] - a[0], b[1] - a[1]], [p[0] - a[0], p[1] - a[1]]);
    let length2 = ab[0] * ab[0] + ab[1] * ab[1];
    let t = if length2 > 0.0 { ((ap[0] * ab[0] + ap[1] * ab[1]) / length2).clamp(0.0, 1.0) } else { 0.0 };
    let (dx, dy) = (ap[0] - t * ab[0], ap[1] - t * ab[1]);
    (dx * dx + dy * dy).sqrt()
}

/// Moves the strokes, and shrinks them about the image centre if need be, so that they
/// keep `margin` pixels from every edge of the `side`² image (MNIST's digits are never clipped).
fn fit(lines: &mut [Vec<[f32; 2]>], side: f32, margin: f32) {
    for axis in 0..2 {
        let values = || lines.iter().flatten().map(|p| p[axis]);
        let (lo, hi) = (values().fold(f32::INFINITY, f32::min), values().fold(f32::NEG_INFINITY, f32::max));
        let room = side - 2.0 * margin;
        let shrink = (room / (hi - lo)).min(1.0);
        let (lo, hi) = (side / 2.0 + (lo - side / 2.0) * shrink, side / 2.0 + (hi - side / 2.0) * shrink);
        let shift = (margin - lo).max(0.0) - (hi - (side - margin)).max(0.0);
        lines.iter_mut().flatten().for_each(|p| p[axis] = side / 2.0 + (p[axis] - side / 2.0) * shrink + shift);
    }
}

/// Draws one sample from its own stream: the transform and width from indices 0–6,
/// optional stroke k from index 7 + k, the jitter waves from `rng.child(2)`, the noise of
/// pixel p from `rng.child(1).normal(p)`.
fn draw(digit: usize, rng: Rng, side: usize, std: f32, image: &mut [f32], mask: &mut [u8]) {
    let s = side as f32;
    let rotation = rng.uniform_in(0, -ROTATION, ROTATION).to_radians();
    let scale = rng.uniform_in(1, SCALE.0, SCALE.1) * BOX * s;
    let aspect = rng.uniform_in(2, ASPECT.0, ASPECT.1);
    let shear = rng.uniform_in(3, -SHEAR, SHEAR);
    let centre = [s / 2.0 + rng.uniform_in(4, -SHIFT, SHIFT) * s, s / 2.0 + rng.uniform_in(5, -SHIFT, SHIFT) * s];
    let half_width = rng.uniform_in(6, WIDTH.0, WIDTH.1) * s / 28.0 / 2.0;
    let waves = rng.child(2);
    let wave = |w: u32| {
        let u = |k: u32| waves.uniform(w * 4 + k);
        let direction = u(0) * std::f32::consts::TAU;
        let frequency = FREQUENCY * u(1) * std::f32::consts::TAU;
        (JITTER * u(2), [frequency * libm::cosf(direction), frequency * libm::sinf(direction)], u(3) * std::f32::consts::TAU)
    };
    let jitter: Vec<_> = (0..2 * WAVES).map(wave).collect();
    let (sin, cos) = (libm::sinf(rotation), libm::cosf(rotation));
    let place = |[x, y]: [f32; 2]| {
        let bend = |axis: usize| {
            jitter[axis * WAVES as usize..(axis + 1) * WAVES as usize]
                .iter()
                .map(|&(amplitude, k, phase)| amplitude * libm::sinf(k[0] * x + k[1] * y + phase))
                .sum::<f32>()
        };
        let (u, v) = ((x + bend(0) - 0.5) * aspect, y + bend(1) - 0.5);
        let u = u + shear * v;
        [centre[0] + scale * (cos * u - sin * v), centre[1] + scale * (sin * u + cos * v)]
    };
    let mut lines: Vec<Vec<[f32; 2]>> =
        polylines(digit, |k| rng.uniform(7 + k) < OPTIONAL).iter().map(|line| line.iter().map(|&p| place(p)).collect()).collect();
    fit(&mut lines, s, half_width + 1.0);
    let segments: Vec<([f32; 2], [f32; 2])> =
        lines.iter().flat_map(|line| line.windows(2).map(|w| (w[0], w[1]))).collect();
    let noise = rng.child(1);
    for (p, (value, on)) in image.iter_mut().zip(mask.iter_mut()).enumerate() {
        let centre = [(p % side) as f32 + 0.5, (p / side) as f32 + 0.5];
        let d = segments.iter().map(|&(a, b)| distance_to_segment(centre, a, b)).fold(f32::INFINITY, f32::min);
        let coverage = (half_width + 0.5 - d).clamp(0.0, 1.0);
        *on = (d <= half_width) as u8;
        *value = if std > 0.0 { (coverage + std * noise.normal(p as u32) as f32).clamp(0.0, 1.0) } else { coverage };
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;
    use super::*;

    #[test]
    fn a_seed_reproduces_features_and_masks_bit_for_bit() {
        crate::data::checks::seed_reproduces(|seed| digits(100, 28, 10.0, seed, 50));
    }

    #[test]
    fn classes_are_balanced_and_the_layout_matches_the_spec() {
        use crate::spec::{DatasetKind, ExperimentSpec};
        let mut spec = ExperimentSpec::default();
        spec.dataset.kind = DatasetKind::Digits;
        spec.dataset.points = 1005;
        spec.validate().unwrap();
        let d = crate::data::build(&spec.dataset, spec.train_points());
        assert_eq!((d.len(), d.n_train, d.classes), (1005, 502, spec.classes()));
        assert_eq!((d.n_features, d.image), (spec.inputs(), Some([1, 28, 28])));
        assert_eq!((d.features.len(), d.masks.len()), (1005 * 784, 1005 * 784));
        let (counts, train) = crate::data::checks::class_counts(&d);
        assert_eq!(counts, [101, 101, 101, 101, 101, 100, 100, 100, 100, 100]);
        assert!(train.iter().all(|&n| (30..=70).contains(&n)), "{train:?}");
    }

    /// At noise 0 a pixel is on the mask exactly when the strokes cover at least half of
    /// it; every digit has a visible mask that stays clear of the border (no clipping),
    /// and pixel values are coverages in [0, 1].
    #[test]
    fn at_noise_zero_the_mask_is_the_half_covered_pixels() {
        for side in [12, 28, 48] {
            let d = digits(300, side, 0.0, 3, 150);
            let n = side * side;
            for ((x, m), l) in d.features.chunks_exact(n).zip(d.masks.chunks_exact(n)).zip(&d.labels) {
                assert!(x.iter().all(|v| (0.0..=1.0).contains(v)));
                for (&v, &b) in x.iter().zip(m) {
                    assert_eq!(b == 1, v >= 0.5, "side {side} digit {l}: value {v}, mask {b}");
                }
                let on = m.iter().filter(|&&b| b == 1).count();
                assert!(on * 50 >= n, "digit {l} at side {side} covers only {on} of {n} pixels");
                let border = (0..n).filter(|&p| [p % side, p / side].iter().any(|&c| c == 0 || c == side - 1));
                assert!(border.clone().all(|p| m[p] == 0), "digit {l} at side {side} touches the border");
            }
        }
    }

    /// One clean sample per class, with its mask and a noisy version (`--nocapture`
    /// shows them); the clean drawing thresholded at one half is the mask.
    #[test]
    fn one_sample_per_class_as_ascii_art() {
        let side = 28;
        let (clean, noisy) = (digits(20, side, 0.0, 1, 10), digits(20, side, 20.0, 1, 10));
        let art = |pixels: &[f32]| -> String {
            let grey = |v: f32| [' ', '.', ':', '+', '#'][((v * 4.0).round() as usize).min(4)];
            pixels.chunks(side).map(|row| row.iter().map(|&v| grey(v)).collect::<String>() + "|\n").collect()
        };
        for class in 0..10u32 {
            let i = clean.labels.iter().position(|&l| l == class).unwrap();
            let rows = i * side * side..(i + 1) * side * side;
            let mask: Vec<f32> = clean.masks[rows.clone()].iter().map(|&b| b as f32).collect();
            let thresholded: Vec<f32> = clean.features[rows.clone()].iter().map(|&v| (v >= 0.5) as u8 as f32).collect();
            println!("digit {class}: pixels, noise 20\n{}\n{}", art(&clean.features[rows.clone()]), art(&noisy.features[rows]));
            assert_eq!(art(&thresholded), art(&mask), "digit {class}");
        }
    }
}
