//! The model file format, version 1: JSON `{"format": "glassbox-model", "version": 1,
//! "input": [c, h, w] or [features], "layers": [...]}` with PyTorch layouts, so reference
//! libraries can load the weights. Each layer is `{"type": ..., hyperparameters,
//! tensors}`; README.md lists every type. In short:
//! - `dense`: `inFeatures`, `outFeatures`, `weight` [out, in] (y = x·Wᵀ + b), `bias` [out];
//! - `conv2d`: `inChannels`, `outChannels`, `kernel`, `stride`, `padding` ("same" or
//!   "valid"), `weight` [out, in, k, k] (cross-correlation), `bias` [out];
//! - `activation`: `function`, plus `negativeSlope` for leakyRelu and `weight` [channels]
//!   for prelu; a pair gate maps units or channels (2j, 2j+1) to one;
//! - `pool`: `op`, `size`/`stride`/`padding` (absent size: global), `logTemperature` [1]
//!   and `learnTemperature` for logAvgExp;
//! - `flatten`; `dropout` with `rate`;
//! - `batchNorm`: `numFeatures`, `momentum`, `eps`, `weight`, `bias`, `runningMean`,
//!   `runningVar` (PyTorch's names);
//! - `residual`: `layers` (y = x + body(x));
//! - `squeezeExcite`: `channels`, `reduction`, `squeezeWeight`, `squeezeBias`,
//!   `exciteWeight`, `exciteBias`.
//!
//! A tensor is `{"shape": [...], "dtype": "f32"}` plus either `"data": [numbers]` or
//! `"base64": "<little-endian f32 bytes>"`. Files without `input` (written before it
//! existed) hold MLPs, whose input is the first dense layer's. Parsing is strict and
//! bounded; every failure is a `ModelError` naming the layer and field.

use crate::backend::{ActivationOp, Backend, ImageShape, Real};
use crate::nn::layers::{Layer, Nonlinearity};
use crate::nn::{Features, Net};
use crate::quote::clip;
use crate::spec::{Activation, LayerSpec, PaddingSpec, PoolKind};
use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use serde::{Deserialize, Serialize};

pub const FORMAT: &str = "glassbox-model";
pub const VERSION: u32 = 1;
/// Largest model file accepted, in bytes.
pub const MAX_FILE_BYTES: usize = 64 * 1024 * 1024;
/// Most input values a model file's network may read (an image set's largest sample).
const MAX_INPUT: usize = crate::spec::limits::MAX_IMAGE_PIXELS as usize;

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
    /// [channels, height, width] for images, [features] otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input: Option<Vec<usize>>,
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
    Conv2d {
        in_channels: usize,
        out_channels: usize,
        kernel: usize,
        stride: usize,
        padding: PaddingSpec,
        weight: TensorRecord,
        bias: TensorRecord,
    },
    Flatten,
    #[serde(rename_all = "camelCase")]
    Activation {
        function: Activation,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        negative_slope: Option<f32>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        weight: Option<TensorRecord>,
    },
    #[serde(rename_all = "camelCase")]
    Pool {
        op: PoolKind,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        size: Option<u32>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        stride: Option<u32>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        padding: Option<PaddingSpec>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        log_temperature: Option<TensorRecord>,
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        learn_temperature: bool,
    },
    Dropout { rate: f32 },
    #[serde(rename_all = "camelCase")]
    BatchNorm {
        num_features: usize,
        momentum: f32,
        eps: f32,
        weight: TensorRecord,
        bias: TensorRecord,
        running_mean: TensorRecord,
        running_var: TensorRecord,
    },
    Residual { layers: Vec<LayerRecord> },
    #[serde(rename_all = "camelCase")]
    SqueezeExcite {
        channels: usize,
        reduction: u32,
        squeeze_weight: TensorRecord,
        squeeze_bias: TensorRecord,
        excite_weight: TensorRecord,
        excite_bias: TensorRecord,
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
            return fail(format!("{what}: shape {} needs {:?} values, found {}", dims(&self.shape), expected, values.len()));
        }
        if let Some(i) = values.iter().position(|v| !v.is_finite()) {
            return fail(format!("{what}: value {i} is not finite"));
        }
        Ok(values)
    }
}

