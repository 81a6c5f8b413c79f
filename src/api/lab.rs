//! The wasm surface of the labs: `labCatalog()` lists them (name, title, claim, paper,
//! what to look at) and `runLab(name, small, progress)` runs one on the CPU backend,
//! resolving to its report (see `lab::LabReport`, camelCase; each figure also carries
//! `csv`, the text `glassbox lab` writes) and calling
//! `progress(done, total)` between units of work; a `false` (or a promise of it) cancels,
//! and the promise rejects with an Error whose message is "cancelled".

use super::explain::JsProgress;
use super::to_js;
use crate::lab::{self, Scale};
use js_sys::{Array, Function, Promise, Reflect};
use wasm_bindgen::prelude::*;

#[wasm_bindgen(js_name = labCatalog)]
pub fn lab_catalog() -> Result<JsValue, JsError> {
    to_js(&lab::catalog())
}

#[wasm_bindgen(js_name = runLab)]
pub fn run_lab(name: String, small: bool, progress: Function) -> Promise {
    wasm_bindgen_futures::future_to_promise(async move {
        let scale = if small { Scale::Small } else { Scale::Full };
        let report = lab::run(&name, scale, &JsProgress::new(progress)).await.map_err(|e| JsError::new(&e))?;
        let out = to_js(&report)?;
        // Each figure also carries its CSV, as the native runner writes it.
        let figures = Reflect::get(&out, &"figures".into()).map_err(|_| JsError::new("the report has no figures"))?;
        for (figure, js) in report.figures.iter().zip(Array::from(&figures).iter()) {
            Reflect::set(&js, &"csv".into(), &figure.csv().into()).map_err(|_| JsError::new("a figure is not an object"))?;
        }
        Ok(out)
    })
}
