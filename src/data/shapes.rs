//! "shapes": grayscale images of one of four shapes on a black background with Gaussian
//! pixel noise, and a per-pixel mask of the object, so that explanations can be scored
//! against where the class evidence really is. A `Style` adds classes, rotation,
//! textured backgrounds and colour; `Style::PLAIN` is the original set, bit for bit.
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
//!
//! The style options:
//! - `classes` > 4 adds a ring (5, inner radius half the outer), an L (6, bars one third
//!   of its box wide, along the left and the bottom), a half disc (7, the lower half of
//!   the box's disc) and a bar (8, the middle half of its box's height), in that order.
//!   A box never exceeds the image: a half disc near the largest area is clipped to it.
//! - `rotate` turns the object about its box centre by an angle uniform in [0, 2π). The
//!   area range is halved, to [7.5 %, 20 %], and the box side is at most side/√2, so the
//!   turned box fits; its centre is placed uniformly where it does.
//! - `texture` fills the background with a grating (orientation uniform, period uniform
//!   in [3, 8) pixels, phase uniform) or value noise (uniform values on a lattice of
//!   4-pixel cells, interpolated with smoothstep weights), scaled to [0, 0.3).
//! - `color` gives three channels: the object colour has each channel uniform in
//!   [0.5, 1), the background colour each channel in [0, 0.2), plus the texture. In
//!   grayscale the background is the texture alone. Either way the background stays
//!   below 0.5 and the object at or above it, so at noise 0 the pixels at or above 0.5
//!   (in channel 0) are exactly the mask.
//! - Noise is drawn per channel value (index c·H·W + p).

use super::Dataset;
use crate::rng::{Rng, Stream};
use crate::spec::{DatasetSpec, Texture};
use std::f32::consts::{FRAC_1_SQRT_2, TAU};

/// The classes, in label order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    Square,
    Disc,
    Plus,
    Triangle,
    Ring,
    Ell,
    HalfDisc,
    Bar,
}

impl Shape {
    pub const ALL: [Shape; 8] = [
        Shape::Square,
        Shape::Disc,
        Shape::Plus,
        Shape::Triangle,
        Shape::Ring,
        Shape::Ell,
        Shape::HalfDisc,
        Shape::Bar,
    ];

    /// The share of its bounding box the shape covers.
    pub fn fill(self) -> f32 {
        match self {
            Shape::Square => 1.0,
            Shape::Disc => std::f32::consts::FRAC_PI_4,
            Shape::Plus => 5.0 / 9.0,
            Shape::Triangle => 0.5,
            Shape::Ring => 3.0 * std::f32::consts::PI / 16.0,
            Shape::Ell => 5.0 / 9.0,
            Shape::HalfDisc => std::f32::consts::PI / 8.0,
            Shape::Bar => 0.5,
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
            Shape::Ring => (0.0625..=0.25).contains(&(dx * dx + dy * dy)),
            Shape::Ell => x <= 1.0 / 3.0 || y >= 2.0 / 3.0,
            Shape::HalfDisc => dy >= 0.0 && dx * dx + dy * dy <= 0.25,
            Shape::Bar => dy.abs() <= 0.25,
        }
    }
}

/// The object's area as a share of the image.
const AREA: (f32, f32) = (0.15, 0.4);
/// The object's area as a share of the image when it is rotated.
const AREA_ROTATED: (f32, f32) = (0.075, 0.2);
/// The object's intensity (each channel's, in colour).
const INTENSITY: (f32, f32) = (0.5, 1.0);
/// Each channel of the background colour.
const BACKGROUND: (f32, f32) = (0.0, 0.2);
/// The texture's range.
const TEXTURE_AMPLITUDE: f32 = 0.3;
/// The grating's period in pixels.
const GRATING_PERIOD: (f32, f32) = (3.0, 8.0);
/// The value-noise lattice spacing in pixels.
const NOISE_CELL: usize = 4;

/// How the images are drawn (see the module comment).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Style {
    pub classes: usize,
    pub rotate: bool,
    pub texture: Texture,
    pub color: bool,
}

impl Style {
    /// The original four grayscale classes, upright, on black.
    pub const PLAIN: Style = Style { classes: 4, rotate: false, texture: Texture::None, color: false };

    /// The style a (validated) spec asks for.
    pub fn of(spec: &DatasetSpec) -> Style {
        Style { classes: spec.shape_classes as usize, rotate: spec.rotate, texture: spec.texture, color: spec.color }
    }

    fn channels(&self) -> usize {
        if self.color {
            3
        } else {
            1
        }
    }
}

