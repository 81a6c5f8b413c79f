//! The share link: `v=1&s=<payload>&engine=<version>` in the URL fragment.
//!
//! The payload is the spec's JSON, raw-deflate compressed, base64url without padding.
//! The link-format version `v` stays outside the payload so that a future format can
//! change the payload entirely. Decoding is strict and bounded: every failure is a
//! `LinkError` with a message a user can act on.

use super::{ExperimentSpec, SpecError};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;

mod salvage;
pub use salvage::{salvage, Salvaged};

/// The link format this build writes and reads.
pub const LINK_VERSION: u32 = 1;
/// Longest fragment accepted, in bytes.
pub const MAX_FRAGMENT_BYTES: usize = 16 * 1024;
/// Largest decompressed payload accepted, in bytes.
pub const MAX_PAYLOAD_BYTES: usize = 64 * 1024;

#[derive(Debug, Clone, PartialEq)]
pub struct LinkError(pub String);

impl std::fmt::Display for LinkError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for LinkError {}

impl From<SpecError> for LinkError {
    fn from(e: SpecError) -> Self {
        LinkError(format!("The link describes an experiment outside the limits: {e}"))
    }
}

/// A decoded link: the spec, the engine that wrote it, and a warning when that
/// engine differs from this one (trajectories may then differ).
#[derive(Debug, Clone, PartialEq)]
pub struct DecodedLink {
    pub spec: ExperimentSpec,
    pub engine: String,
    pub warning: Option<String>,
}

/// Encodes a spec as a fragment (without the leading `#`).
pub fn encode(spec: &ExperimentSpec) -> String {
    let json = serde_json::to_vec(spec).expect("a spec always serialises");
    let packed = miniz_oxide::deflate::compress_to_vec(&json, 9);
    format!("v={LINK_VERSION}&s={}&engine={}", URL_SAFE_NO_PAD.encode(packed), crate::ENGINE_VERSION)
}

fn err<T>(msg: impl Into<String>) -> Result<T, LinkError> {
    Err(LinkError(msg.into()))
}

/// Decodes and validates a fragment (with or without the leading `#`).
pub fn decode(fragment: &str) -> Result<DecodedLink, LinkError> {
    let Unpacked { json, engine } = unpack(fragment)?;
    let spec: ExperimentSpec = serde_json::from_slice(&json)
        .or_else(|e| err(format!("The link's experiment is not a valid Glassbox spec: {}.", clip_message(&e.to_string()))))?;
    spec.validate()?;
    Ok(decoded(spec, engine))
}

/// The spec with its engine, and a warning when another engine wrote it.
fn decoded(spec: ExperimentSpec, engine: Option<&str>) -> DecodedLink {
    let engine = engine.unwrap_or("unknown").to_string();
    let warning = (engine != crate::ENGINE_VERSION).then(|| {
        format!(
            "This link was made by Glassbox engine {}; this is engine {}. The training run may differ.",
            clip(&engine),
            crate::ENGINE_VERSION
        )
    });
    DecodedLink { spec, engine: clip(&engine).to_string(), warning }
}

/// A fragment's fields, checked, with the payload inflated.
struct Unpacked<'a> {
    json: Vec<u8>,
    engine: Option<&'a str>,
}

