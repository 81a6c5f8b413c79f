//! Exploding activations: the largest |activation| of every layer, checked every few
//! seconds while a run trains. A layer is flagged when its peak passes
//! `ACTIVATION_LIMIT`, or when it has grown `GROWTH_FACTOR`-fold over the last
//! `WINDOW` checks to more than `GROWTH_FLOOR`. A flag warns; training goes on (a loss
//! that stops being finite is a divergence, handled apart).

use super::{Engine, Session};
use std::collections::VecDeque;

/// A peak above this is flagged whatever its history.
pub const ACTIVATION_LIMIT: f32 = 1e4;
/// Growth over the window that is flagged…
pub const GROWTH_FACTOR: f32 = 100.0;
/// …once the peak is larger than this (tiny activations may grow a hundredfold harmlessly).
pub const GROWTH_FLOOR: f32 = 10.0;
/// Checks the growth is measured over.
pub const WINDOW: usize = 5;
/// Training samples each check runs forward.
const SAMPLES: usize = 64;

/// A layer whose activations are exploding, and when this was seen.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ActivationAlarm {
    /// 1-based, as in divergence messages: "layer 3 (dense)".
    pub layer: usize,
    pub kind: String,
    pub peak: f32,
    pub step: u64,
    /// "above 10000" or "grew 100-fold in the last 5 checks".
    pub reason: String,
}

/// The peaks of the last `WINDOW` checks.
#[derive(Clone, Debug, Default)]
pub struct ActivationWatch {
    checks: VecDeque<Vec<f32>>,
}

impl ActivationWatch {
    /// Records one check's peaks (layer number, kind, peak) at `step`; returns the first
    /// layer flagged by this check.
    pub fn observe(&mut self, peaks: &[(usize, &str, f32)], step: u64) -> Option<ActivationAlarm> {
        let oldest = (self.checks.len() == WINDOW).then(|| self.checks.front()).flatten().cloned();
        if self.checks.len() == WINDOW {
            self.checks.pop_front();
        }
        self.checks.push_back(peaks.iter().map(|p| p.2).collect());
        peaks.iter().enumerate().find_map(|(i, &(layer, kind, peak))| {
            let grown = oldest.as_ref().and_then(|o| o.get(i)).is_some_and(|&before| peak > GROWTH_FLOOR && peak >= GROWTH_FACTOR * before);
            let reason = if peak.is_nan() || peak > ACTIVATION_LIMIT {
                format!("above {ACTIVATION_LIMIT}")
            } else if grown {
                format!("grew {GROWTH_FACTOR}-fold in the last {WINDOW} checks")
            } else {
                return None;
            };
            Some(ActivationAlarm { layer, kind: kind.to_string(), peak, step, reason })
        })
    }
}

impl Session {
    /// Runs the first training samples forward and checks every layer's largest
    /// activation (see the module comment).
    pub async fn check_activations(&mut self) -> Option<ActivationAlarm> {
        let (peaks, step) = with_trainer!(&self.engine, t => (t.activation_peaks(SAMPLES).await, t.step()));
        self.watch.observe(&peaks, step)
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;
    use super::*;
    use crate::spec::{Activation, ExperimentSpec, Loss};

    fn peaks(values: &[f32]) -> Vec<(usize, &'static str, f32)> {
        values.iter().enumerate().map(|(i, &v)| (i + 1, "dense", v)).collect()
    }

    #[test]
    fn a_peak_over_the_limit_or_a_hundredfold_growth_is_flagged_and_steady_ones_are_not() {
        let mut watch = ActivationWatch::default();
        for step in 0..20 {
            assert_eq!(watch.observe(&peaks(&[3.0, 900.0]), step), None, "steady activations");
        }
        let alarm = watch.observe(&peaks(&[3.0, 20_000.0]), 20).unwrap();
        assert_eq!((alarm.layer, alarm.step, alarm.reason.as_str()), (2, 20, "above 10000"));
        let mut watch = ActivationWatch::default();
        // 0.2 → 25: a hundredfold in five checks, past the floor, but far below the limit.
        for (step, peak) in [0.2, 0.5, 1.0, 3.0, 8.0].into_iter().enumerate() {
            assert_eq!(watch.observe(&peaks(&[peak]), step as u64), None);
        }
        let alarm = watch.observe(&peaks(&[25.0]), 5).unwrap();
        assert_eq!(alarm.reason, "grew 100-fold in the last 5 checks");
        // Small activations may grow a hundredfold harmlessly.
        let mut watch = ActivationWatch::default();
        for (step, peak) in [0.01, 0.02, 0.05, 0.1, 0.5, 2.0].into_iter().enumerate() {
            assert_eq!(watch.observe(&peaks(&[peak]), step as u64), None);
        }
        assert!(watch.observe(&peaks(&[f32::INFINITY]), 6).is_some(), "non-finite peaks are flagged");
    }

    /// A ReLU MLP with a huge learning rate on MSE blows its activations up before the
    /// loss overflows: the check names a layer; the default run never trips it.
    #[test]
    fn a_run_with_a_huge_learning_rate_is_flagged_and_the_default_is_not() {
        let mut calm = Session::new(ExperimentSpec::default()).unwrap();
        for _ in 0..10 {
            calm.train_steps(50);
            assert_eq!(pollster::block_on(calm.check_activations()), None);
        }
        let mut spec = ExperimentSpec::default();
        spec.model.activation = Activation::Relu;
        spec.training.loss = Loss::Mse;
        spec.training.learning_rate = 10.0;
        let mut wild = Session::new(spec).unwrap();
        let alarm = (0..40).find_map(|_| {
            wild.train_steps(5);
            pollster::block_on(wild.check_activations())
        });
        let alarm = alarm.expect("the activations explode");
        assert!(alarm.layer >= 1 && alarm.step > 0 && alarm.peak > GROWTH_FLOOR, "{alarm:?}");
    }
}
