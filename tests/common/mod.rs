//! Shared by the GPU parity tests: the dual native/browser test macro, the adapter,
//! seeded inputs and the GPU-vs-CPU comparison with its error report.
//! Include with `#[macro_use] mod common;` (after `glassbox::web_test_harness!();`).
#![allow(dead_code)] // each test binary uses its own subset

use glassbox::backend::gpu::GpuBackend;
use glassbox::backend::Backend;
use glassbox::rng::{Rng, Stream};
use std::collections::BTreeMap;

/// An async test body run natively with pollster, and in the browser by wasm-bindgen-test.
#[macro_export]
macro_rules! gpu_test {
    ($(#[$meta:meta])* async fn $name:ident() $body:block) => {
        $(#[$meta])*
        #[cfg(not(target_arch = "wasm32"))]
        #[test]
        fn $name() {
            pollster::block_on(async $body)
        }
        $(#[$meta])*
        #[cfg(target_arch = "wasm32")]
        #[wasm_bindgen_test::wasm_bindgen_test]
        async fn $name() $body
    };
}

/// The browser's WebGPU is a software emulation here: keep its shapes small.
pub const NATIVE: bool = cfg!(not(target_arch = "wasm32"));

pub fn log(line: &str) {
    #[cfg(target_arch = "wasm32")]
    wasm_bindgen_test::console_log!("{line}");
    #[cfg(not(target_arch = "wasm32"))]
    println!("{line}");
}

/// |gpu − cpu| ≤ TOL · (1 + |cpu|) for every element.
pub const TOL: f64 = 1e-4;

pub async fn gpu() -> GpuBackend {
    let be = GpuBackend::new()
        .await
        .unwrap_or_else(|e| panic!("no GPU adapter ({e}); natively install mesa-vulkan-drivers (lavapipe)"));
    log(&format!("adapter: {:?}", be.adapter_info()));
    be
}

/// Uniform in [−scale, scale), addressed by `salt`.
pub fn random(len: usize, salt: u32, scale: f32) -> Vec<f32> {
    let rng = Rng::new(salt, Stream::Init);
    (0..len).map(|i| rng.uniform_in(i as u32, -scale, scale)).collect()
}

/// Named op outputs from one backend, in a fixed order.
pub type Outputs = Vec<(&'static str, Vec<f32>)>;

pub async fn read<B: Backend<E = f32>>(be: &B, t: &B::Tensor) -> Vec<f32> {
    be.read(t).await
}

/// Compares outputs pairwise, folding each op's largest error into `worst`.
pub fn compare(case: &str, gpu: Outputs, cpu: Outputs, worst: &mut BTreeMap<&'static str, f64>) {
    assert_eq!(gpu.len(), cpu.len());
    for ((name, g), (_, c)) in gpu.into_iter().zip(cpu) {
        assert_eq!(g.len(), c.len(), "{name} on {case}: lengths differ");
        let mut max = 0.0f64;
        for (i, (&g, &c)) in g.iter().zip(&c).enumerate() {
            let (g, c) = (g as f64, c as f64);
            let err = (g - c).abs();
            assert!(err <= TOL * (1.0 + c.abs()), "{name} on {case}, element {i}: gpu {g} vs cpu {c}");
            max = max.max(err);
        }
        let w = worst.entry(name).or_default();
        *w = w.max(max);
    }
}

pub fn report(worst: &BTreeMap<&'static str, f64>) {
    for (name, err) in worst {
        log(&format!("max |gpu − cpu| {name:>16}: {err:.3e}"));
    }
}

