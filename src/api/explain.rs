//! The wasm surface of explanations: `explainRows`, `explainFeatures`, `explainGrid`,
//! `leaderboard`, `roar` and `randomisedLabels` on the JS Session. `leaderboard(requestJson, indices, progress)` resolves
//! to `{board, csv}`: the board as `explain::metrics::leaderboard::Board` (rows per method,
//! columns per metric, the curves) and its CSV text. Each resolves to `{method, shape, maps (n × ∏shape, Float32Array),
//! targets, scores, completenessGap, layerRelevance}` and calls `progress(done, total,
//! partial)` between batches (see `JsProgress`); a `false` (or a promise of it, or a throw) cancels, and the promise
//! rejects with an Error whose message is "cancelled".

use super::{set, to_js, WasmSession};
use crate::explain::request::AttributionFile;
use crate::explain::Progress;
use crate::session::{ExplainRequest, ExplainSource, LeaderboardRequest};
use js_sys::{Float32Array, Float64Array, Function, Object, Promise, Uint32Array};
use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

/// A JS `progress(done, total, partial)` returning a boolean or a promise of one; `partial`
/// is `{shape, maps}` with the maps so far of a method that refines them (RISE), given
/// at the report that follows them, else undefined.
pub(super) struct JsProgress {
    callback: Function,
    partial: RefCell<Option<JsValue>>,
}

impl JsProgress {
    pub(super) fn new(callback: Function) -> JsProgress {
        JsProgress { callback, partial: RefCell::new(None) }
    }
}

impl Progress for JsProgress {
    fn report(&self, done: usize, total: usize) -> Pin<Box<dyn Future<Output = bool> + '_>> {
        Box::pin(async move {
            let partial = self.partial.borrow_mut().take().unwrap_or(JsValue::UNDEFINED);
            let answer = match self.callback.call3(&JsValue::NULL, &JsValue::from(done as f64), &JsValue::from(total as f64), &partial) {
                Ok(answer) => answer,
                Err(_) => return false,
            };
            let answer = match answer.dyn_into::<Promise>() {
                Ok(promise) => match JsFuture::from(promise).await {
                    Ok(answer) => answer,
                    Err(_) => return false,
                },
                Err(answer) => answer,
            };
            answer != JsValue::FALSE
        })
    }

    fn partial(&self, shape: &[usize], maps: &[Vec<f64>]) {
        let out = Object::new();
        set(&out, "shape", js_sys::Array::from_iter(shape.iter().map(|&d| JsValue::from(d as f64))));
        set(&out, "maps", f32_array(maps.iter().flatten().copied()));
        *self.partial.borrow_mut() = Some(out.into());
    }
}

fn f32_array(values: impl Iterator<Item = f64>) -> Float32Array {
    Float32Array::from(values.map(|v| v as f32).collect::<Vec<f32>>().as_slice())
}

fn attribution_to_js(a: &AttributionFile) -> Result<JsValue, JsError> {
    let out = Object::new();
    set(&out, "method", a.method.clone());
    set(&out, "shape", to_js(&a.shape)?);
    set(&out, "maps", f32_array(a.attributions.iter().flatten().copied()));
    set(&out, "targets", to_js(&a.targets)?);
    set(&out, "scores", f32_array(a.scores.iter().copied()));
    set(&out, "completenessGap", a.completeness_gap.as_ref().map_or(JsValue::NULL, |g| f32_array(g.iter().copied()).into()));
    set(&out, "layerRelevance", match &a.layer_relevance {
        Some(layers) => to_js(layers)?,
        None => JsValue::NULL,
    });
    Ok(out.into())
}

#[allow(clippy::await_holding_refcell_ref)]
impl WasmSession {
    fn explain_source(&self, request_json: &str, source: ExplainSource, progress: Option<Function>) -> Promise {
        let inner = self.inner.clone();
        let request = ExplainRequest::from_json(request_json);
        wasm_bindgen_futures::future_to_promise(async move {
            let hook = progress.map(JsProgress::new);
            let session = inner.borrow();
            let result = session.explain(&request.map_err(|e| JsError::new(&e))?, &source, hook.as_ref().map(|h| h as &dyn Progress)).await;
            Ok(attribution_to_js(&result.map_err(|e| JsError::new(&e))?)?)
        })
    }
}

