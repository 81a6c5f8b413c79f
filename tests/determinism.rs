//! Determinism: the same spec trains to the same bits run after run, natively and in
//! wasm (window and worker), and native and wasm agree within tolerance.
//!
//! The native reference lives in tests/fixtures/native_200_steps.json. Regenerate it
//! after an intended engine change with `GLASSBOX_BLESS=1 cargo test --test determinism`.

use glassbox::session::Session;
use glassbox::spec::ExperimentSpec;
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

glassbox::web_test_harness!();

const STEPS: u64 = 200;

#[derive(serde::Serialize, serde::Deserialize, Debug, PartialEq)]
#[serde(rename_all = "camelCase")]
struct Trajectory {
    /// Full-batch training: one epoch per step, so 200 steps give 200 losses (+ epoch 0).
    full_batch_train_loss: Vec<f32>,
    /// The default spec (batch 10, shuffled): every parameter after 200 steps.
    default_params: Vec<f32>,
}

fn run() -> Trajectory {
    let mut spec = ExperimentSpec::default();
    spec.training.batch_size = spec.train_points() as u32;
    let mut full = Session::new(spec).unwrap();
    full.train_steps(STEPS);
    pollster::block_on(full.metrics());
    let full_batch_train_loss = full.history_since(0).iter().map(|r| r.train_loss).collect();

    let mut default = Session::new(ExperimentSpec::default()).unwrap();
    default.train_steps(STEPS);
    let default_params = pollster::block_on(default.parameters());
    Trajectory { full_batch_train_loss, default_params }
}

fn fixture() -> Trajectory {
    serde_json::from_str(include_str!("fixtures/native_200_steps.json")).unwrap()
}

fn max_rel_err(a: &[f32], b: &[f32]) -> f32 {
    assert_eq!(a.len(), b.len());
    a.iter().zip(b).map(|(x, y)| (x - y).abs() / (1.0 + y.abs())).fold(0.0, f32::max)
}

#[test]
fn repeated_runs_are_bit_identical_and_match_the_native_reference() {
    let first = run();
    let second = run();
    let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
    assert_eq!(bits(&first.full_batch_train_loss), bits(&second.full_batch_train_loss));
    assert_eq!(bits(&first.default_params), bits(&second.default_params));
    assert_eq!(first.full_batch_train_loss.len(), STEPS as usize + 1);

    #[cfg(not(target_arch = "wasm32"))]
    if std::env::var_os("GLASSBOX_BLESS").is_some() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/native_200_steps.json");
        std::fs::write(path, serde_json::to_string_pretty(&first).unwrap()).unwrap();
        return;
    }
    // Native builds may pick different SIMD kernels per CPU; wasm rounds differently again.
    let reference = fixture();
    let loss_err = max_rel_err(&first.full_batch_train_loss, &reference.full_batch_train_loss);
    let param_err = max_rel_err(&first.default_params, &reference.default_params);
    let report = format!("max relative error vs native reference: losses {loss_err:e}, parameters {param_err:e}");
    #[cfg(target_arch = "wasm32")]
    wasm_bindgen_test::console_log!("{report}");
    #[cfg(not(target_arch = "wasm32"))]
    println!("{report}");
    assert!(loss_err < 1e-4, "losses drift from the native reference by {loss_err:e}");
    assert!(param_err < 1e-4, "parameters drift from the native reference by {param_err:e}");
}
