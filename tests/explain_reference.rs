//! Agreement with the reference libraries: every case in tests/fixtures/explain (made by
//! scripts/reference/make_explain_fixtures.py with Captum and Zennit) is run through
//! `explain::request` on a network loaded from the fixture's model file, in f64 on the
//! CPU (and the max-pool CNN's cases in f32 on the GPU), and must match the library's maps.
#![cfg(not(target_arch = "wasm32"))]

use glassbox::backend::cpu::CpuBackend;
use glassbox::backend::Backend;
use glassbox::explain::request::{explain, InputsFile, Request};
use glassbox::nn::format::ModelFile;
use glassbox::nn::Net;
use serde::Deserialize;
use std::collections::BTreeMap;

glassbox::web_test_harness!();

#[macro_use]
mod common;

const NETWORKS: &[&str] = &["mlp", "mlp_bias_free", "cnn_max", "cnn_avg"];

#[derive(Deserialize)]
struct Expected {
    cases: Vec<Case>,
}

#[derive(Deserialize)]
struct Case {
    method: String,
    params: BTreeMap<String, String>,
    reference: String,
    attributions: Vec<Vec<f64>>,
}

struct Fixture {
    name: &'static str,
    model: ModelFile,
    inputs: InputsFile,
    cases: Vec<Case>,
}

fn fixture(name: &'static str) -> Fixture {
    let read = |suffix: &str| {
        let path = format!("{}/tests/fixtures/explain/{name}.{suffix}.json", env!("CARGO_MANIFEST_DIR"));
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
    };
    let model = ModelFile::parse(&read("model")).unwrap_or_else(|e| panic!("{name}: {e}"));
    let features = model.input_features().unwrap().len();
    let inputs = InputsFile::parse(&read("inputs"), features).unwrap_or_else(|e| panic!("{name}: {e}"));
    let expected: Expected = serde_json::from_str(&read("expected")).unwrap_or_else(|e| panic!("{name}: {e}"));
    Fixture { name, model, inputs, cases: expected.cases }
}

/// What one backend made of a fixture's cases.
struct Outcome {
    checked: usize,
    /// One message per disagreeing case, naming its worst element.
    failures: Vec<String>,
    /// The largest |a − b| / (1 + |b|) over every element.
    worst: f64,
}

/// Runs every case of `fixture` on `be`, |a − b| ≤ tol·(1 + |b|) being agreement.
async fn disagreements<B: Backend>(be: &B, fixture: &Fixture, tol: f64) -> Outcome {
    let net = Net::from_file(be, &fixture.model).unwrap_or_else(|e| panic!("{}: {e}", fixture.name));
    let mut failures = Vec::new();
    let (mut checked, mut largest) = (0, 0.0f64);
    for case in &fixture.cases {
        let params: Vec<(String, String)> = case.params.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
        let what = format!("{} {} {:?} ({})", fixture.name, case.method, case.params, case.reference);
        let request = match Request::parse(&case.method, &params, &fixture.inputs) {
            Ok(r) => r,
            Err(e) => {
                failures.push(format!("{what}: {e}"));
                continue;
            }
        };
        let out = match explain(be, &net, &fixture.inputs, &request).await {
            Ok(out) => out,
            Err(e) => {
                failures.push(format!("{what}: {e}"));
                continue;
            }
        };
        assert_eq!(out.attributions.len(), case.attributions.len(), "{what}: sample count");
        checked += 1;
        let mut worst: Option<(f64, String)> = None;
        for (sample, (got, want)) in out.attributions.iter().zip(&case.attributions).enumerate() {
            assert_eq!(got.len(), want.len(), "{what}: sample {sample} map length");
            for (i, (a, b)) in got.iter().zip(want).enumerate() {
                let relative = (a - b).abs() / (1.0 + b.abs());
                largest = largest.max(relative);
                let excess = relative / tol;
                if excess > 1.0 && worst.as_ref().is_none_or(|(w, _)| excess > *w) {
                    worst = Some((excess, format!("{what}: sample {sample} index {i}: glassbox {a} vs reference {b}")));
                }
            }
        }
        failures.extend(worst.map(|(_, m)| m));
    }
    Outcome { checked, failures, worst: largest }
}

#[test]
fn every_fixture_matches_captum_and_zennit_on_the_cpu_in_f64() {
    let be = CpuBackend::<f64>::new();
    let (mut checked, mut failures) = (0, Vec::new());
    for name in NETWORKS {
        let outcome = pollster::block_on(disagreements(&be, &fixture(name), 1e-4));
        println!("{name}: {} cases, largest |a − b| / (1 + |b|) = {:.1e}", outcome.checked, outcome.worst);
        checked += outcome.checked;
        failures.extend(outcome.failures);
    }
    assert!(failures.is_empty(), "{} of {checked} cases disagree:\n{}", failures.len(), failures.join("\n"));
    assert!(checked >= 180, "only {checked} cases");
}

/// The GPU reads the same f32 weights and inputs and computes in f32: the same
/// tolerance holds (the largest error is about 1e-7).
#[test]
fn the_cnn_fixtures_match_on_the_gpu_in_f32() {
    pollster::block_on(async {
        let be = common::gpu().await;
        let cnn = fixture("cnn_max");
        let outcome = disagreements(&be, &cnn, 1e-4).await;
        println!("gpu: largest |a − b| / (1 + |b|) = {:.1e}", outcome.worst);
        assert!(outcome.failures.is_empty(), "{} cases disagree:\n{}", outcome.failures.len(), outcome.failures.join("\n"));
        assert_eq!(outcome.checked, cnn.cases.len());
    });
}
