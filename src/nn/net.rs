//! A network: a sequence of layers (residual blocks nest sequences), run forward with a
//! trace of every layer's output, and backward with every layer's output gradient on
//! request. Explanation methods hand in `BackwardRule`s that replace a layer's
//! vector-Jacobian product (LRP, guided backprop, deconvnet) without `nn` knowing them.

use super::features::Features;
use super::layers::{Gates, Layer, Node};
use super::param::Param;
use crate::backend::Backend;
use num_traits::{One, Zero};
use crate::rng::Rng;

pub struct Net<B: Backend> {
    pub input: Features,
    pub output: Features,
    pub nodes: Vec<Node<B>>,
    /// Layers in the whole tree (the ids run 0..layer_count).
    pub layer_count: usize,
    pub param_count: usize,
}

/// Training draws dropout masks from `rng` (one child stream per layer) and normalises
/// with batch statistics; evaluation does neither.
#[derive(Clone, Copy, Debug)]
pub enum Mode {
    Train { rng: Rng },
    Eval,
}

/// Where a layer's output lives: the network input, or some layer's output tensor
/// (identity layers pass their input's slot on).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Slot {
    Input,
    Layer(usize),
}

/// What a layer keeps from its forward pass for the backward pass.
enum Saved<T> {
    Nothing,
    /// What a conv layer's backward pass needs (`Backend::conv2d`).
    Conv(T),
    /// Batch moments (training-mode batch norm).
    Moments(T),
    /// A dropout mask.
    Mask(T),
    Gates(Gates<T>),
}

/// Everything a forward pass computed, indexed by layer id.
pub struct Trace<T> {
    outputs: Vec<Option<T>>,
    slots: Vec<Slot>,
    /// Where each layer's input came from.
    inputs: Vec<Slot>,
    saved: Vec<Saved<T>>,
    end: Slot,
    rows: usize,
}

impl<T> Trace<T> {
    fn resolve<'a>(&'a self, x: &'a T, slot: Slot) -> &'a T {
        match slot {
            Slot::Input => x,
            Slot::Layer(id) => self.outputs[id].as_ref().expect("a layer's output is recorded before it is read"),
        }
    }

    /// The output of layer `id` (identity layers give their input); `x` is the
    /// network input the trace was computed from.
    pub fn output<'a>(&'a self, x: &'a T, id: usize) -> &'a T {
        self.resolve(x, self.slots[id])
    }

    /// The input of layer `id` as the forward pass fed it.
    pub fn input<'a>(&'a self, x: &'a T, id: usize) -> &'a T {
        self.resolve(x, self.inputs[id])
    }

    /// The network's output (the logits).
    pub fn logits<'a>(&'a self, x: &'a T) -> &'a T {
        self.resolve(x, self.end)
    }

    /// Takes the logits out of the trace (for callers that need nothing else).
    pub fn into_logits(mut self) -> Option<T> {
        match self.end {
            Slot::Input => None,
            Slot::Layer(id) => self.outputs[id].take(),
        }
    }
}

/// A replacement for a layer's vector-Jacobian product. `x` and `y` are the layer's
/// input and output in the forward pass, `dy` what arrives from above; returning None
/// keeps the layer's own backward pass.
pub trait BackwardRule<B: Backend> {
    fn backward(&self, be: &B, node: &Node<B>, x: &B::Tensor, y: &B::Tensor, dy: &B::Tensor) -> Option<B::Tensor>;
}

/// What a backward pass should produce.
pub struct BackwardOptions<'a, B: Backend> {
    /// The input gradient (training does not need it: the first layer skips its dx).
    pub input: bool,
    /// Parameter gradients (skipped when explaining).
    pub params: bool,
    /// Keep the gradient arriving at every layer's output (hooks).
    pub layer_grads: bool,
    pub rule: Option<&'a dyn BackwardRule<B>>,
}

impl<B: Backend> BackwardOptions<'_, B> {
    /// Parameter gradients only: what training needs.
    pub fn training() -> Self {
        BackwardOptions { input: false, params: true, layer_grads: false, rule: None }
    }

    /// Parameter and input gradients.
    pub fn full() -> Self {
        BackwardOptions { input: true, ..Self::training() }
    }

    /// Only the input gradient.
    pub fn input_only() -> Self {
        BackwardOptions { input: true, params: false, layer_grads: false, rule: None }
    }
}

