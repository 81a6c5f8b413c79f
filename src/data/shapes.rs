//! "shapes": grayscale images of one of four shapes on a black background with Gaussian
//! pixel noise, and a per-pixel mask of the object, so that explanations can be scored
//! against where the class evidence really is.
//!
//! Each image is `side`×`side` pixels, one channel. The object is a filled square
//! (class 0), disc (1), plus sign (2, bars one third of its box wide) or upward
//! triangle (3, apex at the top centre of its box, base along the bottom). Its area is
//! drawn uniformly from 15 % to 40 % of the image, whatever the class, and its box is
//! sized from that area, so that neither the lit area nor the brightness gives the class
//! away; the box is placed uniformly where it fits wholly inside the image. The object
//! has one intensity, uniform in [0.5, 1); the background is 0. Gaussian noise of
//! standard deviation `noise` percent of full intensity is added to every pixel, and the
//! result is clamped to [0, 1]. A pixel belongs to the object when its centre does, so
//! at noise 0 the lit pixels are exactly the mask.

use super::Dataset;
use crate::rng::{Rng, Stream};

/// The classes, in label order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    Square,
    Disc,
    Plus,
    Triangle,
}

impl Shape {
    pub const ALL: [Shape; 4] = [Shape::Square, Shape::Disc, Shape::Plus, Shape::Triangle];

    /// The share of its bounding box the shape covers.
    pub fn fill(self) -> f32 {
        match self {
            Shape::Square => 1.0,
            Shape::Disc => std::f32::consts::FRAC_PI_4,
            Shape::Plus => 5.0 / 9.0,
            Shape::Triangle => 0.5,
        }
    }

    /// Whether (x, y), in units of the bounding box ([0, 1]², y pointing down), is on the shape.
    fn contains(self, x: f32, y: f32) -> bool {
        let (dx, dy) = (x - 0.5, y - 0.5);
        match self {
            Shape::Square => true,
            Shape::Disc => dx * dx + dy * dy <= 0.25,
            Shape::Plus => dx.abs() <= 1.0 / 6.0 || dy.abs() <= 1.0 / 6.0,
            Shape::Triangle => dx.abs() <= 0.5 * y,
        }
    }
}

/// The object's area as a share of the image.
const AREA: (f32, f32) = (0.15, 0.4);
/// The object's intensity.
const INTENSITY: (f32, f32) = (0.5, 1.0);

/// `points` images of `side`² pixels, sample i of class i mod 4 before the seed's split
/// shuffle (as the point sets do); the first `n_train` train. `noise` is the pixel noise
/// std in percent of full intensity.
pub fn shapes(points: usize, side: usize, noise: f32, seed: u32, n_train: usize) -> Dataset {
    let pixels = side * side;
    let mut order: Vec<u32> = (0..points as u32).collect();
    Rng::new(seed, Stream::DataSplit).shuffle(&mut order);
    let data = Rng::new(seed, Stream::DataNoise);
    let mut features = vec![0.0f32; points * pixels];
    let mut masks = vec![0u8; points * pixels];
    for ((&i, image), mask) in order.iter().zip(features.chunks_exact_mut(pixels)).zip(masks.chunks_exact_mut(pixels)) {
        draw(Shape::ALL[i as usize % 4], data.child(i), side, noise / 100.0, image, mask);
    }
    Dataset {
        features,
        labels: order.iter().map(|&i| i % 4).collect(),
        n_features: pixels,
        classes: Shape::ALL.len(),
        n_train: n_train.min(points),
        image: Some([1, side, side]),
        masks,
        ..Dataset::default()
    }
}

