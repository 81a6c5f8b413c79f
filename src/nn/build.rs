//! Builds a network from a model spec: infers every layer's shapes, refuses what cannot
//! work with a message naming the layer, and draws the initial parameters from the
//! seed (weight layer k uses the init stream's child k, as the MLP always has).

use super::abc::LayerWidth;
use super::features::Features;
use super::init;
use super::layers::{Activation, BatchNorm, Conv2d, Dense, Layer, Node, Nonlinearity, Pool, SqueezeExcite, PRELU_INIT};
use super::net::Net;
use super::param::{Param, ParamRole};
use crate::backend::{Backend, ImageShape, Padding, PoolOp, Real, Window};
use crate::rng::{Rng, Stream};
use crate::spec::{Activation as Function, Init, LayerSpec, ModelSpec, PaddingSpec, Parametrization, PoolKind};

/// The layer list a model spec describes: its explicit `layers`, or the MLP that
/// `hidden`, `activation(s)`, `dropout` and `residual` describe, ending in a dense layer
/// with `classes` outputs. A hidden layer is dense → activation (→ dropout), wrapped in
/// a residual block when `residual` is set and its input width equals its own.
pub fn layer_list(model: &ModelSpec, classes: usize, inputs: usize) -> Vec<LayerSpec> {
    if !model.layers.is_empty() {
        return model.layers.clone();
    }
    let mut layers = Vec::new();
    let mut width = inputs;
    for (i, &h) in model.hidden.iter().enumerate() {
        let function = model.activation_of(i);
        let per = Nonlinearity::from_spec(function, model.leaky_slope);
        let mut block = vec![
            LayerSpec::Dense { units: per.inputs_per(h as usize) as u32 },
            LayerSpec::Activation { function },
        ];
        if model.dropout > 0.0 {
            block.push(LayerSpec::Dropout { rate: model.dropout });
        }
        if model.residual && width == h as usize {
            layers.push(LayerSpec::Residual { layers: block });
        } else {
            layers.extend(block);
        }
        width = h as usize;
    }
    layers.push(LayerSpec::Dense { units: classes as u32 });
    layers
}

/// A weight layer's weight and bias parameters and its abc multiplier.
type WeightPair<B> = (Param<<B as Backend>::Tensor>, Param<<B as Backend>::Tensor>, f32);

struct Builder<'a, B: Backend> {
    be: &'a B,
    model: &'a ModelSpec,
    seed: u32,
    next_id: usize,
    next_param: usize,
    /// Numbers in the weight layers so far (checked against `MAX_PARAMETERS`).
    numbers: usize,
    /// (fan-in, fan-out) of each weight layer so far.
    fans: Vec<(usize, usize)>,
    /// The abc widths of every weight layer, once known (second pass).
    widths: Option<Vec<LayerWidth>>,
}

fn upload<B: Backend>(be: &B, shape: [usize; 2], values: &[f32]) -> B::Tensor {
    let v: Vec<B::E> = values.iter().map(|&x| B::E::from_f32(x)).collect();
    be.upload(shape, &v)
}

impl<B: Backend> Net<B> {
    /// The network `model` describes for `input` features and `classes` outputs.
    pub fn build(be: &B, input: Features, model: &ModelSpec, classes: usize, seed: u32) -> Result<Net<B>, String> {
        let net = Self::build_layers(be, input, &layer_list(model, classes, input.len()), model, seed)?;
        if net.output.len() != classes {
            return Err(format!(
                "the network ends with {}, but the dataset has {classes} classes: end with a dense layer of {classes} units",
                net.output.describe()
            ));
        }
        Ok(net)
    }

    /// The network of an explicit layer list (the rest of `model` gives activation
    /// details and the parametrisation), whatever its output size.
    pub fn build_layers(be: &B, input: Features, layers: &[LayerSpec], model: &ModelSpec, seed: u32) -> Result<Net<B>, String> {
        if input.is_empty() {
            return Err("the input has no features".into());
        }
        let mut builder = Builder { be, model, seed, next_id: 0, next_param: 0, numbers: 0, fans: Vec::new(), widths: None };
        let (mut nodes, mut output) = builder.sequence(layers, input, "model.layers")?;
        if model.parametrization != Parametrization::Plain {
            let widths = LayerWidth::of_layers(&builder.fans, model.base_width);
            builder = Builder { be, model, seed, next_id: 0, next_param: 0, numbers: 0, fans: Vec::new(), widths: Some(widths) };
            (nodes, output) = builder.sequence(layers, input, "model.layers")?;
        }
        Ok(Net { input, output, nodes, layer_count: builder.next_id, param_count: builder.next_param })
    }
}

