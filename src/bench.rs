//! Benchmark workloads on the real engine, shared by the native runner (`glassbox bench`)
//! and the browser bench page (through `api::bench`). Callers time them with their own
//! clock: `run` records work, `sync` waits until the device has finished it.
//!
//! - `MlpBench`: training steps of a dense MLP (the model, loss, backward pass and
//!   optimiser the trainer uses) on one fixed batch of seeded synthetic data.
//! - `MatmulBench`: square n×n products, for GFLOP/s.
//! - `simd_peak` (wasm only): a tight f32x4 multiply-add loop, for one core's SIMD128 peak.

use crate::backend::{Backend, LossOp, Real};
use crate::nn::{BackwardOptions, Features, Mode, Net};
use crate::rng::{Rng, Stream};
use crate::spec::{Activation, ExperimentSpec, ModelSpec, Optimizer as Kind, TrainingSpec};
use crate::train::optimizer::Optimizer;
use std::future::Future;
use std::pin::Pin;

/// A workload the caller runs `n` times between two clock readings.
pub trait Workload {
    /// Records `n` repetitions (flushed to the device).
    fn run(&mut self, n: u32);
    /// Resolves once everything recorded has finished.
    fn sync(&self) -> Pin<Box<dyn Future<Output = ()> + '_>>;
}

fn seeded<B: Backend>(be: &B, shape: [usize; 2], salt: u32, f: impl Fn(Rng, u32) -> f32) -> B::Tensor {
    let rng = Rng::new(salt, Stream::DataNoise);
    let v: Vec<B::E> = (0..(shape[0] * shape[1]) as u32).map(|i| B::E::from_f32(f(rng, i))).collect();
    be.upload(shape, &v)
}

/// Softmax cross-entropy training of an MLP with relu hidden layers and Adam.
pub struct MlpBench<B: Backend> {
    be: B,
    net: Net<B>,
    optimizer: Optimizer<B>,
    training: TrainingSpec,
    x: B::Tensor,
    labels: B::Tensor,
    /// The last step's mean loss, [1, 1].
    loss: Option<B::Tensor>,
}

impl<B: Backend> MlpBench<B> {
    /// `sizes` = [inputs, hidden…, classes]; inputs uniform in [−1, 1), labels uniform.
    pub fn new(be: B, sizes: &[usize], batch: usize, learning_rate: f32, seed: u32) -> Self {
        assert!(sizes.len() >= 2 && sizes.iter().all(|&s| s > 0) && batch > 0, "MlpBench: empty model or batch");
        let defaults = ExperimentSpec::default();
        let hidden = sizes[1..sizes.len() - 1].iter().map(|&h| h as u32).collect();
        let model = ModelSpec { activation: Activation::Relu, hidden, ..defaults.model };
        let training = TrainingSpec { optimizer: Kind::Adam, learning_rate, batch_size: batch as u32, seed, ..defaults.training };
        let classes = sizes[sizes.len() - 1];
        let net = Net::build(&be, Features::Flat(sizes[0]), &model, classes, seed).expect("an MLP of positive sizes builds");
        let optimizer = Optimizer::new(&be, &net, &training);
        let classes = classes as u32;
        let x = seeded(&be, [batch, sizes[0]], seed, |r, i| r.uniform_in(i, -1.0, 1.0));
        let labels = seeded(&be, [batch, 1], seed + 1, |r, i| r.below(i, classes) as f32);
        MlpBench { be, net, optimizer, training, x, labels, loss: None }
    }

    /// The loss of the last step taken.
    pub async fn loss(&self) -> Option<f32> {
        match &self.loss {
            Some(t) => Some(self.be.read(t).await[0].to_f64() as f32),
            None => None,
        }
    }
}

impl<B: Backend> Workload for MlpBench<B> {
    fn run(&mut self, n: u32) {
        for _ in 0..n {
            let be = &self.be;
            let trace = self.net.forward(be, &self.x, Mode::Eval);
            let out = be.loss(LossOp::CROSS_ENTROPY, trace.logits(&self.x), &self.labels, None);
            let grads = self.net.backward(be, &self.x, &trace, out.grad, BackwardOptions::training());
            self.optimizer.step(be, &mut self.net, &grads.params, &self.training, self.training.learning_rate);
            self.loss = Some(out.loss);
            be.flush();
        }
    }

    fn sync(&self) -> Pin<Box<dyn Future<Output = ()> + '_>> {
        Box::pin(async move {
            self.loss().await;
        })
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
    fn run(&mut self, n: u32) {
        for _ in 0..n {
            self.c = Some(self.be.matmul(&self.a, &self.b, false, false));
            self.be.flush();
        }
    }

    fn sync(&self) -> Pin<Box<dyn Future<Output = ()> + '_>> {
        Box::pin(async move {
            if let Some(c) = &self.c {
                // One element is enough to wait for the device; reading it all would time the copy.
                let corner = self.be.gather_rows(c, &[0]);
                self.be.flush();
                self.be.read(&corner).await;
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

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;
    use super::*;
    use crate::backend::cpu::CpuBackend;

    #[test]
    fn mlp_bench_learns_its_fixed_batch() {
        let mut bench = MlpBench::new(CpuBackend::<f32>::new(), &[20, 16, 16, 3], 12, 1e-2, 5);
        bench.run(1);
        let first = pollster_free_read(&bench);
        bench.run(60);
        let last = pollster_free_read(&bench);
        assert!(last < 0.5 * first, "loss {first} → {last}");
    }

    /// The CPU backend's futures are ready at once.
    fn pollster_free_read(bench: &MlpBench<CpuBackend<f32>>) -> f32 {
        let mut fut = std::pin::pin!(bench.loss());
        let waker = std::task::Waker::noop();
        match fut.as_mut().poll(&mut std::task::Context::from_waker(waker)) {
            std::task::Poll::Ready(v) => v.expect("a step was taken"),
            std::task::Poll::Pending => unreachable!("CPU reads are immediate"),
        }
    }

    #[test]
    fn matmul_bench_counts_flops() {
        let mut bench = MatmulBench::new(CpuBackend::<f32>::new(), 8);
        bench.run(2);
        assert_eq!(bench.flops(), 1024.0);
        assert_eq!(bench.c.as_ref().map(|c| c.dim()), Some((8, 8)));
    }
}
