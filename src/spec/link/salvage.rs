//! The readable part of a link that does not open: when the payload is JSON but not a
//! valid spec (a field out of range, an unknown tag, a value from a newer build), keep
//! every section or field that is valid on its own, over the default experiment, and
//! say which were dropped and why. The page offers this instead of failing outright.

use super::{clip_message, decoded, unpack, DecodedLink};
use crate::spec::ExperimentSpec;
use serde_json::{Map, Value};

/// Most single-field attempts (each validates a spec) one salvage makes.
const MAX_ATTEMPTS: usize = 1000;

/// Most dropped parts listed by name.
const MAX_LISTED: usize = 12;

/// A valid spec made of what could be read, and one message per part left out.
#[derive(Debug, Clone, PartialEq)]
pub struct Salvaged {
    pub spec: ExperimentSpec,
    pub engine: String,
    pub warning: Option<String>,
    /// "dataset.points: …why…" for each part that was left at its default.
    pub dropped: Vec<String>,
}

/// The spec a JSON tree describes, if it is valid.
fn valid(tree: &Value) -> Result<ExperimentSpec, String> {
    let spec: ExperimentSpec = serde_json::from_value(tree.clone()).map_err(|e| clip_message(&e.to_string()))?;
    spec.validate().map_err(|e| clip_message(&e.0))?;
    Ok(spec)
}

/// The readable part of a fragment whose payload is a JSON object but not a valid spec;
/// None when the link opens as it is, when nothing past the envelope can be read, or
/// when no part of it is usable.
pub fn salvage(fragment: &str) -> Option<Salvaged> {
    let unpacked = unpack(fragment).ok()?;
    let Ok(Value::Object(link)) = serde_json::from_slice::<Value>(&unpacked.json) else {
        return None;
    };
    let mut tree = serde_json::to_value(ExperimentSpec::default()).expect("a spec always serialises");
    valid(&Value::Object(link.clone())).is_err().then_some(())?;
    // Whole sections first, then their fields one at a time; repeat while anything is
    // taken, since one field may make another valid (a kind, then its options).
    let mut pending: Vec<(String, Option<String>, Value)> = Vec::new();
    for (section, value) in &link {
        match try_set(&mut tree, section, None, value) {
            Ok(()) => {}
            Err(_) if value.is_object() && tree.get(section).is_some_and(Value::is_object) => {
                let fields = value.as_object().expect("checked").clone();
                pending.extend(fields.into_iter().map(|(k, v)| (section.clone(), Some(k), v)));
            }
            Err(_) => pending.push((section.clone(), None, value.clone())),
        }
    }
    let mut kept_any = link.keys().any(|k| !pending.iter().any(|(s, _, _)| s == k));
    let mut reasons = Map::new();
    // Each attempt validates a whole spec: a hostile link with thousands of bad fields
    // must not keep the tab busy, so the attempts are bounded.
    let mut attempts = 0;
    loop {
        let before = pending.len();
        pending.retain(|(section, field, value)| {
            attempts += 1;
            if attempts > MAX_ATTEMPTS {
                return true;
            }
            match try_set(&mut tree, section, field.as_deref(), value) {
                Ok(()) => false,
                Err(why) => {
                    reasons.insert(path(section, field.as_deref()), Value::String(why));
                    true
                }
            }
        });
        kept_any |= pending.len() < before;
        if pending.len() == before || pending.is_empty() {
            break;
        }
    }
    if !kept_any {
        return None;
    }
    let spec = valid(&tree).expect("every step kept the tree valid");
    let mut dropped: Vec<String> = pending
        .iter()
        .take(MAX_LISTED)
        .map(|(s, f, _)| {
            let at = path(s, f.as_deref());
            let why = reasons.get(&at).and_then(Value::as_str).unwrap_or("not read (too many unreadable fields)");
            format!("{}: {why}", clip_message(&at))
        })
        .collect();
    if pending.len() > MAX_LISTED {
        dropped.push(format!("and {} more parts", pending.len() - MAX_LISTED));
    }
    let DecodedLink { spec, engine, warning } = decoded(spec, unpacked.engine);
    Some(Salvaged { spec, engine, warning, dropped })
}

fn path(section: &str, field: Option<&str>) -> String {
    match field {
        Some(f) => format!("{section}.{f}"),
        None => section.to_string(),
    }
}

