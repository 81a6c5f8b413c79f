//! The model file format, version 1: JSON `{"format": "glassbox-model", "version": 1,
//! "layers": [...]}` with PyTorch layouts, so reference libraries can load the weights.
//!
//! A dense layer is `{"type": "dense", "inFeatures", "outFeatures", "weight", "bias"}`
//! with weight [out, in] (y = x·Wᵀ + b); an activation is `{"type": "activation",
//! "function": "tanh"}`, with `"negativeSlope"` for leakyRelu and a `"weight"` tensor
//! [units] for prelu; a pair gate (maxout, andAil, …) maps unit pairs (2j, 2j+1) to one
//! unit, so the dense layer before it is twice as wide as the one after takes. A tensor is `{"shape": [...], "dtype": "f32"}` plus either
//! `"data": [numbers]` or `"base64": "<little-endian f32 bytes>"`. Parsing is strict and
//! bounded; every failure is a `ModelError` naming the layer and field.

use crate::backend::{Backend, Real};
use crate::nn::{Dense, Mlp, Nonlinearity};
use crate::spec::Activation;
use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use serde::{Deserialize, Serialize};

pub const FORMAT: &str = "glassbox-model";
pub const VERSION: u32 = 1;
/// Largest model file accepted, in bytes.
pub const MAX_FILE_BYTES: usize = 64 * 1024 * 1024;

#[derive(Debug, Clone, PartialEq)]
pub struct ModelError(pub String);

impl std::fmt::Display for ModelError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ModelError {}

fn fail<T>(msg: impl Into<String>) -> Result<T, ModelError> {
    Err(ModelError(msg.into()))
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ModelFile {
    pub format: String,
    pub version: u32,
    pub layers: Vec<LayerRecord>,
}

// A file record, read once: the size gap between variants does not matter here.
#[allow(clippy::large_enum_variant)]
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(tag = "type", rename_all = "camelCase", deny_unknown_fields)]
pub enum LayerRecord {
    #[serde(rename_all = "camelCase")]
    Dense { in_features: usize, out_features: usize, weight: TensorRecord, bias: TensorRecord },
    #[serde(rename_all = "camelCase")]
    Activation {
        function: Activation,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        negative_slope: Option<f32>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        weight: Option<TensorRecord>,
    },
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct TensorRecord {
    pub shape: Vec<usize>,
    pub dtype: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<Vec<f32>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base64: Option<String>,
}

impl TensorRecord {
    /// A tensor stored as little-endian base64 (compact, exact).
    pub fn from_values(shape: Vec<usize>, values: &[f32]) -> Self {
        let bytes: Vec<u8> = values.iter().flat_map(|v| v.to_le_bytes()).collect();
        TensorRecord { shape, dtype: "f32".into(), data: None, base64: Some(STANDARD.encode(bytes)) }
    }

    /// The values, checked against the shape; `what` names the tensor in errors.
    pub fn values(&self, what: &str) -> Result<Vec<f32>, ModelError> {
        if self.dtype != "f32" {
            return fail(format!("{what}: dtype \"{}\" is not supported (only f32)", self.dtype));
        }
        let values = match (&self.data, &self.base64) {
            (Some(data), None) => data.clone(),
            (None, Some(text)) => {
                let bytes = STANDARD.decode(text).or_else(|_| fail(format!("{what}: base64 is malformed")))?;
                if bytes.len() % 4 != 0 {
                    return fail(format!("{what}: base64 holds {} bytes, not a whole number of f32", bytes.len()));
                }
                bytes.chunks_exact(4).map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]])).collect()
            }
            _ => return fail(format!("{what}: give exactly one of \"data\" and \"base64\"")),
        };
        let expected = self.shape.iter().try_fold(1usize, |n, &d| n.checked_mul(d));
        if expected != Some(values.len()) {
            return fail(format!("{what}: shape {:?} needs {:?} values, found {}", self.shape, expected, values.len()));
        }
        if let Some(i) = values.iter().position(|v| !v.is_finite()) {
            return fail(format!("{what}: value {i} is not finite"));
        }
        Ok(values)
    }
}

/// One dense layer's parameters in PyTorch layout.
#[derive(Clone, Debug, PartialEq)]
pub struct DenseParams {
    /// [out, in], row-major.
    pub weight: Vec<f32>,
    pub bias: Vec<f32>,
    pub in_features: usize,
    pub out_features: usize,
}