/// Reads the fragment's fields, checks the version and inflates the payload, bounded.
fn unpack(fragment: &str) -> Result<Unpacked<'_>, LinkError> {
    let fragment = fragment.strip_prefix('#').unwrap_or(fragment);
    if fragment.len() > MAX_FRAGMENT_BYTES {
        return err(format!(
            "The link is too long ({} bytes; the limit is {MAX_FRAGMENT_BYTES}).",
            fragment.len()
        ));
    }
    let (mut version, mut payload, mut engine) = (None, None, None);
    for part in fragment.split('&').filter(|p| !p.is_empty()) {
        let Some((key, value)) = part.split_once('=') else {
            return err(format!("The link has a malformed part \"{}\" (expected key=value).", clip(part)));
        };
        let slot = match key {
            "v" => &mut version,
            "s" => &mut payload,
            "engine" => &mut engine,
            _ => return err(format!("The link has an unknown field \"{}\".", clip(key))),
        };
        if slot.replace(value).is_some() {
            return err(format!("The link repeats the field \"{key}\"."));
        }
    }
    let Some(version) = version else {
        return err("The link has no version (v=…); it was not made by Glassbox.");
    };
    if version != LINK_VERSION.to_string() {
        let newer = version.parse::<u32>().is_ok_and(|v| v > LINK_VERSION);
        let hint = if newer { " It was made by a newer Glassbox; open it there." } else { "" };
        return err(format!(
            "The link has format version \"{}\", but this Glassbox reads version {LINK_VERSION}.{hint}",
            clip(version)
        ));
    }
    let Some(payload) = payload else {
        return err("The link has no experiment (s=…).");
    };
    let packed = URL_SAFE_NO_PAD
        .decode(payload)
        .or_else(|_| err("The link's experiment is not valid base64url; it may have been cut off."))?;
    let json = miniz_oxide::inflate::decompress_to_vec_with_limit(&packed, MAX_PAYLOAD_BYTES).or_else(|e| {
        match e.status {
            miniz_oxide::inflate::TINFLStatus::HasMoreOutput => {
                err(format!("The link's experiment is larger than {MAX_PAYLOAD_BYTES} bytes."))
            }
            _ => err("The link's experiment is corrupt or cut off (it does not decompress)."),
        }
    })?;
    Ok(Unpacked { json, engine })
}


/// Keeps echoed user text short in messages.
fn clip(s: &str) -> std::borrow::Cow<'_, str> {
    crate::quote::clip(s, 40)
}