/// Sets `section` (or `section.field`) to `value` if the tree stays a valid spec.
fn try_set(tree: &mut Value, section: &str, field: Option<&str>, value: &Value) -> Result<(), String> {
    let mut next = tree.clone();
    let root = next.as_object_mut().expect("a spec is an object");
    match field {
        None => {
            root.insert(section.to_string(), value.clone());
        }
        Some(f) => {
            let Some(Value::Object(m)) = root.get_mut(section) else {
                return Err(format!("{section} is not an object"));
            };
            m.insert(f.to_string(), value.clone());
        }
    }
    valid(&next)?;
    *tree = next;
    Ok(())
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;
    use super::*;
    use crate::spec::link::encode;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine as _;

    fn link(v: &Value) -> String {
        format!("v=1&s={}", URL_SAFE_NO_PAD.encode(miniz_oxide::deflate::compress_to_vec(v.to_string().as_bytes(), 6)))
    }

    #[test]
    fn bad_fields_are_dropped_and_named_and_the_rest_is_kept() {
        let mut v = serde_json::to_value(ExperimentSpec::default()).unwrap();
        v["dataset"]["kind"] = "moons".into();
        v["dataset"]["points"] = 50_000_000.into();
        v["model"]["hidden"] = serde_json::json!([3, 5]);
        v["model"]["activation"] = "<script>alert(1)</script>".into();
        v["training"]["learningRate"] = 0.5.into();
        v["surprise"] = 1.into();
        let part = salvage(&link(&v)).expect("most of the link is readable");
        let want = {
            let mut s = ExperimentSpec::default();
            s.dataset.kind = crate::spec::DatasetKind::Moons;
            s.model.hidden = vec![3, 5];
            s.training.learning_rate = 0.5;
            s
        };
        assert_eq!(part.spec, want);
        let names: Vec<&str> = part.dropped.iter().map(|d| d.split(':').next().unwrap()).collect();
        assert_eq!(names, ["dataset.points", "model.activation", "surprise"], "{:?}", part.dropped);
        assert!(part.dropped[0].contains("between 10 and 10000"), "{}", part.dropped[0]);
        assert!(part.dropped[1].contains("unknown variant"), "{}", part.dropped[1]);
    }

    #[test]
    fn a_kind_and_its_options_are_taken_together_across_passes() {
        let mut v = serde_json::to_value(ExperimentSpec::default()).unwrap();
        // imageSize is only valid once the kind is an image set: the second pass takes it.
        v["dataset"] = serde_json::json!({"imageSize": 24, "kind": "shapes", "points": 400, "trainFraction": 0.5,
            "noise": 0.0, "seed": 1, "bogus": true});
        let part = salvage(&link(&v)).unwrap();
        assert_eq!((part.spec.dataset.kind, part.spec.dataset.image_size, part.spec.dataset.points), (crate::spec::DatasetKind::Shapes, 24, 400));
        assert_eq!(part.dropped.len(), 1, "{:?}", part.dropped);
        assert!(part.dropped[0].starts_with("dataset.bogus: unknown field"), "{:?}", part.dropped);
    }

    #[test]
    fn nothing_is_salvaged_from_valid_unreadable_or_hopeless_links() {
        let good = encode(&ExperimentSpec::default());
        assert_eq!(salvage(&good), None, "a valid link opens as it is");
        assert_eq!(salvage("v=1&s=%%%"), None);
        assert_eq!(salvage(&link(&serde_json::json!([1, 2]))), None);
        assert_eq!(salvage(&link(&serde_json::json!({"x": 1, "y": 2}))), None, "no part is a spec's");
        assert_eq!(salvage(&good.replace("v=1", "v=2")), None, "another format is not guessed at");
    }

    #[test]
    fn many_bad_fields_are_bounded_and_summarised() {
        let mut v = serde_json::to_value(ExperimentSpec::default()).unwrap();
        for i in 0..500 {
            v["training"][format!("junk{i}")] = i.into();
        }
        v["training"]["learningRate"] = 0.2.into();
        let part = salvage(&link(&v)).unwrap();
        assert_eq!(part.spec.training.learning_rate, 0.2);
        assert_eq!(part.dropped.len(), MAX_LISTED + 1);
        assert_eq!(part.dropped.last().unwrap(), &format!("and {} more parts", 500 - MAX_LISTED));
    }
}
