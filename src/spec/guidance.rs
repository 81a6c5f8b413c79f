//! Explanation-guided learning settings (`training.guidance`): a penalty, weighted by λ,
//! on the explanation inside a mask M of the inputs that must not matter, taken from the
//! dataset's ground truth, optionally grown by a few pixels (tolerance for loose
//! annotations, as RES does). The penalties:
//! - `rrr`: "right for the right reasons" (Ross et al.), mean‖M ⊙ ∇ₓ Σₖ log pₖ‖²;
//! - `energy`: the energy loss, mean(1 − Σ (1 − M)·A⁺ / Σ A⁺) with A = x ⊙ ∇ₓ z_y the
//!   input×gradient attribution of the label's logit: the share of positive evidence
//!   that lies outside the mask (0 when all of it does).
//!
//! Robustness to rough annotations (RES-style): `dilate` grows the binary mask, `soften`
//! then blurs it into [0, 1] (a Gaussian of σ pixels, so the penalty fades out across
//! the annotation's edge instead of stopping at it), and `confidence` drops the pixels
//! where the (softened) annotation is unsure: a pixel's confidence is |2M − 1| (1 where
//! the mask is clearly 0 or 1, 0 where it is ½), and pixels below the threshold take no
//! part in the penalty (rrr: their M counts as 0; energy: they are left out of both sums).
//!
//! Painted masks (`mask: "painted"`): `painted` lists, per training row, a bitset of the
//! image's H·W pixels (row-major; pixel i at byte ⌊i/8⌋, bit i mod 8, least significant
//! first; 1 = must not matter; the same mask for every channel) as standard base64 with
//! padding. `index` counts the training split's rows in dataset order (0 ≤ index <
//! ⌊points · trainFraction⌋). Rows without a painted mask get no penalty.

use super::{check, DatasetKind, DatasetSpec, SpecError, UploadFormat};
use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use serde::{Deserialize, Serialize};

/// The largest λ a link may ask for.
pub const MAX_LAMBDA: f32 = 1e4;
/// The largest dilation, in pixels (or signal positions).
pub const MAX_DILATE: u32 = 8;
/// The largest softening σ, in pixels (or signal positions).
pub const MAX_SOFTEN: f32 = 4.0;
/// The most painted masks a spec may carry.
pub const MAX_PAINTED: usize = 64;

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Guidance {
    /// λ: the penalty's weight against the loss.
    pub lambda: f32,
    /// Which inputs must not matter.
    pub mask: GuidanceMask,
    /// Grows the mask by this many pixels (a square neighbourhood), so that a loose
    /// annotation still covers what it marks.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub dilate: u32,
    /// Blurs the (dilated) mask with a Gaussian of this σ in pixels, into [0, 1]; 0: off.
    #[serde(default, skip_serializing_if = "is_zero_f32")]
    pub soften: f32,
    /// Leaves out pixels whose annotation confidence |2M − 1| is below this, in [0, 1);
    /// 0: every pixel counts.
    #[serde(default, skip_serializing_if = "is_zero_f32")]
    pub confidence: f32,
    /// Which penalty (rrr when left out).
    #[serde(default, skip_serializing_if = "GuidancePenalty::is_rrr")]
    pub penalty: GuidancePenalty,
    /// The painted masks of `mask: "painted"`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub painted: Vec<PaintedMask>,
}

/// One training row's painted mask (see the module comment for the bit layout).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct PaintedMask {
    pub index: u32,
    pub bits: String,
}

impl PaintedMask {
    /// The mask of an image of `pixels` pixels, one byte (0 or 1) per pixel.
    pub fn decode(&self, pixels: usize) -> Result<Vec<u8>, String> {
        let bytes = STANDARD
            .decode(&self.bits)
            .map_err(|e| format!("training.guidance.painted row {}: bits is not standard base64 ({e})", self.index))?;
        if bytes.len() != pixels.div_ceil(8) {
            return Err(format!(
                "training.guidance.painted row {}: bits holds {} bytes, an image of {pixels} pixels needs {}",
                self.index,
                bytes.len(),
                pixels.div_ceil(8)
            ));
        }
        Ok((0..pixels).map(|i| (bytes[i / 8] >> (i % 8)) & 1).collect())
    }

    /// Encodes a mask of one byte per pixel (nonzero: must not matter).
    pub fn encode(index: u32, mask: &[u8]) -> PaintedMask {
        let mut bytes = vec![0u8; mask.len().div_ceil(8)];
        for (i, _) in mask.iter().enumerate().filter(|(_, &m)| m != 0) {
            bytes[i / 8] |= 1 << (i % 8);
        }
        PaintedMask { index, bits: STANDARD.encode(bytes) }
    }
}

