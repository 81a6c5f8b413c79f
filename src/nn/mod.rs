//! Layers and networks, generic over the backend. `nn` knows layers, not explanation
//! methods: those hand in backward rules. Layouts follow PyTorch (dense weight [out, in]
//! with y = x·Wᵀ + b; conv weight [out, in, kh, kw]; images NCHW), so reference
//! libraries can load the same numbers.

pub mod abc;
mod build;
pub mod features;
pub mod format;
pub mod init;
pub mod layers;
mod net;
pub mod param;

pub use build::layer_list;
pub use features::Features;
pub use layers::{Layer, Node, Nonlinearity, PRELU_INIT};
pub use net::{BackwardOptions, BackwardRule, Gradients, Mode, Net, Trace};
pub use param::{Param, ParamRole};

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
