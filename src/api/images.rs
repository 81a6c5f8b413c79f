//! The wasm surface of the image track: sessions on the user's files, predictions for
//! stored and drawn samples, filters and activation maps, and a model's layer shapes.

use super::{parse_spec, set, to_js, WasmSession};
use crate::backend::gpu::GpuBackend;
use crate::session::{prepare_upload, ActivationMaps, BoardMasks, Session, UploadedFiles};
use crate::spec::{ModelSpec, UploadFormat};
use js_sys::{Array, Float32Array, Function, Object, Promise, Uint32Array, Uint8Array};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;

fn js_error(message: impl AsRef<str>) -> JsError {
    JsError::new(message.as_ref())
}

/// Copies the dropped files out of JS: parallel arrays of names and Uint8Arrays.
fn copy_files(names: &Array, buffers: &Array) -> Result<Vec<(String, Vec<u8>)>, JsError> {
    if names.length() != buffers.length() {
        return Err(js_error("every file needs a name"));
    }
    (0..names.length())
        .map(|i| {
            let name = names.get(i).as_string().ok_or_else(|| js_error("a file name is not text"))?;
            let bytes = buffers.get(i).dyn_into::<Uint8Array>().map_err(|_| js_error(format!("{name}: not a byte array")))?;
            Ok((name, bytes.to_vec()))
        })
        .collect()
}

/// Parses files into a spec and dataset; progress goes to `progress(fraction)`.
fn prepare(
    template_json: &str,
    format: &str,
    names: &Array,
    buffers: &Array,
    progress: &Function,
) -> Result<(crate::spec::ExperimentSpec, crate::data::Dataset), JsError> {
    let template = parse_spec(template_json)?;
    let format: UploadFormat = serde_json::from_value(serde_json::Value::String(format.into()))
        .map_err(|_| js_error(format!("unknown upload format {format:?}: use idx, zip, folder or csv")))?;
    let owned = copy_files(names, buffers)?;
    let files = UploadedFiles { format, files: owned.iter().map(|(n, b)| (n.clone(), b.as_slice())).collect() };
    let mut report = |f: f32| {
        let _ = progress.call1(&JsValue::NULL, &JsValue::from(f));
    };
    prepare_upload(&template, &files, &mut report).map_err(js_error)
}

fn maps_to_js(maps: Vec<ActivationMaps>) -> JsValue {
    let out = Array::new();
    for m in maps {
        let o = Object::new();
        set(&o, "path", m.path);
        set(&o, "channels", m.channels as u32);
        set(&o, "height", m.height as u32);
        set(&o, "width", m.width as u32);
        set(&o, "values", Float32Array::from(m.values.as_slice()));
        out.push(&o);
    }
    out.into()
}

#[allow(clippy::await_holding_refcell_ref)]
#[wasm_bindgen(js_class = Session)]
impl WasmSession {
    /// A CPU session on the user's files (`format`: idx, zip, folder or csv), with the
    /// model and training of `templateJson`; a template that names files (a link) must
    /// get those files. Throws naming the problem.
    #[wasm_bindgen(js_name = onFiles)]
    pub fn on_files(template_json: &str, format: &str, names: Array, buffers: Array, progress: Function) -> Result<WasmSession, JsError> {
        let (spec, data) = prepare(template_json, format, &names, &buffers, &progress)?;
        let session = Session::on_files(spec, data).map_err(|e| js_error(e.0))?;
        Ok(WasmSession { inner: Rc::new(RefCell::new(session)) })
    }

    /// `onFiles` on WebGPU.
    #[wasm_bindgen(js_name = onFilesGpu)]
    pub async fn on_files_gpu(
        template_json: String,
        format: String,
        names: Array,
        buffers: Array,
        progress: Function,
    ) -> Result<WasmSession, JsError> {
        let (spec, data) = prepare(&template_json, &format, &names, &buffers, &progress)?;
        let gpu = GpuBackend::new().await.map_err(|e| js_error(e.0))?;
        let session = Session::on_files_gpu(spec, data, gpu).map_err(|e| js_error(e.0))?;
        Ok(WasmSession { inner: Rc::new(RefCell::new(session)) })
    }

