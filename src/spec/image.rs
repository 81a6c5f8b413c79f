//! The image and signal options of a dataset spec: the richer shapes (classes, rotation,
//! texture, colour), the decoy ("Clever Hans") shortcut, and the signal length; with
//! their validation. Every option has a default that is left out of the JSON.

use super::{check, limits, DatasetKind, DatasetSpec, SpecError};
use serde::{Deserialize, Serialize};

/// The background behind a shape.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, Default, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub enum Texture {
    /// Flat: black in grayscale, the sample's background colour in RGB.
    #[default]
    None,
    /// A sinusoidal grating of random orientation, period and phase.
    Grating,
    /// Smooth value noise: random values on a coarse lattice, interpolated.
    Noise,
}

/// What the decoy looks like; it encodes a class (see `data::decoy`).
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub enum DecoyKind {
    /// A small patch in a corner: the corner and the patch's pattern name the class.
    Patch,
    /// The whole image blended towards a class colour (RGB) or class brightness (grayscale).
    Tint,
    /// A border around the image in a class colour or brightness.
    Frame,
}

/// What the test split carries.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, Default, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub enum DecoyTest {
    /// No decoy at all.
    #[default]
    Absent,
    /// Every test sample gets the decoy of a uniformly random class, independent of its label.
    Shuffled,
}

/// A class-correlated shortcut in the training split.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct DecoySpec {
    pub kind: DecoyKind,
    /// The probability, in [0, 1], that a training sample carries its own class's decoy;
    /// otherwise it carries the decoy of a uniformly random other class.
    pub correlation: f32,
    #[serde(default, skip_serializing_if = "super::is_default")]
    pub test: DecoyTest,
}

/// The most shape classes (`data::shapes::Shape::ALL`).
pub const MAX_SHAPE_CLASSES: u32 = 8;
/// Signals have one class per burst shape (`data::signals::Burst`).
pub const SIGNAL_CLASSES: usize = 4;
/// Signal lengths: the burst spans a quarter, and the ripple needs 3 samples per cycle.
pub const MIN_SIGNAL_LENGTH: u32 = 48;
pub const MAX_SIGNAL_LENGTH: u32 = 1024;

impl DatasetSpec {
    /// Channels of an image set: 3 with `color`, else 1.
    pub fn channels(&self) -> u32 {
        if self.color {
            3
        } else {
            1
        }
    }

