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
