//! Benchmark workloads on the real engine, shared by the native runner (`glassbox bench`)
//! and the browser bench page (through `api::bench`). Callers time them with their own
//! clock: `run` records work, `sync` waits until the device has finished it.
//!
//! - `NetBench`: training steps of a network given as a layer list (the model, loss,
//!   backward pass and optimiser the trainer uses) on one fixed batch of seeded synthetic
//!   data: the W2 MLP (`NetBench::mlp`) and the W3 CNN (`NetBench::cnn`).
//! - `SaliencyBench`: W4, input gradients of the top logit on the W3 network.
//! - `IgBench`: W5, Integrated Gradients of one image on the W3 network through the
//!   explain code (`explain::integrated_gradients`), attributions read back to the host.
//! - `W1Steps`, `W1Grid`: W1's training steps and decision grid through a real `Session`.
//! - `MatmulBench`: square n×n products, for GFLOP/s.
//! - `simd_peak` (wasm only): a tight f32x4 multiply-add loop, for one core's SIMD128 peak.

use crate::backend::{Backend, ImageShape, LossOp, Real};
use crate::explain::{integrated_gradients, Attribution, Baseline, IgOptions, Probe, Quadrature, Target};
use crate::nn::{BackwardOptions, Features, Mode, Net};
use crate::rng::{Rng, Stream};
use crate::session::Session;
use crate::spec::{Activation, ExperimentSpec, LayerSpec, ModelSpec, Optimizer as Kind, PaddingSpec, PoolKind, TrainingSpec};
use crate::train::optimizer::Optimizer;
use crate::train::Evaluation;
use std::future::Future;
use std::pin::Pin;

/// A workload the caller runs `n` times between two clock readings.
pub trait Workload {
    /// Records `n` repetitions (flushed to the device). Resolves once they are recorded:
    /// at once for device work, after its readbacks for a workload that needs them on the
    /// host (Integrated Gradients).
    fn run(&mut self, n: u32) -> Pin<Box<dyn Future<Output = ()> + '_>>;
    /// Resolves once everything recorded has finished.
    fn sync(&self) -> Pin<Box<dyn Future<Output = ()> + '_>>;
}

fn seeded<B: Backend>(be: &B, shape: [usize; 2], salt: u32, f: impl Fn(Rng, u32) -> f32) -> B::Tensor {
    let rng = Rng::new(salt, Stream::DataNoise);
    let v: Vec<B::E> = (0..(shape[0] * shape[1]) as u32).map(|i| B::E::from_f32(f(rng, i))).collect();
    be.upload(shape, &v)
}

/// The W3 network for 28×28×1 images: conv3×3 8 same relu → maxpool2 → conv3×3 16 same
/// relu → maxpool2 → dense `classes`.
pub fn cnn_layers(classes: usize) -> Vec<LayerSpec> {
    let conv = |filters| LayerSpec::Conv2d { filters, kernel: 3, stride: 1, padding: PaddingSpec::Same };
    let relu = LayerSpec::Activation { function: Activation::Relu };
    let pool = LayerSpec::Pool {
        op: PoolKind::Max,
        size: Some(2),
        stride: None,
        padding: None,
        temperature: 1.0,
        learn_temperature: false,
    };
    vec![conv(8), relu.clone(), pool.clone(), conv(16), relu, pool, LayerSpec::Flatten, LayerSpec::Dense { units: classes as u32 }]
}

/// The W3/W4 input: one channel of 28×28.
pub const CNN_INPUT: ImageShape = ImageShape { channels: 1, height: 28, width: 28 };

/// Floating-point operations of the W3 network's forward products for `batch` images
/// (3×3 convolutions and the dense layer; a training step does about three times this).
pub fn cnn_flops(classes: usize, batch: usize) -> f64 {
    let ImageShape { channels, height, width } = CNN_INPUT;
    let conv1 = 2 * height * width * 8 * 9 * channels;
    let conv2 = 2 * (height / 2) * (width / 2) * 16 * 9 * 8;
    let dense = 2 * (height / 4) * (width / 4) * 16 * classes;
    (batch * (conv1 + conv2 + dense)) as f64
}

/// `layers` built for `input` and `classes` outputs from `seed`, as the trainer builds a spec's model.
fn build_net<B: Backend>(be: &B, input: Features, layers: Vec<LayerSpec>, classes: usize, seed: u32) -> Net<B> {
    let model = ModelSpec { layers, ..ExperimentSpec::default().model };
    match Net::build(be, input, &model, classes, seed) {
        Ok(net) => net,
        Err(e) => panic!("a bench network builds: {e}"),
    }
}