impl<B: Backend> Builder<'_, B> {
    fn sequence(&mut self, layers: &[LayerSpec], mut shape: Features, path: &str) -> Result<(Vec<Node<B>>, Features), String> {
        let mut nodes = Vec::with_capacity(layers.len());
        for (i, spec) in layers.iter().enumerate() {
            let at = format!("{path}[{i}]");
            let node = self.node(spec, shape, &at)?;
            if node.output.is_empty() {
                return Err(format!("{at} leaves nothing: its output is {}", node.output.describe()));
            }
            shape = node.output;
            nodes.push(node);
        }
        Ok((nodes, shape))
    }

    fn param(&mut self, be_values: B::Tensor, role: ParamRole) -> Param<B::Tensor> {
        self.next_param += 1;
        Param::new(be_values, role)
    }

    /// Weight and bias of the next weight layer [fan_out, fan_in], with its abc multiplier.
    fn weights(&mut self, fan_in: usize, fan_out: usize, at: &str) -> Result<WeightPair<B>, String> {
        self.reserve(fan_in, fan_out, at)?;
        let k = self.fans.len();
        self.fans.push((fan_in, fan_out));
        let p = self.model.parametrization;
        let width = self.widths.as_ref().map(|w| w[k]);
        let rng = Rng::new(self.seed, Stream::Init).child(k as u32);
        let drawn = match width.and_then(|w| w.init_std(p)) {
            Some(std) => init::LayerInit { weight: init::normal(rng, fan_in * fan_out, std), bias: vec![0.0; fan_out] },
            None => init::draw(self.model.init, fan_in, fan_out, rng),
        };
        let mut weight = self.param(upload(self.be, [fan_out, fan_in], &drawn.weight), ParamRole::Weight);
        let bias = self.param(upload(self.be, [1, fan_out], &drawn.bias), ParamRole::Bias);
        if let Some(w) = width {
            weight.lr_factors = [w.lr_factor(p, false), w.lr_factor(p, true)];
        }
        Ok((weight, bias, width.map_or(1.0, |w| w.multiplier(p))))
    }

    /// Counts a weight layer's numbers against `MAX_PARAMETERS` before anything is
    /// allocated, so that no spec or model file can ask for more than a tab can hold.
    fn reserve(&mut self, fan_in: usize, fan_out: usize, at: &str) -> Result<(), String> {
        use crate::spec::limits::MAX_PARAMETERS;
        let numbers = fan_in.checked_mul(fan_out).and_then(|w| w.checked_add(fan_out));
        match numbers.and_then(|n| n.checked_add(self.numbers)) {
            Some(total) if total <= MAX_PARAMETERS => {
                self.numbers = total;
                Ok(())
            }
            _ => Err(format!(
                "{at}: the network would have more than {MAX_PARAMETERS} parameters (this layer alone has {fan_in} × {fan_out} weights)"
            )),
        }
    }

    /// A small dense layer inside a block (squeeze-and-excitation): Glorot, no abc scaling.
    fn inner_dense(&mut self, fan_in: usize, fan_out: usize, salt: u32, at: &str) -> Result<Dense<B>, String> {
        self.reserve(fan_in, fan_out, at)?;
        let rng = Rng::new(self.seed, Stream::Init).child(0x5E00_0000 ^ salt);
        let drawn = init::draw(Init::GlorotUniform, fan_in, fan_out, rng);
        let weight = self.param(upload(self.be, [fan_out, fan_in], &drawn.weight), ParamRole::Weight);
        let bias = self.param(upload(self.be, [1, fan_out], &drawn.bias), ParamRole::Bias);
        Ok(Dense { weight, bias, multiplier: 1.0 })
    }

    fn image(input: Features, at: &str, what: &str) -> Result<ImageShape, String> {
        match input {
            Features::Image(s) => Ok(s),
            Features::Flat(_) => Err(format!("{at}: {what} needs an image input, but it receives {}", input.describe())),
        }
    }

    fn node(&mut self, spec: &LayerSpec, input: Features, at: &str) -> Result<Node<B>, String> {
        let id = self.next_id;
        self.next_id += 1;
        let first_param = self.next_param;
        let (layer, output) = match spec {
            LayerSpec::Dense { units } => {
                let units = *units as usize;
                let (weight, bias, multiplier) = self.weights(input.len(), units, at)?;
                (Layer::Dense(Dense { weight, bias, multiplier }), Features::Flat(units))
            }
            LayerSpec::Conv2d { filters, kernel, stride, padding } => {
                let image = Self::image(input, at, "a convolution")?;
                let k = *kernel as usize;
                let window = Window::new(image, [k, k], [*stride as usize; 2], padding_of(*padding))
                    .map_err(|e| format!("{at}: {e}"))?;
                let filters = *filters as usize;
                let (weight, bias, multiplier) = self.weights(image.channels * k * k, filters, at)?;
                let out = ImageShape::new(filters, window.out[0], window.out[1]);
                (Layer::Conv2d(Conv2d { weight, bias, window, filters, multiplier }), Features::Image(out))
            }
            LayerSpec::Flatten => (Layer::Flatten, Features::Flat(input.len())),
            LayerSpec::Activation { function } => {
                let nonlinearity = Nonlinearity::from_spec(*function, self.model.leaky_slope);
                let channels = input.channels();
                let out = match nonlinearity {
                    Nonlinearity::Gate(_) if !channels.is_multiple_of(2) => {
                        return Err(format!(
                            "{at}: the {function:?} gate pairs adjacent {}, but there are {channels}",
                            if input.plane() > 1 { "channels" } else { "units" }
                        ))
                    }
                    Nonlinearity::Gate(_) => input.with_channels(channels / 2),
                    _ => input,
                };
                let slope = (*function == Function::Prelu)
                    .then(|| self.param(upload(self.be, [1, channels], &vec![PRELU_INIT; channels]), ParamRole::Slope));
                (Layer::Activation(Activation { nonlinearity, slope, input }), out)
            }
            LayerSpec::Pool { op, size, stride, padding, temperature, learn_temperature } => {
                let image = Self::image(input, at, "pooling")?;
                let window = match size {
                    None => Window::global(image),
                    Some(s) => {
                        let s = *s as usize;
                        let stride = stride.map_or(s, |t| t as usize);
                        Window::new(image, [s, s], [stride, stride], padding_of(padding.unwrap_or(PaddingSpec::Valid)))
                    }
                }
                .map_err(|e| format!("{at}: {e}"))?;
                let op = match op {
                    PoolKind::Max => PoolOp::Max,
                    PoolKind::Avg => PoolOp::Avg,
                    PoolKind::LogAvgExp => PoolOp::LogAvgExp,
                };
                let log_t = (op == PoolOp::LogAvgExp).then(|| {
                    let t = upload(self.be, [1, 1], &[libm::logf(*temperature)]);
                    if *learn_temperature {
                        self.param(t, ParamRole::LogTemperature)
                    } else {
                        Param::new(t, ParamRole::LogTemperature)
                    }
                });
                let out = ImageShape::new(image.channels, window.out[0], window.out[1]);
                let out = if size.is_none() { Features::Flat(image.channels) } else { Features::Image(out) };
                (Layer::Pool(Pool { op, window, log_t, learn_temperature: *learn_temperature }), out)
            }
            LayerSpec::Dropout { rate } => (Layer::Dropout(*rate), input),
            LayerSpec::BatchNorm { momentum, epsilon } => {
                let c = input.channels();
                let scale = self.param(upload(self.be, [1, c], &vec![1.0; c]), ParamRole::Scale);
                let shift = self.param(upload(self.be, [1, c], &vec![0.0; c]), ParamRole::Shift);
                let running: Vec<f32> = [vec![0.0; c], vec![1.0; c]].concat();
                let running = upload(self.be, [2, c], &running);
                let bn = BatchNorm { scale, shift, running, channels: c, momentum: *momentum, epsilon: *epsilon };
                (Layer::BatchNorm(bn), input)
            }
            LayerSpec::Residual { layers } => {
                let (body, out) = self.sequence(layers, input, &format!("{at}.layers"))?;
                if out != input {
                    return Err(format!(
                        "{at}: a residual block must keep its shape, but its body turns {} into {}",
                        input.describe(),
                        out.describe()
                    ));
                }
                (Layer::Residual(body), input)
            }
            LayerSpec::SqueezeExcite { reduction } => {
                let image = Self::image(input, at, "squeeze-and-excitation")?;
                let c = image.channels;
                let hidden = (c / *reduction as usize).max(1);
                let squeeze = self.inner_dense(c, hidden, 2 * id as u32, at)?;
                let excite = self.inner_dense(hidden, c, 2 * id as u32 + 1, at)?;
                let window = Window::global(image).map_err(|e| format!("{at}: {e}"))?;
                (Layer::SqueezeExcite(SqueezeExcite { squeeze, excite, window }), input)
            }
        };
        debug_assert!(matches!(layer, Layer::Residual(_)) || self.next_param - first_param == layer.param_count());
        Ok(Node { id, spec: spec.clone(), input, output, first_param, layer })
    }
}

