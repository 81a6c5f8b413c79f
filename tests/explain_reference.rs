//! Agreement with the reference libraries: every case in tests/fixtures/explain (made by
//! scripts/reference/make_explain_fixtures.py with Captum and Zennit) is run through
//! `explain::request` on a network loaded from the fixture's model file, in f64 on the
//! CPU, and once in f32 on the GPU, and must match the library's maps.
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

/// Runs every case of `fixture` on `be`; returns one message per disagreeing case (the
/// worst element of each), |a − b| ≤ tol·(1 + |b|) being agreement.
async fn disagreements<B: Backend>(be: &B, fixture: &Fixture, tol: f64, only: impl Fn(&Case) -> bool) -> (usize, Vec<String>) {
    let net = Net::from_file(be, &fixture.model).unwrap_or_else(|e| panic!("{}: {e}", fixture.name));
    let mut failures = Vec::new();
    let mut checked = 0;
    for case in fixture.cases.iter().filter(|c| only(c)) {
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
                let excess = (a - b).abs() / (tol * (1.0 + b.abs()));
                if excess > 1.0 && worst.as_ref().is_none_or(|(w, _)| excess > *w) {
                    worst = Some((excess, format!("{what}: sample {sample} index {i}: glassbox {a} vs reference {b}")));
                }
            }
        }
        failures.extend(worst.map(|(_, m)| m));
    }
    (checked, failures)
}

#[test]
fn every_fixture_matches_captum_and_zennit_on_the_cpu_in_f64() {
    let be = CpuBackend::<f64>::new();
    let (mut checked, mut failures) = (0, Vec::new());
    for name in NETWORKS {
        let (n, f) = pollster::block_on(disagreements(&be, &fixture(name), 1e-4, |_| true));
        checked += n;
        failures.extend(f);
    }
    assert!(failures.is_empty(), "{} of {checked} cases disagree:\n{}", failures.len(), failures.join("\n"));
    assert!(checked >= 180, "only {checked} cases");
}

/// The GPU reads the same f32 weights and inputs; f32 rounding leaves ~1e-6 relative, so
/// the same tolerance holds except where a method divides by a small denominator (the
/// ε-stabilised LRP rules), which is checked at 1e-3.
#[test]
fn the_cnn_fixtures_match_on_the_gpu_in_f32() {
    pollster::block_on(async {
        let be = common::gpu().await;
        let cnn = fixture("cnn_max");
        let (n, mut failures) = disagreements(&be, &cnn, 1e-4, |c| c.method != "lrp").await;
        let (m, lrp) = disagreements(&be, &cnn, 1e-3, |c| c.method == "lrp").await;
        failures.extend(lrp);
        assert!(n + m == cnn.cases.len() && failures.is_empty(), "{} cases disagree:\n{}", failures.len(), failures.join("\n"));
    });
}
