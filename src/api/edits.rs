//! Session methods for live changes: applying a changed spec, weight and bias edits,
//! links with the trained weights, and model files in and out.

use super::{parse_spec, set, WasmSession};
use crate::session::Applied;
use crate::spec::{link, BiasEdit, WeightEdit};
use js_sys::{Object, Promise};
use wasm_bindgen::prelude::*;

fn to_json(spec: &crate::spec::ExperimentSpec) -> String {
    serde_json::to_string(spec).expect("a spec always serialises")
}

// See the note on the main impl block: the worker serialises every call.
#[allow(clippy::await_holding_refcell_ref)]
#[wasm_bindgen(js_class = Session)]
impl WasmSession {
    /// Applies a changed spec: returns null when only training options changed (applied
    /// now, recorded as events), or the spec JSON to build a fresh session from when the
    /// data, model, seed or backend changed (this session is then unchanged). Throws on
    /// an invalid spec.
    pub fn apply(&self, spec_json: &str) -> Result<Option<String>, JsError> {
        let spec = parse_spec(spec_json)?;
        match self.inner.borrow_mut().apply(spec).map_err(|e| JsError::new(&e.0))? {
            Applied::Live => Ok(None),
            Applied::Rebuild(spec) => Ok(Some(to_json(&spec))),
        }
    }

    /// The spec a reset builds: the options in force, no events, no weights.
    #[wasm_bindgen(js_name = restartSpec)]
    pub fn restart_spec(&self) -> String {
        to_json(&self.inner.borrow().restart_spec())
    }

    /// Sets the weight from input `from` to unit `to` of dense layer `layer` (recorded as
    /// an event); throws naming the bad index or value.
    #[wasm_bindgen(js_name = setWeight)]
    pub fn set_weight(&self, layer: u32, from: u32, to: u32, value: f32) -> Result<(), JsError> {
        self.inner.borrow_mut().set_weight(WeightEdit { layer, from, to, value }).map_err(|e| JsError::new(&e.0))
    }

    /// Sets the bias of `unit` in dense layer `layer` (recorded as an event).
    #[wasm_bindgen(js_name = setBias)]
    pub fn set_bias(&self, layer: u32, unit: u32, value: f32) -> Result<(), JsError> {
        self.inner.borrow_mut().set_bias(BiasEdit { layer, unit, value }).map_err(|e| JsError::new(&e.0))
    }

    /// Resolves to `{fragment, bytes}`: a link that opens the trained network at this step.
    #[wasm_bindgen(js_name = linkWithWeights)]
    pub fn link_with_weights(&self) -> Promise {
        let inner = self.inner.clone();
        wasm_bindgen_futures::future_to_promise(async move {
            let fragment = link::encode(&inner.borrow().spec_with_weights().await);
            let out = Object::new();
            set(&out, "bytes", fragment.len() as u32);
            set(&out, "fragment", fragment);
            Ok(out.into())
        })
    }

    /// Resolves to the trained model as model-format JSON text (see `nn::format`).
    #[wasm_bindgen(js_name = modelJson)]
    pub fn model_json(&self) -> Promise {
        let inner = self.inner.clone();
        wasm_bindgen_futures::future_to_promise(async move { Ok(inner.borrow().model_json().await.into()) })
    }

    /// Loads weights from model-format JSON; throws naming the mismatch.
    #[wasm_bindgen(js_name = loadModel)]
    pub fn load_model(&self, json: &str) -> Result<(), JsError> {
        self.inner.borrow_mut().load_model(json).map_err(|e| JsError::new(&e.to_string()))
    }
}
