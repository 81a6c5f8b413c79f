//! The wasm-bindgen surface: the only part of the engine JavaScript can see.
//!
//! Specs cross the boundary as JSON text (so 0.03 stays 0.03, not its f32 widening);
//! bulk numbers cross as typed arrays; everything else through serde-wasm-bindgen.

mod bench;
mod concepts;
mod edits;
mod explain;
mod images;
mod lab;
mod points;
mod views;

use crate::backend::gpu::GpuBackend;
use crate::session::Session;
use crate::spec::{link, ExperimentSpec};
use crate::train::Evaluation;
use js_sys::{Float32Array, Object, Promise, Reflect, Uint32Array};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(start)]
pub fn start() {
    console_error_panic_hook::set_once();
}

fn to_js<T: serde::Serialize>(value: &T) -> Result<JsValue, JsError> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| JsError::new(&e.to_string()))
}

fn set(obj: &Object, key: &str, value: impl Into<JsValue>) {
    Reflect::set(obj, &key.into(), &value.into()).expect("setting a key on a fresh object");
}

fn parse_spec(json: &str) -> Result<ExperimentSpec, JsError> {
    let spec: ExperimentSpec =
        serde_json::from_str(json).map_err(|e| JsError::new(&format!("Not a valid Glassbox spec: {e}.")))?;
    spec.validate().map_err(|e| JsError::new(&e.0))?;
    Ok(spec)
}

#[wasm_bindgen(js_name = engineVersion)]
pub fn engine_version() -> String {
    crate::ENGINE_VERSION.into()
}

#[wasm_bindgen(js_name = defaultSpec)]
pub fn default_spec() -> String {
    serde_json::to_string(&ExperimentSpec::default()).expect("a spec always serialises")
}

/// Validates spec JSON and returns it normalised; throws with a message naming the problem.
#[wasm_bindgen(js_name = normalizeSpec)]
pub fn normalize_spec(json: &str) -> Result<String, JsError> {
    Ok(serde_json::to_string(&parse_spec(json)?).expect("a spec always serialises"))
}

/// The fragment (without `#`) that encodes a spec.
#[wasm_bindgen(js_name = encodeLink)]
pub fn encode_link(spec_json: &str) -> Result<String, JsError> {
    Ok(link::encode(&parse_spec(spec_json)?))
}

/// Decodes a fragment into `{spec: <json text>, engine, warning}`; throws a readable error.
#[wasm_bindgen(js_name = decodeLink)]
pub fn decode_link(fragment: &str) -> Result<JsValue, JsError> {
    let decoded = link::decode(fragment).map_err(|e| JsError::new(&e.0))?;
    let out = Object::new();
    set(&out, "spec", serde_json::to_string(&decoded.spec).expect("a spec always serialises"));
    set(&out, "engine", decoded.engine);
    set(&out, "warning", decoded.warning.map(JsValue::from).unwrap_or(JsValue::NULL));
    Ok(out.into())
}

/// The readable part of a fragment that does not open (see `link::salvage`):
/// `{spec: <json text>, dropped: [messages], warning}`, or null when there is none.
#[wasm_bindgen(js_name = salvageLink)]
pub fn salvage_link(fragment: &str) -> Result<JsValue, JsError> {
    let Some(part) = link::salvage(fragment) else {
        return Ok(JsValue::NULL);
    };
    let out = Object::new();
    set(&out, "spec", serde_json::to_string(&part.spec).expect("a spec always serialises"));
    set(&out, "dropped", to_js(&part.dropped)?);
    set(&out, "warning", part.warning.map(JsValue::from).unwrap_or(JsValue::NULL));
    Ok(out.into())
}

/// A running experiment. Async methods must not overlap: the worker awaits each call.
#[wasm_bindgen(js_name = Session)]
pub struct WasmSession {
    inner: Rc<RefCell<Session>>,
}