/// A shape from a file, for a message (a hostile file may list thousands of dimensions).
fn dims(shape: &[usize]) -> String {
    clip(&format!("{shape:?}"), 60).into_owned()
}

/// A tensor as read from the device, in the model file's order.
struct Values {
    shape: [usize; 2],
    data: Vec<f32>,
}

impl ModelFile {
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("a model always serialises")
    }

    /// Parses a model file and checks its envelope (format, version, size); the layers
    /// are checked against a network by `Net::import`.
    pub fn parse(json: &str) -> Result<ModelFile, ModelError> {
        if json.len() > MAX_FILE_BYTES {
            return fail(format!("The model file is {} bytes; the limit is {MAX_FILE_BYTES}.", json.len()));
        }
        let file: ModelFile =
            serde_json::from_str(json).or_else(|e| fail(format!("Not a Glassbox model file: {}.", clip(&e.to_string(), 200))))?;
        if file.format != FORMAT {
            return fail(format!("The file's format is \"{}\", not \"{FORMAT}\".", clip(&file.format, 40)));
        }
        if file.version != VERSION {
            return fail(format!("The model file has version {}, but this Glassbox reads version {VERSION}.", file.version));
        }
        if file.layers.is_empty() {
            return fail("The model file has no layers.");
        }
        Ok(file)
    }

    /// The input the file's network reads: its `input`, or an MLP's first dense layer's.
    pub fn input_features(&self) -> Result<Features, ModelError> {
        let input = match (self.input.as_deref(), self.layers.first()) {
            (Some(&[n]), _) => Features::Flat(n),
            (Some(&[c, h, w]), _) => {
                let fits = [c, h, w].iter().try_fold(1usize, |a, &d| a.checked_mul(d)).is_some_and(|n| n <= MAX_INPUT);
                if !fits {
                    return fail(format!("input {c}×{h}×{w} has more than {MAX_INPUT} values"));
                }
                Features::Image(ImageShape::new(c, h, w))
            }
            (Some(other), _) => return fail(format!("input {other:?} must be [features] or [channels, height, width]")),
            (None, Some(LayerRecord::Dense { in_features, .. })) => Features::Flat(*in_features),
            (None, _) => return fail("The model file needs \"input\" unless it starts with a dense layer."),
        };
        if !(1..=MAX_INPUT).contains(&input.len()) {
            return fail(format!("input has {} values; a model reads 1 to {MAX_INPUT}", input.len()));
        }
        Ok(input)
    }
}

