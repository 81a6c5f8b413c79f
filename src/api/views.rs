//! Session methods for the page's views: the network with its weights, the plane views
//! (decision grid, neuron maps, linear regions) and the confusion matrices.

use super::{set, to_js, WasmSession};
use crate::session::PlaneViews;
use js_sys::{Float32Array, Object, Promise, Uint32Array};
use wasm_bindgen::prelude::*;

/// `{resolution, grid, neurons: {resolution, layout, maps} | null, regions: {resolution, ids, count} | null}`.
fn plane_js(views: Option<PlaneViews>, neurons: Option<PlaneViews>) -> JsValue {
    let out = Object::new();
    let (resolution, grid, regions) = match views {
        Some(v) => (v.resolution, v.grid, v.regions),
        None => (0, Vec::new(), None),
    };
    set(&out, "resolution", resolution as u32);
    set(&out, "grid", Float32Array::from(grid.as_slice()));
    let maps = neurons.and_then(|v| v.neurons.map(|n| (v.resolution, n)));
    let neurons = maps.map_or(JsValue::NULL, |(res, n)| {
        let o = Object::new();
        set(&o, "resolution", res as u32);
        set(&o, "layout", js_sys::Array::from_iter(n.layout.iter().map(|&u| JsValue::from(u as u32))));
        set(&o, "maps", Float32Array::from(n.maps.as_slice()));
        o.into()
    });
    set(&out, "neurons", neurons);
    let regions = regions.map_or(JsValue::NULL, |r| {
        let o = Object::new();
        set(&o, "resolution", resolution as u32);
        set(&o, "ids", Uint32Array::from(r.ids.as_slice()));
        set(&o, "count", r.count);
        o.into()
    });
    set(&out, "regions", regions);
    out.into()
}

// See the note on the main impl block: the worker serialises every call.
#[allow(clippy::await_holding_refcell_ref)]
#[wasm_bindgen(js_class = Session)]
impl WasmSession {
    /// Resolves to `{inputs, layers: [{kind, units, activation, weights, bias}], outputs}`
    /// (see `Session::network`).
    pub fn network(&self) -> Promise {
        let inner = self.inner.clone();
        wasm_bindgen_futures::future_to_promise(async move {
            let n = inner.borrow().network().await;
            to_js(&n).map_err(JsValue::from)
        })
    }

    /// Resolves to the plane views: the decision grid and (when asked) the regions at
    /// `grid_res`, the neuron maps at `neuron_res`, from one forward pass when the two
    /// resolutions agree.
    pub fn views(&self, grid_res: u32, neuron_res: u32, neurons: bool, regions: bool) -> Promise {
        let inner = self.inner.clone();
        wasm_bindgen_futures::future_to_promise(async move {
            let session = inner.borrow();
            let shared = neurons && neuron_res == grid_res;
            let views = session.plane_views(grid_res, shared, regions).await;
            let maps = match (neurons, shared) {
                (false, _) => None,
                (true, true) => views.clone(),
                (true, false) => session.plane_views(neuron_res, true, false).await,
            };
            Ok(plane_js(views, maps))
        })
    }

    /// Resolves to `{classes, train: number[K][K], test: number[K][K]}`, rows = true class.
    pub fn confusion(&self) -> Promise {
        let inner = self.inner.clone();
        wasm_bindgen_futures::future_to_promise(async move {
            let c = inner.borrow().confusion().await;
            to_js(&c).map_err(JsValue::from)
        })
    }
}
