//! Decoys ("Clever Hans" shortcuts) for any image dataset: a mark that names a class and
//! is drawn on top of the image, correlated with the label in the training split and
//! absent or shuffled in the test split, with its own mask in `Dataset::decoy_masks`.
//!
//! Which class's decoy a sample carries: a training sample carries its own class's decoy
//! with probability `correlation`, otherwise the decoy of a uniformly random *other*
//! class, so that exactly a fraction `correlation` (in expectation) of training samples
//! carry their own (1/classes makes the decoy uninformative). A test sample carries none
//! (`absent`) or a uniformly random class's decoy, independent of its label (`shuffled`).
//!
//! The marks, for class k of K, drawn after the pixel noise so they are crisp:
//! - patch: a square of side max(2, min(H, W)/5) in corner k mod 4 (top-left, top-right,
//!   bottom-left, bottom-right) with pattern ⌊k/4⌋: solid, checkerboard or row stripes
//!   (lit pixels 1, unlit 0, in every channel); up to 12 classes.
//! - tint: every value blended as (1 − 0.35)·x + 0.35·code, where the code is the hue
//!   k/K at full saturation (RGB) or the brightness (k + 1)/K (grayscale).
//! - frame: a border max(1, min(H, W)/16) pixels wide set to the class code.
//!
//! The decoy mask is the patch's square, the whole image (tint) or the border. A patch or
//! frame hides the object beneath it, so the object mask is cleared there.

use super::Dataset;
use crate::rng::{Rng, Stream};
use crate::spec::{DecoyKind, DecoySpec, DecoyTest};

/// The tint's blend weight.
const TINT: f32 = 0.35;
/// Classes a patch can name: four corners times three patterns.
pub const MAX_PATCH_CLASSES: usize = 12;

/// Draws the decoys of `spec` into an image dataset and fills its `decoy_masks`; the
/// choice of decoy per sample comes from the seed's `Stream::Decoy`.
pub fn apply(data: &mut Dataset, spec: &DecoySpec, seed: u32) {
    let [channels, height, width] = data.image.expect("decoys need an image dataset");
    assert!(data.classes >= 2, "decoys need at least two classes");
    assert!(spec.kind != DecoyKind::Patch || data.classes <= MAX_PATCH_CLASSES, "a patch names at most 12 classes");
    let pixels = height * width;
    let rng = Rng::new(seed, Stream::Decoy);
    data.decoy_masks = vec![0; data.len() * pixels];
    for i in 0..data.len() {
        let Some(class) = carried(i < data.n_train, data.labels[i], data.classes as u32, spec, rng.child(i as u32)) else {
            continue;
        };
        let code = code(class as usize, data.classes, channels);
        let image = &mut data.features[i * data.n_features..(i + 1) * data.n_features];
        let object = &mut data.masks[i * pixels..(i + 1) * pixels];
        let decoy = &mut data.decoy_masks[i * pixels..(i + 1) * pixels];
        for p in 0..pixels {
            let (row, column) = (p / width, p % width);
            let Some(value) = mark(spec.kind, class as usize, [height, width], row, column) else {
                continue;
            };
            decoy[p] = 1;
            for (c, &code) in code.iter().enumerate().take(channels) {
                let x = &mut image[c * pixels + p];
                *x = match value {
                    Mark::Set(v) => v,
                    Mark::Code => code,
                    Mark::Tint => (1.0 - TINT) * *x + TINT * code,
                };
            }
            if spec.kind != DecoyKind::Tint {
                object[p] = 0;
            }
        }
    }
}

/// The class whose decoy a sample carries, if any (see the module comment).
fn carried(train: bool, label: u32, classes: u32, spec: &DecoySpec, rng: Rng) -> Option<u32> {
    if train {
        if rng.uniform(0) < spec.correlation {
            return Some(label);
        }
        let other = rng.below(1, classes - 1);
        return Some(if other >= label { other + 1 } else { other });
    }
    match spec.test {
        DecoyTest::Absent => None,
        DecoyTest::Shuffled => Some(rng.below(1, classes)),
    }
}

/// What a decoy does to one pixel.
enum Mark {
    /// The same value in every channel.
    Set(f32),
    /// The class code.
    Code,
    /// Blend towards the class code.
    Tint,
}