/// A seeded batch: inputs uniform in [−1, 1), labels uniform over `classes`.
fn batch<B: Backend>(be: &B, input: Features, rows: usize, classes: usize, seed: u32) -> (B::Tensor, B::Tensor) {
    let x = seeded(be, [rows, input.len()], seed, |r, i| r.uniform_in(i, -1.0, 1.0));
    let labels = seeded(be, [rows, 1], seed + 1, |r, i| r.below(i, classes as u32) as f32);
    (x, labels)
}

/// Softmax cross-entropy training with Adam (the model, loss, backward pass and
/// optimiser the trainer uses) of a network given as a layer list: an MLP (W2) or the
/// W3 CNN.
pub struct NetBench<B: Backend> {
    be: B,
    net: Net<B>,
    optimizer: Optimizer<B>,
    training: TrainingSpec,
    x: B::Tensor,
    labels: B::Tensor,
    /// The last step's mean loss, [1, 1].
    loss: Option<B::Tensor>,
}

impl<B: Backend> NetBench<B> {
    /// `layers` on `input` with `classes` outputs, one seeded batch of `batch` rows.
    pub fn new(be: B, input: Features, layers: Vec<LayerSpec>, classes: usize, batch_size: usize, learning_rate: f32, seed: u32) -> Self {
        assert!(batch_size > 0 && classes > 0, "NetBench: empty batch or no classes");
        let defaults = ExperimentSpec::default();
        let training =
            TrainingSpec { optimizer: Kind::Adam, learning_rate, batch_size: batch_size as u32, seed, ..defaults.training };
        let net = build_net(&be, input, layers, classes, seed);
        let optimizer = Optimizer::new(&be, &net, &training);
        let (x, labels) = batch(&be, input, batch_size, classes, seed);
        NetBench { be, net, optimizer, training, x, labels, loss: None }
    }

    /// A relu MLP, `sizes` = [inputs, hidden…, classes].
    pub fn mlp(be: B, sizes: &[usize], batch_size: usize, learning_rate: f32, seed: u32) -> Self {
        assert!(sizes.len() >= 2 && sizes.iter().all(|&s| s > 0), "NetBench: empty MLP");
        let mut layers = Vec::new();
        for &h in &sizes[1..sizes.len() - 1] {
            layers.push(LayerSpec::Dense { units: h as u32 });
            layers.push(LayerSpec::Activation { function: Activation::Relu });
        }
        let classes = sizes[sizes.len() - 1];
        layers.push(LayerSpec::Dense { units: classes as u32 });
        Self::new(be, Features::Flat(sizes[0]), layers, classes, batch_size, learning_rate, seed)
    }

    /// The W3 CNN (`cnn_layers`) on 28×28×1 images.
    pub fn cnn(be: B, classes: usize, batch_size: usize, learning_rate: f32, seed: u32) -> Self {
        Self::new(be, Features::Image(CNN_INPUT), cnn_layers(classes), classes, batch_size, learning_rate, seed)
    }

    /// The loss of the last step taken.
    pub async fn loss(&self) -> Option<f32> {
        match &self.loss {
            Some(t) => Some(self.be.read(t).await[0].to_f64() as f32),
            None => None,
        }
    }
}

impl<B: Backend> Workload for NetBench<B> {
    fn run(&mut self, n: u32) -> Pin<Box<dyn Future<Output = ()> + '_>> {
        for _ in 0..n {
            let be = &self.be;
            let trace = self.net.forward(be, &self.x, Mode::Eval);
            let out = be.loss(LossOp::CROSS_ENTROPY, trace.logits(&self.x), &self.labels, None);
            let grads = self.net.backward(be, &self.x, &trace, out.grad, BackwardOptions::training());
            self.optimizer.step(be, &mut self.net, &grads.params, &self.training, self.training.learning_rate);
            self.loss = Some(out.loss);
            be.flush();
        }
        Box::pin(std::future::ready(()))
    }

    fn sync(&self) -> Pin<Box<dyn Future<Output = ()> + '_>> {
        Box::pin(async move {
            self.loss().await;
        })
    }
}

/// Waits for `t` by reading one row of it (reading it all would time the copy).
async fn wait_for<B: Backend>(be: &B, t: &B::Tensor) {
    let corner = be.gather_rows(t, &[0]);
    be.flush();
    be.read(&corner).await;
}