/// The architecture records describe, as a layer list, for comparing two files. A
/// logAvgExp temperature is a tensor in the file, so it is compared as one and left at
/// 1 here; so is a leaky slope.
fn specs_of(records: &[LayerRecord], path: &str) -> Result<Vec<LayerSpec>, ModelError> {
    records
        .iter()
        .enumerate()
        .map(|(i, r)| {
            Ok(match r {
                LayerRecord::Dense { out_features, .. } => LayerSpec::Dense { units: *out_features as u32 },
                LayerRecord::Conv2d { out_channels, kernel, stride, padding, .. } => LayerSpec::Conv2d {
                    filters: *out_channels as u32,
                    kernel: *kernel as u32,
                    stride: *stride as u32,
                    padding: *padding,
                },
                LayerRecord::Flatten => LayerSpec::Flatten,
                LayerRecord::Activation { function, negative_slope, .. } => {
                    if negative_slope.is_some() != (*function == Activation::LeakyRelu) {
                        return fail(format!("{path}[{i}]: \"negativeSlope\" belongs to leakyRelu, and only there"));
                    }
                    LayerSpec::Activation { function: *function }
                }
                LayerRecord::Pool { op, size, stride, padding, log_temperature, learn_temperature } => {
                    if log_temperature.is_some() != (*op == PoolKind::LogAvgExp) {
                        return fail(format!("{path}[{i}]: \"logTemperature\" belongs to logAvgExp pooling, and it needs one"));
                    }
                    LayerSpec::Pool {
                        op: *op,
                        size: *size,
                        stride: *stride,
                        padding: *padding,
                        temperature: 1.0,
                        learn_temperature: *learn_temperature,
                    }
                }
                LayerRecord::Dropout { rate } => LayerSpec::Dropout { rate: *rate },
                LayerRecord::BatchNorm { momentum, eps, .. } => LayerSpec::BatchNorm { momentum: *momentum, epsilon: *eps },
                LayerRecord::Residual { layers } => {
                    LayerSpec::Residual { layers: specs_of(layers, &format!("{path}[{i}].layers"))? }
                }
                LayerRecord::SqueezeExcite { reduction, .. } => LayerSpec::SqueezeExcite { reduction: *reduction },
            })
        })
        .collect()
}

/// The tensors of a record in the model file's order (see `Layer::visit_state`).
fn tensors_of(record: &LayerRecord) -> Vec<&TensorRecord> {
    match record {
        LayerRecord::Dense { weight, bias, .. } | LayerRecord::Conv2d { weight, bias, .. } => vec![weight, bias],
        LayerRecord::Activation { weight, .. } => weight.iter().collect(),
        LayerRecord::Pool { log_temperature, .. } => log_temperature.iter().collect(),
        LayerRecord::BatchNorm { weight, bias, running_mean, running_var, .. } => vec![weight, bias, running_mean, running_var],
        LayerRecord::SqueezeExcite { squeeze_weight, squeeze_bias, excite_weight, excite_bias, .. } => {
            vec![squeeze_weight, squeeze_bias, excite_weight, excite_bias]
        }
        LayerRecord::Flatten | LayerRecord::Dropout { .. } | LayerRecord::Residual { .. } => Vec::new(),
    }
}

/// Every record of the tree, depth first (the order of `Net::visit_nodes`).
fn flatten_records<'a>(records: &'a [LayerRecord], out: &mut Vec<(String, &'a LayerRecord)>, path: &str) {
    for (i, r) in records.iter().enumerate() {
        let at = format!("{path}[{i}]");
        out.push((at.clone(), r));
        if let LayerRecord::Residual { layers } = r {
            flatten_records(layers, out, &format!("{at}.layers"));
        }
    }
}

fn leaky_slope(nonlinearity: Nonlinearity) -> Option<f32> {
    match nonlinearity {
        Nonlinearity::Elementwise(ActivationOp::LeakyRelu { slope }) => Some(slope),
        _ => None,
    }
}

impl<B: Backend> Net<B> {
    /// The network's architecture and numbers, read back from the device.
    pub async fn export(&self, be: &B) -> ModelFile {
        let mut tensors = Vec::new();
        self.visit_state(&mut |t| tensors.push(t));
        let mut values = Vec::with_capacity(tensors.len());
        for t in tensors {
            let data = be.read(t).await.into_iter().map(|x| x.to_f64() as f32).collect();
            values.push(Values { shape: be.shape(t), data });
        }
        let mut values = values.into_iter();
        let layers = records_of(&self.nodes, &mut values);
        let input = match self.input {
            Features::Flat(n) => vec![n],
            Features::Image(s) => vec![s.channels, s.height, s.width],
        };
        ModelFile { format: FORMAT.into(), version: VERSION, input: Some(input), layers }
    }