fn is_zero_f32(v: &f32) -> bool {
    *v == 0.0
}

#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Default)]
#[serde(rename_all = "camelCase")]
pub enum GuidancePenalty {
    /// λ·mean‖M ⊙ ∇ₓ Σₖ log pₖ‖² (Ross et al.).
    #[default]
    Rrr,
    /// λ·mean(1 − Σ_inside A⁺ / Σ A⁺), A the label logit's input×gradient.
    Energy,
}

impl GuidancePenalty {
    fn is_rrr(&self) -> bool {
        *self == GuidancePenalty::Rrr
    }
}

fn is_zero(v: &u32) -> bool {
    *v == 0
}

#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub enum GuidanceMask {
    /// Where the dataset's decoy was drawn (needs `dataset.decoy`).
    Decoy,
    /// Everything off the class-defining object (an image or signal set's ground truth).
    Background,
    /// Painted by the user on some training rows (`painted`; any image dataset).
    Painted,
}

impl Guidance {
    /// Checks the fields against the dataset they will read masks from, whose training
    /// split has `n_train` rows.
    pub fn validate(&self, dataset: &DatasetSpec, n_train: usize) -> Result<(), SpecError> {
        check(self.lambda.is_finite() && self.lambda > 0.0 && self.lambda <= MAX_LAMBDA, || {
            format!("training.guidance.lambda must be in (0, {MAX_LAMBDA}], got {}", self.lambda)
        })?;
        check(self.dilate <= MAX_DILATE, || {
            format!("training.guidance.dilate must be at most {MAX_DILATE} pixels, got {}", self.dilate)
        })?;
        check((0.0..=MAX_SOFTEN).contains(&self.soften), || {
            format!("training.guidance.soften must be between 0 and {MAX_SOFTEN} pixels, got {}", self.soften)
        })?;
        check((0.0..1.0).contains(&self.confidence), || {
            format!("training.guidance.confidence must be in [0, 1), got {}", self.confidence)
        })?;
        if self.mask == GuidanceMask::Painted {
            return self.validate_painted(dataset, n_train);
        }
        check(self.painted.is_empty(), || "training.guidance.painted needs mask painted".into())?;
        check(dataset.kind.has_masks(), || {
            format!("training.guidance needs a dataset with ground-truth masks (shapes, digits or signals), not {:?}", dataset.kind)
        })?;
        check(self.mask != GuidanceMask::Decoy || dataset.decoy.is_some(), || {
            "training.guidance.mask decoy needs a dataset with a decoy (dataset.decoy)".into()
        })
    }