/// Keeps a parser's message (which may quote the input) to a readable length.
fn clip_message(message: &str) -> String {
    crate::quote::clip(message, 200).into_owned()
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;
    use super::*;

    fn payload_of(json: &str) -> String {
        URL_SAFE_NO_PAD.encode(miniz_oxide::deflate::compress_to_vec(json.as_bytes(), 6))
    }

    #[test]
    fn round_trip_preserves_the_spec() {
        let mut spec = ExperimentSpec::default();
        spec.training.learning_rate = 0.1;
        spec.model.hidden = vec![3, 5, 7];
        spec.dataset.noise = 0.25;
        let link = encode(&spec);
        assert!(link.starts_with("v=1&s="));
        let decoded = decode(&format!("#{link}")).unwrap();
        assert_eq!(decoded.spec, spec);
        assert_eq!(decoded.warning, None);
        assert_eq!(decode(&link).unwrap().spec, spec);
    }

    #[test]
    fn other_engine_versions_load_with_a_warning() {
        let link = encode(&ExperimentSpec::default()).replace(crate::ENGINE_VERSION, "0.0.1");
        let d = decode(&link).unwrap();
        assert_eq!(d.engine, "0.0.1");
        assert!(d.warning.unwrap().contains("0.0.1"));
    }

    #[test]
    fn malformed_links_are_rejected_with_a_reason() {
        let good = encode(&ExperimentSpec::default());
        let s = good.split("&s=").nth(1).unwrap().split('&').next().unwrap().to_string();
        let cases: Vec<(String, &str)> = vec![
            (String::new(), "no version"),
            ("v=2&s=abc".into(), "format version"),
            ("v=1".into(), "no experiment"),
            ("v=1&s=%%%".into(), "base64url"),
            (format!("v=1&s={}", &s[..(s.len() / 2) & !3]), "corrupt or cut off"),
            (format!("v=1&s={s}&s={s}"), "repeats"),
            (format!("v=1&s={s}&x=1"), "unknown field"),
            ("v=1&s".into(), "malformed part"),
            (format!("v=1&s={}", payload_of("{\"dataset\":1}")), "not a valid Glassbox spec"),
            (format!("v=1&s={}", payload_of("not json")), "not a valid Glassbox spec"),
            ("v=1&s=".to_string() + &"A".repeat(MAX_FRAGMENT_BYTES), "too long"),
        ];
        for (link, expect) in cases {
            let e = decode(&link).expect_err(&link);
            assert!(e.0.contains(expect), "{link:.60}: {e}");
        }
    }

    #[test]
    fn unknown_spec_fields_and_out_of_range_values_are_rejected() {
        let mut v = serde_json::to_value(ExperimentSpec::default()).unwrap();
        v["training"]["surprise"] = 1.into();
        let e = decode(&format!("v=1&s={}", payload_of(&v.to_string()))).unwrap_err();
        assert!(e.0.contains("surprise"), "{e}");
        let mut v = serde_json::to_value(ExperimentSpec::default()).unwrap();
        v["dataset"]["points"] = 50_000_000.into();
        let e = decode(&format!("v=1&s={}", payload_of(&v.to_string()))).unwrap_err();
        assert!(e.0.contains("dataset.points"), "{e}");
    }

    #[test]
    fn links_written_before_the_backend_field_still_open() {
        let mut v = serde_json::to_value(ExperimentSpec::default()).unwrap();
        v.as_object_mut().unwrap().remove("backend");
        let d = decode(&format!("v=1&s={}", payload_of(&v.to_string()))).unwrap();
        assert_eq!(d.spec, ExperimentSpec::default());
    }

    /// Every link version ever written still opens. The format has had one version,
    /// v=1, whose payload gained fields (each with a default) over time: these links
    /// hold the payload of the first build and of a later one with edits. A future
    /// format version must migrate them, and keep this test.
    #[test]
    fn pinned_v1_links_open_as_they_did() {
        let skeleton = decode(include_str!("../../tests/fixtures/links/v1_skeleton.txt").trim()).unwrap();
        assert_eq!(skeleton.spec, ExperimentSpec::default());
        assert_eq!(skeleton.engine, "0.1.0");
        let edited = decode(include_str!("../../tests/fixtures/links/v1_edited_run.txt").trim()).unwrap();
        let s = &edited.spec;
        assert_eq!((s.dataset.kind, s.model.hidden.as_slice(), s.training.learning_rate), (super::super::DatasetKind::Moons, &[6, 4][..], 0.01));
        assert_eq!(s.events.len(), 2);
        assert_eq!(s.training_at(40).learning_rate, 0.005);
        assert_eq!(s.backend, super::super::BackendChoice::Cpu);
    }

    #[test]
    fn future_versions_are_told_apart_from_garbage() {
        let link = encode(&ExperimentSpec::default());
        let newer = decode(&link.replace("v=1", "v=7")).unwrap_err();
        assert!(newer.0.contains("made by a newer Glassbox"), "{newer}");
        let junk = decode(&link.replace("v=1", "v=<b>1</b>")).unwrap_err();
        assert!(junk.0.contains("format version") && !junk.0.contains("newer"), "{junk}");
    }

    #[test]
    fn parser_messages_quoting_the_input_are_clipped() {
        let mut v = serde_json::to_value(ExperimentSpec::default()).unwrap();
        v["model"]["activation"] = "x".repeat(5000).into();
        let e = decode(&format!("v=1&s={}", payload_of(&v.to_string()))).unwrap_err();
        assert!(e.0.contains("unknown variant") && e.0.chars().count() < 400, "{} characters", e.0.len());
    }

    #[test]
    fn decompression_bombs_are_bounded() {
        let bomb = " ".repeat(MAX_PAYLOAD_BYTES * 20);
        let e = decode(&format!("v=1&s={}", payload_of(&bomb))).unwrap_err();
        assert!(e.0.contains("larger than"), "{e}");
    }
}