// Borrows are held across awaits on purpose: the worker serialises every call, so no
// other borrow can happen while a future is pending.
#[allow(clippy::await_holding_refcell_ref)]
#[wasm_bindgen(js_class = Session)]
impl WasmSession {
    /// A session on the CPU backend.
    #[wasm_bindgen(constructor)]
    pub fn new(spec_json: &str) -> Result<WasmSession, JsError> {
        let session = Session::new(parse_spec(spec_json)?).map_err(|e| JsError::new(&e.0))?;
        Ok(WasmSession { inner: Rc::new(RefCell::new(session)) })
    }

    /// Resolves to a session on WebGPU; rejects with a readable reason when there is no
    /// usable adapter or device.
    #[wasm_bindgen(js_name = onGpu)]
    pub async fn on_gpu(spec_json: String) -> Result<WasmSession, JsError> {
        let spec = parse_spec(&spec_json)?;
        let gpu = GpuBackend::new().await.map_err(|e| JsError::new(&e.0))?;
        let session = Session::on_gpu(spec, gpu).map_err(|e| JsError::new(&e.0))?;
        Ok(WasmSession { inner: Rc::new(RefCell::new(session)) })
    }

    /// Records why this backend was chosen (shown by the badge and `backend()`).
    #[wasm_bindgen(js_name = setBackendReason)]
    pub fn set_backend_reason(&self, reason: &str) {
        self.inner.borrow_mut().set_backend_reason(reason);
    }

    /// After a divergence, returns to the last good weights with a lower learning rate
    /// (see `Session::rollback`); throws with the reason when it cannot.
    pub fn rollback(&self) -> Result<(), JsError> {
        self.inner.borrow_mut().rollback().map_err(|e| JsError::new(&e))
    }

    /// The fault the GPU device reported (lost, out of memory, validation error), or null.
    #[wasm_bindgen(js_name = gpuFault)]
    pub fn gpu_fault(&self) -> Option<String> {
        self.inner.borrow().gpu_fault()
    }

    /// Destroys the GPU device (the automation API's device-loss test hook); throws on
    /// the CPU.
    #[wasm_bindgen(js_name = loseDevice)]
    pub fn lose_device(&self) -> Result<(), JsError> {
        self.inner.borrow().lose_device().map_err(|e| JsError::new(&e))
    }

    /// A CPU session of this experiment at the last synced weights and their step.
    #[wasm_bindgen(js_name = continueOnCpu)]
    pub fn continue_on_cpu(&self) -> Result<WasmSession, JsError> {
        let next = self.inner.borrow().continue_on_cpu().map_err(|e| JsError::new(&e))?;
        Ok(WasmSession { inner: Rc::new(RefCell::new(next)) })
    }

    /// Copies the weights to CPU memory if the run is healthy; resolves to the step of
    /// the copy now held, or null.
    #[wasm_bindgen(js_name = syncWeights)]
    pub fn sync_weights(&self) -> Promise {
        let inner = self.inner.clone();
        wasm_bindgen_futures::future_to_promise(async move {
            let mut session = inner.borrow_mut();
            Ok(session.sync_weights().await.map_or(JsValue::NULL, |s| JsValue::from(s.step as f64)))
        })
    }

    /// Checks every layer's largest activation (see `session::activations`): resolves
    /// to `{layer, kind, peak, step, reason}` when one is exploding, else null.
    #[wasm_bindgen(js_name = checkActivations)]
    pub fn check_activations(&self) -> Promise {
        let inner = self.inner.clone();
        wasm_bindgen_futures::future_to_promise(async move {
            let alarm = inner.borrow_mut().check_activations().await;
            alarm.map_or(Ok(JsValue::NULL), |a| to_js(&a).map_err(JsValue::from))
        })
    }

    #[wasm_bindgen(js_name = specJson)]
    pub fn spec_json(&self) -> String {
        serde_json::to_string(self.inner.borrow().spec()).expect("a spec always serialises")
    }

    pub fn link(&self) -> String {
        link::encode(self.inner.borrow().spec())
    }

    /// `{kind, adapter, reason}`.
    pub fn backend(&self) -> Result<JsValue, JsError> {
        to_js(&self.inner.borrow().backend_info())
    }