    fn validate_painted(&self, dataset: &DatasetSpec, n_train: usize) -> Result<(), SpecError> {
        let upload = dataset.upload.as_ref().filter(|_| dataset.kind == DatasetKind::Upload);
        let image = dataset.kind.is_image() || upload.is_some_and(|u| u.format != UploadFormat::Csv);
        check(image, || format!("training.guidance.mask painted needs an image dataset, not {:?}", dataset.kind))?;
        check(!self.painted.is_empty(), || "training.guidance.mask painted needs at least one painted mask".into())?;
        check(self.painted.len() <= MAX_PAINTED, || {
            format!("training.guidance.painted holds at most {MAX_PAINTED} masks, got {}", self.painted.len())
        })?;
        let mut seen = std::collections::HashSet::new();
        for p in &self.painted {
            check((p.index as usize) < n_train, || {
                format!("training.guidance.painted row {} is not a training row (the training split has {n_train})", p.index)
            })?;
            check(seen.insert(p.index), || format!("training.guidance.painted row {} is painted twice", p.index))?;
            // An upload's image size is known once its files are read; the trainer checks it then.
            if dataset.kind != DatasetKind::Upload {
                let side = dataset.side() as usize;
                p.decode(side * side).map_err(SpecError)?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_penalty_defaults_to_rrr_and_is_left_out_of_json_then() {
        let g: Guidance = serde_json::from_str(r#"{"lambda": 2, "mask": "decoy"}"#).unwrap();
        assert_eq!(g.penalty, GuidancePenalty::Rrr);
        assert_eq!(serde_json::to_string(&g).unwrap(), r#"{"lambda":2.0,"mask":"decoy"}"#);
        let energy: Guidance = serde_json::from_str(r#"{"lambda": 2, "mask": "decoy", "penalty": "energy"}"#).unwrap();
        assert_eq!(energy.penalty, GuidancePenalty::Energy);
        assert_eq!(serde_json::to_string(&energy).unwrap(), r#"{"lambda":2.0,"mask":"decoy","penalty":"energy"}"#);
        assert!(serde_json::from_str::<Guidance>(r#"{"lambda": 2, "mask": "decoy", "penalty": "l2"}"#).is_err());
    }

    fn digits(side: u32) -> DatasetSpec {
        let mut spec = crate::spec::ExperimentSpec::default().dataset;
        spec.kind = DatasetKind::Digits;
        spec.image_size = side;
        spec
    }

    fn painted(json: &str) -> Guidance {
        serde_json::from_str(&format!(r#"{{"lambda": 1, "mask": "painted", "painted": {json}}}"#)).unwrap()
    }

    #[test]
    fn painted_masks_round_trip_through_base64_bits() {
        let mask: Vec<u8> = (0..100).map(|i| u8::from(i % 7 == 0 || i == 99)).collect();
        let p = PaintedMask::encode(3, &mask);
        assert_eq!(STANDARD.decode(&p.bits).unwrap().len(), 13);
        assert_eq!(p.decode(100).unwrap(), mask);
        let g = painted(&serde_json::to_string(&[&p]).unwrap());
        let json = serde_json::to_string(&g).unwrap();
        assert!(json.contains(r#""painted":[{"index":3,"bits":""#), "{json}");
        assert_eq!(serde_json::from_str::<Guidance>(&json).unwrap(), g);
        let plain: Guidance = serde_json::from_str(r#"{"lambda": 1, "mask": "decoy"}"#).unwrap();
        assert!(!serde_json::to_string(&plain).unwrap().contains("painted"), "left out when empty");
    }

    #[test]
    fn painted_masks_are_validated_with_clear_messages() {
        let d = digits(10); // 100 pixels: 13 bytes
        let bits = |i: u32| PaintedMask::encode(i, &[1; 100]);
        let list = |v: &[PaintedMask]| serde_json::to_string(v).unwrap();
        assert!(painted(&list(&[bits(0), bits(59)])).validate(&d, 60).is_ok());
        let err = |g: Guidance, d: &DatasetSpec| g.validate(d, 60).unwrap_err().0;
        assert!(err(painted("[]"), &d).contains("at least one"));
        let many: Vec<PaintedMask> = (0..65).map(bits).collect();
        assert!(err(painted(&list(&many)), &d).contains("at most 64"));
        assert!(err(painted(&list(&[bits(60)])), &d).contains("row 60 is not a training row (the training split has 60)"));
        assert!(err(painted(&list(&[bits(4), bits(4)])), &d).contains("row 4 is painted twice"));
        assert!(err(painted(&list(&[PaintedMask::encode(1, &[1; 105])])), &d).contains("holds 14 bytes, an image of 100 pixels needs 13"));
        assert!(err(painted(r#"[{"index": 1, "bits": "not base64!"}]"#), &d).contains("not standard base64"));
        let mut points = d.clone();
        points.kind = DatasetKind::Spiral;
        assert!(err(painted(&list(&[bits(0)])), &points).contains("needs an image dataset"));
        let mut decoy: Guidance = serde_json::from_str(r#"{"lambda": 1, "mask": "background"}"#).unwrap();
        decoy.painted = vec![bits(0)];
        assert!(err(decoy, &d).contains("painted needs mask painted"));
        assert!(serde_json::from_str::<Guidance>(r#"{"lambda": 1, "mask": "painted", "painted": [{"index": 0, "bits": "", "x": 1}]}"#).is_err());
    }

    #[test]
    fn soften_and_confidence_are_bounded() {
        let d = digits(10);
        let g = |extra: &str| serde_json::from_str::<Guidance>(&format!(r#"{{"lambda": 1, "mask": "background"{extra}}}"#)).unwrap();
        assert!(g(r#", "soften": 4, "confidence": 0.9"#).validate(&d, 60).is_ok());
        assert!(g(r#", "soften": 4.5"#).validate(&d, 60).unwrap_err().0.contains("soften must be between 0 and 4"));
        assert!(g(r#", "soften": -1"#).validate(&d, 60).is_err());
        assert!(g(r#", "confidence": 1"#).validate(&d, 60).unwrap_err().0.contains("confidence must be in [0, 1)"));
        assert!(g(r#", "confidence": -0.1"#).validate(&d, 60).is_err());
        let json = serde_json::to_string(&g(r#", "soften": 1.5, "confidence": 0.25"#)).unwrap();
        assert_eq!(json, r#"{"lambda":1.0,"mask":"background","soften":1.5,"confidence":0.25}"#);
    }
}
