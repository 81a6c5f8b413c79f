//! Glassbox: a neural-network playground engine that runs in the browser (wasm) and natively.
//!
//! Data flows one way: an `ExperimentSpec` (spec/) describes the experiment; a `Session`
//! builds the dataset (data/), model (nn/) and trainer (train/) on a backend (backend/).
//! Only `api/` faces JavaScript.

pub mod api;
pub mod backend;
pub mod bench;
pub mod data;
pub mod explain;
pub mod lab;
pub mod linalg;
pub mod nn;
pub mod quote;
pub mod rng;
pub mod session;
pub mod spec;
pub mod train;

/// The engine version recorded in share links; a link from another version may train differently.
pub const ENGINE_VERSION: &str = env!("CARGO_PKG_VERSION");

/// Declares where wasm-bindgen tests run: in the page, or (with the `test-in-worker`
/// feature) in a dedicated worker, where the app's engine lives. Every test binary calls it.
#[doc(hidden)]
#[macro_export]
macro_rules! web_test_harness {
    () => {
        #[cfg(all(target_arch = "wasm32", feature = "test-in-worker"))]
        wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_dedicated_worker);
        #[cfg(all(target_arch = "wasm32", not(feature = "test-in-worker")))]
        wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);
    };
}

#[cfg(test)]
web_test_harness!();
