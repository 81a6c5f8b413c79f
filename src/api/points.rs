//! The wasm surface of plane points: reading a points CSV, and writing a session's
//! points as CSV.

use super::{set, WasmSession};
use crate::data::points_csv;
use js_sys::{Float32Array, Object};
use wasm_bindgen::prelude::*;

/// Parses points CSV text into `{points: Float32Array (n·3: x1, x2, label or target),
/// classes, regression}`; throws a message naming the bad line and column.
#[wasm_bindgen(js_name = parsePointsCsv)]
pub fn parse_points_csv(text: &str) -> Result<JsValue, JsError> {
    let table = points_csv::parse(text).map_err(|e| JsError::new(&format!("Cannot read the CSV: {e}.")))?;
    let out = Object::new();
    set(&out, "points", Float32Array::from(table.points.iter().flatten().copied().collect::<Vec<f32>>().as_slice()));
    set(&out, "classes", table.classes);
    set(&out, "regression", table.regression);
    Ok(out.into())
}

#[wasm_bindgen(js_class = Session)]
impl WasmSession {
    /// The current points with their labels (or targets) as CSV text, header first.
    #[wasm_bindgen(js_name = pointsCsv)]
    pub fn points_csv(&self) -> String {
        points_csv::write(self.inner.borrow().data())
    }
}
