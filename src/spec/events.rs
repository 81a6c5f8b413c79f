//! Mid-run edits recorded in a spec (`events`), replayed at their step so that a link
//! reproduces a run whose options or weights were changed while it trained, and the
//! trained weights a link may carry (`weights`).
//!
//! A training event is a patch of `TrainingSpec` fields: keys present are set, a key
//! set to null goes back to its default. Weight and bias events address dense weight
//! layers by index (0 = the first hidden layer's, last = the output layer's).

use super::{check, limits, ExperimentSpec, SpecError, TrainingSpec};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// One weight of a dense layer: the link from input `from` to unit `to`.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct WeightEdit {
    pub layer: u32,
    pub from: u32,
    pub to: u32,
    pub value: f32,
}

/// One bias of a dense layer.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct BiasEdit {
    pub layer: u32,
    pub unit: u32,
    pub value: f32,
}

/// A change applied when the run reaches `step` (before that step's update): exactly
/// one of `training`, `weight`, `bias`.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Event {
    pub step: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub training: Option<Map<String, Value>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weight: Option<WeightEdit>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bias: Option<BiasEdit>,
}

/// What an event does, once validated.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Change<'a> {
    Training(&'a Map<String, Value>),
    Weight(WeightEdit),
    Bias(BiasEdit),
}

impl Event {
    pub fn training(step: u64, patch: Map<String, Value>) -> Self {
        Event { step, training: Some(patch), weight: None, bias: None }
    }

    pub fn weight(step: u64, edit: WeightEdit) -> Self {
        Event { step, training: None, weight: Some(edit), bias: None }
    }

    pub fn bias(step: u64, edit: BiasEdit) -> Self {
        Event { step, training: None, weight: None, bias: Some(edit) }
    }

    /// The one change this event carries (validated specs have exactly one).
    pub fn change(&self) -> Result<Change<'_>, String> {
        match (&self.training, self.weight, self.bias) {
            (Some(t), None, None) => Ok(Change::Training(t)),
            (None, Some(w), None) => Ok(Change::Weight(w)),
            (None, None, Some(b)) => Ok(Change::Bias(b)),
            _ => Err("must hold exactly one of training, weight, bias".into()),
        }
    }
}

/// The options as a JSON object. Through text, so that an f32 0.03 stays 0.03 rather
/// than becoming its f64 widening.
fn training_json(t: &TrainingSpec) -> Map<String, Value> {
    let text = serde_json::to_string(t).expect("a training spec always serialises");
    match serde_json::from_str(&text).expect("serde_json reads what it writes") {
        Value::Object(m) => m,
        _ => unreachable!("a struct serialises to an object"),
    }
}

/// The patch that turns `from` into `to` (empty when they are equal).
pub fn training_patch(from: &TrainingSpec, to: &TrainingSpec) -> Map<String, Value> {
    let (a, b) = (training_json(from), training_json(to));
    let mut patch = Map::new();
    for (k, v) in &b {
        if a.get(k) != Some(v) {
            patch.insert(k.clone(), v.clone());
        }
    }
    for k in a.keys().filter(|k| !b.contains_key(*k)) {
        patch.insert(k.clone(), Value::Null);
    }
    patch
}

/// `training` with `patch` applied; fails naming an unknown field or a bad value type
/// (ranges are `TrainingSpec::validate`'s job).
pub fn apply_training_patch(training: &TrainingSpec, patch: &Map<String, Value>) -> Result<TrainingSpec, String> {
    let mut merged = training_json(training);
    for (k, v) in patch {
        if v.is_null() {
            merged.remove(k);
        } else {
            merged.insert(k.clone(), v.clone());
        }
    }
    serde_json::from_value(Value::Object(merged)).map_err(|e| e.to_string())
}

/// Trained weights carried by a link: the model state (`nn::Net::visit_state` order) at
/// `step`, as little-endian f32 in base64url without padding.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct EmbeddedWeights {
    pub step: u64,
    pub data: String,
}

impl EmbeddedWeights {
    pub fn encode(step: u64, state: &[f32]) -> Self {
        let bytes: Vec<u8> = state.iter().flat_map(|v| v.to_le_bytes()).collect();
        EmbeddedWeights { step, data: URL_SAFE_NO_PAD.encode(bytes) }
    }

