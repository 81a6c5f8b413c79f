//! Explanation-guided learning settings (`training.guidance`): a penalty, weighted by λ,
//! on the explanation inside a mask M of the inputs that must not matter, taken from the
//! dataset's ground truth, optionally grown by a few pixels (tolerance for loose
//! annotations, as RES does). The penalties:
//! - `rrr`: "right for the right reasons" (Ross et al.), mean‖M ⊙ ∇ₓ Σₖ log pₖ‖²;
//! - `energy`: the energy loss, mean(1 − Σ (1 − M)·A⁺ / Σ A⁺) with A = x ⊙ ∇ₓ z_y the
//!   input×gradient attribution of the label's logit: the share of positive evidence
//!   that lies outside the mask (0 when all of it does).

use super::{check, DatasetSpec, SpecError};
use serde::{Deserialize, Serialize};

/// The largest λ a link may ask for.
pub const MAX_LAMBDA: f32 = 1e4;
/// The largest dilation, in pixels (or signal positions).
pub const MAX_DILATE: u32 = 8;

#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq)]
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
    /// Which penalty (rrr when left out).
    #[serde(default, skip_serializing_if = "GuidancePenalty::is_rrr")]
    pub penalty: GuidancePenalty,
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
}

impl Guidance {
    /// Checks the fields against the dataset they will read masks from.
    pub fn validate(&self, dataset: &DatasetSpec) -> Result<(), SpecError> {
        check(self.lambda.is_finite() && self.lambda > 0.0 && self.lambda <= MAX_LAMBDA, || {
            format!("training.guidance.lambda must be in (0, {MAX_LAMBDA}], got {}", self.lambda)
        })?;
        check(self.dilate <= MAX_DILATE, || {
            format!("training.guidance.dilate must be at most {MAX_DILATE} pixels, got {}", self.dilate)
        })?;
        check(dataset.kind.has_masks(), || {
            format!("training.guidance needs a dataset with ground-truth masks (shapes, digits or signals), not {:?}", dataset.kind)
        })?;
        check(self.mask != GuidanceMask::Decoy || dataset.decoy.is_some(), || {
            "training.guidance.mask decoy needs a dataset with a decoy (dataset.decoy)".into()
        })
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
}
