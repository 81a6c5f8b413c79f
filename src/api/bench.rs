//! The benchmark workloads (crate::bench) for the browser bench page: `Bench.mlp`,
//! `Bench.cnn`, `Bench.saliency`, `Bench.integratedGradients` and `Bench.matmul` on "cpu"
//! or "webgpu", and the SIMD128 peak loop. The page times them.

use crate::backend::cpu::CpuBackend;
use crate::backend::gpu::GpuBackend;
use crate::bench::{IgBench, MatmulBench, NetBench, SaliencyBench, Workload};
use js_sys::Promise;
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;

/// A workload on one backend. `sync` must not overlap `run`: the page awaits it.
#[wasm_bindgen(js_name = Bench)]
pub struct WasmBench {
    inner: Rc<RefCell<Box<dyn Workload>>>,
    flops: f64,
}

async fn gpu() -> Result<GpuBackend, JsError> {
    GpuBackend::new().await.map_err(|e| JsError::new(&e.0))
}

fn unknown(backend: &str) -> JsError {
    JsError::new(&format!("unknown backend {backend} (use cpu or webgpu)"))
}

fn wrap(workload: Box<dyn Workload>, flops: f64) -> WasmBench {
    WasmBench { inner: Rc::new(RefCell::new(workload)), flops }
}

// The borrow in `sync` is held across an await on purpose: the page awaits every call.
#[allow(clippy::await_holding_refcell_ref)]
#[wasm_bindgen(js_class = Bench)]
impl WasmBench {
    /// Training steps of a relu MLP with `sizes` = [inputs, hidden…, classes], Adam at
    /// `learningRate`, on one seeded synthetic batch of `batch` rows.
    pub async fn mlp(backend: String, sizes: Vec<u32>, batch: u32, learning_rate: f32, seed: u32) -> Result<WasmBench, JsError> {
        let sizes: Vec<usize> = sizes.iter().map(|&s| s as usize).collect();
        let batch = batch as usize;
        let workload: Box<dyn Workload> = match backend.as_str() {
            "cpu" => Box::new(NetBench::mlp(CpuBackend::<f32>::new(), &sizes, batch, learning_rate, seed)),
            "webgpu" => Box::new(NetBench::mlp(gpu().await?, &sizes, batch, learning_rate, seed)),
            _ => return Err(unknown(&backend)),
        };
        // Forward, input-gradient and weight-gradient products: 3 · 2 · batch · in · out.
        let flops = sizes.windows(2).map(|p| 6.0 * (batch * p[0] * p[1]) as f64).sum();
        Ok(wrap(workload, flops))
    }

    /// Training steps of the W3 CNN (crate::bench::cnn_layers) on 28×28×1 images with
    /// `classes` outputs, Adam at `learningRate`, on one seeded synthetic batch.
    pub async fn cnn(backend: String, classes: u32, batch: u32, learning_rate: f32, seed: u32) -> Result<WasmBench, JsError> {
        let (classes, batch) = (classes as usize, batch as usize);
        let workload: Box<dyn Workload> = match backend.as_str() {
            "cpu" => Box::new(NetBench::cnn(CpuBackend::<f32>::new(), classes, batch, learning_rate, seed)),
            "webgpu" => Box::new(NetBench::cnn(gpu().await?, classes, batch, learning_rate, seed)),
            _ => return Err(unknown(&backend)),
        };
        Ok(wrap(workload, 3.0 * crate::bench::cnn_flops(classes, batch)))
    }

    /// W4: input gradients of the top logit of `images` seeded images on the W3 CNN.
    pub async fn saliency(backend: String, classes: u32, images: u32, seed: u32) -> Result<WasmBench, JsError> {
        let (classes, images) = (classes as usize, images as usize);
        let workload: Box<dyn Workload> = match backend.as_str() {
            "cpu" => Box::new(SaliencyBench::new(CpuBackend::<f32>::new(), classes, images, seed).await),
            "webgpu" => Box::new(SaliencyBench::new(gpu().await?, classes, images, seed).await),
            _ => return Err(unknown(&backend)),
        };
        // A forward pass and the input-gradient products of the backward pass.
        Ok(wrap(workload, 2.0 * crate::bench::cnn_flops(classes, images)))
    }

    /// W5: Integrated Gradients (crate::bench::IG_STEPS path points) of one seeded image
    /// on the W3 CNN, attributions on the host when `run` resolves.
    #[wasm_bindgen(js_name = integratedGradients)]
    pub async fn integrated_gradients(backend: String, classes: u32, seed: u32) -> Result<WasmBench, JsError> {
        let classes = classes as usize;
        let workload: Box<dyn Workload> = match backend.as_str() {
            "cpu" => Box::new(IgBench::new(CpuBackend::<f32>::new(), classes, seed).await),
            "webgpu" => Box::new(IgBench::new(gpu().await?, classes, seed).await),
            _ => return Err(unknown(&backend)),
        };
        // Forward and input-gradient products of the path points, forward of the two ends.
        let rows = crate::bench::IG_STEPS;
        Ok(wrap(workload, crate::bench::cnn_flops(classes, 2 * rows + 2)))
    }

    /// n×n matrix products.
    pub async fn matmul(backend: String, n: u32) -> Result<WasmBench, JsError> {
        let n = n as usize;
        let flops = 2.0 * (n as f64).powi(3);
        let workload: Box<dyn Workload> = match backend.as_str() {
            "cpu" => Box::new(MatmulBench::new(CpuBackend::<f32>::new(), n)),
            "webgpu" => Box::new(MatmulBench::new(gpu().await?, n)),
            _ => return Err(unknown(&backend)),
        };
        Ok(wrap(workload, flops))
    }

    /// Floating-point operations of the matrix products in one repetition.
    #[wasm_bindgen(getter)]
    pub fn flops(&self) -> f64 {
        self.flops
    }

    /// Records `n` repetitions; resolves once they are recorded (for W5, once its
    /// attributions are on the host).
    pub fn run(&self, n: u32) -> Promise {
        let inner = self.inner.clone();
        wasm_bindgen_futures::future_to_promise(async move {
            inner.borrow_mut().run(n).await;
            Ok(JsValue::UNDEFINED)
        })
    }

    /// Resolves once the device has finished everything recorded.
    pub fn sync(&self) -> Promise {
        let inner = self.inner.clone();
        wasm_bindgen_futures::future_to_promise(async move {
            inner.borrow().sync().await;
            Ok(JsValue::UNDEFINED)
        })
    }
}

#[cfg(target_arch = "wasm32")]
/// Runs `iters` rounds of the SIMD128 multiply-add loop; returns a checksum.
#[wasm_bindgen(js_name = simdPeak)]
pub fn simd_peak(iters: u32) -> f32 {
    crate::bench::simd_peak(iters)
}

#[cfg(target_arch = "wasm32")]
/// Floating-point operations per `simdPeak` round.
#[wasm_bindgen(js_name = simdPeakFlopsPerRound)]
pub fn simd_peak_flops_per_round() -> f64 {
    crate::bench::SIMD_PEAK_FLOPS_PER_ROUND
}