    /// Optimiser steps taken and whole epochs completed: `{step, epoch}`.
    pub fn position(&self) -> JsValue {
        let session = self.inner.borrow();
        let out = Object::new();
        set(&out, "step", session.step() as f64);
        set(&out, "epoch", session.epoch());
        out.into()
    }

    #[wasm_bindgen(js_name = stepsPerEpoch)]
    pub fn steps_per_epoch(&self) -> f64 {
        self.inner.borrow().steps_per_epoch() as f64
    }

    /// Steps until the current epoch ends.
    #[wasm_bindgen(js_name = stepsLeftInEpoch)]
    pub fn steps_left_in_epoch(&self) -> f64 {
        self.inner.borrow().steps_left_in_epoch() as f64
    }

    /// Runs `steps` optimiser steps synchronously (the caller keeps chunks short).
    pub fn train(&self, steps: u32) {
        self.inner.borrow_mut().train_steps(steps as u64);
    }

    /// Which epochs the history records: "everyEpoch" (the default) or "onDemand" (only
    /// the epochs `metrics` reports, for playing fast). Training is the same either way.
    #[wasm_bindgen(js_name = setEvaluation)]
    pub fn set_evaluation(&self, mode: &str) -> Result<(), JsError> {
        let evaluation = match mode {
            "everyEpoch" => Evaluation::EveryEpoch,
            "onDemand" => Evaluation::OnDemand,
            _ => return Err(JsError::new(&format!("evaluation must be \"everyEpoch\" or \"onDemand\", not {mode:?}"))),
        };
        self.inner.borrow_mut().set_evaluation(evaluation);
        Ok(())
    }

    /// Evaluates the current epoch if it has no record yet, then resolves to `{step,
    /// epoch, trainLoss, testLoss, trainAcc, testAcc, …}` (see `session::Metrics`).
    pub fn metrics(&self) -> Promise {
        let inner = self.inner.clone();
        wasm_bindgen_futures::future_to_promise(async move {
            let m = inner.borrow_mut().metrics().await;
            to_js(&m).map_err(JsValue::from)
        })
    }

    /// Epoch records from index `from` on, as columns of typed arrays (sync with `metrics` first).
    pub fn history(&self, from: u32) -> JsValue {
        let session = self.inner.borrow();
        let records = session.history_since(from as usize);
        let column = |f: fn(&crate::train::EpochRecord) -> f32| {
            Float32Array::from(records.iter().map(f).collect::<Vec<f32>>().as_slice())
        };
        let out = Object::new();
        set(&out, "epoch", Uint32Array::from(records.iter().map(|r| r.epoch).collect::<Vec<u32>>().as_slice()));
        set(&out, "trainLoss", column(|r| r.train_loss));
        set(&out, "testLoss", column(|r| r.test_loss));
        set(&out, "trainAcc", column(|r| r.train_acc));
        set(&out, "testAcc", column(|r| r.test_acc));
        out.into()
    }

    /// Resolves to a Float32Array of class probabilities (one prediction per cell for
    /// regression) on a res×res grid (see `Session::decision_grid`).
    pub fn grid(&self, res: u32) -> Promise {
        let inner = self.inner.clone();
        wasm_bindgen_futures::future_to_promise(async move {
            let g = inner.borrow().decision_grid(res).await;
            Ok(Float32Array::from(g.as_slice()).into())
        })
    }

    /// `{features: Float32Array (n·2, the raw plane coordinates), labels: Uint32Array,
    /// targets: Float32Array (regression; else empty), nTrain, classes}` (classes is 1
    /// for regression).
    pub fn points(&self) -> JsValue {
        let session = self.inner.borrow();
        let d = session.data();
        let out = Object::new();
        set(&out, "features", Float32Array::from(d.points.iter().flatten().copied().collect::<Vec<f32>>().as_slice()));
        set(&out, "labels", Uint32Array::from(d.labels.as_slice()));
        set(&out, "targets", Float32Array::from(d.targets.as_slice()));
        set(&out, "nTrain", d.n_train as u32);
        set(&out, "classes", d.classes as u32);
        out.into()
    }
}
