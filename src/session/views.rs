//! What the page draws besides the curves: the network with its weights, the plane
//! views (class probabilities, every neuron's map, the linear regions of a piecewise-
//! linear net) from one forward pass over a grid, and the confusion matrices.

use super::{Engine, Session};
use crate::backend::{Backend, Real};
use crate::nn::layers::Layer;
use crate::nn::{Mode, Net, Trace};
use crate::spec::{Activation, LayerSpec};
use std::collections::HashMap;

/// One layer of `network()`: a dense layer with its weights (rows = the layer's inputs,
/// columns = its units) and the activation after it, or another kind by name only.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct NetworkLayer {
    pub kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub units: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub activation: Option<Activation>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub weights: Option<Vec<Vec<f32>>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bias: Option<Vec<f32>>,
}

#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct NetworkView {
    /// Feature names, x1, x2, …
    pub inputs: Vec<String>,
    pub layers: Vec<NetworkLayer>,
    /// Output units (classes).
    pub outputs: usize,
}

/// Each neuron's value over the plane: the inputs, every hidden layer's outputs (what
/// the next dense layer reads) and the class probabilities, `res²` values per neuron.
#[derive(Clone, Debug, PartialEq)]
pub struct NeuronMaps {
    pub layout: Vec<usize>,
    pub maps: Vec<f32>,
}

/// Activation-pattern regions: cells with the same on/off pattern of every piecewise-
/// linear unit share an id; ids are dense, numbered in order of first appearance.
#[derive(Clone, Debug, PartialEq)]
pub struct Regions {
    pub ids: Vec<u32>,
    pub count: u32,
}

/// Every row's activation pattern as bits: bit b of row r is set when piecewise-linear
/// unit b (hidden units in layer order; a maxout pair counts once) is on. Row r occupies
/// `patterns[r·words..(r+1)·words]`; bits past `bits` are 0.
#[derive(Clone, Debug, PartialEq)]
pub struct ActivationCodes {
    pub bits: usize,
    pub words: usize,
    pub patterns: Vec<u64>,
}

impl ActivationCodes {
    /// The pattern of row `r`.
    pub fn row(&self, r: usize) -> &[u64] {
        &self.patterns[r * self.words..(r + 1) * self.words]
    }
}

/// The plane views at one resolution.
#[derive(Clone, Debug, PartialEq)]
pub struct PlaneViews {
    pub resolution: usize,
    /// Class probabilities per cell, row-major, top row first.
    pub grid: Vec<f32>,
    pub neurons: Option<NeuronMaps>,
    /// None unless asked for and every activation is piecewise linear.
    pub regions: Option<Regions>,
}

/// Confusion counts, rows = true class, columns = predicted.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Confusion {
    pub classes: usize,
    pub train: Vec<Vec<u32>>,
    pub test: Vec<Vec<u32>>,
}

/// Whether `f` is piecewise linear, with kinks where a pre-activation crosses 0
/// (maxout: where the two inputs of a pair cross).
fn piecewise_linear(f: Activation) -> bool {
    use Activation::*;
    matches!(f, Linear | Relu | LeakyRelu | Prelu | Abs | Maxout)
}

async fn read<B: Backend>(be: &B, t: &B::Tensor) -> Vec<f32> {
    be.read(t).await.into_iter().map(|v| v.to_f64() as f32).collect()
}

/// Column-major copy of a row-major [rows, width] block, appended to `out`.
fn append_columns(out: &mut Vec<f32>, values: &[f32], rows: usize, width: usize) {
    for u in 0..width {
        out.extend((0..rows).map(|r| values[r * width + u]));
    }
}

/// Dense region ids for per-row patterns (`words` u64s per row).
fn region_ids(patterns: &[u64], words: usize, rows: usize) -> Regions {
    let mut seen: HashMap<&[u64], u32> = HashMap::new();
    let mut ids = Vec::with_capacity(rows);
    for r in 0..rows {
        let key = &patterns[r * words..(r + 1) * words];
        let next = seen.len() as u32;
        ids.push(*seen.entry(key).or_insert(next));
    }
    Regions { ids, count: seen.len() as u32 }
}

