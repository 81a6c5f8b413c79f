//! Model files: hostile values in the JSON of real exports (an MLP and a CNN with
//! blocks, tensors as base64 or as number lists), loaded into a running session and
//! rebuilt without one.

use super::hostile::{apply, edit_list};
use super::{assert_clear, config};
use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use glassbox::backend::cpu::CpuBackend;
use glassbox::nn::format::ModelFile;
use glassbox::nn::Net;
use glassbox::session::Session;
use glassbox::spec::ExperimentSpec;
use proptest::test_runner::TestRunner;
use serde_json::{json, Value};
use std::cell::RefCell;

fn cnn_spec() -> ExperimentSpec {
    let links = super::links::bases();
    serde_json::from_value(links[1].clone()).expect("the CNN base is a spec")
}

/// Every `base64` tensor as a `data` list, so that edits reach the numbers.
fn as_lists(v: &mut Value) {
    match v {
        Value::Object(m) => {
            if let Some(Value::String(text)) = m.remove("base64") {
                let bytes = STANDARD.decode(text).expect("exports are valid base64");
                let values: Vec<f32> = bytes.chunks_exact(4).map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]])).collect();
                m.insert("data".into(), json!(values));
            }
            m.values_mut().for_each(as_lists);
        }
        Value::Array(a) => a.iter_mut().for_each(as_lists),
        _ => {}
    }
}

/// Loads a model file into `session` (a refused file leaves it untouched, and it keeps
/// training) and, when the file parses,
/// builds a network from it alone; failures carry clear messages.
pub fn check(session: &mut Session, json: &str) {
    let before = pollster::block_on(session.model_json());
    match session.load_model(json) {
        Ok(()) => {
            let again = pollster::block_on(session.model_json());
            ModelFile::parse(&again).expect("a loaded model exports again");
        }
        Err(e) => {
            assert_clear(&e.0, json);
            assert_eq!(pollster::block_on(session.model_json()), before, "a refused file changes nothing");
        }
    }
    session.train_steps(1);
    if let Ok(file) = ModelFile::parse(json) {
        if let Err(e) = Net::from_file(&CpuBackend::<f32>::new(), &file) {
            assert_clear(&e.0, json);
        }
    }
}

pub fn sessions() -> Vec<Session> {
    vec![Session::new(ExperimentSpec::default()).unwrap(), Session::new(cnn_spec()).unwrap()]
}

#[test]
fn hostile_values_in_model_files() {
    let sessions = RefCell::new(sessions());
    let mut files = Vec::new();
    for (i, s) in sessions.borrow().iter().enumerate() {
        let v: Value = serde_json::from_str(&pollster::block_on(s.model_json())).unwrap();
        let mut lists = v.clone();
        as_lists(&mut lists);
        files.push((i, v));
        files.push((i, lists));
    }
    let mut runner = TestRunner::new(config("model files"));
    runner
        .run(&(0..files.len(), edit_list(3)), |(f, edits)| {
            let (session, file) = &files[f];
            check(&mut sessions.borrow_mut()[*session], &apply(file.clone(), &edits).to_string());
            Ok(())
        })
        .unwrap();
}