pub struct Gradients<T> {
    /// d/d(input), the input's shape (None unless asked for).
    pub input: Option<T>,
    /// One per parameter, in `visit_params` order (empty unless asked for).
    pub params: Vec<T>,
    /// The gradient arriving at each layer's output, by layer id (None unless asked for,
    /// and None for layers that pass their input through unchanged).
    pub layers: Vec<Option<T>>,
}

struct BackwardState<'a, B: Backend> {
    input: bool,
    params: Option<Vec<Option<B::Tensor>>>,
    layers: Option<Vec<Option<B::Tensor>>>,
    rule: Option<&'a dyn BackwardRule<B>>,
}

impl<B: Backend> Net<B> {
    pub fn forward(&self, be: &B, x: &B::Tensor, mode: Mode) -> Trace<B::Tensor> {
        let rows = be.shape(x)[0];
        let mut trace = Trace {
            outputs: (0..self.layer_count).map(|_| None).collect(),
            slots: vec![Slot::Input; self.layer_count],
            inputs: vec![Slot::Input; self.layer_count],
            saved: (0..self.layer_count).map(|_| Saved::Nothing).collect(),
            end: Slot::Input,
            rows,
        };
        trace.end = forward_seq(be, &self.nodes, x, Slot::Input, &mut trace, mode);
        trace
    }

    /// The logits of `x` in evaluation mode.
    pub fn predict(&self, be: &B, x: &B::Tensor) -> B::Tensor {
        match self.forward(be, x, Mode::Eval).into_logits() {
            Some(z) => z,
            None => unreachable!("a network ends in a layer that computes"),
        }
    }

    /// Pulls `dlogits` back through the network traced by `forward(x)`.
    pub fn backward(
        &self,
        be: &B,
        x: &B::Tensor,
        trace: &Trace<B::Tensor>,
        dlogits: B::Tensor,
        options: BackwardOptions<'_, B>,
    ) -> Gradients<B::Tensor> {
        let mut state = BackwardState {
            input: options.input,
            params: options.params.then(|| (0..self.param_count).map(|_| None).collect()),
            layers: options.layer_grads.then(|| (0..self.layer_count).map(|_| None).collect()),
            rule: options.rule,
        };
        let input = backward_seq(be, &self.nodes, x, Slot::Input, trace, dlogits, &mut state);
        let params = state
            .params
            .map(|p| p.into_iter().map(|g| g.expect("every parameter receives a gradient")).collect())
            .unwrap_or_default();
        Gradients { input, params, layers: state.layers.unwrap_or_default() }
    }

    /// The gradient of `Σ_r seed[r, :]·logits[r, :]` with respect to the input (e.g. a
    /// one-hot seed picks one logit per row), in evaluation mode, with an optional rule.
    pub fn input_gradient(&self, be: &B, x: &B::Tensor, seed: B::Tensor, rule: Option<&dyn BackwardRule<B>>) -> B::Tensor {
        let trace = self.forward(be, x, Mode::Eval);
        let options = BackwardOptions { rule, ..BackwardOptions::input_only() };
        self.backward(be, x, &trace, seed, options).input.expect("the input gradient was asked for")
    }

    /// A one-hot [rows, classes] seed selecting `targets[r]` in row r.
    pub fn one_hot(&self, be: &B, targets: &[u32]) -> B::Tensor {
        let k = self.output.len();
        let mut seed = vec![B::E::zero(); targets.len() * k];
        for (r, &t) in targets.iter().enumerate() {
            seed[r * k + t as usize] = B::E::one();
        }
        be.upload([targets.len(), k], &seed)
    }

    /// Folds the batch statistics of a training forward pass into every batch-norm
    /// layer's running statistics.
    pub fn update_running_stats(&mut self, be: &B, trace: &Trace<B::Tensor>) {
        fn walk<B: Backend>(be: &B, nodes: &mut [Node<B>], trace: &Trace<B::Tensor>) {
            for node in nodes {
                match &mut node.layer {
                    Layer::BatchNorm(bn) => {
                        if let Saved::Moments(m) = &trace.saved[node.id] {
                            bn.update_running(be, m, trace.rows * node.input.plane());
                        }
                    }
                    Layer::Residual(body) => walk(be, body, trace),
                    _ => {}
                }
            }
        }
        walk(be, &mut self.nodes, trace);
    }