    /// `{image: [c,h,w] | null, nFeatures, featureNames: [string] | null, pointSet, classes, nTrain, samples, masks}`
    /// (`featureNames`: a table's column names; `masks`: the per-pixel ground truths the
    /// leaderboard can score against, of "object" and "decoy").
    #[wasm_bindgen(js_name = dataInfo)]
    pub fn data_info(&self) -> JsValue {
        let session = self.inner.borrow();
        let d = session.data();
        let out = Object::new();
        let image = d.image.map_or(JsValue::NULL, |s| Uint32Array::from(&s.map(|v| v as u32)[..]).into());
        set(&out, "image", image);
        set(&out, "nFeatures", d.n_features as u32);
        let names: Array = d.feature_names.iter().map(|n| JsValue::from_str(n)).collect();
        set(&out, "featureNames", if d.feature_names.is_empty() { JsValue::NULL } else { names.into() });
        set(&out, "pointSet", !d.points.is_empty());
        set(&out, "classes", d.classes as u32);
        set(&out, "nTrain", d.n_train as u32);
        set(&out, "samples", d.len() as u32);
        let masks: Array = [(BoardMasks::Object, "object"), (BoardMasks::Decoy, "decoy")]
            .into_iter()
            .filter(|(which, _)| session.pixel_masks(*which).is_some())
            .map(|(_, name)| JsValue::from_str(name))
            .collect();
        set(&out, "masks", masks);
        out.into()
    }

    /// Resolves to `{features, labels, probabilities}` for dataset rows `indices`.
    #[wasm_bindgen(js_name = predictSamples)]
    pub fn predict_samples(&self, indices: Uint32Array) -> Promise {
        let inner = self.inner.clone();
        let indices: Vec<usize> = indices.to_vec().into_iter().map(|i| i as usize).collect();
        wasm_bindgen_futures::future_to_promise(async move {
            let batch = inner.borrow().predict_samples(&indices).await.map_err(|e| JsValue::from(js_error(e)))?;
            let out = Object::new();
            set(&out, "features", Float32Array::from(batch.features.as_slice()));
            set(&out, "labels", Uint32Array::from(batch.labels.as_slice()));
            set(&out, "probabilities", Float32Array::from(batch.probabilities.as_slice()));
            Ok(out.into())
        })
    }

    /// Resolves to the class probabilities of samples given as features (a drawn digit).
    pub fn classify(&self, features: Float32Array) -> Promise {
        let inner = self.inner.clone();
        let features = features.to_vec();
        wasm_bindgen_futures::future_to_promise(async move {
            let p = inner.borrow().classify(&features).await.map_err(|e| JsValue::from(js_error(e)))?;
            Ok(Float32Array::from(p.as_slice()).into())
        })
    }

    /// Resolves to every conv layer's maps for one sample's features.
    #[wasm_bindgen(js_name = activationMaps)]
    pub fn activation_maps(&self, features: Float32Array) -> Promise {
        let inner = self.inner.clone();
        let features = features.to_vec();
        wasm_bindgen_futures::future_to_promise(async move {
            let maps = inner.borrow().activation_maps(&features).await.map_err(|e| JsValue::from(js_error(e)))?;
            Ok(maps_to_js(maps))
        })
    }

    /// Resolves to `{filters, channels, size, values}` of the first conv layer, or null.
    #[wasm_bindgen(js_name = firstLayerFilters)]
    pub fn first_layer_filters(&self) -> Promise {
        let inner = self.inner.clone();
        wasm_bindgen_futures::future_to_promise(async move {
            let Some(f) = inner.borrow().first_layer_filters().await else { return Ok(JsValue::NULL) };
            let out = Object::new();
            set(&out, "filters", f.filters as u32);
            set(&out, "channels", f.channels as u32);
            set(&out, "size", Uint32Array::from(&f.size.map(|v| v as u32)[..]));
            set(&out, "values", Float32Array::from(f.values.as_slice()));
            Ok(out.into())
        })
    }

    /// The layers a model (its JSON) would have on this data: `[{path, kind, output,
    /// parameters}]`; throws with the engine's reason when it cannot be built.
    #[wasm_bindgen(js_name = layerShapes)]
    pub fn layer_shapes(&self, model_json: &str) -> Result<JsValue, JsError> {
        let model: ModelSpec =
            serde_json::from_str(model_json).map_err(|e| js_error(format!("Not a valid model: {e}.")))?;
        let shapes = self.inner.borrow().layer_shapes(&model).map_err(|e| js_error(e.0))?;
        to_js(&shapes)
    }
}