fn padding_of(p: PaddingSpec) -> Padding {
    match p {
        PaddingSpec::Same => Padding::Same,
        PaddingSpec::Valid => Padding::Valid,
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;
    use super::*;
    use crate::backend::cpu::CpuBackend;
    use crate::spec::ExperimentSpec;

    fn build(layers: &str, input: Features, classes: usize) -> Result<Net<CpuBackend<f32>>, String> {
        let model = ModelSpec { layers: serde_json::from_str(layers).unwrap(), ..ExperimentSpec::default().model };
        Net::build(&CpuBackend::new(), input, &model, classes, 1)
    }

    fn image(c: usize, h: usize, w: usize) -> Features {
        Features::Image(ImageShape::new(c, h, w))
    }

    #[test]
    fn shapes_flow_through_a_small_cnn() {
        let net = build(
            r#"[{"type":"conv2d","filters":8,"kernel":3},{"type":"activation","function":"relu"},{"type":"pool","op":"max","size":2},
               {"type":"conv2d","filters":16,"kernel":3,"stride":2,"padding":"valid"},{"type":"activation","function":"andAil"},
               {"type":"residual","layers":[{"type":"batchNorm"},{"type":"squeezeExcite"}]},{"type":"flatten"},{"type":"dense","units":10}]"#,
            image(1, 28, 28),
            10,
        )
        .unwrap();
        let outs: Vec<Features> = net.nodes.iter().map(|n| n.output).collect();
        assert_eq!(outs[2], image(8, 14, 14));
        assert_eq!(outs[3], image(16, 6, 6));
        assert_eq!(outs[4], image(8, 6, 6), "the gate pairs channels");
        assert_eq!(outs[6], Features::Flat(288));
        // conv 1: 8·9 + 8; conv 2: 16·72 + 16; bn: 2·8; se: 8·2 + 2 + 2·8 + 8; dense: 288·10 + 10.
        assert_eq!(net.param_count, 2 + 2 + 2 + 4 + 2);
        let mut numbers = 0;
        net.visit_params(&mut |p| numbers += p.value.len());
        assert_eq!(numbers, 80 + 1168 + 16 + 42 + 2890);
        assert_eq!(net.layer_count, 10);
    }

    /// A stack within every per-layer limit can still ask for gigabytes; the budget is
    /// counted before anything is allocated, and a stack just under it builds.
    #[test]
    fn the_parameter_budget_is_enforced_before_allocating() {
        use crate::spec::limits::MAX_PARAMETERS;
        let wide = r#"[{"type":"dense","units":4096},{"type":"dense","units":2}]"#;
        // 2000·4096 + 4096 + 4096·2 + 2 numbers fit the budget; 2100 inputs do not.
        let fits = |inputs: usize| inputs * 4096 + 4096 + 4096 * 2 + 2 <= MAX_PARAMETERS;
        assert!(fits(2000) && !fits(2100));
        assert_eq!(build(wide, Features::Flat(2000), 2).map(|n| n.param_count), Ok(4));
        let e = build(wide, Features::Flat(2100), 2).err().expect("over the budget");
        assert!(e.starts_with("model.layers[0]: the network would have more than"), "{e}");
        let huge = format!("[{}{{\"type\":\"dense\",\"units\":2}}]", r#"{"type":"dense","units":1024},"#.repeat(64));
        let e = build(&huge, Features::Flat(1024), 2).err().expect("64 × 1024² weights must be refused");
        assert!(e.starts_with("model.layers[7]:"), "seven layers of 1024² weights fit, the eighth does not: {e}");
    }

    #[test]
    fn misfits_are_named_not_panics() {
        let cases = [
            (r#"[{"type":"conv2d","filters":2,"kernel":3},{"type":"dense","units":2}]"#, Features::Flat(9), "needs an image input"),
            (r#"[{"type":"conv2d","filters":2,"kernel":5,"padding":"valid"},{"type":"dense","units":2}]"#, image(1, 4, 4), "larger than"),
            (r#"[{"type":"dense","units":3},{"type":"activation","function":"xnorAil"},{"type":"dense","units":2}]"#, Features::Flat(2), "pairs adjacent units"),
            (r#"[{"type":"residual","layers":[{"type":"conv2d","filters":3,"kernel":3}]},{"type":"dense","units":2}]"#, image(2, 4, 4), "keep its shape"),
            (r#"[{"type":"dense","units":3}]"#, Features::Flat(2), "2 classes"),
            (r#"[{"type":"squeezeExcite"},{"type":"dense","units":2}]"#, Features::Flat(4), "needs an image"),
            (r#"[{"type":"pool","op":"max","size":2,"stride":2},{"type":"dense","units":2}]"#, image(1, 1, 5), "larger than"),
        ];
        for (layers, input, needle) in cases {
            let e = build(layers, input, 2).err().unwrap_or_else(|| panic!("{layers} should not build"));
            assert!(e.contains(needle), "{layers}: {e}");
        }
        assert!(Net::<CpuBackend<f32>>::build(&CpuBackend::new(), Features::Flat(0), &ExperimentSpec::default().model, 2, 1).is_err());
    }

    #[test]
    fn init_is_seeded_and_glorot_bounded() {
        let spec = ExperimentSpec::default();
        let weights = |seed| {
            let net = Net::<CpuBackend<f32>>::build(&CpuBackend::new(), Features::Flat(2), &spec.model, 2, seed).unwrap();
            let mut w = Vec::new();
            net.visit_params(&mut |p| w.push(p.value.clone()));
            w
        };
        let (a, b, c) = (weights(1), weights(1), weights(2));
        assert_eq!(a, b);
        assert_ne!(a[2], c[2]);
        assert_eq!(a[0].shape(), &[8, 2]);
        assert_ne!(a[0].as_slice().unwrap()[..4], a[2].as_slice().unwrap()[..4], "each layer has its own stream");
        let limit = (6.0f32 / 16.0).sqrt();
        assert!(a[2].iter().all(|w| w.abs() <= limit));
    }

    #[test]
    fn an_mlp_spec_is_dense_and_activation_layers() {
        let mut model = ExperimentSpec::default().model;
        model.activation = Function::OrAil;
        model.hidden = vec![3, 2];
        let layers = layer_list(&model, 4, 2);
        assert_eq!(
            layers,
            vec![
                LayerSpec::Dense { units: 6 },
                LayerSpec::Activation { function: Function::OrAil },
                LayerSpec::Dense { units: 4 },
                LayerSpec::Activation { function: Function::OrAil },
                LayerSpec::Dense { units: 4 },
            ]
        );
    }

    #[test]
    fn per_layer_activations_dropout_and_residual_map_onto_the_layer_list() {
        let mut model = ExperimentSpec::default().model;
        model.hidden = vec![2, 4, 4];
        model.activations = vec![Function::Relu, Function::Tanh, Function::Maxout];
        model.dropout = 0.25;
        model.residual = true;
        let (relu, tanh, maxout) = (Function::Relu, Function::Tanh, Function::Maxout);
        let act = |function| LayerSpec::Activation { function };
        let drop = || LayerSpec::Dropout { rate: 0.25 };
        assert_eq!(
            layer_list(&model, 3, 2),
            vec![
                LayerSpec::Residual { layers: vec![LayerSpec::Dense { units: 2 }, act(relu), drop()] },
                LayerSpec::Dense { units: 4 },
                act(tanh),
                drop(),
                LayerSpec::Residual { layers: vec![LayerSpec::Dense { units: 8 }, act(maxout), drop()] },
                LayerSpec::Dense { units: 3 },
            ]
        );
        let net = Net::<CpuBackend<f32>>::build(&CpuBackend::new(), Features::Flat(2), &model, 3, 1).unwrap();
        let mut shapes = Vec::new();
        net.visit_params(&mut |p| shapes.push(p.value.shape().to_vec()));
        assert_eq!(shapes, vec![vec![2, 2], vec![1, 2], vec![4, 2], vec![1, 4], vec![8, 4], vec![1, 8], vec![3, 4], vec![1, 3]]);
    }
}
