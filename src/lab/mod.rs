//! Labs: each turns a paper's claim into a run at browser scale that plots its evidence
//! and computes whether the claim reproduced (`report`). One file per lab; `run` picks a
//! lab by the name the native runner (`glassbox lab <name>`) and the page use.

mod activations;
mod calibration;
mod clever_hans;
pub mod clock;
mod compression;
mod fit;
mod geometry;
mod label_smoothing;
mod losses;
mod parametrization;
mod report;
mod setup;
mod spectra;
mod weights;

pub use report::{Check, Figure, FigureKind, LabReport, Scale, Series, Thumb, Verdict};

pub use crate::explain::{Progress, CANCELLED};
use serde::Serialize;

/// What the Labs menu shows before a run; each lab module's `ABOUT`.
#[derive(Clone, Copy, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct About {
    /// As `NAMES` spells it.
    pub name: &'static str,
    pub title: &'static str,
    /// The claim under test, in a sentence or two.
    pub claim: &'static str,
    /// The paper(s) behind it: authors, year, title.
    pub paper: &'static str,
    /// What to look at in the figures.
    pub look_at: &'static str,
}

/// Every lab's `About`, in `NAMES` order.
pub fn catalog() -> Vec<About> {
    vec![
        label_smoothing::ABOUT,
        losses::ABOUT,
        activations::ABOUT,
        parametrization::ABOUT,
        geometry::ABOUT,
        compression::ABOUT,
        clever_hans::ABOUT,
    ]
}

/// The labs, in menu order, by the names links and the runner use.
pub const NAMES: [&str; 7] = ["label-smoothing", "losses", "activations", "parametrization", "geometry", "compression", "clever-hans"];

/// Runs the lab called `name` at `scale`, reporting progress (units of work done out of
/// the total) between units; a `false` from `progress` stops it with `Err(CANCELLED)`.
pub async fn run(name: &str, scale: Scale, progress: &dyn Progress) -> Result<LabReport, String> {
    match name {
        "label-smoothing" => label_smoothing::run(scale, progress).await,
        "losses" => losses::run(scale, progress).await,
        "activations" => activations::run(scale, progress).await,
        "parametrization" => parametrization::run(scale, progress).await,
        "geometry" => geometry::run(scale, progress).await,
        "compression" => compression::run(scale, progress).await,
        "clever-hans" => clever_hans::run(scale, progress).await,
        _ => Err(format!("unknown lab {name:?}; the labs are {}", NAMES.join(", "))),
    }
}
