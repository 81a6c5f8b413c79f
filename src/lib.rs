//! Glassbox: a neural-network playground engine that runs in the browser (wasm) and natively.
//!
//! Data flows one way: an `ExperimentSpec` (spec/) describes the experiment; a `Session`
//! builds the dataset (data/), model (nn/) and trainer (train/) on a backend (backend/).
//! Only `api/` faces JavaScript.

pub mod api;
pub mod backend;
pub mod data;
pub mod nn;
pub mod rng;
pub mod session;
pub mod spec;
pub mod train;

/// The engine version recorded in share links; a link from another version may train differently.
pub const ENGINE_VERSION: &str = env!("CARGO_PKG_VERSION");
