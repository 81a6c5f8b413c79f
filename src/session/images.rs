//! What the image views ask a session: predictions for stored samples and for drawn
//! pixels, the first conv layer's filters, every conv layer's activation maps for one
//! sample, and the layer-by-layer shapes of a model on this session's data.

use super::{Engine, Session};
use crate::backend::Backend;
use crate::nn::features::Features;
use crate::nn::layers::{Layer, Node};
use crate::nn::{Mode, Net};
use crate::spec::{ExperimentSpec, ModelSpec, SpecError};
use num_traits::ToPrimitive;
use serde::Serialize;

/// Most samples one `predict_samples` call evaluates (the views ask in pages).
pub const MAX_SAMPLES_PER_CALL: usize = 4096;

/// Stored samples with the network's class probabilities.
#[derive(Clone, Debug, PartialEq)]
pub struct SampleBatch {
    /// The samples' features, row after row.
    pub features: Vec<f32>,
    pub labels: Vec<u32>,
    /// [n, classes] probabilities.
    pub probabilities: Vec<f32>,
}

/// One layer of a model as built on this session's data.
#[derive(Serialize, Clone, Debug, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct LayerShape {
    /// Where the layer sits in the spec (`model.layers[2]`, `…[1].layers[0]` in a block).
    pub path: String,
    /// The layer's type as written in the spec.
    pub kind: String,
    /// The output, e.g. `6×28×28 image` or `64 features`.
    pub output: String,
    pub parameters: usize,
}

/// A conv layer's output for one sample: `channels` maps of `height`×`width`.
#[derive(Clone, Debug, PartialEq)]
pub struct ActivationMaps {
    pub path: String,
    pub channels: usize,
    pub height: usize,
    pub width: usize,
    pub values: Vec<f32>,
}

/// The first conv layer's kernels: `filters` × `channels` × `size`×`size`.
#[derive(Clone, Debug, PartialEq)]
pub struct Filters {
    pub filters: usize,
    pub channels: usize,
    pub size: [usize; 2],
    pub values: Vec<f32>,
}

fn to_f32<E: ToPrimitive>(values: Vec<E>) -> Vec<f32> {
    values.into_iter().map(|v| v.to_f32().unwrap_or(f32::NAN)).collect()
}

/// Nodes in depth-first order with their spec paths (residual bodies nested).
fn walk<'a, B: Backend>(nodes: &'a [Node<B>], path: &str, out: &mut Vec<(String, &'a Node<B>)>) {
    for (i, node) in nodes.iter().enumerate() {
        let at = format!("{path}[{i}]");
        if let Layer::Residual(body) = &node.layer {
            out.push((at.clone(), node));
            walk(body, &format!("{at}.layers"), out);
        } else {
            out.push((at, node));
        }
    }
}

fn layer_kind(spec: &crate::spec::LayerSpec) -> String {
    let json = serde_json::to_value(spec).expect("a layer spec always serialises");
    json.get("type").and_then(|t| t.as_str()).unwrap_or("layer").to_string()
}

async fn conv_maps<B: Backend>(be: &B, net: &Net<B>, x: &[f32]) -> Vec<ActivationMaps> {
    let values: Vec<B::E> = x.iter().map(|&v| num_traits::cast(v).expect("an f32 fits the backend's element")).collect();
    let input = be.upload([1, x.len()], &values);
    let trace = net.forward(be, &input, Mode::Eval);
    let mut nodes = Vec::new();
    walk(&net.nodes, "model.layers", &mut nodes);
    let mut out = Vec::new();
    for (path, node) in nodes {
        if let (Layer::Conv2d(_), Features::Image(s)) = (&node.layer, node.output) {
            let values = to_f32(be.read(trace.output(&input, node.id)).await);
            out.push(ActivationMaps { path, channels: s.channels, height: s.height, width: s.width, values });
        }
    }
    out
}

async fn first_filters<B: Backend>(be: &B, net: &Net<B>) -> Option<Filters> {
    let mut nodes = Vec::new();
    walk(&net.nodes, "model.layers", &mut nodes);
    let (conv, channels) = nodes.iter().find_map(|(_, n)| match &n.layer {
        Layer::Conv2d(c) => Some((c, n.input.channels())),
        _ => None,
    })?;
    let values = to_f32(be.read(&conv.weight.value).await);
    Some(Filters { filters: conv.filters, channels, size: conv.window.kernel, values })
}

impl Session {
    /// The samples at `indices` (rows of the dataset: train first, then test) with the
    /// network's probabilities. Fails naming the first index out of range.
    pub async fn predict_samples(&self, indices: &[usize]) -> Result<SampleBatch, String> {
        let d = &self.data;
        if indices.len() > MAX_SAMPLES_PER_CALL {
            return Err(format!("at most {MAX_SAMPLES_PER_CALL} samples per call, got {}", indices.len()));
        }
        if let Some(&bad) = indices.iter().find(|&&i| i >= d.len()) {
            return Err(format!("sample {bad} does not exist: the dataset has {} samples", d.len()));
        }
        let features: Vec<f32> = indices.iter().flat_map(|&i| d.row(i)).copied().collect();
        let labels = indices.iter().map(|&i| d.labels[i]).collect();
        let probabilities =
            if indices.is_empty() { Vec::new() } else { self.classify(&features).await? };
        Ok(SampleBatch { features, labels, probabilities })
    }