    /// Every parameter in gradient order.
    pub fn visit_params<'a>(&'a self, f: &mut impl FnMut(&'a Param<B::Tensor>)) {
        fn walk<'a, B: Backend>(nodes: &'a [Node<B>], f: &mut impl FnMut(&'a Param<B::Tensor>)) {
            for node in nodes {
                node.layer.visit_params(f);
                if let Layer::Residual(body) = &node.layer {
                    walk(body, f);
                }
            }
        }
        walk(&self.nodes, f);
    }

    pub fn visit_params_mut(&mut self, f: &mut impl FnMut(&mut Param<B::Tensor>)) {
        fn walk<B: Backend>(nodes: &mut [Node<B>], f: &mut impl FnMut(&mut Param<B::Tensor>)) {
            for node in nodes {
                node.layer.visit_params_mut(f);
                if let Layer::Residual(body) = &mut node.layer {
                    walk(body, f);
                }
            }
        }
        walk(&mut self.nodes, f);
    }

    /// Every tensor of the tree in the model file's order (see `Layer::visit_state`).
    pub fn visit_state<'a>(&'a self, f: &mut impl FnMut(&'a B::Tensor)) {
        self.visit_nodes(&mut |node| node.layer.visit_state(f));
    }

    pub fn visit_state_mut(&mut self, f: &mut impl FnMut(&mut B::Tensor)) {
        fn walk<B: Backend>(nodes: &mut [Node<B>], f: &mut impl FnMut(&mut B::Tensor)) {
            for node in nodes {
                node.layer.visit_state_mut(f);
                if let Layer::Residual(body) = &mut node.layer {
                    walk(body, f);
                }
            }
        }
        walk(&mut self.nodes, f);
    }

    /// Every node of the tree in id order.
    pub fn visit_nodes<'a>(&'a self, f: &mut impl FnMut(&'a Node<B>)) {
        fn walk<'a, B: Backend>(nodes: &'a [Node<B>], f: &mut impl FnMut(&'a Node<B>)) {
            for node in nodes {
                f(node);
                if let Layer::Residual(body) = &node.layer {
                    walk(body, f);
                }
            }
        }
        walk(&self.nodes, f);
    }
}

fn forward_seq<B: Backend>(
    be: &B,
    nodes: &[Node<B>],
    x: &B::Tensor,
    mut slot: Slot,
    trace: &mut Trace<B::Tensor>,
    mode: Mode,
) -> Slot {
    let train = matches!(mode, Mode::Train { .. });
    for node in nodes {
        let id = node.id;
        trace.inputs[id] = slot;
        let (y, saved) = {
            let input = trace.resolve(x, slot);
            match &node.layer {
                Layer::Dense(d) => (Some(d.forward(be, input)), Saved::Nothing),
                Layer::Conv2d(c) => {
                    let (y, saved) = c.forward(be, input);
                    (Some(y), Saved::Conv(saved))
                }
                Layer::Flatten => (None, Saved::Nothing),
                Layer::Activation(a) => (Some(a.forward(be, input)), Saved::Nothing),
                Layer::Pool(p) => (Some(p.forward(be, input)), Saved::Nothing),
                Layer::Dropout(rate) => match mode {
                    Mode::Train { rng } if *rate > 0.0 => {
                        let mask = be.dropout_mask(be.shape(input), *rate, rng.child(id as u32));
                        (Some(be.mul(input, &mask)), Saved::Mask(mask))
                    }
                    _ => (None, Saved::Nothing),
                },
                Layer::BatchNorm(bn) => {
                    let (y, moments) = bn.forward(be, input, train);
                    (Some(y), moments.map_or(Saved::Nothing, Saved::Moments))
                }
                Layer::Residual(body) => {
                    let end = forward_seq(be, body, x, slot, trace, mode);
                    let input = trace.resolve(x, slot);
                    (Some(be.add(input, trace.resolve(x, end))), Saved::Nothing)
                }
                Layer::SqueezeExcite(se) => {
                    let (y, gates) = se.forward(be, input);
                    (Some(y), Saved::Gates(gates))
                }
            }
        };
        if let Some(y) = y {
            trace.outputs[id] = Some(y);
            slot = Slot::Layer(id);
        }
        trace.slots[id] = slot;
        trace.saved[id] = saved;
    }
    slot
}