/// `points` images of `side`² pixels, sample i of class i mod `style.classes` before the
/// seed's split shuffle (as the point sets do); the first `n_train` train. `noise` is the
/// pixel noise std in percent of full intensity.
pub fn shapes(points: usize, side: usize, noise: f32, seed: u32, n_train: usize, style: &Style) -> Dataset {
    let pixels = side * side;
    let n_features = style.channels() * pixels;
    let mut order: Vec<u32> = (0..points as u32).collect();
    Rng::new(seed, Stream::DataSplit).shuffle(&mut order);
    let data = Rng::new(seed, Stream::DataNoise);
    let mut features = vec![0.0f32; points * n_features];
    let mut masks = vec![0u8; points * pixels];
    let classes = style.classes as u32;
    for ((&i, image), mask) in order.iter().zip(features.chunks_exact_mut(n_features)).zip(masks.chunks_exact_mut(pixels)) {
        draw(Shape::ALL[(i % classes) as usize], data.child(i), side, noise / 100.0, style, image, mask);
    }
    Dataset {
        features,
        labels: order.iter().map(|&i| i % classes).collect(),
        n_features,
        classes: style.classes,
        n_train: n_train.min(points),
        image: Some([style.channels(), side, side]),
        masks,
        ..Dataset::default()
    }
}

/// Where the object's box lies: maps a pixel centre to box units ([0, 1]² on the shape).
enum Placement {
    Upright { x0: f32, y0: f32, size: f32 },
    Turned { cx: f32, cy: f32, cos: f32, sin: f32, size: f32 },
}

impl Placement {
    fn to_box(&self, column: f32, row: f32) -> (f32, f32) {
        match *self {
            Placement::Upright { x0, y0, size } => ((column + 0.5 - x0) / size, (row + 0.5 - y0) / size),
            Placement::Turned { cx, cy, cos, sin, size } => {
                let (u, v) = (column + 0.5 - cx, row + 0.5 - cy);
                ((cos * u + sin * v) / size + 0.5, (cos * v - sin * u) / size + 0.5)
            }
        }
    }
}

/// The background's texture at a pixel, in [0, 1).
enum Background {
    Flat,
    Grating { fx: f32, fy: f32, phase: f32 },
    Noise { lattice: Vec<f32>, width: usize },
}

impl Background {
    /// Draws the texture from its own stream.
    fn new(texture: Texture, rng: Rng, side: usize) -> Background {
        match texture {
            Texture::None => Background::Flat,
            Texture::Grating => {
                let angle = rng.uniform_in(0, 0.0, TAU);
                let period = rng.uniform_in(1, GRATING_PERIOD.0, GRATING_PERIOD.1);
                let phase = rng.uniform_in(2, 0.0, TAU);
                Background::Grating { fx: libm::cosf(angle) / period, fy: libm::sinf(angle) / period, phase }
            }
            Texture::Noise => {
                let width = side / NOISE_CELL + 2;
                Background::Noise { lattice: (0..width * width).map(|j| rng.uniform(j as u32)).collect(), width }
            }
        }
    }

    fn at(&self, column: usize, row: usize) -> f32 {
        match self {
            Background::Flat => 0.0,
            Background::Grating { fx, fy, phase } => {
                let t = TAU * (fx * column as f32 + fy * row as f32) + phase;
                TEXTURE_AMPLITUDE * (0.5 + 0.5 * libm::sinf(t)).min(0.999_999)
            }
            Background::Noise { lattice, width } => {
                let (gx, gy) = (column / NOISE_CELL, row / NOISE_CELL);
                let smooth = |t: usize| {
                    let f = (t % NOISE_CELL) as f32 / NOISE_CELL as f32;
                    f * f * (3.0 - 2.0 * f)
                };
                let (wx, wy) = (smooth(column), smooth(row));
                let v = |x: usize, y: usize| lattice[y * width + x];
                let top = v(gx, gy) + wx * (v(gx + 1, gy) - v(gx, gy));
                let bottom = v(gx, gy + 1) + wx * (v(gx + 1, gy + 1) - v(gx, gy + 1));
                TEXTURE_AMPLITUDE * (top + wy * (bottom - top))
            }
        }
    }
}