/// W4, saliency: the input gradient of each image's top logit on the (untrained) W3
/// network. The top class of every image is found once, by reading the logits back
/// before timing (the engine has no argmax op); each repetition is then one evaluation
/// forward and input-only backward pass seeded with that one-hot, as the explain panel
/// runs it.
pub struct SaliencyBench<B: Backend> {
    be: B,
    net: Net<B>,
    x: B::Tensor,
    /// The top class of each image.
    targets: Vec<u32>,
    grad: Option<B::Tensor>,
}

impl<B: Backend> SaliencyBench<B> {
    pub async fn new(be: B, classes: usize, images: usize, seed: u32) -> Self {
        let input = Features::Image(CNN_INPUT);
        let net = build_net(&be, input, cnn_layers(classes), classes, seed);
        let (x, _) = batch(&be, input, images, classes, seed);
        let logits = net.predict(&be, &x);
        be.flush();
        let logits = be.read(&logits).await;
        let targets = logits.chunks(classes).map(|row| argmax(row) as u32).collect();
        SaliencyBench { be, net, x, targets, grad: None }
    }

    /// The top class of each image, as the seed selects it.
    pub fn targets(&self) -> &[u32] {
        &self.targets
    }
}

fn argmax<E: Real>(row: &[E]) -> usize {
    let mut best = 0;
    for (i, v) in row.iter().enumerate() {
        if Real::to_f64(*v) > Real::to_f64(row[best]) {
            best = i;
        }
    }
    best
}

impl<B: Backend> Workload for SaliencyBench<B> {
    fn run(&mut self, n: u32) -> Pin<Box<dyn Future<Output = ()> + '_>> {
        for _ in 0..n {
            let seed = self.net.one_hot(&self.be, &self.targets);
            self.grad = Some(self.net.input_gradient(&self.be, &self.x, seed, None));
            self.be.flush();
        }
        Box::pin(std::future::ready(()))
    }

    fn sync(&self) -> Pin<Box<dyn Future<Output = ()> + '_>> {
        Box::pin(async move {
            if let Some(g) = &self.grad {
                wait_for(&self.be, g).await;
            }
        })
    }
}

/// Path points of W5's Integrated Gradients.
pub const IG_STEPS: usize = 32;

/// W5, Integrated Gradients of one seeded image on the (untrained) W3 network, as the
/// explain panel runs it (`explain::integrated_gradients` through a `Probe`): the
/// gradient of the top logit at `IG_STEPS` points of the straight path from a zero
/// baseline (trapezoid rule), then the logit at the image and at the baseline for the
/// completeness gap; `IG_STEPS` + 2 network rows, gradients and scores read back to the
/// host in every repetition. The top class is found once, before timing.
pub struct IgBench<B: Backend> {
    be: B,
    net: Net<B>,
    x: Vec<f64>,
    /// One-hot of the top class.
    seeds: Vec<f64>,
    options: IgOptions,
    last: Option<Attribution>,
}

impl<B: Backend> IgBench<B> {
    pub async fn new(be: B, classes: usize, seed: u32) -> Self {
        let input = Features::Image(CNN_INPUT);
        let net = build_net(&be, input, cnn_layers(classes), classes, seed);
        let rng = Rng::new(seed, Stream::DataNoise);
        let x: Vec<f64> = (0..input.len() as u32).map(|i| rng.uniform_in(i, -1.0, 1.0) as f64).collect();
        let logits = Probe::new(&be, &net).logits(&x).await;
        let seeds = match Target::Predicted.seeds(&logits, classes, None) {
            Ok(s) => s,
            Err(e) => panic!("the top class seeds: {e}"),
        };
        let options = IgOptions { baseline: Baseline::Zero, steps: IG_STEPS, rule: Quadrature::Trapezoid };
        IgBench { be, net, x, seeds, options, last: None }
    }

    /// The last attribution computed.
    pub fn last(&self) -> Option<&Attribution> {
        self.last.as_ref()
    }
}

impl<B: Backend> Workload for IgBench<B> {
    fn run(&mut self, n: u32) -> Pin<Box<dyn Future<Output = ()> + '_>> {
        Box::pin(async move {
            for _ in 0..n {
                let probe = Probe::new(&self.be, &self.net);
                match integrated_gradients(&probe, &self.x, &self.seeds, &self.options).await {
                    Ok(a) => self.last = Some(a),
                    Err(e) => panic!("W5's options are valid: {e}"),
                }
            }
        })
    }

    /// The attributions are on the host once `run` resolves.
    fn sync(&self) -> Pin<Box<dyn Future<Output = ()> + '_>> {
        Box::pin(std::future::ready(()))
    }
}