/// The mark of class k's decoy at a pixel, or None outside it.
fn mark(kind: DecoyKind, k: usize, [height, width]: [usize; 2], row: usize, column: usize) -> Option<Mark> {
    let short = height.min(width);
    match kind {
        DecoyKind::Tint => Some(Mark::Tint),
        DecoyKind::Frame => {
            let band = (short / 16).max(1);
            let inner = (band..height - band).contains(&row) && (band..width - band).contains(&column);
            (!inner).then_some(Mark::Code)
        }
        DecoyKind::Patch => {
            let side = (short / 5).max(2).min(short);
            let r = if k % 4 >= 2 { row.checked_sub(height - side)? } else { row };
            let c = if k % 2 == 1 { column.checked_sub(width - side)? } else { column };
            if r >= side || c >= side {
                return None;
            }
            let lit = match k / 4 {
                0 => true,
                1 => (r + c) % 2 == 0,
                _ => r % 2 == 0,
            };
            Some(Mark::Set(lit as u32 as f32))
        }
    }
}

/// Class k's code: the hue k/K at full saturation and value (RGB), or the brightness
/// (k + 1)/K in channel 0 (grayscale).
pub fn code(k: usize, classes: usize, channels: usize) -> [f32; 3] {
    if channels == 1 {
        return [(k + 1) as f32 / classes as f32, 0.0, 0.0];
    }
    let hue = 6.0 * k as f32 / classes as f32;
    [5.0f32, 3.0, 1.0].map(|n| {
        let t = (n + hue) % 6.0;
        1.0 - t.min(4.0 - t).clamp(0.0, 1.0)
    })
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;
    use super::*;
    use crate::data::shapes::{shapes, Style};
    use crate::spec::Texture;

    fn spec(kind: DecoyKind, correlation: f32, test: DecoyTest) -> DecoySpec {
        DecoySpec { kind, correlation, test }
    }

    fn style(classes: usize, color: bool) -> Style {
        Style { classes, color, ..Style::PLAIN }
    }

    /// The class a patch names, read back from the pixels: the corner from the decoy
    /// mask, the pattern from the patch's second column and second row.
    fn read_patch(image: &[f32], decoy: &[u8], side: usize) -> u32 {
        let first = decoy.iter().position(|&b| b == 1).unwrap();
        let (row, column) = (first / side, first % side);
        let corner = 2 * (row > 0) as u32 + (column > 0) as u32;
        let pattern = match (image[first + 1], image[first + side]) {
            (1.0, 1.0) => 0,
            (0.0, _) => 1,
            _ => 2,
        };
        corner + 4 * pattern
    }

    /// Per sample, the class of the patch it carries (None without one).
    fn patches(d: &Dataset) -> Vec<Option<u32>> {
        let [c, h, w] = d.image.unwrap();
        (0..d.len())
            .map(|i| {
                let decoy = &d.decoy_masks[i * h * w..(i + 1) * h * w];
                let image = &d.features[i * c * h * w..(i + 1) * c * h * w];
                decoy.contains(&1).then(|| read_patch(image, decoy, w))
            })
            .collect()
    }

    fn share(pairs: impl Iterator<Item = (Option<u32>, u32)>) -> f64 {
        let (mut hits, mut n) = (0, 0);
        for (decoy, label) in pairs {
            n += 1;
            hits += (decoy == Some(label)) as usize;
        }
        hits as f64 / n as f64
    }

    /// Over 2400 training samples the share carrying their own class's patch is within
    /// ±3 % of the correlation; the others carry another class's. In the test split the
    /// patch is absent (pixels and object masks untouched) or shuffled (about 1/K).
    #[test]
    fn the_correlation_is_honoured_in_train_and_the_test_split_is_absent_or_shuffled() {
        let classes = 8;
        let clean = shapes(4000, 16, 10.0, 2, 2400, &style(classes, false));
        for correlation in [0.0, 0.3, 0.75, 1.0] {
            let mut d = clean.clone();
            apply(&mut d, &spec(DecoyKind::Patch, correlation, DecoyTest::Absent), 2);
            let carried = patches(&d);
            assert!(carried[..d.n_train].iter().all(Option::is_some), "every training sample carries a patch");
            let measured = share(carried.iter().zip(&d.labels).take(d.n_train).map(|(&c, &l)| (c, l)));
            println!("correlation {correlation}: {measured:.4} of {} training samples carry their class's patch", d.n_train);
            assert!((measured - correlation as f64).abs() <= 0.03, "asked {correlation}, measured {measured}");
            let test = d.n_train * d.n_features..;
            assert_eq!(d.features[test.clone()], clean.features[test], "the test split has no decoy");
            let pixels = 256;
            assert!(d.decoy_masks[d.n_train * pixels..].iter().all(|&b| b == 0));
            assert_eq!(d.masks[d.n_train * pixels..], clean.masks[d.n_train * pixels..]);

            let mut shuffled = clean.clone();
            apply(&mut shuffled, &spec(DecoyKind::Patch, correlation, DecoyTest::Shuffled), 2);
            assert_eq!(shuffled.features[..d.n_train * d.n_features], d.features[..d.n_train * d.n_features]);
            let carried = patches(&shuffled);
            let test: Vec<_> = carried.iter().zip(&shuffled.labels).skip(d.n_train).map(|(&c, &l)| (c, l)).collect();
            assert!(test.iter().all(|(c, _)| c.is_some()));
            let measured = share(test.into_iter());
            println!("  shuffled test split: {measured:.4} carry their class's patch (chance {:.4})", 1.0 / classes as f64);
            assert!((measured - 1.0 / classes as f64).abs() <= 0.03, "shuffled: {measured}");
        }
    }

    /// The same seed draws the same decoys; another seed draws others.
    #[test]
    fn decoys_are_deterministic() {
        let clean = shapes(300, 16, 5.0, 1, 200, &style(4, true));
        let decoyed = |seed| {
            let mut d = clean.clone();
            apply(&mut d, &spec(DecoyKind::Frame, 0.5, DecoyTest::Shuffled), seed);
            d
        };
        assert_eq!(decoyed(3), decoyed(3));
        assert_ne!(decoyed(3).features, decoyed(4).features);
    }

    /// A frame is the class code on a border, a tint blends every value towards it; the
    /// decoy mask is the border or the whole image, and the object mask loses exactly the
    /// pixels a frame or patch covers.
    #[test]
    fn frames_and_tints_carry_the_class_code_and_masks_align() {
        for color in [false, true] {
            let clean = shapes(120, 32, 0.0, 5, 80, &Style { texture: Texture::Grating, ..style(4, color) });
            let [channels, side, _] = clean.image.unwrap();
            let pixels = side * side;
            for kind in [DecoyKind::Frame, DecoyKind::Tint, DecoyKind::Patch] {
                let mut d = clean.clone();
                apply(&mut d, &spec(kind, 1.0, DecoyTest::Absent), 5);
                for i in 0..d.n_train {
                    let code = code(d.labels[i] as usize, 4, channels);
                    let decoy = &d.decoy_masks[i * pixels..(i + 1) * pixels];
                    let (object, before) = (&d.masks[i * pixels..(i + 1) * pixels], &clean.masks[i * pixels..(i + 1) * pixels]);
                    for p in 0..pixels {
                        let (row, column) = (p / side, p % side);
                        let border = row.min(column).min(side - 1 - row).min(side - 1 - column) < 2;
                        let expected = match kind {
                            DecoyKind::Frame => border,
                            DecoyKind::Tint => true,
                            DecoyKind::Patch => (row < 6 || row >= side - 6) && (column < 6 || column >= side - 6),
                        };
                        if kind != DecoyKind::Patch {
                            assert_eq!(decoy[p] == 1, expected, "{kind:?} pixel {p}");
                        } else {
                            assert!(decoy[p] == 0 || expected, "a patch stays in its corner");
                        }
                        let hidden = decoy[p] == 1 && kind != DecoyKind::Tint;
                        assert_eq!(object[p], if hidden { 0 } else { before[p] }, "{kind:?} object mask at {p}");
                        for (c, &code) in code.iter().enumerate().take(channels) {
                            let (x, x0) = (d.features[i * d.n_features + c * pixels + p], clean.features[i * d.n_features + c * pixels + p]);
                            match kind {
                                DecoyKind::Frame if border => assert_eq!(x, code),
                                DecoyKind::Tint => assert_eq!(x, (1.0 - TINT) * x0 + TINT * code),
                                _ if decoy[p] == 0 => assert_eq!(x, x0),
                                _ => {}
                            }
                        }
                    }
                    if kind == DecoyKind::Patch {
                        assert_eq!(decoy.iter().filter(|&&b| b == 1).count(), 36, "a 6×6 patch at side 32");
                        assert_eq!(read_patch(&d.features[i * d.n_features..], decoy, side), d.labels[i]);
                    }
                }
            }
        }
    }

    /// The class codes are distinct: brightness steps in grayscale, hues around the wheel in RGB.
    #[test]
    fn class_codes_are_distinct() {
        for (classes, channels) in [(4, 1), (10, 1), (4, 3), (10, 3)] {
            let codes: Vec<[f32; 3]> = (0..classes).map(|k| code(k, classes, channels)).collect();
            for (a, ca) in codes.iter().enumerate() {
                assert!(ca.iter().all(|v| (0.0..=1.0).contains(v)));
                for cb in &codes[a + 1..] {
                    let distance: f32 = ca.iter().zip(cb).map(|(x, y)| (x - y).abs()).sum();
                    assert!(distance >= 0.09, "{classes} classes, {channels} channels: {codes:?}");
                }
            }
        }
        assert_eq!(code(0, 3, 3), [1.0, 0.0, 0.0]);
        assert_eq!(code(1, 3, 3), [0.0, 1.0, 0.0]);
    }
}