/// Draws one sample from its own stream: geometry and intensity from indices 0–4, the
/// noise of value j from `rng.child(1).normal(j)`, the texture from `rng.child(2)` and
/// the colours from `rng.child(3)`.
fn draw(shape: Shape, rng: Rng, side: usize, std: f32, style: &Style, image: &mut [f32], mask: &mut [u8]) {
    let s = side as f32;
    let (range, limit) = if style.rotate { (AREA_ROTATED, s * FRAC_1_SQRT_2) } else { (AREA, s) };
    let area = rng.uniform_in(0, range.0, range.1) * s * s;
    let size = (area / shape.fill()).sqrt().min(limit);
    let placement = if style.rotate {
        let reach = size * FRAC_1_SQRT_2;
        let angle = rng.uniform_in(4, 0.0, TAU);
        let (cx, cy) = (rng.uniform_in(1, reach, s - reach), rng.uniform_in(2, reach, s - reach));
        Placement::Turned { cx, cy, cos: libm::cosf(angle), sin: libm::sinf(angle), size }
    } else {
        Placement::Upright { x0: rng.uniform_in(1, 0.0, s - size), y0: rng.uniform_in(2, 0.0, s - size), size }
    };
    let intensity = rng.uniform_in(3, INTENSITY.0, INTENSITY.1);
    let colours = rng.child(3);
    let (object, base): (Vec<f32>, Vec<f32>) = if style.color {
        (0..3).map(|c| (colours.uniform_in(c, INTENSITY.0, INTENSITY.1), colours.uniform_in(3 + c, BACKGROUND.0, BACKGROUND.1))).unzip()
    } else {
        (vec![intensity], vec![0.0])
    };
    let background = Background::new(style.texture, rng.child(2), side);
    let noise = rng.child(1);
    let pixels = side * side;
    for (p, on) in mask.iter_mut().enumerate() {
        let (x, y) = placement.to_box((p % side) as f32, (p / side) as f32);
        let inside = (0.0..=1.0).contains(&x) && (0.0..=1.0).contains(&y) && shape.contains(x, y);
        *on = inside as u8;
        let texture = if inside { 0.0 } else { background.at(p % side, p / side) };
        for (c, (&object, &base)) in object.iter().zip(&base).enumerate() {
            let j = c * pixels + p;
            let clean = if inside { object } else { base + texture };
            image[j] = if std > 0.0 { (clean + std * noise.normal(j as u32) as f32).clamp(0.0, 1.0) } else { clean };
        }
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;
    use super::*;

    fn images<'a>(d: &'a Dataset) -> impl Iterator<Item = (&'a [f32], &'a [u8], u32)> + 'a {
        let [_, h, w] = d.image.unwrap();
        d.features.chunks_exact(d.n_features).zip(d.masks.chunks_exact(h * w)).zip(&d.labels).map(|((x, m), &l)| (x, m, l))
    }

    #[test]
    fn a_seed_reproduces_features_and_masks_bit_for_bit() {
        crate::data::checks::seed_reproduces(|seed| shapes(200, 16, 10.0, seed, 100, &Style::PLAIN));
    }

    /// Links written before the style options existed must still reproduce: the plain
    /// style's bytes are pinned (FNV-1a hashes measured with the generator before them).
    #[test]
    fn the_plain_style_reproduces_the_original_generator_bit_for_bit() {
        assert_eq!(crate::data::checks::fingerprint(&shapes(60, 16, 10.0, 3, 30, &Style::PLAIN)), 0xbc41_0caa_b554_0029);
        assert_eq!(crate::data::checks::fingerprint(&shapes(40, 28, 0.0, 9, 20, &Style::PLAIN)), 0x4ea9_4cf4_65d7_40f2);
        use crate::spec::{DatasetKind, ExperimentSpec};
        let mut spec = ExperimentSpec::default();
        spec.dataset.kind = DatasetKind::Shapes;
        assert_eq!(Style::of(&spec.dataset), Style::PLAIN);
    }

    fn styles() -> Vec<Style> {
        let mut all = Vec::new();
        for (rotate, color) in [(false, false), (true, false), (false, true), (true, true)] {
            for texture in [Texture::None, Texture::Grating, Texture::Noise] {
                all.push(Style { classes: 8, rotate, texture, color });
            }
        }
        all
    }

    /// In every style, at noise 0 the values at or above 0.5 are exactly the mask (in
    /// every channel), the object has one colour, and every image has an object; the
    /// background is textured when asked for and flat otherwise.
    #[test]
    fn every_style_keeps_exact_masks() {
        let side = 20;
        let pixels = side * side;
        for style in styles() {
            let d = shapes(160, side, 0.0, 4, 80, &style);
            let channels = style.channels();
            assert_eq!((d.image, d.n_features, d.classes), (Some([channels, side, side]), channels * pixels, 8));
            let mut levels = std::collections::BTreeSet::new();
            for (x, m, l) in images(&d) {
                assert!(m.contains(&1), "{style:?}: empty mask, class {l}");
                for c in 0..channels {
                    let plane = &x[c * pixels..(c + 1) * pixels];
                    let object: Vec<f32> = plane.iter().zip(m).filter(|(_, &b)| b == 1).map(|(&v, _)| v).collect();
                    assert!(object.iter().all(|&v| v == object[0] && v >= 0.5), "{style:?} class {l}");
                    for (&v, &b) in plane.iter().zip(m) {
                        assert_eq!(v >= 0.5, b == 1, "{style:?} class {l} channel {c}");
                        if b == 0 {
                            levels.insert(v.to_bits());
                        }
                    }
                }
            }
            let textured = style.texture != Texture::None;
            assert_eq!(levels.len() > 160 * channels, textured, "{style:?}: {} background levels", levels.len());
            assert_eq!(d.labels.iter().filter(|&&l| l == 7).count(), 20);
        }
    }

    fn bounding_box_fill(m: &[u8], side: usize) -> f32 {
        let lit: Vec<(usize, usize)> = (0..m.len()).filter(|&p| m[p] == 1).map(|p| (p / side, p % side)).collect();
        let rows = lit.iter().map(|p| p.0).max().unwrap() - lit.iter().map(|p| p.0).min().unwrap() + 1;
        let cols = lit.iter().map(|p| p.1).max().unwrap() - lit.iter().map(|p| p.1).min().unwrap() + 1;
        lit.len() as f32 / (rows * cols) as f32
    }

    /// Rotated objects keep their area (so it does not give the class away) and fit in the
    /// image; a rotated square mostly stops filling its axis-aligned box, while upright
    /// squares always fill it.
    #[test]
    fn rotation_turns_the_object_and_keeps_it_whole() {
        let side = 48;
        let style = Style { classes: 8, rotate: true, texture: Texture::None, color: false };
        let d = shapes(400, side, 0.0, 12, 200, &style);
        let mut square_fills = Vec::new();
        for (_, m, l) in images(&d) {
            let area = m.iter().filter(|&&b| b == 1).count() as f32 / (side * side) as f32;
            assert!((AREA_ROTATED.0 - 0.02..AREA_ROTATED.1 + 0.02).contains(&area), "class {l}: area {area}");
            if l == 0 {
                square_fills.push(bounding_box_fill(m, side));
            }
        }
        let turned = square_fills.iter().filter(|&&f| f < 0.8).count();
        println!("rotated squares filling < 80 % of their axis-aligned box: {turned} of {}", square_fills.len());
        assert!(turned * 2 > square_fills.len(), "{square_fills:?}");
        let upright = shapes(400, side, 0.0, 12, 200, &Style { rotate: false, ..style });
        let mut worst = 0.0f32;
        for (_, m, l) in images(&upright) {
            // A half disc and a bar span only part of their box: they fill their visible box
            // twice as much.
            let shape = Shape::ALL[l as usize];
            let visible = if matches!(shape, Shape::HalfDisc | Shape::Bar) { 2.0 * shape.fill() } else { shape.fill() };
            let error = (bounding_box_fill(m, side) - visible).abs();
            worst = worst.max(error);
            assert!(error < 0.1, "class {l}: fill error {error}");
        }
        println!("upright, eight classes: worst |mask fill − visible shape fill| = {worst:.3}");
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
            let d = shapes(200, side, 0.0, 3, 100, &Style::PLAIN);
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
        let d = shapes(400, side, 0.0, 11, 200, &Style::PLAIN);
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
        let d = shapes(300, 16, 20.0, 5, 150, &Style::PLAIN);
        let background: Vec<f64> =
            d.features.iter().zip(&d.masks).filter(|(_, &m)| m == 0).map(|(&v, _)| v as f64).collect();
        let rms = (background.iter().map(|v| v * v).sum::<f64>() / background.len() as f64).sqrt();
        let sigma = rms * std::f64::consts::SQRT_2;
        println!("noise 20: measured background σ {sigma:.4}");
        assert!((sigma - 0.2).abs() < 0.004, "σ {sigma}");
        let loud = shapes(300, 16, 50.0, 5, 150, &Style::PLAIN);
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
        let d = shapes(2000, side, 0.0, 9, 1000, &Style::PLAIN);
        let by_shape = nearest_class_mean(&d, |x| shape_features(x, side));
        let by_brightness = nearest_class_mean(&d, |x| [x.iter().sum::<f32>()]);
        println!("nearest class mean, test split: shape features {by_shape:.3}, total brightness {by_brightness:.3}");
        assert!(by_shape >= 0.9, "shape features reach only {by_shape}");
        assert!(by_brightness <= 0.35, "brightness alone reaches {by_brightness}");
        let noisy = shapes(2000, side, 10.0, 9, 1000, &Style::PLAIN);
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
        let clean = shapes(8, side, 0.0, 1, 4, &Style::PLAIN);
        let noisy = shapes(8, side, 15.0, 1, 4, &Style::PLAIN);
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
