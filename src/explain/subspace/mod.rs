//! Concept subspaces at one layer (Chormai et al., "Disentangled explanations of neural
//! network predictions by finding relevant subspaces"). At the chosen layer every sample
//! gives, per spatial position (one position for a dense layer), the activation vector a
//! over the channels and its LRP context c = R / a, so that the layer's relevance is
//! Σ aᵀc. A subspace with orthonormal basis U holds the relevance Σ (Uᵀa)ᵀ(Uᵀc).
//! `layer` collects a and c, `prca` finds the subspace holding the most relevance (and
//! PCA's for comparison), `drsa` K orthogonal concept subspaces, `maps` splits each
//! sample's input heatmap by concept, and `report` runs all of it for the app.

mod drsa;
mod layer;
mod maps;
mod prca;
mod report;

pub use drsa::{drsa, DrsaOptions};
pub use layer::{collect, LayerSamples};
pub use maps::{concept_maps, ConceptMaps};
pub use prca::{capture_curve, pca, prca, CaptureCurve};
pub use report::{concepts, ConceptOptions, ConceptReport};

use crate::linalg::dot;

/// Orthonormal basis vectors of a subspace of the layer's channel space.
pub type Basis = Vec<Vec<f64>>;

/// Uᵀv for the basis U.
fn project(basis: &[Vec<f64>], v: &[f64]) -> Vec<f64> {
    basis.iter().map(|u| dot(u, v)).collect()
}

/// The relevance the subspace holds in one sample: Σ_p (Uᵀa_p)ᵀ(Uᵀc_p).
pub fn relevance_in(samples: &LayerSamples, n: usize, basis: &Basis) -> f64 {
    samples.points(n).map(|(a, c)| dot(&project(basis, a), &project(basis, c))).sum()
}

/// The share of the samples' total relevance that the subspace holds.
pub fn captured(samples: &LayerSamples, basis: &Basis) -> f64 {
    let total: f64 = (0..samples.len()).map(|n| samples.total(n)).sum();
    (0..samples.len()).map(|n| relevance_in(samples, n, basis)).sum::<f64>() / total
}

/// For each concept, the samples in which it holds the most relevance, most first (at
/// most `count`).
pub fn top_samples(samples: &LayerSamples, concepts: &[Basis], count: usize) -> Vec<Vec<usize>> {
    concepts
        .iter()
        .map(|basis| {
            let r: Vec<f64> = (0..samples.len()).map(|n| relevance_in(samples, n, basis)).collect();
            let mut order: Vec<usize> = (0..r.len()).collect();
            order.sort_by(|&i, &j| r[j].total_cmp(&r[i]).then(i.cmp(&j)));
            order.truncate(count);
            order
        })
        .collect()
}

/// Test helpers: layer samples built by hand, and a small CNN with its samples.
#[cfg(test)]
pub(crate) mod testing {
    use super::LayerSamples;
    use crate::explain::testing::*;
    use crate::explain::{Composite, LrpRule, Probe, Target};

    /// Samples whose points are the given (a, c) pairs, with R = a ⊙ c.
    pub fn by_hand(dim: usize, samples: &[Vec<(Vec<f64>, Vec<f64>)>]) -> LayerSamples {
        let positions = samples[0].len();
        let mut s = LayerSamples { layer: 0, dim, positions, acts: vec![], context: vec![], relevance: vec![], maps: vec![] };
        for points in samples {
            let a: Vec<f64> = points.iter().flat_map(|(a, _)| a.iter().copied()).collect();
            let c: Vec<f64> = points.iter().flat_map(|(_, c)| c.iter().copied()).collect();
            let r: Vec<f64> = a.iter().zip(&c).map(|(a, c)| a * c).collect();
            s.relevance.push(s.to_layer(&r));
            s.acts.push(a);
            s.context.push(c);
        }
        s
    }

    /// 8 channels at layer 1 (the first ReLU) on 6×6 positions, then a 3-class head.
    pub const CNN: &str = r#"[{"type":"conv2d","filters":8,"kernel":3},{"type":"activation","function":"relu"},{"type":"pool","op":"max","size":2},
        {"type":"conv2d","filters":6,"kernel":3},{"type":"activation","function":"relu"},{"type":"pool","op":"avg"},{"type":"flatten"},{"type":"dense","units":3}]"#;

    pub fn cnn() -> crate::nn::Net<Be> {
        net(CNN, image(1, 6, 6), 11, 0.6, 0.05)
    }

    /// `rows` seeded inputs in [0, 1) and the seeds of their predicted classes.
    pub fn explained(probe: &Probe<'_, Be>, rows: usize, seed: u32) -> (Vec<f64>, Vec<f64>) {
        let x = inputs(rows, probe.features(), seed, 0.0, 1.0);
        let seeds = Target::Predicted.seeds(&probe.logits(&x).await_now(), probe.classes(), None).unwrap();
        (x, seeds)
    }

    pub fn composite() -> Composite {
        Composite::Uniform(LrpRule::Epsilon(1e-6))
    }
}