/// Draws one sample from its own stream: geometry and intensity from indices 0–3, the
/// noise of pixel p from `rng.child(1).normal(p)`.
fn draw(shape: Shape, rng: Rng, side: usize, std: f32, image: &mut [f32], mask: &mut [u8]) {
    let s = side as f32;
    let area = rng.uniform_in(0, AREA.0, AREA.1) * s * s;
    let size = (area / shape.fill()).sqrt();
    let x0 = rng.uniform_in(1, 0.0, s - size);
    let y0 = rng.uniform_in(2, 0.0, s - size);
    let intensity = rng.uniform_in(3, INTENSITY.0, INTENSITY.1);
    let noise = rng.child(1);
    for (p, (value, on)) in image.iter_mut().zip(mask.iter_mut()).enumerate() {
        let x = ((p % side) as f32 + 0.5 - x0) / size;
        let y = ((p / side) as f32 + 0.5 - y0) / size;
        let inside = (0.0..=1.0).contains(&x) && (0.0..=1.0).contains(&y) && shape.contains(x, y);
        *on = inside as u8;
        let base = if inside { intensity } else { 0.0 };
        *value = if std > 0.0 { (base + std * noise.normal(p as u32) as f32).clamp(0.0, 1.0) } else { base };
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;
    use super::*;

    fn images<'a>(d: &'a Dataset) -> impl Iterator<Item = (&'a [f32], &'a [u8], u32)> + 'a {
        let n = d.n_features;
        d.features.chunks_exact(n).zip(d.masks.chunks_exact(n)).zip(&d.labels).map(|((x, m), &l)| (x, m, l))
    }

    #[test]
    fn a_seed_reproduces_features_and_masks_bit_for_bit() {
        crate::data::checks::seed_reproduces(|seed| shapes(200, 16, 10.0, seed, 100));
    }

    #[test]
    fn classes_are_balanced_and_the_layout_matches_the_spec() {
        use crate::spec::{DatasetKind, ExperimentSpec};
        let mut spec = ExperimentSpec::default();
        spec.dataset.kind = DatasetKind::Shapes;
        spec.dataset.points = 1002;
        spec.dataset.image_size = 24;
        spec.validate().unwrap();
        let d = crate::data::build(&spec.dataset, spec.train_points());
        assert_eq!((d.len(), d.n_train, d.classes), (1002, 501, spec.classes()));
        assert_eq!((d.n_features, d.image), (spec.inputs(), Some([1, 24, 24])));
        assert_eq!((d.features.len(), d.masks.len()), (1002 * 576, 1002 * 576));
        let (counts, train) = crate::data::checks::class_counts(&d);
        assert_eq!(counts, [251, 251, 250, 250]);
        // The split is shuffled: the training half holds every class in similar numbers.
        assert!(train.iter().all(|&n| (95..=155).contains(&n)), "{train:?}");
    }

    /// At noise 0 the lit pixels are exactly the mask, all at the object's one intensity.
    #[test]
    fn at_noise_zero_the_object_is_exactly_the_mask() {
        for side in [8, 16, 64] {
            let d = shapes(200, side, 0.0, 3, 100);
            for (x, m, l) in images(&d) {
                assert!(m.iter().all(|&b| b <= 1));
                assert!(m.contains(&1), "empty mask, class {l}, side {side}");
                for (&v, &b) in x.iter().zip(m) {
                    assert_eq!(v > 0.0, b == 1, "side {side} class {l}");
                }
                let lit: Vec<f32> = x.iter().copied().filter(|&v| v > 0.0).collect();
                assert!(lit.iter().all(|&v| v == lit[0] && (0.5..1.0).contains(&v)), "class {l}: {lit:?}");
            }
        }
    }

    /// The object lies wholly inside the image: the mask's bounding box is filled as the
    /// shape fills its own box (a clipped shape would fill its visible box differently).
    #[test]
    fn masks_fill_their_bounding_box_like_the_shape() {
        let side = 48;
        let d = shapes(400, side, 0.0, 11, 200);
        let mut worst = 0.0f32;
        for (_, m, l) in images(&d) {
            let lit: Vec<(usize, usize)> = (0..m.len()).filter(|&p| m[p] == 1).map(|p| (p / side, p % side)).collect();
            let rows = lit.iter().map(|p| p.0).max().unwrap() - lit.iter().map(|p| p.0).min().unwrap() + 1;
            let cols = lit.iter().map(|p| p.1).max().unwrap() - lit.iter().map(|p| p.1).min().unwrap() + 1;
            let fill = lit.len() as f32 / (rows * cols) as f32;
            let error = (fill - Shape::ALL[l as usize].fill()).abs();
            worst = worst.max(error);
            assert!(error < 0.1, "class {l}: mask fills {fill} of its {rows}×{cols} box");
            assert!((rows as f32 / cols as f32 - 1.0).abs() < 0.15, "class {l}: box {rows}×{cols}");
            let area = lit.len() as f32 / (side * side) as f32;
            assert!((AREA.0 - 0.03..AREA.1 + 0.03).contains(&area), "class {l}: area {area}");
        }
        println!("side {side}: worst |mask fill − shape fill| = {worst:.3}");
    }

    /// Noise is a std in percent of full intensity: the background is max(0, σZ), whose
    /// root mean square is σ/√2. Every pixel stays in [0, 1] at the largest noise.
    #[test]
    fn noise_has_the_requested_std_and_pixels_stay_in_range() {
        let d = shapes(300, 16, 20.0, 5, 150);
        let background: Vec<f64> =
            d.features.iter().zip(&d.masks).filter(|(_, &m)| m == 0).map(|(&v, _)| v as f64).collect();
        let rms = (background.iter().map(|v| v * v).sum::<f64>() / background.len() as f64).sqrt();
        let sigma = rms * std::f64::consts::SQRT_2;
        println!("noise 20: measured background σ {sigma:.4}");
        assert!((sigma - 0.2).abs() < 0.004, "σ {sigma}");
        let loud = shapes(300, 16, 50.0, 5, 150);
        assert!(loud.features.iter().all(|v| (0.0..=1.0).contains(v)));
        assert!(loud.features.contains(&1.0) && loud.features.contains(&0.0));
    }

    /// Hand-written features of the lit pixels' bounding box: how much of it is lit, how
    /// much more of the lower half than the upper, and how many of its four corners.
    fn shape_features(x: &[f32], side: usize) -> [f32; 3] {
        let lit: Vec<(usize, usize)> = (0..x.len()).filter(|&p| x[p] > 0.25).map(|p| (p / side, p % side)).collect();
        let (top, bottom) = (lit.iter().map(|p| p.0).min().unwrap(), lit.iter().map(|p| p.0).max().unwrap());
        let (left, right) = (lit.iter().map(|p| p.1).min().unwrap(), lit.iter().map(|p| p.1).max().unwrap());
        let area = ((bottom - top + 1) * (right - left + 1)) as f32;
        let middle = (top + bottom) as f32 / 2.0;
        let lower = lit.iter().map(|p| (p.0 as f32 > middle) as i32 - (middle > p.0 as f32) as i32).sum::<i32>() as f32;
        let on = |r: usize, c: usize| (x[r * side + c] > 0.25) as u32 as f32;
        let corners = on(top, left) + on(top, right) + on(bottom, left) + on(bottom, right);
        [lit.len() as f32 / area, lower / lit.len() as f32, corners / 4.0]
    }

    /// Test accuracy of the nearest class mean (fitted on the training split) in a feature space.
    fn nearest_class_mean<const F: usize>(d: &Dataset, feature: impl Fn(&[f32]) -> [f32; F]) -> f32 {
        let rows: Vec<([f32; F], u32)> = images(d).map(|(x, _, l)| (feature(x), l)).collect();
        let mut means = [[0.0f32; F]; 4];
        let mut counts = [0.0f32; 4];
        for (f, l) in &rows[..d.n_train] {
            counts[*l as usize] += 1.0;
            means[*l as usize].iter_mut().zip(f).for_each(|(m, v)| *m += v);
        }
        means.iter_mut().zip(counts).for_each(|(m, n)| m.iter_mut().for_each(|v| *v /= n));
        let distance = |f: &[f32; F], m: &[f32; F]| f.iter().zip(m).map(|(a, b)| (a - b) * (a - b)).sum::<f32>();
        let nearest =
            |f: &[f32; F]| (0..4).min_by(|&a, &b| distance(f, &means[a]).total_cmp(&distance(f, &means[b]))).unwrap();
        let test = &rows[d.n_train..];
        test.iter().filter(|(f, l)| nearest(f) == *l as usize).count() as f32 / test.len() as f32
    }

    /// The classes are learnable from the shape alone, not from brightness: at noise 0
    /// the hand-written shape features classify the test split far above chance (25 %),
    /// while the total brightness of the image stays close to chance.
    #[test]
    fn shape_features_separate_the_classes_but_brightness_does_not() {
        let side = 16;
        let d = shapes(2000, side, 0.0, 9, 1000);
        let by_shape = nearest_class_mean(&d, |x| shape_features(x, side));
        let by_brightness = nearest_class_mean(&d, |x| [x.iter().sum::<f32>()]);
        println!("nearest class mean, test split: shape features {by_shape:.3}, total brightness {by_brightness:.3}");
        assert!(by_shape >= 0.9, "shape features reach only {by_shape}");
        assert!(by_brightness <= 0.35, "brightness alone reaches {by_brightness}");
        let noisy = shapes(2000, side, 10.0, 9, 1000);
        println!("at noise 10: shape features {:.3}", nearest_class_mean(&noisy, |x| shape_features(x, side)));
    }

    fn ascii<T: Copy>(pixels: &[T], side: usize, glyph: impl Fn(T) -> char) -> String {
        pixels.chunks(side).map(|row| row.iter().map(|&v| glyph(v)).collect::<String>() + "\n").collect()
    }

    /// One image per class, drawn from its pixels and from its mask (`--nocapture` shows
    /// them); at noise 0 the two drawings agree.
    #[test]
    fn one_sample_per_class_as_ascii_art() {
        let side = 16;
        let clean = shapes(8, side, 0.0, 1, 4);
        let noisy = shapes(8, side, 15.0, 1, 4);
        let grey = |v: f32| [' ', '.', ':', '+', '#'][((v * 4.0).round() as usize).min(4)];
        for class in 0..4u32 {
            let i = clean.labels.iter().position(|&l| l == class).unwrap();
            let rows = i * side * side..(i + 1) * side * side;
            let mask = ascii(&clean.masks[rows.clone()], side, |b: u8| if b == 1 { '#' } else { ' ' });
            let (image, noisy_image) = (&clean.features[rows.clone()], &noisy.features[rows]);
            println!("class {class} ({:?}): pixels, mask, noise 15", Shape::ALL[class as usize]);
            println!("{}\n{mask}\n{}", ascii(image, side, grey), ascii(noisy_image, side, grey));
            assert_eq!(ascii(image, side, |v: f32| if v > 0.0 { '#' } else { ' ' }), mask, "class {class}");
        }
    }
}