/// An MLP as stored: dense layers with one activation between consecutive ones.
#[derive(Clone, Debug, PartialEq)]
pub struct MlpParams {
    pub activation: Activation,
    /// leakyRelu's negative slope (ignored by other activations).
    pub leaky_slope: f32,
    pub dense: Vec<DenseParams>,
    /// PReLU's learned slopes, one vector per hidden layer; empty otherwise.
    pub prelu_slopes: Vec<Vec<f32>>,
}

impl MlpParams {
    /// Layer widths [inputs, hidden…, outputs], hidden widths counted after the activation.
    pub fn sizes(&self) -> Vec<usize> {
        let mut sizes = vec![self.dense.first().map_or(0, |d| d.in_features)];
        sizes.extend(self.dense.iter().skip(1).map(|d| d.in_features));
        sizes.extend(self.dense.last().map(|d| d.out_features));
        sizes
    }

    fn activation_record(&self, layer: usize) -> LayerRecord {
        LayerRecord::Activation {
            function: self.activation,
            negative_slope: (self.activation == Activation::LeakyRelu).then_some(self.leaky_slope),
            weight: self.prelu_slopes.get(layer).map(|s| TensorRecord::from_values(vec![s.len()], s)),
        }
    }

    pub fn to_file(&self) -> ModelFile {
        let mut layers = Vec::new();
        for (i, d) in self.dense.iter().enumerate() {
            if i > 0 {
                layers.push(self.activation_record(i - 1));
            }
            layers.push(LayerRecord::Dense {
                in_features: d.in_features,
                out_features: d.out_features,
                weight: TensorRecord::from_values(vec![d.out_features, d.in_features], &d.weight),
                bias: TensorRecord::from_values(vec![d.out_features], &d.bias),
            });
        }
        ModelFile { format: FORMAT.into(), version: VERSION, layers }
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(&self.to_file()).expect("a model always serialises")
    }

    /// Parses and checks a model file: format, version, shapes, the layer chain.
    pub fn parse(json: &str) -> Result<MlpParams, ModelError> {
        if json.len() > MAX_FILE_BYTES {
            return fail(format!("The model file is {} bytes; the limit is {MAX_FILE_BYTES}.", json.len()));
        }
        let file: ModelFile =
            serde_json::from_str(json).or_else(|e| fail(format!("Not a Glassbox model file: {e}.")))?;
        if file.format != FORMAT {
            return fail(format!("The file's format is \"{}\", not \"{FORMAT}\".", file.format));
        }
        if file.version != VERSION {
            return fail(format!("The model file has version {}, but this Glassbox reads version {VERSION}.", file.version));
        }
        let mut dense = Vec::new();
        let mut activation: Option<(Activation, Option<f32>)> = None;
        let mut prelu_slopes = Vec::new();
        let mut expect_dense = true;
        for (i, layer) in file.layers.iter().enumerate() {
            match layer {
                LayerRecord::Dense { in_features, out_features, weight, bias } => {
                    if !expect_dense {
                        return fail(format!("layers[{i}]: two dense layers need an activation between them"));
                    }
                    if *in_features == 0 || *out_features == 0 {
                        return fail(format!("layers[{i}]: dense layers need at least one input and one output"));
                    }
                    if let Some(prev) = dense.last().map(|d: &DenseParams| d.out_features) {
                        let gate = activation.is_some_and(|(a, _)| a.is_gate());
                        let gives = if gate { prev / 2 } else { prev };
                        if gives != *in_features || (gate && prev % 2 != 0) {
                            return fail(format!("layers[{i}]: takes {in_features} inputs but the layers before give {gives}"));
                        }
                    }
                    if weight.shape != [*out_features, *in_features] || bias.shape != [*out_features] {
                        return fail(format!(
                            "layers[{i}]: weight must be [{out_features}, {in_features}] and bias [{out_features}], found {:?} and {:?}",
                            weight.shape, bias.shape
                        ));
                    }
                    dense.push(DenseParams {
                        weight: weight.values(&format!("layers[{i}].weight"))?,
                        bias: bias.values(&format!("layers[{i}].bias"))?,
                        in_features: *in_features,
                        out_features: *out_features,
                    });
                    expect_dense = false;
                }
                LayerRecord::Activation { function, negative_slope, weight } => {
                    if expect_dense {
                        return fail(format!("layers[{i}]: an activation must follow a dense layer"));
                    }
                    if activation.is_some_and(|a| a != (*function, *negative_slope)) {
                        return fail(format!("layers[{i}]: every hidden layer must use the same activation"));
                    }
                    if negative_slope.is_some() != (*function == Activation::LeakyRelu) {
                        return fail(format!("layers[{i}]: \"negativeSlope\" belongs to leakyRelu, and only there"));
                    }
                    let units = dense.last().map_or(0, |d: &DenseParams| d.out_features);
                    match (weight, *function == Activation::Prelu) {
                        (Some(w), true) if w.shape == [units] => prelu_slopes.push(w.values(&format!("layers[{i}].weight"))?),
                        (Some(w), true) => return fail(format!("layers[{i}]: prelu weight must be [{units}], found {:?}", w.shape)),
                        (None, true) => return fail(format!("layers[{i}]: prelu needs its \"weight\" (the learned slopes)")),
                        (Some(_), false) => return fail(format!("layers[{i}]: only prelu has a \"weight\"")),
                        (None, false) => {}
                    }
                    activation = Some((*function, *negative_slope));
                    expect_dense = true;
                }
            }
        }
        if dense.is_empty() || expect_dense {
            return fail("The model must start and end with a dense layer.");
        }
        let (activation, leaky_slope) = activation.unwrap_or((Activation::Tanh, None));
        Ok(MlpParams { activation, leaky_slope: leaky_slope.unwrap_or(0.0), dense, prelu_slopes })
    }
}