/// One forward pass over the plane's inputs: the output grid (class probabilities, or the
/// prediction itself for regression), the neuron maps and the regions when asked.
async fn plane_pass<B: Backend>(
    be: &B,
    net: &Net<B>,
    points: &[f32],
    rows: usize,
    regression: bool,
    neurons: bool,
    regions: bool,
) -> (Vec<f32>, Option<NeuronMaps>, Option<Regions>) {
    let features = points.len() / rows;
    let x: Vec<B::E> = points.iter().map(|&v| B::E::from_f32(v)).collect();
    let x = be.upload([rows, features], &x);
    let trace = net.forward(be, &x, Mode::Eval);
    let logits = trace.logits(&x);
    let grid = if regression { read(be, logits).await } else { read(be, &be.softmax(logits)).await };
    let mut nodes = Vec::new();
    net.visit_nodes(&mut |n| nodes.push(n));
    let neurons = if neurons {
        let mut layout = Vec::new();
        let mut maps = Vec::new();
        for node in nodes.iter().filter(|n| matches!(n.layer, Layer::Dense(_))) {
            let width = node.input.len();
            append_columns(&mut maps, &read(be, trace.input(&x, node.id)).await, rows, width);
            layout.push(width);
        }
        let classes = net.output.len();
        append_columns(&mut maps, &grid, rows, classes);
        layout.push(classes);
        Some(NeuronMaps { layout, maps })
    } else {
        None
    };
    let regions = if regions { activation_codes(be, net, &trace, &x, rows).await.map(|c| region_ids(&c.patterns, c.words, rows)) } else { None };
    (grid, neurons, regions)
}

/// Each row's on/off pattern of every piecewise-linear unit in a traced forward pass;
/// None unless every activation is piecewise linear.
async fn activation_codes<B: Backend>(be: &B, net: &Net<B>, trace: &Trace<B::Tensor>, x: &B::Tensor, rows: usize) -> Option<ActivationCodes> {
    let mut nodes = Vec::new();
    net.visit_nodes(&mut |n| nodes.push(n));
    let activations: Vec<_> = nodes
        .iter()
        .filter_map(|n| match &n.spec {
            LayerSpec::Activation { function } => Some((n.id, *function, n.input.len())),
            _ => None,
        })
        .collect();
    if !activations.iter().all(|&(_, f, _)| piecewise_linear(f)) {
        return None;
    }
    let units_of = |f: Activation, width: usize| match f {
        Activation::Linear => 0,
        Activation::Maxout => width / 2,
        _ => width,
    };
    let bits: usize = activations.iter().map(|&(_, f, width)| units_of(f, width)).sum();
    let words = bits.div_ceil(64).max(1);
    let mut patterns = vec![0u64; rows * words];
    let mut bit = 0;
    for &(id, f, width) in &activations {
        let units = units_of(f, width);
        if units == 0 {
            continue;
        }
        let pre = read(be, trace.input(x, id)).await;
        for u in 0..units {
            let (w, mask) = ((bit + u) / 64, 1u64 << ((bit + u) % 64));
            for r in 0..rows {
                let row = &pre[r * width..(r + 1) * width];
                let on = if f == Activation::Maxout { row[2 * u] > row[2 * u + 1] } else { row[u] > 0.0 };
                if on {
                    patterns[r * words + w] |= mask;
                }
            }
        }
        bit += units;
    }
    Some(ActivationCodes { bits, words, patterns })
}

async fn describe<B: Backend>(be: &B, net: &Net<B>) -> Vec<NetworkLayer> {
    let mut nodes = Vec::new();
    net.visit_nodes(&mut |n| nodes.push(n));
    let mut layers = Vec::new();
    for (k, node) in nodes.iter().enumerate() {
        let entry = match &node.layer {
            Layer::Dense(d) => {
                let (inputs, units) = (node.input.len(), node.output.len());
                let w = read(be, &d.weight.value).await;
                let activation = match nodes.get(k + 1).map(|n| &n.spec) {
                    Some(LayerSpec::Activation { function }) => *function,
                    _ => Activation::Linear,
                };
                NetworkLayer {
                    kind: "dense",
                    units: Some(units),
                    activation: Some(activation),
                    weights: Some((0..inputs).map(|i| (0..units).map(|j| w[j * inputs + i]).collect()).collect()),
                    bias: Some(read(be, &d.bias.value).await),
                }
            }
            Layer::Activation(_) | Layer::Dropout(_) | Layer::Residual(_) | Layer::Flatten => continue,
            other => NetworkLayer { kind: other.kind(), units: None, activation: None, weights: None, bias: None },
        };
        layers.push(entry);
    }
    layers
}

