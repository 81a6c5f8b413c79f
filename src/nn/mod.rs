//! Layers and models, generic over the backend. `nn` knows layers, not explanation
//! methods. A dense layer stores its weight as [out, in] with y = x·Wᵀ + b (PyTorch's
//! layout), so reference libraries can load the same numbers.

pub mod abc;
pub mod format;
pub mod init;
mod nonlinearity;

pub use nonlinearity::{Nonlinearity, PRELU_INIT};

use crate::backend::{Backend, Real};
use crate::rng::{Rng, Stream};
use crate::spec::{Init, ModelSpec, Parametrization};
use abc::LayerWidth;

/// A dense layer's parameters (or their gradients: same shapes).
pub struct Dense<T> {
    /// [out, in]
    pub weight: T,
    /// [1, out]
    pub bias: T,
}

/// A multi-layer perceptron: dense layers with a nonlinearity between them and linear logits.
pub struct Mlp<B: Backend> {
    pub layers: Vec<Dense<B::Tensor>>,
    pub nonlinearity: Nonlinearity,
    /// PReLU's learned slopes, [1, units] per hidden layer; empty for other nonlinearities.
    pub slopes: Vec<B::Tensor>,
    /// Each layer computes x·(m·W)ᵀ + b with this m (the abc-parametrisation's n^(−a); 1 otherwise).
    pub multipliers: Vec<f32>,
}

/// What the forward pass keeps for the backward pass.
pub struct Forward<T> {
    /// The pre-activation (dense output) of each hidden layer.
    pub pre: Vec<T>,
    /// The activation output of each hidden layer.
    pub hidden: Vec<T>,
    pub logits: T,
}

/// Gradients of a scalar loss with respect to every parameter and the input.
pub struct Gradients<T> {
    pub layers: Vec<Dense<T>>,
    /// One per PReLU slope tensor.
    pub slopes: Vec<T>,
    pub input: T,
}

impl<B: Backend> Mlp<B> {
    /// Glorot-uniform weights, zero biases; `sizes` = [inputs, hidden…, outputs], with
    /// hidden sizes counted after the nonlinearity (a gate's dense layer is twice as wide).
    pub fn init(be: &B, sizes: &[usize], nonlinearity: Nonlinearity, seed: u32) -> Self {
        Self::build(be, sizes, nonlinearity, Init::GlorotUniform, Parametrization::Plain, 1, seed)
    }

    /// The model a spec describes: its nonlinearity, and its init or its parametrisation
    /// preset's init and multipliers.
    pub fn from_spec(be: &B, sizes: &[usize], model: &ModelSpec, seed: u32) -> Self {
        let nonlinearity = Nonlinearity::from_spec(model.activation, model.leaky_slope);
        Self::build(be, sizes, nonlinearity, model.init, model.parametrization, model.base_width, seed)
    }

    fn build(
        be: &B,
        sizes: &[usize],
        nonlinearity: Nonlinearity,
        rule: Init,
        param: Parametrization,
        base_width: u32,
        seed: u32,
    ) -> Self {
        let last = sizes.len() - 2;
        let widths = LayerWidth::of_mlp(sizes, base_width);
        let upload = |shape: [usize; 2], v: Vec<f32>| {
            let v: Vec<B::E> = v.into_iter().map(B::E::from_f32).collect();
            be.upload(shape, &v)
        };
        let layers = sizes
            .windows(2)
            .zip(&widths)
            .enumerate()
            .map(|(l, (pair, width))| {
                let fan_in = pair[0];
                let fan_out = if l < last { nonlinearity.inputs_per(pair[1]) } else { pair[1] };
                let rng = Rng::new(seed, Stream::Init).child(l as u32);
                let drawn = match width.init_std(param) {
                    Some(std) => init::LayerInit { weight: init::normal(rng, fan_in * fan_out, std), bias: vec![0.0; fan_out] },
                    None => init::draw(rule, fan_in, fan_out, rng),
                };
                Dense { weight: upload([fan_out, fan_in], drawn.weight), bias: upload([1, fan_out], drawn.bias) }
            })
            .collect();
        let slopes = match nonlinearity {
            Nonlinearity::Prelu => sizes[1..=last].iter().map(|&u| upload([1, u], vec![PRELU_INIT; u])).collect(),
            _ => Vec::new(),
        };
        Mlp { layers, nonlinearity, slopes, multipliers: widths.iter().map(|w| w.multiplier(param)).collect() }
    }

    /// x·(m·W)ᵀ + b for layer `l`.
    fn dense(&self, be: &B, l: usize, input: &B::Tensor) -> B::Tensor {
        let layer = &self.layers[l];
        let mut z = be.matmul(input, &layer.weight, false, true);
        self.apply_multiplier(be, l, &mut z);
        be.add_bias(&mut z, &layer.bias);
        z
    }

    fn apply_multiplier(&self, be: &B, l: usize, x: &mut B::Tensor) {
        if self.multipliers[l] != 1.0 {
            be.scale(x, self.multipliers[l]);
        }
    }