impl<B: Backend> Mlp<B> {
    /// The model's parameters, read back from the device. The spec's activation and
    /// leaky slope name the nonlinearity (the model holds only its ops).
    pub async fn export(&self, be: &B, activation: Activation, leaky_slope: f32) -> MlpParams {
        let to_f32 = |v: Vec<B::E>| v.into_iter().map(|x| x.to_f64() as f32).collect::<Vec<f32>>();
        let mut dense = Vec::with_capacity(self.layers.len());
        for layer in &self.layers {
            let [out_features, in_features] = be.shape(&layer.weight);
            dense.push(DenseParams {
                weight: to_f32(be.read(&layer.weight).await),
                bias: to_f32(be.read(&layer.bias).await),
                in_features,
                out_features,
            });
        }
        let mut prelu_slopes = Vec::with_capacity(self.slopes.len());
        for slope in &self.slopes {
            prelu_slopes.push(to_f32(be.read(slope).await));
        }
        MlpParams { activation, leaky_slope, dense, prelu_slopes }
    }

    /// Replaces the weights with `params`, which must have this model's architecture.
    pub fn import(&mut self, be: &B, params: &MlpParams) -> Result<(), ModelError> {
        let shapes: Vec<[usize; 2]> = self.layers.iter().map(|l| be.shape(&l.weight)).collect();
        let theirs: Vec<[usize; 2]> = params.dense.iter().map(|d| [d.out_features, d.in_features]).collect();
        if shapes != theirs {
            return fail(format!("The model's dense layers are {theirs:?} ([out, in]), but this experiment needs {shapes:?}."));
        }
        if params.dense.len() > 1 && Nonlinearity::from_spec(params.activation, params.leaky_slope) != self.nonlinearity {
            return fail(format!(
                "The model uses the {:?} activation, but this experiment uses {:?}.",
                params.activation, self.nonlinearity
            ));
        }
        let upload = |shape: [usize; 2], v: &[f32]| be.upload(shape, &v.iter().map(|&x| B::E::from_f32(x)).collect::<Vec<_>>());
        self.layers = params
            .dense
            .iter()
            .map(|d| Dense {
                weight: upload([d.out_features, d.in_features], &d.weight),
                bias: upload([1, d.out_features], &d.bias),
            })
            .collect();
        self.slopes = params.prelu_slopes.iter().map(|s| upload([1, s.len()], s)).collect();
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;
    use super::*;

    fn sample() -> MlpParams {
        MlpParams {
            activation: Activation::Tanh,
            leaky_slope: 0.0,
            prelu_slopes: vec![],
            dense: vec![
                DenseParams { weight: vec![0.5, -1.0, 0.25, 2.0, 1e-8, -3.5], bias: vec![0.1, 0.2, 0.3], in_features: 2, out_features: 3 },
                DenseParams { weight: vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0], bias: vec![-0.5, 0.5], in_features: 3, out_features: 2 },
            ],
        }
    }

