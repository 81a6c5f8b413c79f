//! Share links: hostile values inside well-formed spec JSON (which exercises spec
//! validation, not just base64 and deflate), and byte edits of valid links.

use super::hostile::{apply, apply_bytes, byte_edits, edit_list};
use super::{assert_clear, config};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use glassbox::spec::link::{decode, encode, salvage};
use proptest::prelude::*;
use proptest::test_runner::TestRunner;
use serde_json::{json, Value};

/// Valid specs covering every part of the format: an MLP, a CNN with blocks, custom
/// points, an upload, recorded events and embedded weights.
pub fn bases() -> Vec<Value> {
    let default = json!({"dataset":{"kind":"spiral","points":500,"trainFraction":0.5,"noise":0.0,"seed":1},
        "model":{"hidden":[8,8],"activation":"tanh"},
        "training":{"loss":"softmaxCrossEntropy","optimizer":"sgd","learningRate":0.03,"batchSize":10,"seed":1},"backend":"auto"});
    let mut cnn = default.clone();
    cnn["dataset"] = json!({"kind":"shapes","points":200,"trainFraction":0.5,"noise":10.0,"seed":3,"imageSize":16,
        "rotate":true,"texture":"grating","decoy":{"kind":"patch","correlation":0.9}});
    cnn["model"] = json!({"hidden":[],"activation":"relu","layers":[{"type":"conv2d","filters":4,"kernel":3},
        {"type":"activation","function":"relu"},{"type":"pool","op":"max","size":2},
        {"type":"residual","layers":[{"type":"batchNorm"},{"type":"squeezeExcite","reduction":2}]},
        {"type":"pool","op":"logAvgExp","temperature":0.5,"learnTemperature":true},{"type":"dropout","rate":0.2},
        {"type":"flatten"},{"type":"dense","units":4}]});
    cnn["training"] = json!({"loss":"focal","lossParams":{"focalGamma":1.5},"optimizer":"adamW","learningRate":0.01,
        "batchSize":16,"seed":2,"weightDecay":0.01,"clipNorm":1.0,"schedule":{"kind":"cosine","steps":100,"minLr":0.001},
        "warmupSteps":5});
    let mut custom = default.clone();
    let points: Vec<Value> = (0..12).map(|i| json!([i as f32 * 0.5 - 3.0, (i % 5) as f32, i % 3])).collect();
    custom["dataset"] = json!({"kind":"custom","points":12,"trainFraction":0.5,"noise":0.0,"seed":1,"classes":3,
        "customPoints":points,"features":["x1","x2","x1Squared","sinX1"],"preprocess":"zscore"});
    custom["model"] = json!({"hidden":[6,4],"activation":"leakyRelu","leakySlope":0.2,"activations":["prelu","andAil"],
        "init":{"kind":"criticality","cW":2.0,"cB":0.1},"dropout":0.1});
    custom["training"]["batchSize"] = json!(3);
    let mut upload = default.clone();
    upload["dataset"] = json!({"kind":"upload","points":100,"trainFraction":0.8,"noise":0.0,"seed":1,
        "upload":{"format":"idx","files":[{"name":"train-images-idx3-ubyte.gz","bytes":900,"hash":"0123456789abcdef"},
        {"name":"train-labels-idx1-ubyte","bytes":108,"hash":"fedcba9876543210"}],"features":784,"classes":10}});
    let mut edited = default.clone();
    edited["events"] = json!([{"step":5,"training":{"learningRate":0.1,"optimizer":"momentum"}},
        {"step":9,"weight":{"layer":1,"from":2,"to":3,"value":-0.5}},{"step":9,"bias":{"layer":2,"unit":1,"value":0.25}}]);
    let state: Vec<f32> = (0..114).map(|i| (i as f32 * 0.37).sin()).collect();
    let bytes: Vec<u8> = state.iter().flat_map(|v| v.to_le_bytes()).collect();
    edited["weights"] = json!({"step":12,"data":URL_SAFE_NO_PAD.encode(bytes)});
    vec![default, cnn, custom, upload, edited]
}

fn link_of_json(json: &str) -> String {
    format!("v=1&s={}&engine={}", URL_SAFE_NO_PAD.encode(miniz_oxide::deflate::compress_to_vec(json.as_bytes(), 6)), glassbox::ENGINE_VERSION)
}

/// Decodes a fragment: a valid result validates and survives a round trip; a failure
/// has a clear message, and the readable part (if any) is itself a valid spec that
/// round-trips.
pub fn check(fragment: &str) {
    match decode(fragment) {
        Ok(d) => {
            d.spec.validate().expect("decode returns only valid specs");
            assert_eq!(decode(&encode(&d.spec)).expect("a decoded spec re-encodes").spec, d.spec);
        }
        Err(e) => {
            assert_clear(&e.0, fragment);
            if let Some(part) = salvage(fragment) {
                part.spec.validate().expect("the readable part is valid");
                assert_eq!(decode(&encode(&part.spec)).expect("the readable part re-encodes").spec, part.spec);
                for dropped in &part.dropped {
                    assert_clear(dropped, fragment);
                }
            }
        }
    }
}

#[test]
fn the_bases_are_valid_links() {
    for base in bases() {
        let link = link_of_json(&base.to_string());
        let d = decode(&link).unwrap_or_else(|e| panic!("{e}: {base}"));
        assert_eq!(serde_json::to_value(&d.spec).unwrap()["dataset"]["kind"], base["dataset"]["kind"]);
    }
}

#[test]
fn hostile_values_in_well_formed_specs() {
    let bases = bases();
    let mut runner = TestRunner::new(config("link JSON values"));
    let strategy = (0..bases.len(), edit_list(4));
    runner
        .run(&strategy, |(base, edits)| {
            let json = apply(bases[base].clone(), &edits).to_string();
            check(&link_of_json(&json));
            Ok(())
        })
        .unwrap();
}

#[test]
fn byte_edits_of_valid_links() {
    let links: Vec<String> = bases().iter().map(|b| link_of_json(&b.to_string())).collect();
    let mut runner = TestRunner::new(config("link bytes"));
    // Edits of the packed payload (deflate and JSON), or of the fragment text itself.
    let strategy = (0..links.len(), any::<bool>(), byte_edits(3));
    runner
        .run(&strategy, |(i, inner, edits)| {
            let link = &links[i];
            let fragment = if inner {
                let s = link.split("&s=").nth(1).unwrap().split('&').next().unwrap();
                let packed = apply_bytes(URL_SAFE_NO_PAD.decode(s).unwrap(), &edits);
                link.replacen(s, &URL_SAFE_NO_PAD.encode(packed), 1)
            } else {
                String::from_utf8_lossy(&apply_bytes(link.clone().into_bytes(), &edits)).into_owned()
            };
            check(&fragment);
            Ok(())
        })
        .unwrap();
}
