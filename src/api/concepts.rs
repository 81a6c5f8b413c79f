//! The wasm surface of concept subspaces: `concepts(requestJson, indices, progress)` on
//! the JS Session resolves to the `explain::subspace::ConceptReport` with its field
//! names as keys: layer, dim, positions, fitted, held_out, curve {prca, pca},
//! concept_share, drsa_share, relevance, totals, top, shape, maps {concepts, residual,
//! total}. `progress(done, total)` is called as the work goes; a `false` (or a promise
//! of it, or a throw) cancels and the promise rejects with an Error "cancelled".

use super::explain::JsProgress;
use super::{to_js, WasmSession};
use crate::explain::Progress;
use crate::session::ConceptRequest;
use js_sys::{Function, Promise, Uint32Array};
use wasm_bindgen::prelude::*;

#[wasm_bindgen(js_class = Session)]
impl WasmSession {
    /// PRCA, PCA and DRSA over dataset rows (see the module comment).
    #[wasm_bindgen(js_name = concepts)]
    #[allow(clippy::await_holding_refcell_ref)]
    pub fn concepts(&self, request_json: &str, indices: Uint32Array, progress: Option<Function>) -> Promise {
        let inner = self.inner.clone();
        let request = ConceptRequest::from_json(request_json);
        let rows: Vec<usize> = indices.to_vec().into_iter().map(|i| i as usize).collect();
        wasm_bindgen_futures::future_to_promise(async move {
            let hook = progress.map(JsProgress::new);
            let session = inner.borrow();
            let report = session.concepts(&request.map_err(|e| JsError::new(&e))?, &rows, hook.as_ref().map(|h| h as &dyn Progress)).await.map_err(|e| JsError::new(&e))?;
            Ok(to_js(&report)?)
        })
    }
}