fn backward_seq<B: Backend>(
    be: &B,
    nodes: &[Node<B>],
    x: &B::Tensor,
    in_slot: Slot,
    trace: &Trace<B::Tensor>,
    mut dy: B::Tensor,
    state: &mut BackwardState<'_, B>,
) -> Option<B::Tensor> {
    for (k, node) in nodes.iter().enumerate().rev() {
        let id = node.id;
        let input_slot = if k == 0 { in_slot } else { trace.slots[nodes[k - 1].id] };
        let input = trace.resolve(x, input_slot);
        if trace.slots[id] == input_slot {
            // An identity layer (flatten, dropout in evaluation): the gradient passes as is.
            continue;
        }
        let output = trace.resolve(x, trace.slots[id]);
        // A layer reading the network input passes its dx to nothing else.
        let skip_dx = !state.input && input_slot == Slot::Input;
        let replaced = state.rule.and_then(|rule| rule.backward(be, node, input, output, &dy));
        let dx = match replaced {
            Some(dx) => Some(dx),
            None => {
                let count = node.layer.param_count();
                let grads = state.params.as_mut().map(|p| &mut p[node.first_param..node.first_param + count]);
                match (&node.layer, &trace.saved[id]) {
                    (Layer::Dense(d), _) if skip_dx => {
                        d.param_grads(be, input, &dy, grads);
                        None
                    }
                    (Layer::Dense(d), _) => Some(d.backward(be, input, &dy, grads)),
                    (Layer::Conv2d(c), Saved::Conv(saved)) if skip_dx => {
                        c.param_grads(be, saved, &dy, grads);
                        None
                    }
                    (Layer::Conv2d(c), Saved::Conv(saved)) => Some(c.backward(be, saved, &dy, grads)),
                    (Layer::Activation(a), _) => Some(a.backward(be, input, output, &dy, grads)),
                    (Layer::Pool(p), _) => Some(p.backward(be, input, output, &dy, grads)),
                    (Layer::Dropout(_), Saved::Mask(mask)) => Some(be.mul(&dy, mask)),
                    (Layer::BatchNorm(bn), saved) => {
                        let batch = match saved {
                            Saved::Moments(m) => Some(m),
                            _ => None,
                        };
                        Some(bn.backward(be, input, batch, &dy, grads))
                    }
                    (Layer::Residual(body), _) => {
                        backward_seq(be, body, x, input_slot, trace, be.copy(&dy), state).map(|dbody| be.add(&dy, &dbody))
                    }
                    (Layer::SqueezeExcite(se), Saved::Gates(g)) => Some(se.backward(be, input, g, &dy, grads)),
                    (layer, _) => unreachable!("{} layer {id} lost what its forward pass saved", layer.kind()),
                }
            }
        };
        if let Some(layers) = state.layers.as_mut() {
            layers[id] = Some(dy);
        }
        // No dx: this layer reads the network input, so nothing earlier computes.
        dy = dx?;
    }
    Some(dy)
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;
    use super::*;
    use crate::backend::cpu::CpuBackend;
    use crate::backend::ImageShape;
    use crate::rng::Stream;
    use crate::spec::{ExperimentSpec, ModelSpec};
    use ndarray::Array2;

    type Be = CpuBackend<f64>;

    fn model(layers: &str) -> ModelSpec {
        ModelSpec { layers: serde_json::from_str(layers).unwrap(), ..ExperimentSpec::default().model }
    }

    /// A network with every tensor drawn at random (so batch-norm scales are not 1 and
    /// PReLU slopes differ per channel), an input batch and labels.
    fn random_case(layers: &str, input: Features, classes: usize, rows: usize) -> (Net<Be>, Array2<f64>, Array2<f64>) {
        random_case_of(&model(layers), input, classes, rows)
    }

    fn random_case_of(model: &ModelSpec, input: Features, classes: usize, rows: usize) -> (Net<Be>, Array2<f64>, Array2<f64>) {
        let be = Be::new();
        let mut net = Net::build(&be, input, model, classes, 3).unwrap();
        let rng = Rng::new(11, Stream::DataNoise);
        let mut salt = 0u32;
        net.visit_state_mut(&mut |t| {
            salt += 1;
            let r = rng.child(salt);
            t.iter_mut().enumerate().for_each(|(i, v)| *v = r.uniform_in(i as u32, -0.8, 0.8) as f64 + 0.1);
        });
        fix_running_variances(&mut net);
        let x = Array2::from_shape_fn((rows, input.len()), |(i, j)| rng.child(999).uniform_in((i * 1000 + j) as u32, -1.5, 1.5) as f64);
        let labels = Array2::from_shape_fn((rows, 1), |(i, _)| (i % classes) as f64);
        (net, x, labels)
    }

    fn loss(be: &Be, net: &Net<Be>, x: &Array2<f64>, labels: &Array2<f64>, mode: Mode) -> f64 {
        let trace = net.forward(be, x, mode);
        be.softmax_cross_entropy(trace.logits(x), labels).loss[[0, 0]]
    }

    /// Worst relative error of the analytic gradients (every parameter and the input)
    /// against central differences in f64.
    fn worst_gradient_error(model: &ModelSpec, input: Features, classes: usize, mode: Mode) -> f64 {
        let be = Be::new();
        let (mut net, mut x, labels) = random_case_of(model, input, classes, 3);
        let trace = net.forward(&be, &x, mode);
        let out = be.softmax_cross_entropy(trace.logits(&x), &labels);
        let grads = net.backward(&be, &x, &trace, out.grad, BackwardOptions::full());
        assert_eq!(grads.params.len(), net.param_count);
        let h = 1e-6;
        let mut worst = 0.0f64;
        let mut check = |analytic: f64, numeric: f64| {
            let err = (analytic - numeric).abs() / (1e-4 + analytic.abs().max(numeric.abs()));
            worst = worst.max(err);
        };
        for p in 0..net.param_count {
            let len = grads.params[p].len();
            for i in 0..len {
                let nudge = |net: &mut Net<Be>, d: f64| {
                    let mut k = 0;
                    net.visit_params_mut(&mut |q| {
                        if k == p {
                            q.value.as_slice_mut().unwrap()[i] += d;
                        }
                        k += 1;
                    });
                };
                nudge(&mut net, h);
                let plus = loss(&be, &net, &x, &labels, mode);
                nudge(&mut net, -2.0 * h);
                let minus = loss(&be, &net, &x, &labels, mode);
                nudge(&mut net, h);
                check(grads.params[p].as_slice().unwrap()[i], (plus - minus) / (2.0 * h));
            }
        }
        for i in 0..x.len() {
            let orig = x.as_slice().unwrap()[i];
            x.as_slice_mut().unwrap()[i] = orig + h;
            let plus = loss(&be, &net, &x, &labels, mode);
            x.as_slice_mut().unwrap()[i] = orig - h;
            let minus = loss(&be, &net, &x, &labels, mode);
            x.as_slice_mut().unwrap()[i] = orig;
            check(grads.input.as_ref().unwrap().as_slice().unwrap()[i], (plus - minus) / (2.0 * h));
        }
        worst
    }

    fn fix_running_variances(net: &mut Net<Be>) {
        fn walk(nodes: &mut [crate::nn::Node<Be>]) {
            for node in nodes {
                match &mut node.layer {
                    Layer::BatchNorm(bn) => bn.running.row_mut(1).mapv_inplace(|v| v.abs() + 0.5),
                    Layer::Residual(body) => walk(body),
                    _ => {}
                }
            }
        }
        walk(&mut net.nodes);
    }

    fn image(c: usize, h: usize, w: usize) -> Features {
        Features::Image(ImageShape::new(c, h, w))
    }

    fn train_mode() -> Mode {
        Mode::Train { rng: Rng::new(5, Stream::Dropout) }
    }

    /// Every layer type inside a network, checked against finite differences.
    #[test]
    fn every_layer_backward_matches_finite_differences() {
        let cases: &[(&str, &str, Features, Mode)] = &[
            ("mlp with gelu", r#"[{"type":"dense","units":5},{"type":"activation","function":"gelu"},{"type":"dense","units":3}]"#, Features::Flat(4), train_mode()),
            (
                "conv same + tanh + logAvgExp (learned) + dense",
                r#"[{"type":"conv2d","filters":3,"kernel":3},{"type":"activation","function":"tanh"},
                   {"type":"pool","op":"logAvgExp","size":2,"temperature":0.7,"learnTemperature":true},
                   {"type":"flatten"},{"type":"dense","units":3}]"#,
                image(2, 5, 6),
                train_mode(),
            ),
            (
                "strided valid conv + softplus + global avg pool",
                r#"[{"type":"conv2d","filters":4,"kernel":2,"stride":2,"padding":"valid"},{"type":"activation","function":"softplus"},
                   {"type":"pool","op":"avg"},{"type":"dense","units":3}]"#,
                image(1, 7, 5),
                train_mode(),
            ),
            (
                "overlapping max pool",
                r#"[{"type":"conv2d","filters":2,"kernel":3},{"type":"pool","op":"max","size":3,"stride":2},{"type":"dense","units":2}]"#,
                image(1, 7, 7),
                train_mode(),
            ),
            (
                "batch norm on features and channels (training)",
                r#"[{"type":"conv2d","filters":2,"kernel":3},{"type":"batchNorm"},{"type":"activation","function":"silu"},
                   {"type":"flatten"},{"type":"dense","units":4},{"type":"batchNorm","momentum":0.2},{"type":"dense","units":3}]"#,
                image(1, 4, 4),
                train_mode(),
            ),
            (
                "batch norm in evaluation",
                r#"[{"type":"dense","units":4},{"type":"batchNorm"},{"type":"activation","function":"tanh"},{"type":"dense","units":3}]"#,
                Features::Flat(3),
                Mode::Eval,
            ),
            (
                "residual block with squeeze-and-excitation",
                r#"[{"type":"conv2d","filters":4,"kernel":1},
                   {"type":"residual","layers":[{"type":"conv2d","filters":4,"kernel":3},{"type":"activation","function":"elu"},{"type":"squeezeExcite","reduction":2}]},
                   {"type":"pool","op":"avg"},{"type":"dense","units":3}]"#,
                image(2, 4, 5),
                train_mode(),
            ),
            (
                "PReLU and a gate on image channels, and dropout",
                r#"[{"type":"conv2d","filters":4,"kernel":3},{"type":"activation","function":"prelu"},
                   {"type":"activation","function":"xnor"},{"type":"dropout","rate":0.3},{"type":"dense","units":3}]"#,
                image(1, 4, 3),
                train_mode(),
            ),
        ];
        for (name, layers, input, mode) in cases {
            let worst = worst_gradient_error(&model(layers), *input, if name.contains("overlapping") { 2 } else { 3 }, *mode);
            println!("{name}: worst relative gradient error {worst:.1e}");
            assert!(worst < 1e-5, "{name}: worst relative gradient error {worst:e}");
        }
    }

    /// MLPs from `hidden` with every kind of nonlinearity, and with abc multipliers at
    /// widths that differ from the base width.
    #[test]
    fn mlp_backward_matches_finite_differences() {
        use crate::spec::{Activation, Parametrization};
        let mlp = |activation, parametrization| ModelSpec {
            hidden: vec![4, 5],
            activation,
            leaky_slope: 0.1,
            parametrization,
            base_width: 2,
            ..ExperimentSpec::default().model
        };
        for activation in [Activation::Tanh, Activation::Gelu, Activation::LeakyRelu, Activation::Prelu, Activation::AndAil, Activation::Xnor] {
            let worst = worst_gradient_error(&mlp(activation, Parametrization::Plain), Features::Flat(3), 3, Mode::Eval);
            println!("MLP with {activation:?}: worst relative gradient error {worst:.1e}");
            assert!(worst < 1e-5, "{activation:?}: {worst:e}");
        }
        for p in [Parametrization::MuP, Parametrization::Ntk, Parametrization::MeanField] {
            let spec = mlp(Activation::Tanh, p);
            let (net, _, _) = random_case_of(&spec, Features::Flat(3), 3, 1);
            let mut scaled = 0;
            net.visit_nodes(&mut |n| scaled += matches!(&n.layer, Layer::Dense(d) if d.multiplier != 1.0) as usize);
            assert!(scaled > 0, "{p:?} scales some layer");
            let worst = worst_gradient_error(&spec, Features::Flat(3), 3, Mode::Eval);
            println!("MLP under {p:?}: worst relative gradient error {worst:.1e}");
            assert!(worst < 1e-5, "{p:?}: {worst:e}");
        }
    }

    #[test]
    fn dropout_is_seeded_and_off_in_evaluation() {
        let be = Be::new();
        let (net, x, _) = random_case(r#"[{"type":"dropout","rate":0.5},{"type":"dense","units":2}]"#, Features::Flat(40), 2, 4);
        let a = net.forward(&be, &x, train_mode());
        let b = net.forward(&be, &x, train_mode());
        let c = net.forward(&be, &x, Mode::Train { rng: Rng::new(6, Stream::Dropout) });
        assert_eq!(a.output(&x, 0), b.output(&x, 0));
        assert_ne!(a.output(&x, 0), c.output(&x, 0));
        let zeros = a.output(&x, 0).iter().filter(|&&v| v == 0.0).count();
        assert!((40..120).contains(&zeros), "{zeros} of 160 dropped at rate 0.5");
        let e = net.forward(&be, &x, Mode::Eval);
        assert_eq!(e.output(&x, 0), &x, "evaluation passes the input through");
    }

    #[test]
    fn hooks_expose_every_output_and_gradient_and_rules_replace_backward() {
        let be = Be::new();
        let layers = r#"[{"type":"dense","units":5},{"type":"activation","function":"tanh"},{"type":"dense","units":3}]"#;
        let (net, x, _) = random_case(layers, Features::Flat(4), 3, 2);
        let seed = net.one_hot(&be, &[2, 0]);
        let trace = net.forward(&be, &x, Mode::Eval);
        let g = net.backward(&be, &x, &trace, seed.clone(), BackwardOptions { layer_grads: true, ..BackwardOptions::input_only() });
        assert_eq!(g.layers.len(), 3);
        assert_eq!(g.layers[2].as_ref().unwrap(), &seed, "the seed arrives at the logits");
        let tanh = trace.output(&x, 0).mapv(f64::tanh);
        assert!(trace.output(&x, 1).iter().zip(&tanh).all(|(a, b)| (a - b).abs() < 1e-15));
        // d(tanh)/dz = 1 − y², so the gradient at the dense output is the activation's times that.
        let y = trace.output(&x, 1);
        let want = g.layers[1].as_ref().unwrap() * &y.mapv(|v| 1.0 - v * v);
        let got = g.layers[0].as_ref().unwrap();
        assert!(got.iter().zip(&want).all(|(a, b)| (a - b).abs() < 1e-12));
        // The input gradient of one logit per row is that row of the Jacobian: check by differences.
        let gx = net.input_gradient(&be, &x, seed.clone(), None);
        let h = 1e-6;
        for r in 0..2 {
            for j in 0..4 {
                let mut xp = x.clone();
                xp[[r, j]] += h;
                let mut xm = x.clone();
                xm[[r, j]] -= h;
                let t = [2, 0][r];
                let d = (net.predict(&be, &xp)[[r, t]] - net.predict(&be, &xm)[[r, t]]) / (2.0 * h);
                assert!((gx[[r, j]] - d).abs() < 1e-7, "row {r}, input {j}: {} vs {d}", gx[[r, j]]);
            }
        }
        // A rule that treats every activation as linear turns the net into W₂·W₁.
        struct Linear;
        impl BackwardRule<Be> for Linear {
            fn backward(&self, _: &Be, node: &crate::nn::Node<Be>, _: &Array2<f64>, _: &Array2<f64>, dy: &Array2<f64>) -> Option<Array2<f64>> {
                matches!(node.layer, Layer::Activation(_)).then(|| dy.clone())
            }
        }
        let linear = net.input_gradient(&be, &x, seed, Some(&Linear));
        let (w1, w2) = match (&net.nodes[0].layer, &net.nodes[2].layer) {
            (Layer::Dense(a), Layer::Dense(b)) => (a.weight.value.clone(), b.weight.value.clone()),
            _ => unreachable!(),
        };
        let through = w2.dot(&w1);
        for (r, t) in [(0, 2), (1, 0)] {
            for j in 0..4 {
                assert!((linear[[r, j]] - through[[t, j]]).abs() < 1e-12);
            }
        }
        assert_ne!(linear, gx);
    }
}