impl Session {
    /// The network's layers with their current weights.
    pub async fn network(&self) -> NetworkView {
        let layers = with_trainer!(&self.engine, t => describe(&t.be, &t.model).await);
        NetworkView {
            inputs: if self.data.points.is_empty() {
                (1..=self.data.n_features).map(|i| format!("x{i}")).collect()
            } else {
                self.spec.dataset.features.iter().map(|f| f.name().to_string()).collect()
            },
            layers,
            outputs: self.data.classes,
        }
    }

    /// The plane views on a res×res grid from one forward pass; None for data that is
    /// not 2-D.
    pub async fn plane_views(&self, res: u32, neurons: bool, regions: bool) -> Option<PlaneViews> {
        let (points, resolution) = self.plane_inputs(res)?;
        let rows = resolution * resolution;
        let regression = self.data.is_regression();
        let (grid, neurons, regions) =
            with_trainer!(&self.engine, t => plane_pass(&t.be, &t.model, &points, rows, regression, neurons, regions).await);
        Some(PlaneViews { resolution, grid, neurons, regions })
    }

    /// The activation pattern of each sample given as network inputs (`features`, whole
    /// rows); None when some activation is not piecewise linear. Fails when the length
    /// is not a whole number of samples.
    pub async fn activation_codes(&self, features: &[f32]) -> Result<Option<ActivationCodes>, String> {
        let n = self.data.n_features;
        if features.is_empty() || !features.len().is_multiple_of(n) {
            return Err(format!("a sample has {n} features, got {} values", features.len()));
        }
        let rows = features.len() / n;
        Ok(with_trainer!(&self.engine, t => {
            let x: Vec<_> = features.iter().map(|&v| Real::from_f32(v)).collect();
            let x = t.be.upload([rows, n], &x);
            let trace = t.model.forward(&t.be, &x, Mode::Eval);
            activation_codes(&t.be, &t.model, &trace, &x, rows).await
        }))
    }