    pub fn decode(&self) -> Result<Vec<f32>, String> {
        let bytes = URL_SAFE_NO_PAD.decode(&self.data).map_err(|_| "weights.data is not valid base64url".to_string())?;
        if !bytes.len().is_multiple_of(4) {
            return Err(format!("weights.data holds {} bytes, not a whole number of f32 values", bytes.len()));
        }
        let values: Vec<f32> = bytes.chunks_exact(4).map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]])).collect();
        match values.iter().position(|v| !v.is_finite()) {
            Some(i) => Err(format!("weights.data value {i} is not a finite number")),
            None => Ok(values),
        }
    }
}

/// (inputs, units) of each dense weight layer of an MLP spec, output layer last.
pub fn dense_shapes(spec: &ExperimentSpec) -> Vec<(u32, u32)> {
    let m = &spec.model;
    let mut fan_in = spec.inputs() as u32;
    let mut shapes = Vec::with_capacity(m.hidden.len() + 1);
    for (i, &h) in m.hidden.iter().enumerate() {
        let units = if m.activation_of(i).is_gate() { 2 * h } else { h };
        shapes.push((fan_in, units));
        fan_in = h;
    }
    shapes.push((fan_in, spec.classes() as u32));
    shapes
}

impl ExperimentSpec {
    /// The training options in force when the run reaches `step`: `training` with every
    /// training event at or before `step` applied (the spec must be valid).
    pub fn training_at(&self, step: u64) -> TrainingSpec {
        let mut t = self.training.clone();
        for e in self.events.iter().take_while(|e| e.step <= step) {
            if let Some(patch) = &e.training {
                t = apply_training_patch(&t, patch).expect("validated events apply");
            }
        }
        t
    }