    /// Class probabilities for whole samples given as features (e.g. a drawn digit),
    /// [n, classes]. Fails when the length is not a whole number of samples.
    pub async fn classify(&self, features: &[f32]) -> Result<Vec<f32>, String> {
        let n = self.data.n_features;
        if features.is_empty() || !features.len().is_multiple_of(n) {
            return Err(format!("a sample has {n} features, got {} values", features.len()));
        }
        if let Some(bad) = features.iter().find(|v| !v.is_finite()) {
            return Err(format!("every feature must be a finite number, got {bad}"));
        }
        Ok(with_trainer!(&self.engine, t => t.predict(features, n).await))
    }

    /// Every conv layer's output for one sample's features.
    pub async fn activation_maps(&self, features: &[f32]) -> Result<Vec<ActivationMaps>, String> {
        if features.len() != self.data.n_features {
            return Err(format!("a sample has {} features, got {}", self.data.n_features, features.len()));
        }
        Ok(with_trainer!(&self.engine, t => conv_maps(&t.be, &t.model, features).await))
    }

    /// The first conv layer's kernels; None when the model has no conv layer.
    pub async fn first_layer_filters(&self) -> Option<Filters> {
        with_trainer!(&self.engine, t => first_filters(&t.be, &t.model).await)
    }

    /// The layers `model` would have on this session's data, or the engine's message
    /// saying why it cannot be built (spec validation first, then the shapes).
    pub fn layer_shapes(&self, model: &ModelSpec) -> Result<Vec<LayerShape>, SpecError> {
        let spec = ExperimentSpec { model: model.clone(), ..self.spec.clone() };
        spec.validate()?;
        let be = crate::backend::cpu::CpuBackend::<f32>::new();
        let net = Net::build(&be, crate::train::input_features(&self.data), model, self.data.classes, 0)
            .map_err(SpecError)?;
        let mut nodes = Vec::new();
        walk(&net.nodes, "model.layers", &mut nodes);
        Ok(nodes
            .into_iter()
            .map(|(path, node)| {
                let mut parameters = 0;
                node.layer.visit_params(&mut |p| parameters += be_len(&be, &p.value));
                LayerShape { path, kind: layer_kind(&node.spec), output: node.output.describe(), parameters }
            })
            .collect())
    }
}

fn be_len<B: Backend>(be: &B, t: &B::Tensor) -> usize {
    let [rows, cols] = be.shape(t);
    rows * cols
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;
    use super::*;

    fn lenet() -> ExperimentSpec {
        let mut spec: ExperimentSpec = serde_json::from_str(include_str!("../../examples/digits-lenet.json")).unwrap();
        spec.dataset.points = 200;
        spec
    }

    #[test]
    fn samples_come_with_probabilities_and_bad_indices_are_named() {
        let s = Session::new(lenet()).unwrap();
        let batch = pollster::block_on(s.predict_samples(&[0, 199])).unwrap();
        assert_eq!((batch.features.len(), batch.labels.len(), batch.probabilities.len()), (2 * 784, 2, 20));
        assert_eq!(batch.labels, vec![s.data().labels[0], s.data().labels[199]]);
        for row in batch.probabilities.chunks(10) {
            assert!((row.iter().sum::<f32>() - 1.0).abs() < 1e-4);
        }
        let err = pollster::block_on(s.predict_samples(&[3, 200])).unwrap_err();
        assert_eq!(err, "sample 200 does not exist: the dataset has 200 samples");
        assert!(pollster::block_on(s.classify(&[0.5; 783])).unwrap_err().contains("784 features"));
        assert!(pollster::block_on(s.classify(&[f32::NAN; 784])).unwrap_err().contains("finite"));
    }

    #[test]
    fn conv_layers_show_their_maps_and_the_first_filters() {
        let s = Session::new(lenet()).unwrap();
        let maps = pollster::block_on(s.activation_maps(s.data().row(5))).unwrap();
        let shapes: Vec<_> = maps.iter().map(|m| (m.path.as_str(), m.channels, m.height, m.width, m.values.len())).collect();
        assert_eq!(shapes, [("model.layers[0]", 6, 28, 28, 6 * 784), ("model.layers[3]", 16, 10, 10, 1600)]);
        let f = pollster::block_on(s.first_layer_filters()).unwrap();
        assert_eq!((f.filters, f.channels, f.size, f.values.len()), (6, 1, [5, 5], 150));
        assert!(f.values.iter().any(|&v| v != 0.0));
    }

    #[test]
    fn layer_shapes_follow_the_stack_and_impossible_stacks_are_explained() {
        let s = Session::new(lenet()).unwrap();
        let shapes = s.layer_shapes(&s.spec().model).unwrap();
        let outputs: Vec<_> = shapes.iter().map(|l| (l.kind.as_str(), l.output.as_str())).collect();
        assert_eq!(outputs[0], ("conv2d", "6×28×28 image"));
        assert_eq!(outputs[2], ("pool", "6×14×14 image"));
        assert_eq!(outputs[5], ("pool", "16×5×5 image"));
        assert_eq!(outputs.last().unwrap(), &("dense", "10 features"));
        assert_eq!(shapes[0].parameters, 6 * 25 + 6);
        let mut tiny = s.spec().model.clone();
        tiny.layers.truncate(9);
        let err = s.layer_shapes(&tiny).unwrap_err().0;
        assert!(err.contains("10 classes"), "{err}");
    }
}