/// C = A·B for seeded n×n operands.
pub struct MatmulBench<B: Backend> {
    be: B,
    a: B::Tensor,
    b: B::Tensor,
    c: Option<B::Tensor>,
    n: usize,
}

impl<B: Backend> MatmulBench<B> {
    pub fn new(be: B, n: usize) -> Self {
        let a = seeded(&be, [n, n], 1, |r, i| r.uniform_in(i, -1.0, 1.0));
        let b = seeded(&be, [n, n], 2, |r, i| r.uniform_in(i, -1.0, 1.0));
        MatmulBench { be, a, b, c: None, n }
    }

    /// Floating-point operations per product (2n³).
    pub fn flops(&self) -> f64 {
        2.0 * (self.n as f64).powi(3)
    }
}

impl<B: Backend> Workload for MatmulBench<B> {
    fn run(&mut self, n: u32) -> Pin<Box<dyn Future<Output = ()> + '_>> {
        for _ in 0..n {
            self.c = Some(self.be.matmul(&self.a, &self.b, false, false));
            self.be.flush();
        }
        Box::pin(std::future::ready(()))
    }

    fn sync(&self) -> Pin<Box<dyn Future<Output = ()> + '_>> {
        Box::pin(async move {
            if let Some(c) = &self.c {
                wait_for(&self.be, c).await;
            }
        })
    }
}

/// `iters` rounds of 2 f32x4 ops (multiply, add) on each of 16 independent
/// accumulators: 256 floating-point operations per round. Returns a checksum so that
/// nothing is optimised away.
#[cfg(target_arch = "wasm32")]
pub fn simd_peak(iters: u32) -> f32 {
    use core::arch::wasm32::{f32x4_add, f32x4_extract_lane, f32x4_mul, f32x4_splat, v128};
    let m = std::hint::black_box(f32x4_splat(0.999_999));
    let d = std::hint::black_box(f32x4_splat(1e-7));
    let mut acc: [v128; 16] = std::array::from_fn(|i| f32x4_splat(i as f32));
    for _ in 0..iters {
        for a in &mut acc {
            *a = f32x4_add(f32x4_mul(*a, m), d);
        }
    }
    acc.iter().map(|&a| f32x4_extract_lane::<0>(a)).sum()
}

/// Floating-point operations of one `simd_peak` round.
#[cfg(target_arch = "wasm32")]
pub const SIMD_PEAK_FLOPS_PER_ROUND: f64 = 16.0 * 4.0 * 2.0;

/// W1, training: steps of the default spec (the spiral MLP 2→8 tanh→8 tanh→2, SGD 0.03,
/// batch 10) through a real `Session` with evaluation on demand, as the browser bench
/// runs it: each `run` ends with one `sync_weights` (an evaluation of both splits and a
/// copy of the weights), which the caller's per-step figure shares out.
pub struct W1Steps {
    session: Session,
}

impl W1Steps {
    pub fn new(mut session: Session) -> Self {
        session.set_evaluation(Evaluation::OnDemand);
        W1Steps { session }
    }
}

impl Workload for W1Steps {
    fn run(&mut self, n: u32) -> Pin<Box<dyn Future<Output = ()> + '_>> {
        self.session.train_steps(n as u64);
        Box::pin(async move {
            self.session.sync_weights().await;
        })
    }

    fn sync(&self) -> Pin<Box<dyn Future<Output = ()> + '_>> {
        Box::pin(std::future::ready(()))
    }
}

/// W1, decision grid: class probabilities on a `res`×`res` grid over the plane
/// (`Session::decision_grid`), read back to the host every time.
pub struct W1Grid {
    session: Session,
    res: u32,
    last: Vec<f32>,
}

impl W1Grid {
    pub fn new(session: Session, res: u32) -> Self {
        W1Grid { session, res, last: Vec::new() }
    }

    /// The latest grid computed.
    pub fn last(&self) -> &[f32] {
        &self.last
    }
}