    pub fn forward(&self, be: &B, x: &B::Tensor) -> Forward<B::Tensor> {
        let last = self.layers.len() - 1;
        let mut pre: Vec<B::Tensor> = Vec::with_capacity(last);
        let mut hidden: Vec<B::Tensor> = Vec::with_capacity(last);
        for l in 0..last {
            let z = self.dense(be, l, hidden.last().unwrap_or(x));
            hidden.push(self.nonlinearity.forward(be, &z, self.slopes.get(l)));
            pre.push(z);
        }
        let logits = self.dense(be, last, hidden.last().unwrap_or(x));
        Forward { pre, hidden, logits }
    }

    /// The vector-Jacobian product: pulls d(loss)/d(logits) back to every parameter and the input.
    pub fn backward(&self, be: &B, x: &B::Tensor, fwd: &Forward<B::Tensor>, dlogits: B::Tensor) -> Gradients<B::Tensor> {
        let mut grads: Vec<Dense<B::Tensor>> = Vec::with_capacity(self.layers.len());
        let mut slopes: Vec<B::Tensor> = Vec::with_capacity(self.slopes.len());
        let mut upstream = dlogits; // d(loss)/d(pre-activation) of the current layer
        for l in (0..self.layers.len()).rev() {
            let input = if l == 0 { x } else { &fwd.hidden[l - 1] };
            let mut weight = be.matmul(&upstream, input, true, false);
            self.apply_multiplier(be, l, &mut weight);
            grads.push(Dense { weight, bias: be.sum_rows(&upstream) });
            let mut d_input = be.matmul(&upstream, &self.layers[l].weight, false, false);
            self.apply_multiplier(be, l, &mut d_input);
            upstream = if l == 0 {
                d_input
            } else {
                let (dz, dslope) = self.nonlinearity.backward(
                    be,
                    &fwd.pre[l - 1],
                    &fwd.hidden[l - 1],
                    &d_input,
                    self.slopes.get(l - 1),
                );
                slopes.extend(dslope);
                dz
            };
        }
        grads.reverse();
        slopes.reverse();
        Gradients { layers: grads, slopes, input: upstream }
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;
    use super::*;
    use crate::backend::cpu::CpuBackend;
    use ndarray::Array2;

    type Be = CpuBackend<f64>;
    const TANH: Nonlinearity = Nonlinearity::Elementwise(crate::backend::ActivationOp::Tanh);

    fn loss(be: &Be, mlp: &Mlp<Be>, x: &Array2<f64>, labels: &Array2<f64>) -> f64 {
        be.softmax_cross_entropy(&mlp.forward(be, x).logits, labels).loss[[0, 0]]
    }

    /// Central differences in f64 against the analytic backward pass, for every
    /// weight, bias, PReLU slope and input of a 3→4→5→3 MLP; returns the worst error.
    fn worst_gradient_error(nonlinearity: Nonlinearity) -> f64 {
        let be = Be::new();
        let mut mlp = Mlp::init(&be, &[3, 4, 5, 3], nonlinearity, 9);
        let rng = Rng::new(5, Stream::DataNoise);
        for layer in &mut mlp.layers {
            let n = layer.bias.len() as u32;
            for (i, b) in layer.bias.iter_mut().enumerate() {
                *b = rng.uniform_in(1000 + n * 7 + i as u32, -0.5, 0.5) as f64;
            }
        }
        for (l, slope) in mlp.slopes.iter_mut().enumerate() {
            for (i, a) in slope.iter_mut().enumerate() {
                *a = rng.uniform_in(3000 + 10 * l as u32 + i as u32, -0.5, 0.9) as f64;
            }
        }
        let mut x = Array2::from_shape_fn((6, 3), |(i, j)| rng.uniform_in((i * 3 + j) as u32, -2.0, 2.0) as f64);
        let labels = Array2::from_shape_vec((6, 1), vec![0.0, 1.0, 2.0, 2.0, 1.0, 0.0]).unwrap();
        let fwd = mlp.forward(&be, &x);
        let out = be.softmax_cross_entropy(&fwd.logits, &labels);
        let grads = mlp.backward(&be, &x, &fwd, out.grad);
        assert_eq!(grads.slopes.len(), mlp.slopes.len());

        let h = 1e-6;
        let mut worst = 0.0f64;
        // The central difference of the loss in the number that `at` points to.
        fn probe(
            mlp: &mut Mlp<Be>,
            x: &mut Array2<f64>,
            labels: &Array2<f64>,
            h: f64,
            at: impl for<'a> Fn(&'a mut Mlp<Be>, &'a mut Array2<f64>) -> &'a mut f64,
        ) -> f64 {
            let be = Be::new();
            let orig = *at(mlp, x);
            *at(mlp, x) = orig + h;
            let plus = loss(&be, mlp, x, labels);
            *at(mlp, x) = orig - h;
            let minus = loss(&be, mlp, x, labels);
            *at(mlp, x) = orig;
            (plus - minus) / (2.0 * h)
        }
        let mut check = |analytic: f64, numeric: f64| {
            let err = (analytic - numeric).abs() / (1e-3 + analytic.abs().max(numeric.abs()));
            worst = worst.max(err);
        };
        for l in 0..mlp.layers.len() {
            for idx in 0..mlp.layers[l].weight.len() {
                let n = probe(&mut mlp, &mut x, &labels, h, |m, _| &mut m.layers[l].weight.as_slice_mut().unwrap()[idx]);
                check(grads.layers[l].weight.as_slice().unwrap()[idx], n);
            }
            for c in 0..mlp.layers[l].bias.len() {
                let n = probe(&mut mlp, &mut x, &labels, h, |m, _| &mut m.layers[l].bias[[0, c]]);
                check(grads.layers[l].bias[[0, c]], n);
            }
        }
        for l in 0..mlp.slopes.len() {
            for c in 0..mlp.slopes[l].len() {
                let n = probe(&mut mlp, &mut x, &labels, h, |m, _| &mut m.slopes[l][[0, c]]);
                check(grads.slopes[l][[0, c]], n);
            }
        }
        for idx in 0..x.len() {
            let n = probe(&mut mlp, &mut x, &labels, h, |_, x| &mut x.as_slice_mut().unwrap()[idx]);
            check(grads.input.as_slice().unwrap()[idx], n);
        }
        worst
    }

    #[test]
    fn backward_matches_finite_differences() {
        use crate::backend::{ActivationOp, GateOp};
        for nl in [
            Nonlinearity::Elementwise(ActivationOp::Tanh),
            Nonlinearity::Elementwise(ActivationOp::Gelu),
            Nonlinearity::Elementwise(ActivationOp::LeakyRelu { slope: 0.1 }),
            Nonlinearity::Prelu,
            Nonlinearity::Gate(GateOp::AndAil),
            Nonlinearity::Gate(GateOp::Xnor),
        ] {
            let worst = worst_gradient_error(nl);
            println!("MLP gradient check with {nl:?}: worst relative error {worst:.1e}");
            assert!(worst < 1e-6, "{nl:?}: worst relative gradient error {worst:e}");
        }
    }

    /// The abc multipliers enter forward and backward consistently: central differences on
    /// every weight of a muP and an NTK net whose widths differ from the base width.
    #[test]
    fn backward_with_multipliers_matches_finite_differences() {
        let be = Be::new();
        for p in [Parametrization::MuP, Parametrization::Ntk, Parametrization::MeanField] {
            let model = ModelSpec {
                hidden: vec![6, 5],
                activation: crate::spec::Activation::Tanh,
                leaky_slope: 0.01,
                init: Init::GlorotUniform,
                parametrization: p,
                base_width: 2,
            };
            let mut mlp = Mlp::from_spec(&be, &[3, 6, 5, 3], &model, 4);
            assert!(mlp.multipliers.iter().any(|&m| m != 1.0), "{p:?} scales some layer");
            let rng = Rng::new(6, Stream::DataNoise);
            let x = Array2::from_shape_fn((4, 3), |(i, j)| rng.uniform_in((i * 3 + j) as u32, -2.0, 2.0) as f64);
            let labels = Array2::from_shape_vec((4, 1), vec![0.0, 1.0, 2.0, 1.0]).unwrap();
            let fwd = mlp.forward(&be, &x);
            let grads = mlp.backward(&be, &x, &fwd, be.softmax_cross_entropy(&fwd.logits, &labels).grad);
            let h = 1e-6;
            for l in 0..mlp.layers.len() {
                for idx in 0..mlp.layers[l].weight.len() {
                    let cols = mlp.layers[l].weight.ncols();
                    let at = [idx / cols, idx % cols];
                    let orig = mlp.layers[l].weight[at];
                    mlp.layers[l].weight[at] = orig + h;
                    let plus = loss(&be, &mlp, &x, &labels);
                    mlp.layers[l].weight[at] = orig - h;
                    let minus = loss(&be, &mlp, &x, &labels);
                    mlp.layers[l].weight[at] = orig;
                    let (analytic, numeric) = (grads.layers[l].weight[at], (plus - minus) / (2.0 * h));
                    let err = (analytic - numeric).abs() / (1e-3 + analytic.abs().max(numeric.abs()));
                    assert!(err < 1e-5, "{p:?} layer {l} weight {idx}: {analytic} vs {numeric}");
                }
            }
        }
    }

    #[test]
    fn init_is_seeded_and_glorot_bounded() {
        let be = CpuBackend::<f32>::new();
        let a = Mlp::init(&be, &[2, 8, 8, 2], TANH, 1);
        let b = Mlp::init(&be, &[2, 8, 8, 2], TANH, 1);
        let c = Mlp::init(&be, &[2, 8, 8, 2], TANH, 2);
        assert_eq!(a.layers[1].weight, b.layers[1].weight);
        assert_ne!(a.layers[1].weight, c.layers[1].weight);
        assert_ne!(a.layers[0].weight.as_slice().unwrap()[..4], a.layers[1].weight.as_slice().unwrap()[..4]);
        let limit = (6.0f32 / 16.0).sqrt();
        assert!(a.layers[1].weight.iter().all(|w| w.abs() <= limit));
        assert_eq!(a.layers[0].weight.shape(), &[8, 2]);
    }
}