    /// Confusion counts of the current model on both splits.
    pub async fn confusion(&self) -> Confusion {
        let d = &self.data;
        let k = d.classes;
        let mut out = Confusion { classes: k, train: vec![vec![0; k]; k], test: vec![vec![0; k]; k] };
        for (matrix, rows) in [(&mut out.train, 0..d.n_train), (&mut out.test, d.n_train..d.len())] {
            if rows.is_empty() {
                continue;
            }
            let f = d.n_features;
            let probs = with_trainer!(&self.engine, t => t.predict(&d.features[rows.start * f..rows.end * f], f).await);
            for (r, p) in rows.zip(probs.chunks(k)) {
                let predicted = (0..k).fold(0, |best, c| if p[c] > p[best] { c } else { best });
                matrix[d.labels[r] as usize][predicted] += 1;
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;
    use super::*;
    use crate::session::GRID_EXTENT;
    use crate::spec::{BiasEdit, ExperimentSpec, WeightEdit};

    /// A 2→3→2 ReLU net whose hidden units are relu(x₁), relu(x₂) and relu(x₁ + x₂ − 1),
    /// set by weight and bias edits: three lines, in general position, cut the plane
    /// into 7 regions.
    fn three_lines() -> Session {
        let mut spec = ExperimentSpec::default();
        spec.model.hidden = vec![3];
        spec.model.activation = Activation::Relu;
        let mut s = Session::new(spec).unwrap();
        let w = [[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]];
        for (to, row) in w.iter().enumerate() {
            for (from, &value) in row.iter().enumerate() {
                s.set_weight(WeightEdit { layer: 0, from: from as u32, to: to as u32, value }).unwrap();
            }
        }
        for (unit, value) in [0.0, 0.0, -1.0].into_iter().enumerate() {
            s.set_bias(BiasEdit { layer: 0, unit: unit as u32, value }).unwrap();
        }
        s
    }

    #[test]
    fn the_regions_of_three_relu_lines_are_seven_and_the_first_maps_are_the_hand_computed_ones() {
        let s = three_lines();
        let res = 48;
        let v = pollster::block_on(s.plane_views(res, true, true)).unwrap();
        let regions = v.regions.unwrap();
        assert_eq!(regions.count, 7);
        assert_eq!(regions.ids.len(), 48 * 48);
        assert_eq!(*regions.ids.iter().max().unwrap(), 6, "ids are dense");
        let maps = v.neurons.unwrap();
        assert_eq!(maps.layout, vec![2, 3, 2]);
        assert_eq!(maps.maps.len(), 7 * 48 * 48);
        let cells = 48 * 48;
        let cell = 2.0 * GRID_EXTENT / 48.0;
        for r in 0..cells {
            let (i, j) = (r / 48, r % 48);
            let x1 = -GRID_EXTENT + (j as f32 + 0.5) * cell;
            let x2 = GRID_EXTENT - (i as f32 + 0.5) * cell;
            assert_eq!(maps.maps[r], x1);
            assert_eq!(maps.maps[cells + r], x2);
            assert_eq!(maps.maps[2 * cells + r], x1.max(0.0));
            assert_eq!(maps.maps[3 * cells + r], x2.max(0.0));
            assert!((maps.maps[4 * cells + r] - (x1 + x2 - 1.0).max(0.0)).abs() < 1e-6);
            let p = &v.grid[2 * r..2 * r + 2];
            assert_eq!(&maps.maps[5 * cells + r..5 * cells + r + 1], &p[..1]);
        }
        // Tanh is not piecewise linear: no regions.
        let tanh = Session::new(ExperimentSpec::default()).unwrap();
        assert_eq!(pollster::block_on(tanh.plane_views(8, false, true)).unwrap().regions, None);
    }

    #[test]
    fn the_network_view_shows_the_edited_weights() {
        let s = three_lines();
        let n = pollster::block_on(s.network());
        assert_eq!(n.inputs, vec!["x1", "x2"]);
        assert_eq!(n.outputs, 2);
        assert_eq!(n.layers.len(), 2);
        let first = &n.layers[0];
        assert_eq!((first.units, first.activation), (Some(3), Some(Activation::Relu)));
        assert_eq!(first.weights.as_ref().unwrap(), &vec![vec![1.0, 0.0, 1.0], vec![0.0, 1.0, 1.0]]);
        assert_eq!(first.bias.as_ref().unwrap(), &vec![0.0, 0.0, -1.0]);
        assert_eq!(n.layers[1].activation, Some(Activation::Linear));
        assert_eq!(n.layers[1].weights.as_ref().unwrap().len(), 3);
    }

    #[test]
    fn confusion_counts_sum_to_the_split_sizes() {
        let mut s = Session::new(ExperimentSpec::default()).unwrap();
        s.train_steps(250);
        let c = pollster::block_on(s.confusion());
        let total = |m: &Vec<Vec<u32>>| m.iter().flatten().sum::<u32>();
        assert_eq!((c.classes, total(&c.train), total(&c.test)), (2, 250, 250));
        let m = pollster::block_on(s.metrics());
        let diagonal = (c.train[0][0] + c.train[1][1]) as f32 / 250.0;
        assert!((diagonal - m.train_acc).abs() < 1e-6, "{diagonal} vs {}", m.train_acc);
    }

    #[test]
    fn a_regression_plane_shows_the_prediction_and_the_inputs_are_named_by_feature() {
        use crate::spec::{DatasetKind, Feature, Loss};
        let mut spec = ExperimentSpec::default();
        spec.dataset.kind = DatasetKind::Plane;
        spec.dataset.features = vec![Feature::X1, Feature::X2, Feature::X1Squared];
        spec.training.loss = Loss::Mse;
        let s = Session::new(spec).unwrap();
        assert_eq!(pollster::block_on(s.network()).inputs, ["x1", "x2", "x1Squared"]);
        let views = pollster::block_on(s.plane_views(4, false, false)).unwrap();
        // One value per cell, the same as the decision grid's prediction (no softmax).
        assert_eq!(views.grid.len(), 16);
        assert_eq!(views.grid, pollster::block_on(s.decision_grid(4)));
        assert!(views.grid.iter().any(|&v| v != 1.0));
    }
}