    /// The network a model file describes, with the file's numbers (the native
    /// explanation runner loads models this way, without an experiment spec).
    pub fn from_file(be: &B, file: &ModelFile) -> Result<Net<B>, ModelError> {
        let input = file.input_features()?;
        let layers = specs_of(&file.layers, "layers")?;
        crate::spec::layers::validate(&layers, "layers", 0).map_err(ModelError)?;
        let mut flat = Vec::new();
        flatten_records(&file.layers, &mut flat, "layers");
        let leaky_slope = flat.iter().find_map(|(_, r)| match r {
            LayerRecord::Activation { negative_slope, .. } => *negative_slope,
            _ => None,
        });
        let defaults = crate::spec::ExperimentSpec::default().model;
        let model = crate::spec::ModelSpec { leaky_slope: leaky_slope.unwrap_or(defaults.leaky_slope), ..defaults };
        let mut net = Net::build_layers(be, input, &layers, &model, 0).map_err(ModelError)?;
        net.import(be, file)?;
        Ok(net)
    }

    /// Replaces every tensor with the file's, which must describe this architecture.
    /// Everything is checked before anything changes, so a bad file changes nothing.
    pub fn import(&mut self, be: &B, file: &ModelFile) -> Result<(), ModelError> {
        let input = file.input_features()?;
        if input != self.input {
            return fail(format!("The model reads {}, but this experiment's data is {}.", input.describe(), self.input.describe()));
        }
        let mut zeros = Vec::new();
        self.visit_state(&mut |t| {
            let shape = be.shape(t);
            zeros.push(Values { shape, data: vec![0.0; shape[0] * shape[1]] })
        });
        let ours = records_of(&self.nodes, &mut zeros.into_iter());
        let (mut theirs_flat, mut ours_flat) = (Vec::new(), Vec::new());
        flatten_records(&file.layers, &mut theirs_flat, "layers");
        flatten_records(&ours, &mut ours_flat, "layers");
        let kinds = |v: &[(String, &LayerRecord)]| v.iter().map(|(_, r)| record_kind(r)).collect::<Vec<_>>().join(", ");
        if specs_of(&file.layers, "layers")? != specs_of(&ours, "layers")? || theirs_flat.len() != ours_flat.len() {
            return fail(format!(
                "The model's layers differ from this experiment's: the file has [{}], the experiment [{}].",
                kinds(&theirs_flat),
                kinds(&ours_flat)
            ));
        }
        let mut uploads: Vec<Vec<f32>> = Vec::new();
        for ((at, theirs), (_, ours)) in theirs_flat.iter().zip(&ours_flat) {
            if let (LayerRecord::Activation { negative_slope: a, .. }, LayerRecord::Activation { negative_slope: b, .. }) = (theirs, ours) {
                if a != b {
                    return fail(format!("{at}: the negative slope is {a:?}, this experiment's {b:?}"));
                }
            }
            let (t_in, t_want) = (tensors_of(theirs), tensors_of(ours));
            if t_in.len() != t_want.len() {
                return fail(format!("{at}: has {} tensors, this experiment's layer has {}", t_in.len(), t_want.len()));
            }
            let mut values = Vec::new();
            for (k, (t, want)) in t_in.into_iter().zip(t_want).enumerate() {
                if t.shape != want.shape {
                    return fail(format!("{at}: tensor {k} has shape {}, this experiment needs {:?}", dims(&t.shape), want.shape));
                }
                values.push(t.values(&format!("{at} tensor {k}"))?);
            }
            if let LayerRecord::BatchNorm { .. } = theirs {
                // The running mean and variance live in one [2, c] tensor.
                let var = values.pop().expect("batch norm has four tensors");
                values.last_mut().expect("batch norm has four tensors").extend(var);
            }
            uploads.extend(values);
        }
        let mut uploads = uploads.into_iter();
        self.visit_state_mut(&mut |t| {
            let shape = be.shape(t);
            let v: Vec<B::E> = uploads.next().expect("checked above").into_iter().map(B::E::from_f32).collect();
            *t = be.upload(shape, &v);
        });
        Ok(())
    }
}

