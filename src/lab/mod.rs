//! Labs: each turns a paper's claim into a run at browser scale that plots its evidence
//! and computes whether the claim reproduced (`report`). One file per lab; `run` picks a
//! lab by the name the native runner (`glassbox lab <name>`) and the page use.

mod compression;
mod geometry;
mod parametrization;
mod report;
mod spectra;
mod weights;

pub use report::{Check, Figure, FigureKind, LabReport, Scale, Series, Thumb, Verdict};

pub use crate::explain::{Progress, CANCELLED};

/// The labs, in menu order, by the names links and the runner use.
pub const NAMES: [&str; 6] = ["label-smoothing", "losses", "activations", "parametrization", "geometry", "compression"];

/// Runs the lab called `name` at `scale`, reporting progress (units of work done out of
/// the total) between units; a `false` from `progress` stops it with `Err(CANCELLED)`.
pub async fn run(name: &str, scale: Scale, progress: &dyn Progress) -> Result<LabReport, String> {
    match name {
        "parametrization" => parametrization::run(scale, progress).await,
        "geometry" => geometry::run(scale, progress).await,
        "compression" => compression::run(scale, progress).await,
        _ => Err(format!("unknown lab {name:?}; the labs are {}", NAMES.join(", "))),
    }
}
