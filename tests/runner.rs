//! The native runner end to end: every spec in examples/ trains to its target with the
//! `glassbox` binary and writes a loadable model; links and bad input are handled.
#![cfg(all(feature = "native", not(target_arch = "wasm32")))]

use glassbox::session::Session;
use glassbox::spec::{link, ExperimentSpec};
use std::path::PathBuf;
use std::process::{Command, Output};

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_glassbox"))
        .args(args)
        .env("XDG_RUNTIME_DIR", std::env::temp_dir())
        .output()
        .expect("the runner starts")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// The final training accuracy the runner printed, in percent.
fn final_train_accuracy(o: &Output) -> f64 {
    let text = stdout(o);
    let line = text.lines().find(|l| l.starts_with("final:")).unwrap_or_else(|| panic!("no final line in:\n{text}"));
    let after = line.split("train accuracy ").nth(1).unwrap();
    after.split('%').next().unwrap().parse().unwrap()
}

fn examples() -> Vec<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples");
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
    files.sort();
    assert!(!files.is_empty());
    files
}

#[test]
fn every_example_trains_and_writes_a_loadable_model() {
    for path in examples() {
        let spec: ExperimentSpec = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        // Image sets have many more numbers per sample and fewer, larger steps per epoch.
        let epochs = if spec.inputs() > 2 { "20" } else { "1500" };
        let out = std::env::temp_dir().join(format!("glassbox-{}.model.json", path.file_stem().unwrap().to_string_lossy()));
        let o = run(&["train", path.to_str().unwrap(), "--epochs", epochs, "--out", out.to_str().unwrap()]);
        assert!(o.status.success(), "{}: {}", path.display(), String::from_utf8_lossy(&o.stderr));
        let acc = final_train_accuracy(&o);
        println!("{}: train accuracy {acc}% after {epochs} epochs", path.display());
        assert!(acc >= 90.0, "{} reached only {acc}%", path.display());
        let mut fresh = Session::new(spec).unwrap();
        fresh.load_model(&std::fs::read_to_string(&out).unwrap()).expect("the written model fits its experiment");
    }
}