impl Workload for W1Grid {
    fn run(&mut self, n: u32) -> Pin<Box<dyn Future<Output = ()> + '_>> {
        Box::pin(async move {
            for _ in 0..n {
                self.last = self.session.decision_grid(self.res).await;
            }
        })
    }

    fn sync(&self) -> Pin<Box<dyn Future<Output = ()> + '_>> {
        Box::pin(std::future::ready(()))
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;
    use super::*;
    use crate::backend::cpu::CpuBackend;

    /// The CPU backend's futures are ready at once.
    fn ready<T>(fut: impl Future<Output = T>) -> T {
        let mut fut = std::pin::pin!(fut);
        match fut.as_mut().poll(&mut std::task::Context::from_waker(std::task::Waker::noop())) {
            std::task::Poll::Ready(v) => v,
            std::task::Poll::Pending => unreachable!("CPU reads are immediate"),
        }
    }

    /// Loss after one step and after `steps` more.
    fn losses(bench: &mut NetBench<CpuBackend<f32>>, steps: u32) -> (f32, f32) {
        ready(bench.run(1));
        let first = ready(bench.loss()).expect("a step was taken");
        ready(bench.run(steps));
        let last = ready(bench.loss()).expect("a step was taken");
        println!("loss {first} → {last} in {steps} steps");
        (first, last)
    }

    #[test]
    fn mlp_bench_learns_its_fixed_batch() {
        let (first, last) = losses(&mut NetBench::mlp(CpuBackend::<f32>::new(), &[20, 16, 16, 3], 12, 1e-2, 5), 60);
        assert!(last < 0.5 * first, "loss {first} → {last}");
    }

    #[test]
    fn cnn_bench_learns_its_fixed_batch() {
        let mut bench = NetBench::cnn(CpuBackend::<f32>::new(), 10, 8, 1e-2, 3);
        assert_eq!(bench.net.output.len(), 10);
        let (first, last) = losses(&mut bench, 30);
        assert!(last < 0.5 * first, "loss {first} → {last}");
    }

    #[test]
    fn saliency_bench_seeds_the_top_logit() {
        let be = CpuBackend::<f32>::new();
        let mut bench = ready(SaliencyBench::new(be, 10, 3, 2));
        let logits = ready(be.read(&bench.net.predict(&be, &bench.x)));
        for (row, &t) in logits.chunks(10).zip(bench.targets()) {
            assert!(row.iter().all(|&v| v <= row[t as usize]), "class {t} is not the top of {row:?}");
        }
        ready(bench.run(1));
        let grad = bench.grad.as_ref().expect("a gradient was computed");
        assert_eq!(be.shape(grad), [3, 784]);
        assert!(ready(be.read(grad)).iter().any(|&g| g != 0.0), "the saliency map is all zero");
    }

    /// W5 explains the top class of its image: one map of the image's shape whose sum
    /// is S(x) − S(0) up to the trapezoid rule's error on a relu network.
    #[test]
    fn ig_bench_explains_the_top_class() {
        let be = CpuBackend::<f32>::new();
        let mut bench = ready(IgBench::new(be, 10, 4));
        let logits = ready(Probe::new(&be, &bench.net).logits(&bench.x));
        let top = bench.seeds.iter().position(|&s| s == 1.0).expect("a one-hot seed");
        assert!(logits.iter().all(|&v| v <= logits[top]), "class {top} is not the top of {logits:?}");
        ready(bench.run(1));
        let a = bench.last().expect("an attribution was computed");
        assert_eq!((a.shape.as_slice(), a.maps.len(), a.maps[0].len()), ([1, 28, 28].as_slice(), 1, 784));
        let sum: f64 = a.maps[0].iter().sum();
        let gap = a.completeness_gap.as_ref().expect("IG reports its gap")[0];
        let zero = ready(Probe::new(&be, &bench.net).logits(&[0.0; 784]))[top];
        println!("Σ IG {sum}, S(x) − S(0) = {}, gap {gap}", logits[top] - zero);
        assert!((sum - gap - (logits[top] - zero)).abs() < 1e-4, "the gap is Σ IG − (S(x) − S(0))");
        assert!(gap.abs() < 0.1 * (logits[top] - zero).abs(), "gap {gap} of {}", logits[top] - zero);
    }

    #[test]
    fn matmul_bench_counts_flops() {
        let mut bench = MatmulBench::new(CpuBackend::<f32>::new(), 8);
        ready(bench.run(2));
        assert_eq!(bench.flops(), 1024.0);
        assert_eq!(bench.c.as_ref().map(|c| c.dim()), Some((8, 8)));
    }
}
