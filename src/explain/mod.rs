//! Explanation (attribution) methods, generic over the backend so the CPU and the GPU run
//! the same code. Every method explains a score S = seed·logits per sample (see
//! `Target`), pushes its perturbed or interpolated copies through the network in batches
//! (`Probe`), and returns one map per sample (`Attribution`). One file per method family;
//! `request` parses the native runner's method names, parameters and JSON files;
//! `progress` reports how far a method has got and lets a caller cancel it; `subspace`
//! splits LRP relevance at one layer into concepts (PRCA, DRSA).

mod baseline;
mod cam;
mod deeplift;
mod gradient;
mod guided;
mod integrated;
mod lrp;
pub mod metrics;
mod occlusion;
mod probe;
mod progress;
mod rise;
mod shapley;
mod quadrature;
pub mod request;
mod smooth;
pub mod subspace;
mod target;

pub use baseline::Baseline;
pub use cam::{grad_cam, CamOptions, CamVariant};
pub use deeplift::deeplift;
pub use gradient::{gradient_x_input, saliency, SaliencyMode};
pub use guided::{guided_backprop, GuidedRule};
pub use integrated::{integrated_gradients, IgOptions};
pub use lrp::{lrp, Composite, LayerRelevance, LrpRule};
pub use occlusion::{occlusion, OcclusionOptions};
pub use probe::Probe;
pub use progress::{Progress, CANCELLED};
pub use quadrature::Quadrature;
pub use rise::{rise, RiseOptions};
pub use shapley::{shapley_sampling, ShapleyOptions};
pub use smooth::{smooth_grad, Aggregate, Noise};
pub use target::Target;

/// What a method computed for a batch of samples.
#[derive(Clone, Debug, PartialEq)]
pub struct Attribution {
    /// The shape of one map: the input's ([c, h, w] or [features]), or a plane [h, w]
    /// for channel-reduced and class-activation maps.
    pub shape: Vec<usize>,
    /// One map per sample, row-major in `shape`.
    pub maps: Vec<Vec<f64>>,
    /// Integrated Gradients: Σ attribution − (S(x) − S(baseline)) per sample.
    pub completeness_gap: Option<Vec<f64>>,
}

/// The input's shape as a list: [c, h, w] for images, [features] otherwise.
pub(crate) fn input_shape(input: crate::nn::Features) -> Vec<usize> {
    match input {
        crate::nn::Features::Flat(n) => vec![n],
        crate::nn::Features::Image(s) => vec![s.channels, s.height, s.width],
    }
}

/// Test helpers shared by the method files: small networks with seeded weights.
#[cfg(test)]
pub(crate) mod testing {
    use crate::backend::cpu::CpuBackend;
    use crate::backend::ImageShape;
    use crate::nn::{Features, Net};
    use crate::rng::{Rng, Stream};
    use crate::spec::{ExperimentSpec, ModelSpec};

    pub type Be = CpuBackend<f64>;

    /// `layers` (a JSON layer list) on `input` with every tensor uniform in
    /// [−scale, scale) + shift (seeded by `seed`).
    pub fn net(layers: &str, input: Features, seed: u32, scale: f32, shift: f32) -> Net<Be> {
        let model = ModelSpec { layers: serde_json::from_str(layers).unwrap(), ..ExperimentSpec::default().model };
        let be = Be::new();
        let mut net = Net::build_layers(&be, input, &model.layers, &model, 1).unwrap();
        let rng = Rng::new(seed, Stream::Init);
        let mut salt = 0u32;
        net.visit_state_mut(&mut |t| {
            salt += 1;
            let r = rng.child(salt);
            t.iter_mut().enumerate().for_each(|(i, v)| *v = (r.uniform_in(i as u32, -scale, scale) + shift) as f64);
        });
        net
    }

    /// `rows` seeded inputs uniform in [lo, hi).
    pub fn inputs(rows: usize, len: usize, seed: u32, lo: f32, hi: f32) -> Vec<f64> {
        let rng = Rng::new(seed, Stream::DataNoise);
        (0..rows * len).map(|i| rng.uniform_in(i as u32, lo, hi) as f64).collect()
    }

    pub fn image(c: usize, h: usize, w: usize) -> Features {
        Features::Image(ImageShape::new(c, h, w))
    }

    /// Runs a future whose work is already done (CPU reads resolve at once).
    pub trait AwaitNow: std::future::Future + Sized {
        fn await_now(self) -> Self::Output {
            pollster::block_on(self)
        }
    }

    impl<F: std::future::Future> AwaitNow for F {}

    pub fn close(a: &[f64], b: &[f64], tol: f64, what: &str) {
        assert_eq!(a.len(), b.len(), "{what}: lengths");
        for (i, (x, y)) in a.iter().zip(b).enumerate() {
            assert!((x - y).abs() <= tol * (1.0 + y.abs()), "{what}[{i}]: {x} vs {y}");
        }
    }
}