    #[test]
    fn round_trip_is_exact() {
        let m = sample();
        let json = m.to_json();
        assert!(json.starts_with(r#"{"format":"glassbox-model","version":1,"layers":[{"type":"dense""#), "{json}");
        assert_eq!(MlpParams::parse(&json).unwrap(), m);
        assert_eq!(m.sizes(), vec![2, 3, 2]);
    }

    #[test]
    fn plain_arrays_are_accepted() {
        let json = r#"{"format":"glassbox-model","version":1,"layers":[
            {"type":"dense","inFeatures":1,"outFeatures":2,
             "weight":{"shape":[2,1],"dtype":"f32","data":[1,2]},"bias":{"shape":[2],"dtype":"f32","data":[0,0]}}]}"#;
        let m = MlpParams::parse(json).unwrap();
        assert_eq!(m.dense[0].weight, vec![1.0, 2.0]);
    }

    #[test]
    fn broken_files_are_rejected_with_the_place_named() {
        let good = sample().to_json();
        let mut v: serde_json::Value = serde_json::from_str(&good).unwrap();
        let case = |edit: &dyn Fn(&mut serde_json::Value), expect: &str| {
            let mut bad = v.clone();
            edit(&mut bad);
            let e = MlpParams::parse(&bad.to_string()).unwrap_err();
            assert!(e.0.contains(expect), "{e}");
        };
        case(&|m| m["format"] = "other".into(), "format");
        case(&|m| m["version"] = 7.into(), "version 7");
        case(&|m| m["layers"][0]["weight"]["shape"] = serde_json::json!([3, 3]), "layers[0]: weight must be");
        case(&|m| m["layers"][2]["inFeatures"] = 4.into(), "layers[2]: takes 4 inputs");
        case(&|m| m["layers"][1]["negativeSlope"] = 0.1.into(), "negativeSlope");
        case(&|m| m["layers"][1]["function"] = "prelu".into(), "prelu needs its");
        case(&|m| m["layers"][0]["bias"]["base64"] = "@@@".into(), "layers[0].bias: base64 is malformed");
        case(&|m| m["layers"][0]["bias"]["data"] = serde_json::json!([1, 2, 3]), "exactly one");
        case(&|m| m["layers"][0]["weight"]["dtype"] = "f16".into(), "dtype");
        case(&|m| m["layers"].as_array_mut().unwrap().truncate(2), "end with a dense layer");
        case(&|m| m["layers"][1]["type"] = "dense".into(), "Not a Glassbox model file");
        v["layers"][0]["bias"] = serde_json::json!({"shape": [3], "dtype": "f32", "data": [1, 2, 3]});
        assert!(MlpParams::parse(&v.to_string()).is_ok());
        assert!(MlpParams::parse("{").unwrap_err().0.contains("Not a Glassbox model file"));
    }

    #[test]
    fn models_export_and_import_exactly_for_every_kind_of_nonlinearity() {
        use crate::backend::cpu::CpuBackend;
        let be = CpuBackend::<f32>::new();
        for (activation, slope) in [(Activation::Tanh, 0.0), (Activation::LeakyRelu, 0.2), (Activation::Prelu, 0.0), (Activation::AndAil, 0.0)] {
            let n = Nonlinearity::from_spec(activation, slope);
            let a = Mlp::init(&be, &[2, 8, 6, 3], n, 1);
            let params = pollster::block_on(a.export(&be, activation, slope));
            assert_eq!(params.sizes(), vec![2, 8, 6, 3], "{activation:?}");
            let mut b = Mlp::init(&be, &[2, 8, 6, 3], n, 2);
            assert_ne!(pollster::block_on(b.export(&be, activation, slope)).dense, params.dense);
            b.import(&be, &MlpParams::parse(&params.to_json()).unwrap()).unwrap();
            assert_eq!(pollster::block_on(b.export(&be, activation, slope)), params, "{activation:?}");
        }
        let tanh = Nonlinearity::from_spec(Activation::Tanh, 0.0);
        let params = pollster::block_on(Mlp::init(&be, &[2, 8, 2], tanh, 1).export(&be, Activation::Tanh, 0.0));
        let mut other_size = Mlp::init(&be, &[2, 4, 2], tanh, 1);
        assert!(other_size.import(&be, &params).unwrap_err().0.contains("dense layers"));
        let mut other_fn = Mlp::init(&be, &[2, 8, 2], Nonlinearity::from_spec(Activation::Relu, 0.0), 1);
        assert!(other_fn.import(&be, &params).unwrap_err().0.contains("activation"));
    }
}
