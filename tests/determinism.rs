//! Determinism: the same spec (an MLP, and a CNN with batch norm and dropout) trains to
//! the same bits run after run, natively and in wasm (window and worker), and native and
//! wasm agree within tolerance.
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
    /// A CNN with batch norm, max pooling and dropout on the shapes images: every
    /// parameter after `CNN_STEPS` steps.
    cnn_params: Vec<f32>,
}

const CNN_STEPS: u64 = 30;

fn cnn_spec() -> ExperimentSpec {
    let mut spec: ExperimentSpec = serde_json::from_str(include_str!("../examples/shapes-cnn.json")).unwrap();
    spec.dataset.points = 200;
    spec.dataset.image_size = 12;
    spec.model.layers = serde_json::from_str(
        r#"[{"type":"conv2d","filters":4,"kernel":3},{"type":"batchNorm"},{"type":"activation","function":"tanh"},
           {"type":"pool","op":"max","size":2},{"type":"dropout","rate":0.2},{"type":"flatten"},{"type":"dense","units":4}]"#,
    )
    .unwrap();
    // SGD with momentum: Adam divides by √v, which turns rounding-level differences in
    // near-zero gradients into whole-step differences, and native and wasm round differently.
    spec.training.optimizer = glassbox::spec::Optimizer::Momentum;
    spec.training.learning_rate = 0.05;
    spec
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

    let mut cnn = Session::new(cnn_spec()).unwrap();
    cnn.train_steps(CNN_STEPS);
    let cnn_params = pollster::block_on(cnn.parameters());
    Trajectory { full_batch_train_loss, default_params, cnn_params }
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
    assert_eq!(bits(&first.cnn_params), bits(&second.cnn_params));
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
    let cnn_err = max_rel_err(&first.cnn_params, &reference.cnn_params);
    let report = format!(
        "max relative error vs native reference: losses {loss_err:e}, parameters {param_err:e}, CNN parameters {cnn_err:e}"
    );
    #[cfg(target_arch = "wasm32")]
    wasm_bindgen_test::console_log!("{report}");
    #[cfg(not(target_arch = "wasm32"))]
    println!("{report}");
    assert!(loss_err < 1e-4, "losses drift from the native reference by {loss_err:e}");
    assert!(param_err < 1e-4, "parameters drift from the native reference by {param_err:e}");
    assert!(cnn_err < 1e-4, "CNN parameters drift from the native reference by {cnn_err:e}");
}