    /// Checks the options above; each applies to its kinds only.
    pub(super) fn validate_image_options(&self) -> Result<(), SpecError> {
        let d = self;
        let shapes = d.kind == DatasetKind::Shapes;
        if shapes {
            check((2..=MAX_SHAPE_CLASSES).contains(&d.shape_classes), || {
                format!("dataset.shapeClasses must be between 2 and {MAX_SHAPE_CLASSES}, got {}", d.shape_classes)
            })?;
        } else {
            let extras = super::shape_classes::is(&d.shape_classes) && !d.rotate && d.texture == Texture::None && !d.color;
            check(extras, || "dataset.shapeClasses, rotate, texture and color apply to shapes only".into())?;
        }
        if d.kind == DatasetKind::Signals {
            check((MIN_SIGNAL_LENGTH..=MAX_SIGNAL_LENGTH).contains(&d.length), || {
                format!("dataset.length must be between {MIN_SIGNAL_LENGTH} and {MAX_SIGNAL_LENGTH}, got {}", d.length)
            })?;
            let max = limits::MAX_IMAGES.min((limits::MAX_IMAGE_PIXELS / d.length as u64) as u32);
            check((limits::MIN_POINTS..=max).contains(&d.points), || {
                format!("dataset.points (signals) must be between {} and {max} at length {}, got {}", limits::MIN_POINTS, d.length, d.points)
            })?;
        } else {
            check(super::length::is(&d.length), || "dataset.length applies to signals only".into())?;
        }
        if let Some(decoy) = d.decoy {
            check(d.kind.is_image(), || "dataset.decoy applies to image datasets (shapes, digits) only".into())?;
            let c = decoy.correlation;
            check(c.is_finite() && (0.0..=1.0).contains(&c), || {
                format!("dataset.decoy.correlation must be between 0 and 1, got {c}")
            })?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;
    use super::*;
    use crate::spec::ExperimentSpec;

    fn shapes_spec() -> ExperimentSpec {
        let mut spec = ExperimentSpec::default();
        spec.dataset.kind = DatasetKind::Shapes;
        spec
    }

    #[test]
    fn the_options_round_trip_and_defaults_stay_out_of_the_json() {
        let plain = serde_json::to_string(&shapes_spec().dataset).unwrap();
        assert_eq!(plain, r#"{"kind":"shapes","points":500,"trainFraction":0.5,"noise":0.0,"seed":1}"#);
        let json = r#"{"kind":"shapes","points":500,"trainFraction":0.5,"noise":0.0,"seed":1,"shapeClasses":8,"rotate":true,"texture":"grating","color":true,"decoy":{"kind":"patch","correlation":0.9}}"#;
        let spec: DatasetSpec = serde_json::from_str(json).unwrap();
        assert_eq!((spec.shape_classes, spec.rotate, spec.texture, spec.color), (8, true, Texture::Grating, true));
        assert_eq!(spec.decoy, Some(DecoySpec { kind: DecoyKind::Patch, correlation: 0.9, test: DecoyTest::Absent }));
        assert_eq!(serde_json::to_string(&spec).unwrap(), json);
        let shuffled = r#"{"kind":"frame","correlation":1.0,"test":"shuffled"}"#;
        let decoy: DecoySpec = serde_json::from_str(shuffled).unwrap();
        assert_eq!((decoy.kind, decoy.test), (DecoyKind::Frame, DecoyTest::Shuffled));
        let signals = r#"{"kind":"signals","points":500,"trainFraction":0.5,"noise":0.0,"seed":1,"length":128}"#;
        let spec: DatasetSpec = serde_json::from_str(signals).unwrap();
        assert_eq!(serde_json::to_string(&spec).unwrap(), signals);
    }

    #[test]
    fn classes_and_inputs_follow_the_options() {
        let mut s = shapes_spec();
        s.dataset.shape_classes = 6;
        s.dataset.color = true;
        s.validate().unwrap();
        assert_eq!((s.classes(), s.inputs()), (6, 3 * 256));
        let d = crate::data::build(&s.dataset, s.train_points());
        assert_eq!((d.classes, d.n_features, d.image), (6, 768, Some([3, 16, 16])));
        let mut s = ExperimentSpec::default();
        s.dataset.kind = DatasetKind::Signals;
        s.dataset.noise = 10.0;
        s.validate().unwrap();
        assert_eq!((s.classes(), s.inputs()), (SIGNAL_CLASSES, 64));
        let d = crate::data::build(&s.dataset, s.train_points());
        assert_eq!((d.classes, d.n_features, d.image, d.masks.len()), (4, 64, None, 500 * 64));
    }

    #[test]
    fn bad_options_are_refused_by_name() {
        type Breaker = Box<dyn Fn(&mut ExperimentSpec)>;
        let decoy = |correlation| Some(DecoySpec { kind: DecoyKind::Tint, correlation, test: DecoyTest::Absent });
        let cases: Vec<(&str, Breaker)> = vec![
            ("dataset.shapeClasses must be between 2 and 8", Box::new(|s| s.dataset.shape_classes = 9)),
            ("dataset.shapeClasses must be between 2 and 8", Box::new(|s| s.dataset.shape_classes = 1)),
            ("apply to shapes only", Box::new(|s| {
                s.dataset.kind = DatasetKind::Spiral;
                s.dataset.rotate = true;
            })),
            ("apply to shapes only", Box::new(|s| {
                s.dataset.kind = DatasetKind::Signals;
                s.dataset.color = true;
            })),
            ("dataset.length applies to signals only", Box::new(|s| s.dataset.length = 32)),
            ("dataset.length must be between 48 and 1024", Box::new(|s| {
                s.dataset.kind = DatasetKind::Signals;
                s.dataset.length = 8;
            })),
            ("dataset.points (signals) must be between 10 and 16384 at length 1024", Box::new(|s| {
                s.dataset.kind = DatasetKind::Signals;
                s.dataset.length = 1024;
                s.dataset.points = 16_385;
            })),
            ("dataset.imageSize applies to image datasets only", Box::new(|s| {
                s.dataset.kind = DatasetKind::Signals;
                s.dataset.image_size = 32;
            })),
            ("dataset.decoy.correlation must be between 0 and 1", Box::new(move |s| s.dataset.decoy = decoy(1.5))),
            ("dataset.decoy.correlation must be between 0 and 1", Box::new(move |s| s.dataset.decoy = decoy(f32::NAN))),
            ("dataset.decoy applies to image datasets", Box::new(move |s| {
                s.dataset.kind = DatasetKind::Signals;
                s.dataset.decoy = decoy(0.5);
            })),
            ("between 10 and 7133 at imageSize 28", Box::new(|s| {
                s.dataset.color = true;
                s.dataset.image_size = 28;
                s.dataset.points = 7134;
            })),
        ];
        for (message, break_it) in cases {
            let mut s = shapes_spec();
            break_it(&mut s);
            let err = s.validate().unwrap_err().0;
            assert!(err.contains(message), "expected an error containing {message:?}, got {err}");
        }
    }
}