    /// Events: at most `MAX_EVENTS`, steps in order, each a valid change for this model.
    pub(super) fn validate_events(&self) -> Result<(), SpecError> {
        use limits::{MAX_EVENTS, MAX_EVENT_STEP, MAX_EDIT_VALUE};
        check(self.events.len() <= MAX_EVENTS, || format!("events may hold at most {MAX_EVENTS} edits, got {}", self.events.len()))?;
        let shapes = dense_shapes(self);
        let mlp = self.model.layers.is_empty();
        let n_train = self.train_points() as u32;
        let mut training = self.training.clone();
        let mut last = 0;
        for (i, e) in self.events.iter().enumerate() {
            let at = format!("events[{i}]");
            check(e.step <= MAX_EVENT_STEP, || format!("{at}.step must be at most {MAX_EVENT_STEP}, got {}", e.step))?;
            check(e.step >= last, || format!("{at}.step must not be before the previous event's step {last}, got {}", e.step))?;
            last = e.step;
            let edited = |layer: u32, value: f32| {
                check(mlp, || format!("{at}: weight and bias edits need an MLP model (hidden and activation), not model.layers"))?;
                check((layer as usize) < shapes.len(), || {
                    format!("{at}.layer must be below the {} dense layers, got {layer}", shapes.len())
                })?;
                check(value.is_finite() && value.abs() <= MAX_EDIT_VALUE, || {
                    format!("{at}.value must be a number within ±{MAX_EDIT_VALUE}, got {value}")
                })
            };
            match e.change().map_err(|m| SpecError(format!("{at} {m}")))? {
                Change::Training(patch) => {
                    training = apply_training_patch(&training, patch).map_err(|m| SpecError(format!("{at}.training: {m}")))?;
                    training.validate(n_train).map_err(|m| SpecError(format!("{at}: {m}")))?;
                }
                Change::Weight(w) => {
                    edited(w.layer, w.value)?;
                    let (inputs, units) = shapes[w.layer as usize];
                    check(w.from < inputs, || format!("{at}.from must be below the layer's {inputs} inputs, got {}", w.from))?;
                    check(w.to < units, || format!("{at}.to must be below the layer's {units} units, got {}", w.to))?;
                }
                Change::Bias(b) => {
                    edited(b.layer, b.value)?;
                    let units = shapes[b.layer as usize].1;
                    check(b.unit < units, || format!("{at}.unit must be below the layer's {units} units, got {}", b.unit))?;
                }
            }
        }
        if let Some(w) = &self.weights {
            check(w.data.len() <= limits::MAX_WEIGHTS_CHARS, || {
                format!("weights.data may hold at most {} characters, got {}", limits::MAX_WEIGHTS_CHARS, w.data.len())
            })?;
            check(w.step <= MAX_EVENT_STEP, || format!("weights.step must be at most {MAX_EVENT_STEP}, got {}", w.step))?;
            w.decode().map_err(SpecError)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;
    use super::*;
    use crate::spec::Optimizer;

    #[test]
    fn training_patches_round_trip_including_a_return_to_defaults() {
        let a = ExperimentSpec::default().training;
        let mut b = a.clone();
        b.learning_rate = 0.1;
        b.optimizer = Optimizer::Adam;
        b.l2 = 0.01;
        let patch = training_patch(&a, &b);
        assert_eq!(Value::Object(patch.clone()), serde_json::json!({"l2": 0.01, "learningRate": 0.1, "optimizer": "adam"}), "f32s keep their short form");
        assert_eq!(apply_training_patch(&a, &patch).unwrap(), b);
        let back = training_patch(&b, &a);
        assert_eq!(back.get("l2"), Some(&Value::Null));
        assert_eq!(apply_training_patch(&b, &back).unwrap(), a);
        assert!(training_patch(&a, &a).is_empty());
    }

    #[test]
    fn embedded_weights_round_trip_and_refuse_garbage() {
        let w = EmbeddedWeights::encode(12, &[1.5, -0.25, 3e-7]);
        assert_eq!(w.decode().unwrap(), vec![1.5, -0.25, 3e-7]);
        assert!(EmbeddedWeights { step: 0, data: "!!".into() }.decode().unwrap_err().contains("base64url"));
        assert!(EmbeddedWeights { step: 0, data: "AAA".into() }.decode().unwrap_err().contains("whole number"));
        assert!(EmbeddedWeights::encode(0, &[f32::NAN]).decode().unwrap_err().contains("finite"));
    }

    #[test]
    fn events_are_validated_by_name() {
        let weight = |layer, from, to, value| Event::weight(1, WeightEdit { layer, from, to, value });
        let mut lr = Map::new();
        lr.insert("learningRate".into(), Value::from(-1.0));
        let mut unknown = Map::new();
        unknown.insert("learningRat".into(), Value::from(0.1));
        let two = Event { bias: Some(BiasEdit { layer: 0, unit: 0, value: 0.0 }), ..weight(0, 0, 0, 0.0) };
        let cases = [
            (vec![weight(3, 0, 0, 1.0)], "events[0].layer must be below the 3 dense layers"),
            (vec![weight(0, 2, 0, 1.0)], "events[0].from must be below the layer's 2 inputs"),
            (vec![weight(2, 0, 2, 1.0)], "events[0].to must be below the layer's 2 units"),
            (vec![weight(0, 0, 0, f32::NAN)], "events[0].value"),
            (vec![Event::bias(1, BiasEdit { layer: 1, unit: 8, value: 0.0 })], "events[0].unit"),
            (vec![Event::training(5, lr)], "events[0]: training.learningRate"),
            (vec![Event::training(5, unknown)], "events[0].training: unknown field `learningRat`"),
            (vec![two], "exactly one"),
            (vec![weight(0, 0, 0, 1.0), Event { step: 0, ..weight(0, 0, 0, 1.0) }], "events[1].step must not be before"),
            (vec![weight(0, 0, 0, 1.0); limits::MAX_EVENTS + 1], "at most 1000"),
        ];
        for (events, needle) in cases {
            let spec = ExperimentSpec { events, ..ExperimentSpec::default() };
            let e = spec.validate().unwrap_err().0;
            assert!(e.contains(needle), "expected {needle:?} in {e}");
        }
        let mut spec = ExperimentSpec::default();
        spec.weights = Some(EmbeddedWeights { step: 3, data: "A".into() });
        assert!(spec.validate().unwrap_err().0.contains("weights.data"));
    }

    #[test]
    fn the_training_in_force_follows_the_events() {
        let mut spec = ExperimentSpec::default();
        let mut patch = Map::new();
        patch.insert("learningRate".into(), Value::from(0.1));
        spec.events = vec![Event::training(37, patch)];
        spec.validate().unwrap();
        assert_eq!(spec.training_at(36).learning_rate, 0.03);
        assert_eq!(spec.training_at(37).learning_rate, 0.1);
        let json = serde_json::to_string(&spec).unwrap();
        assert!(json.ends_with(r#""events":[{"step":37,"training":{"learningRate":0.1}}]}"#), "{json}");
        assert_eq!(serde_json::from_str::<ExperimentSpec>(&json).unwrap(), spec);
    }
}