fn record_kind(r: &LayerRecord) -> &'static str {
    match r {
        LayerRecord::Dense { .. } => "dense",
        LayerRecord::Conv2d { .. } => "conv2d",
        LayerRecord::Flatten => "flatten",
        LayerRecord::Activation { .. } => "activation",
        LayerRecord::Pool { .. } => "pool",
        LayerRecord::Dropout { .. } => "dropout",
        LayerRecord::BatchNorm { .. } => "batchNorm",
        LayerRecord::Residual { .. } => "residual",
        LayerRecord::SqueezeExcite { .. } => "squeezeExcite",
    }
}

/// The next tensor of a network, recorded with the file's `shape`.
fn take(values: &mut impl Iterator<Item = Values>, shape: Vec<usize>) -> TensorRecord {
    let v = values.next().expect("one value set per tensor");
    debug_assert_eq!(v.shape[0] * v.shape[1], shape.iter().product::<usize>());
    TensorRecord::from_values(shape, &v.data)
}

/// The records of `nodes`, taking their tensors from `values` in the file's order.
fn records_of<B: Backend>(nodes: &[crate::nn::Node<B>], values: &mut impl Iterator<Item = Values>) -> Vec<LayerRecord> {
    let mut out = Vec::with_capacity(nodes.len());
    for node in nodes {
        let record = match (&node.layer, &node.spec) {
            (Layer::Dense(_), _) => {
                let (i, o) = (node.input.len(), node.output.len());
                LayerRecord::Dense { in_features: i, out_features: o, weight: take(values, vec![o, i]), bias: take(values, vec![o]) }
            }
            (Layer::Conv2d(c), LayerSpec::Conv2d { padding, .. }) => {
                let (i, o, k) = (c.window.input.channels, c.filters, c.window.kernel[0]);
                LayerRecord::Conv2d {
                    in_channels: i,
                    out_channels: o,
                    kernel: k,
                    stride: c.window.stride[0],
                    padding: *padding,
                    weight: take(values, vec![o, i, k, k]),
                    bias: take(values, vec![o]),
                }
            }
            (Layer::Activation(a), LayerSpec::Activation { function }) => LayerRecord::Activation {
                function: *function,
                negative_slope: leaky_slope(a.nonlinearity),
                weight: a.slope.as_ref().map(|_| take(values, vec![node.input.channels()])),
            },
            (Layer::Pool(p), LayerSpec::Pool { op, size, stride, padding, learn_temperature, .. }) => LayerRecord::Pool {
                op: *op,
                size: *size,
                stride: *stride,
                padding: *padding,
                log_temperature: p.log_t.as_ref().map(|_| take(values, vec![1])),
                learn_temperature: *learn_temperature,
            },
            (Layer::Flatten, _) => LayerRecord::Flatten,
            (Layer::Dropout(rate), _) => LayerRecord::Dropout { rate: *rate },
            (Layer::BatchNorm(b), _) => {
                let c = b.channels;
                let (weight, bias) = (take(values, vec![c]), take(values, vec![c]));
                let running = values.next().expect("batch norm has running statistics");
                let (mean, var) = running.data.split_at(c);
                LayerRecord::BatchNorm {
                    num_features: c,
                    momentum: b.momentum,
                    eps: b.epsilon,
                    weight,
                    bias,
                    running_mean: TensorRecord::from_values(vec![c], mean),
                    running_var: TensorRecord::from_values(vec![c], var),
                }
            }
            (Layer::Residual(body), _) => LayerRecord::Residual { layers: records_of(body, values) },
            (Layer::SqueezeExcite(_), LayerSpec::SqueezeExcite { reduction }) => {
                let c = node.input.channels();
                let r = (c / *reduction as usize).max(1);
                LayerRecord::SqueezeExcite {
                    channels: c,
                    reduction: *reduction,
                    squeeze_weight: take(values, vec![r, c]),
                    squeeze_bias: take(values, vec![r]),
                    excite_weight: take(values, vec![c, r]),
                    excite_bias: take(values, vec![c]),
                }
            }
            (layer, spec) => unreachable!("a {} layer built from {spec:?}", layer.kind()),
        };
        out.push(record);
    }
    out
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;
    use super::*;
    use crate::backend::cpu::CpuBackend;
    use crate::spec::{ExperimentSpec, ModelSpec};

    type Be = CpuBackend<f32>;

    const CNN: &str = r#"[{"type":"conv2d","filters":4,"kernel":3},{"type":"activation","function":"prelu"},
        {"type":"pool","op":"logAvgExp","size":2,"temperature":0.5},
        {"type":"residual","layers":[{"type":"batchNorm"},{"type":"squeezeExcite","reduction":2}]},
        {"type":"dropout","rate":0.1},{"type":"pool","op":"max"},{"type":"dense","units":3}]"#;

    fn net(layers: &str, input: Features, seed: u32) -> Net<Be> {
        let model = ModelSpec { layers: serde_json::from_str(layers).unwrap(), ..ExperimentSpec::default().model };
        Net::build(&Be::new(), input, &model, 3, seed).unwrap()
    }

    fn image() -> Features {
        Features::Image(ImageShape::new(2, 6, 5))
    }

    #[test]
    fn every_layer_type_round_trips_exactly() {
        let be = Be::new();
        let mut a = net(CNN, image(), 1);
        // Make the non-learned tensors differ from their initial values too.
        let mut k = 0;
        a.visit_state_mut(&mut |t| {
            k += 1;
            t.mapv_inplace(|v| v + 0.01 * k as f32);
        });
        let file = pollster::block_on(a.export(&be));
        let json = file.to_json();
        assert!(json.starts_with(r#"{"format":"glassbox-model","version":1,"input":[2,6,5],"layers":[{"type":"conv2d""#), "{json}");
        for needle in ["runningVar", "logTemperature", "squeezeWeight", "\"type\":\"residual\"", "\"rate\":0.1"] {
            assert!(json.contains(needle), "{needle} missing");
        }
        let mut b = net(CNN, image(), 2);
        assert_ne!(pollster::block_on(b.export(&be)), file);
        b.import(&be, &ModelFile::parse(&json).unwrap()).unwrap();
        assert_eq!(pollster::block_on(b.export(&be)), file);
        let x = be.upload([2, 60], &(0..120).map(|i| (i as f32 * 0.37).sin()).collect::<Vec<_>>());
        assert_eq!(a.predict(&be, &x), b.predict(&be, &x));
    }

    /// A file alone rebuilds its network (every layer type, a leaky slope, an output
    /// that is not a dense layer's), and a file whose tensors do not fit says where.
    #[test]
    fn from_file_rebuilds_the_network_without_a_spec() {
        let be = Be::new();
        let a = net(CNN, image(), 1);
        let b = Net::from_file(&be, &pollster::block_on(a.export(&be))).unwrap();
        let x = be.upload([2, 60], &(0..120).map(|i| (i as f32 * 0.21).cos()).collect::<Vec<_>>());
        assert_eq!(a.predict(&be, &x), b.predict(&be, &x));
        let leaky = r#"[{"type":"conv2d","filters":3,"kernel":3},{"type":"activation","function":"leakyRelu"},{"type":"pool","op":"avg"}]"#;
        let model = ModelSpec { layers: serde_json::from_str(leaky).unwrap(), leaky_slope: 0.3, ..ExperimentSpec::default().model };
        let c = Net::build(&be, image(), &model, 3, 4).unwrap();
        let d = Net::from_file(&be, &pollster::block_on(c.export(&be))).unwrap();
        assert_eq!(c.predict(&be, &x), d.predict(&be, &x));
        let mut file = pollster::block_on(c.export(&be));
        file.input = Some(vec![1, 6, 5]);
        let e = Net::<Be>::from_file(&be, &file).err().expect("two-channel weights do not fit a one-channel input");
        assert!(e.0.contains("layers[0]"), "{e}");
    }

    #[test]
    fn mlp_files_without_an_input_field_still_load() {
        let json = r#"{"format":"glassbox-model","version":1,"layers":[
            {"type":"dense","inFeatures":2,"outFeatures":2,
             "weight":{"shape":[2,2],"dtype":"f32","data":[1,2,3,4]},"bias":{"shape":[2],"dtype":"f32","data":[0,0]}},
            {"type":"activation","function":"tanh"},
            {"type":"dense","inFeatures":2,"outFeatures":3,
             "weight":{"shape":[3,2],"dtype":"f32","data":[1,0,0,1,1,1]},"bias":{"shape":[3],"dtype":"f32","data":[0.5,0,0]}}]}"#;
        let be = Be::new();
        let mut m = net(r#"[{"type":"dense","units":2},{"type":"activation","function":"tanh"},{"type":"dense","units":3}]"#, Features::Flat(2), 1);
        m.import(&be, &ModelFile::parse(json).unwrap()).unwrap();
        let z = m.predict(&be, &be.upload([1, 2], &[1.0, 0.0]));
        let (h0, h1) = (1.0f32.tanh(), 3.0f32.tanh());
        assert!((z[[0, 0]] - (h0 + 0.5)).abs() < 1e-6 && (z[[0, 2]] - (h0 + h1)).abs() < 1e-6, "{z:?}");
    }

    #[test]
    fn broken_or_foreign_files_are_rejected_with_the_place_named_and_change_nothing() {
        let be = Be::new();
        let original = net(CNN, image(), 1);
        let good = pollster::block_on(original.export(&be)).to_json();
        let v: serde_json::Value = serde_json::from_str(&good).unwrap();
        let case = |edit: &dyn Fn(&mut serde_json::Value), expect: &str| {
            let mut bad = v.clone();
            edit(&mut bad);
            let mut target = net(CNN, image(), 1);
            let result = ModelFile::parse(&bad.to_string()).and_then(|f| target.import(&be, &f));
            let e = result.expect_err(expect);
            assert!(e.0.contains(expect), "wanted {expect:?}: {e}");
            assert_eq!(pollster::block_on(target.export(&be)), pollster::block_on(original.export(&be)), "{expect}");
        };
        case(&|m| m["format"] = "other".into(), "format");
        case(&|m| m["version"] = 7.into(), "version 7");
        case(&|m| m["input"] = serde_json::json!([2, 6, 6]), "this experiment's data is");
        case(&|m| m["layers"][0]["weight"]["shape"] = serde_json::json!([4, 2, 9]), "layers[0]: tensor 0 has shape");
        case(&|m| m["layers"][0]["outChannels"] = 5.into(), "layers differ");
        case(&|m| m["layers"][1]["function"] = "relu".into(), "layers differ");
        case(&|m| m["layers"][1]["negativeSlope"] = 0.1.into(), "negativeSlope");
        case(&|m| m["layers"][2]["logTemperature"] = serde_json::Value::Null, "logTemperature");
        case(&|m| m["layers"][3]["layers"][0]["runningVar"]["base64"] = "@@@".into(), "layers[3].layers[0] tensor 3: base64 is malformed");
        case(&|m| m["layers"][0]["bias"]["dtype"] = "f16".into(), "dtype");
        case(&|m| m["layers"].as_array_mut().unwrap().truncate(3), "layers differ");
        case(&|m| m["layers"][4]["type"] = "flatten".into(), "layers differ");
        case(&|m| m["layers"][4]["extra"] = 1.into(), "Not a Glassbox model file");
        case(&|m| m["layers"] = serde_json::json!([]), "no layers");
        assert!(ModelFile::parse("{").unwrap_err().0.contains("Not a Glassbox model file"));
    }
}
