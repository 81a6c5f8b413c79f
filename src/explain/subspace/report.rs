//! Everything the concepts panel shows, in one call: LRP at the layer over the samples,
//! PRCA and PCA fitted on the even-numbered samples and scored on the odd (held-out)
//! ones for every d, DRSA's concepts fitted on the even samples, each sample's relevance
//! per concept, each concept's top samples, and every sample's concept maps. Progress
//! runs over the LRP pass, the DRSA iterations and the map passes in turn.

use super::super::{Composite, Probe, Progress};
use super::{capture_curve, collect, concept_maps, drsa, relevance_in, top_samples, CaptureCurve, ConceptMaps, DrsaOptions, LayerSamples};
use crate::backend::Backend;
use crate::nn::Net;
use std::future::Future;
use std::pin::Pin;

#[derive(Clone, Debug, PartialEq)]
pub struct ConceptOptions {
    pub layer: usize,
    pub drsa: DrsaOptions,
    pub composite: Composite,
    /// Top samples listed per concept.
    pub top: usize,
}

#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct ConceptReport {
    pub layer: usize,
    /// The layer's channels (or units) and positions per sample.
    pub dim: usize,
    pub positions: usize,
    /// Samples the subspaces were fitted on (the even-numbered) and scored on (the odd).
    pub fitted: usize,
    pub held_out: usize,
    /// PRCA vs PCA on the held-out samples, d = 1..=dim.
    pub curve: CaptureCurve,
    /// The share of the held-out relevance each DRSA concept holds, and all of them.
    pub concept_share: Vec<f64>,
    pub drsa_share: f64,
    /// `relevance[n][k]`: concept k's relevance at the layer in sample n; the sample's total.
    pub relevance: Vec<Vec<f64>>,
    pub totals: Vec<f64>,
    pub top: Vec<Vec<usize>>,
    /// The input's shape and every sample's maps.
    pub shape: Vec<usize>,
    pub maps: ConceptMaps,
}

/// Reports to `inner` as `offset + done` out of `total`.
struct Phase<'a> {
    inner: &'a dyn Progress,
    offset: usize,
    total: usize,
}

impl Progress for Phase<'_> {
    fn report(&self, done: usize, _: usize) -> Pin<Box<dyn Future<Output = bool> + '_>> {
        self.inner.report(self.offset + done, self.total)
    }
}

fn subset(s: &LayerSamples, parity: usize) -> LayerSamples {
    let pick = |v: &Vec<Vec<f64>>| v.iter().skip(parity).step_by(2).cloned().collect();
    LayerSamples { acts: pick(&s.acts), context: pick(&s.context), relevance: pick(&s.relevance), maps: pick(&s.maps), ..*s }
}

/// The concept analysis of the samples `x` explaining seeds·logits (needs ≥ 2 samples).
/// `batch` rows go through the network per pass.
pub async fn concepts<B: Backend>(be: &B, net: &Net<B>, batch: usize, x: &[f64], seeds: &[f64], o: &ConceptOptions, progress: &dyn Progress) -> Result<ConceptReport, String> {
    let n = x.len() / net.input.len().max(1);
    if n < 2 {
        return Err(format!("concepts: need at least 2 samples (one to fit, one held out), got {n}"));
    }
    let total = 2 * n + o.drsa.iterations;
    let first = Phase { inner: progress, offset: 0, total };
    let probe = Probe::new(be, net).with_batch(batch).with_progress(&first, total);
    let s = collect(&probe, x, seeds, &o.composite, o.layer).await?;
    let (fit, held) = (subset(&s, 0), subset(&s, 1));
    let curve = capture_curve(&fit, &held);
    let concepts = drsa(&fit, &o.drsa, Some(&Phase { inner: progress, offset: n, total })).await?;
    let held_total: f64 = (0..held.len()).map(|i| held.total(i)).sum();
    let concept_share: Vec<f64> = concepts.iter().map(|b| (0..held.len()).map(|i| relevance_in(&held, i, b)).sum::<f64>() / held_total).collect();
    let relevance = (0..n).map(|i| concepts.iter().map(|b| relevance_in(&s, i, b)).collect()).collect();
    let top = top_samples(&s, &concepts, o.top);
    let second = Phase { inner: progress, offset: n + o.drsa.iterations, total };
    let probe = Probe::new(be, net).with_batch(batch).with_progress(&second, total);
    let maps = concept_maps(&probe, x, &s, &o.composite, &concepts).await?;
    Ok(ConceptReport {
        layer: o.layer,
        dim: s.dim,
        positions: s.positions,
        fitted: fit.len(),
        held_out: held.len(),
        curve,
        drsa_share: concept_share.iter().sum(),
        concept_share,
        relevance,
        totals: (0..n).map(|i| s.total(i)).collect(),
        top,
        shape: crate::explain::input_shape(net.input),
        maps,
    })
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;
    use crate::explain::testing::*;
    use crate::explain::CANCELLED;
    use std::cell::RefCell;

    fn options(iterations: usize) -> ConceptOptions {
        ConceptOptions { layer: 1, drsa: DrsaOptions { concepts: 2, size: 2, q: 2.0, iterations, seed: 3 }, composite: composite(), top: 3 }
    }

    /// The whole analysis: progress rises to its total, shares and maps are consistent,
    /// the top samples are the ones each concept holds most relevance in; a `false` from
    /// the hook cancels.
    #[test]
    fn the_concept_report_is_consistent_and_cancellable() {
        let be = Be::new();
        let net = cnn();
        let probe = Probe::new(&be, &net);
        let (x, seeds) = explained(&probe, 12, 4);
        let seen = RefCell::new(Vec::new());
        let hook = |done: usize, total: usize| {
            seen.borrow_mut().push((done, total));
            async { true }
        };
        let r = concepts(&be, &net, 5, &x, &seeds, &options(15), &hook).await_now().unwrap();
        let seen = seen.into_inner();
        assert!(seen.windows(2).all(|w| w[0].0 < w[1].0), "progress rises: {seen:?}");
        assert_eq!(seen.last().unwrap(), &(2 * 12 + 15, 2 * 12 + 15));
        assert_eq!((r.fitted, r.held_out, r.dim, r.positions, r.curve.prca.len()), (6, 6, 8, 36, 8));
        assert_eq!((r.maps.concepts.len(), r.maps.total.len(), r.shape.clone()), (2, 12, vec![1, 6, 6]));
        assert!(r.concept_share.iter().chain(&r.curve.prca).chain(&r.curve.pca).all(|v| v.is_finite()));
        assert!((r.drsa_share - r.concept_share.iter().sum::<f64>()).abs() < 1e-12);
        for (k, top) in r.top.iter().enumerate() {
            assert_eq!(top.len(), 3);
            let best = (0..12).map(|n| r.relevance[n][k]).fold(f64::NEG_INFINITY, f64::max);
            assert_eq!(r.relevance[top[0]][k], best, "concept {k}'s first sample holds it most");
            assert!(top.windows(2).all(|w| r.relevance[w[0]][k] >= r.relevance[w[1]][k]));
        }
        let stop = |done: usize, _: usize| async move { done < 14 };
        assert_eq!(concepts(&be, &net, 5, &x, &seeds, &options(15), &stop).await_now().unwrap_err(), CANCELLED);
        let never = |_: usize, _: usize| async { true };
        assert!(concepts(&be, &net, 5, &x[..36], &seeds[..3], &options(1), &never).await_now().unwrap_err().contains("at least 2 samples"));
    }
}