#[test]
fn a_share_link_trains_on_the_gpu() {
    let fragment = link::encode(&ExperimentSpec::default());
    let o = run(&["train", &format!("https://example.org/glassbox/#{fragment}"), "--backend", "gpu", "--epochs", "4"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(stdout(&o).contains("training on Webgpu"), "{}", stdout(&o));
    assert!(stdout(&o).contains("epoch       4/4"), "{}", stdout(&o));
}

#[test]
fn bad_input_is_an_error_message_not_a_panic() {
    for (args, expect) in [
        (vec!["train"], "usage"),
        (vec!["fit", "x"], "usage"),
        (vec!["train", "/no/such/file.json"], "cannot read"),
        (vec!["train", "#v=1&s=@@"], "base64url"),
        (vec!["train", "examples/spiral.json", "--epochs", "0"], "--epochs"),
        (vec!["train", "examples/spiral.json", "--backend", "tpu"], "--backend"),
    ] {
        let o = run(&args);
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(!o.status.success() && err.contains(expect), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{args:?}: {err}");
    }
}

/// A saved digits-sized CNN explained through `glassbox explain` on both backends: the
/// attribution file has one map per input, Integrated Gradients reports a small
/// completeness gap, the GPU agrees with the CPU, and bad requests are messages.
#[test]
fn explain_writes_attribution_files_on_both_backends() {
    use glassbox::backend::cpu::CpuBackend;
    use glassbox::nn::{Features, Net};
    use glassbox::spec::ModelSpec;
    let layers = r#"[{"type":"conv2d","filters":4,"kernel":3},{"type":"activation","function":"softplus"},{"type":"pool","op":"avg","size":2},{"type":"flatten"},{"type":"dense","units":3}]"#;
    let model = ModelSpec { layers: serde_json::from_str(layers).unwrap(), ..ExperimentSpec::default().model };
    let be = CpuBackend::<f32>::new();
    let input = Features::Image(glassbox::backend::ImageShape::new(1, 6, 6));
    let net = Net::build(&be, input, &model, 3, 2).unwrap();
    let dir = std::env::temp_dir();
    let model_path = dir.join("glassbox-explain-model.json");
    std::fs::write(&model_path, pollster::block_on(net.export(&be)).to_json()).unwrap();
    let inputs_path = dir.join("glassbox-explain-inputs.json");
    let inputs: Vec<Vec<f32>> = (0..2).map(|r| (0..36).map(|i| ((i * 7 + r * 3) % 11) as f32 / 11.0).collect()).collect();
    std::fs::write(&inputs_path, serde_json::json!({ "inputs": inputs, "labels": [1, 2] }).to_string()).unwrap();
    let explain = |backend: &str, method: &str, params: &[&str]| {
        let out = dir.join(format!("glassbox-explain-{backend}-{method}.json"));
        let mut args = vec!["explain", "--model", model_path.to_str().unwrap(), "--inputs", inputs_path.to_str().unwrap(), "--method", method, "--backend", backend, "--out", out.to_str().unwrap()];
        for p in params {
            args.extend(["--param", p]);
        }
        let o = run(&args);
        assert!(o.status.success(), "{method} on {backend}: {}", String::from_utf8_lossy(&o.stderr));
        serde_json::from_str::<serde_json::Value>(&std::fs::read_to_string(&out).unwrap()).unwrap()
    };
    let cpu = explain("cpu", "integratedGradients", &["steps=16", "target=true"]);
    assert_eq!(cpu["format"], "glassbox-attribution");
    assert_eq!(cpu["shape"], serde_json::json!([1, 6, 6]));
    assert_eq!(cpu["targets"], serde_json::json!([[1], [2]]));
    let maps = cpu["attributions"].as_array().unwrap();
    assert_eq!((maps.len(), maps[0].as_array().unwrap().len()), (2, 36));
    for gap in cpu["completenessGap"].as_array().unwrap() {
        assert!(gap.as_f64().unwrap().abs() < 1e-4, "gap {gap}");
    }
    let gpu = explain("gpu", "integratedGradients", &["steps=16", "target=true"]);
    for (g, c) in gpu["attributions"].as_array().unwrap().iter().flat_map(|m| m.as_array().unwrap()).zip(maps.iter().flat_map(|m| m.as_array().unwrap())) {
        let (g, c) = (g.as_f64().unwrap(), c.as_f64().unwrap());
        assert!((g - c).abs() <= 1e-4 * (1.0 + c.abs()), "gpu {g} vs cpu {c}");
    }
    let lrp = explain("cpu", "lrp", &["composite=epsilonPlus"]);
    assert!(lrp["layerRelevance"].as_array().unwrap().len() >= 3);
    for (args, expect) in [
        (vec!["explain", "--model", model_path.to_str().unwrap()], "explain needs --inputs"),
        (vec!["explain", "--model", "/no/model.json", "--inputs", "x", "--method", "gradient", "--out", "y"], "cannot read /no/model.json"),
        (vec!["explain", "--model", model_path.to_str().unwrap(), "--inputs", inputs_path.to_str().unwrap(), "--method", "lime", "--out", "y"], "unknown method \"lime\""),
        (vec!["explain", "--model", model_path.to_str().unwrap(), "--inputs", inputs_path.to_str().unwrap(), "--method", "gradient", "--param", "steps", "--out", "y"], "key=value"),
        (vec!["explain", "--model", inputs_path.to_str().unwrap(), "--inputs", inputs_path.to_str().unwrap(), "--method", "gradient", "--out", "y"], "Not a Glassbox model file"),
    ] {
        let o = run(&args);
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(!o.status.success() && err.contains(expect), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{args:?}: {err}");
    }
}

#[test]
fn a_lab_writes_its_report_and_figures_and_prints_its_verdict() {
    let out = std::env::temp_dir().join(format!("glassbox-lab-{}", std::process::id()));
    let o = run(&["lab", "activations", "--small", "--out", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let line = stdout(&o);
    assert!(line.starts_with("reproduced: ") || line.starts_with("not reproduced at this scale: "), "{line}");
    let report: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(out.join("report.json")).unwrap()).unwrap();
    assert_eq!(report["verdict"]["line"].as_str().unwrap(), line.trim_end());
    let figures = report["figures"].as_array().unwrap();
    assert!(!figures.is_empty());
    for f in figures {
        let csv = std::fs::read_to_string(out.join(format!("{}.csv", f["id"].as_str().unwrap()))).unwrap();
        assert!(csv.starts_with("series,") && csv.lines().count() > 1, "{csv}");
    }
    std::fs::remove_dir_all(&out).unwrap();
    let unknown = run(&["lab", "nope"]);
    assert!(!unknown.status.success());
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("label-smoothing, losses, activations"));
}