#[wasm_bindgen(js_class = Session)]
impl WasmSession {
    /// Explains dataset rows (train first, then test) with their labels.
    #[wasm_bindgen(js_name = explainRows)]
    pub fn explain_rows(&self, request_json: &str, indices: Uint32Array, progress: Option<Function>) -> Promise {
        let rows = indices.to_vec().into_iter().map(|i| i as usize).collect();
        self.explain_source(request_json, ExplainSource::Rows(rows), progress)
    }

    /// Explains whole samples given as features (e.g. a drawn digit), with labels when known.
    #[wasm_bindgen(js_name = explainFeatures)]
    pub fn explain_features(&self, request_json: &str, features: Float32Array, labels: Option<Uint32Array>, progress: Option<Function>) -> Promise {
        let source = ExplainSource::Features { features: features.to_vec(), labels: labels.map(|l| l.to_vec()) };
        self.explain_source(request_json, source, progress)
    }

    /// Scores the methods of a leaderboard request on dataset rows (see the module comment).
    #[wasm_bindgen(js_name = leaderboard)]
    #[allow(clippy::await_holding_refcell_ref)]
    pub fn leaderboard(&self, request_json: &str, indices: Uint32Array, progress: Option<Function>) -> Promise {
        let inner = self.inner.clone();
        let request = LeaderboardRequest::from_json(request_json);
        let rows: Vec<usize> = indices.to_vec().into_iter().map(|i| i as usize).collect();
        wasm_bindgen_futures::future_to_promise(async move {
            let hook = progress.map(|callback| JsProgress { callback, partial: RefCell::new(None) });
            let session = inner.borrow();
            let board = session.leaderboard(&request.map_err(|e| JsError::new(&e))?, &rows, hook.as_ref().map(|h| h as &dyn Progress)).await.map_err(|e| JsError::new(&e))?;
            let out = Object::new();
            set(&out, "board", to_js(&board)?);
            set(&out, "csv", board.csv());
            Ok(out.into())
        })
    }

    /// ROAR for one method (`{method, params}` JSON) at `fractions` of each image's
    /// pixels: resolves to `session::Roar` (test accuracy per fraction, by the method's
    /// ranking and a random one), with `progress` as for the leaderboard.
    #[wasm_bindgen(js_name = roar)]
    #[allow(clippy::await_holding_refcell_ref)]
    pub fn roar(&self, request_json: &str, fractions: Float64Array, seed: u32, progress: Option<Function>) -> Promise {
        let inner = self.inner.clone();
        let request = ExplainRequest::from_json(request_json);
        let fractions = fractions.to_vec();
        wasm_bindgen_futures::future_to_promise(async move {
            let hook = progress.map(JsProgress::new);
            let session = inner.borrow();
            let roar = session.roar(&request.map_err(|e| JsError::new(&e))?, &fractions, seed, hook.as_ref().map(|h| h as &dyn Progress)).await.map_err(|e| JsError::new(&e))?;
            Ok(to_js(&roar)?)
        })
    }

    /// The randomised-labels check for one method (`{method, params}` JSON) on dataset
    /// rows: resolves to `session::LabelCheck`, with `progress` counting training steps.
    #[wasm_bindgen(js_name = randomisedLabels)]
    #[allow(clippy::await_holding_refcell_ref)]
    pub fn randomised_labels(&self, request_json: &str, indices: Uint32Array, seed: u32, progress: Option<Function>) -> Promise {
        let inner = self.inner.clone();
        let request = ExplainRequest::from_json(request_json);
        let rows: Vec<usize> = indices.to_vec().into_iter().map(|i| i as usize).collect();
        wasm_bindgen_futures::future_to_promise(async move {
            let hook = progress.map(JsProgress::new);
            let mut session = inner.borrow_mut();
            let check = session.randomised_labels(&request.map_err(|e| JsError::new(&e))?, &rows, seed, hook.as_ref().map(|h| h as &dyn Progress)).await.map_err(|e| JsError::new(&e))?;
            Ok(to_js(&check)?)
        })
    }

    /// Explains the res×res plane grid of a 2-D set (top row first), per network input.
    #[wasm_bindgen(js_name = explainGrid)]
    pub fn explain_grid(&self, request_json: &str, res: u32, progress: Option<Function>) -> Promise {
        self.explain_source(request_json, ExplainSource::Grid(res), progress)
    }
}
