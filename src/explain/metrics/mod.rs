//! Measures of how good an explanation is, generic over the backend like the methods:
//! faithfulness (deletion/insertion and region-perturbation curves, the completeness
//! gap), localisation against ground-truth masks, the cascading-randomisation sanity
//! check, complexity (Gini) and robustness (max-sensitivity), and the leaderboard that
//! scores methods × metrics. Metrics that perturb inputs push their copies through a
//! `Probe`; those that re-explain go through an `Explainer`. `Tally` sums the rows of
//! the many probes of one judgement into one progress report.

mod complexity;
mod faithfulness;
pub mod leaderboard;
mod localisation;
mod robustness;
mod sanity;

pub use complexity::gini;
pub use faithfulness::{completeness_gap, perturbation_curves, Curves, Order, Perturbation, PerturbationOptions};
pub use localisation::{pointing_game, relevance_mass, top_k_iou};
pub use robustness::{max_sensitivity, SensitivityOptions};
pub use sanity::{cascading_randomisation, spearman, ssim, Randomisation};

use super::request::{attribute, Method};
use super::{Attribution, Probe, Progress};
use crate::backend::Backend;
use crate::nn::Features;
use std::cell::Cell;
use std::future::Future;
use std::pin::Pin;

/// A future of one explanation's maps.
pub type MapsFuture<'a> = Pin<Box<dyn Future<Output = Result<Attribution, String>> + 'a>>;

/// Something that explains rows `x` for the scores `seeds`·logits through `probe`: a
/// method, or (in tests) a map that ignores the network.
pub trait Explainer<B: Backend> {
    fn explain<'a>(&'a self, probe: &'a Probe<'_, B>, x: &'a [f64], seeds: &'a [f64]) -> MapsFuture<'a>;
}

impl<B: Backend> Explainer<B> for Method {
    fn explain<'a>(&'a self, probe: &'a Probe<'_, B>, x: &'a [f64], seeds: &'a [f64]) -> MapsFuture<'a> {
        Box::pin(async move { Ok(attribute(probe, x, seeds, self).await?.0) })
    }
}

/// One map's relevance per pixel of an image input ([h, w], channels summed; a coarser
/// plane such as Grad-CAM's is read nearest-neighbour), or per feature of a flat input
/// (a 1 × f grid). Returns the relevance and the grid [rows, cols].
pub fn pixel_relevance(map: &[f64], shape: &[usize], input: Features) -> Result<(Vec<f64>, [usize; 2]), String> {
    match (input, shape) {
        (Features::Flat(f), [n]) if *n == f => Ok((map.to_vec(), [1, f])),
        (Features::Image(s), [c, h, w]) if (*c, *h, *w) == (s.channels, s.height, s.width) => {
            let plane = s.height * s.width;
            Ok(((0..plane).map(|p| (0..s.channels).map(|ch| map[ch * plane + p]).sum()).collect(), [s.height, s.width]))
        }
        (Features::Image(s), [mh, mw]) if *mh >= 1 && *mw >= 1 => {
            let at = |i: usize, j: usize| map[(i * mh / s.height) * mw + j * mw / s.width];
            Ok(((0..s.height * s.width).map(|p| at(p / s.width, p % s.width)).collect(), [s.height, s.width]))
        }
        _ => Err(format!("a map of shape {shape:?} does not cover the model's input {:?}", super::input_shape(input))),
    }
}

/// Sums the rows pushed through the network by every probe of a judgement and reports
/// the running sum out of `total` to one hook; once the hook says stop, every later
/// probe stops at its first report.
pub struct Tally<'a> {
    hook: Option<&'a dyn Progress>,
    done: Cell<usize>,
    total: usize,
    stopped: Cell<bool>,
}

/// One probe's view of a `Tally` (probes report rows done since they began).
pub struct Stage<'t, 'a> {
    tally: &'t Tally<'a>,
    last: Cell<usize>,
}

impl<'a> Tally<'a> {
    pub fn new(hook: Option<&'a dyn Progress>, total: usize) -> Self {
        Tally { hook, done: Cell::new(0), total, stopped: Cell::new(false) }
    }

    pub fn stage(&self) -> Stage<'_, 'a> {
        Stage { tally: self, last: Cell::new(0) }
    }

    pub fn stopped(&self) -> bool {
        self.stopped.get()
    }

    /// Rows counted so far.
    pub fn done(&self) -> usize {
        self.done.get()
    }
}

impl Progress for Stage<'_, '_> {
    fn report(&self, done: usize, _total: usize) -> Pin<Box<dyn Future<Output = bool> + '_>> {
        let t = self.tally;
        t.done.set(t.done.get() + done.saturating_sub(self.last.replace(done)));
        Box::pin(async move {
            if t.stopped.get() {
                return false;
            }
            let go_on = match t.hook {
                Some(hook) => hook.report(t.done.get(), t.total).await,
                None => true,
            };
            t.stopped.set(!go_on);
            go_on
        })
    }
}

/// A probe of `net` reporting to `stage`.
pub fn staged<'p, B: Backend>(be: &'p B, net: &'p crate::nn::Net<B>, batch: usize, stage: &'p Stage<'_, '_>) -> Probe<'p, B> {
    Probe::new(be, net).with_batch(batch).with_progress(stage, 0)
}

/// The mean of `values` (0 for none).
pub fn mean(values: &[f64]) -> f64 {
    if values.is_empty() { 0.0 } else { values.iter().sum::<f64>() / values.len() as f64 }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::explain::testing::*;

    #[test]
    fn pixel_relevance_sums_channels_and_reads_coarse_planes_nearest() {
        let input = image(2, 2, 4);
        let map: Vec<f64> = (0..16).map(f64::from).collect();
        let (r, grid) = pixel_relevance(&map, &[2, 2, 4], input).unwrap();
        assert_eq!((r[0], r[7], grid), (8.0, 22.0, [2, 4]));
        let (coarse, _) = pixel_relevance(&[1.0, 2.0], &[1, 2], input).unwrap();
        assert_eq!(coarse, vec![1.0, 1.0, 2.0, 2.0, 1.0, 1.0, 2.0, 2.0]);
        assert!(pixel_relevance(&map, &[16], input).unwrap_err().contains("does not cover"));
        assert_eq!(pixel_relevance(&[1.0, 2.0], &[2], Features::Flat(2)).unwrap(), (vec![1.0, 2.0], [1, 2]));
    }
}
