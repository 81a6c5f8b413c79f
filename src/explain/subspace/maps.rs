//! Concept heatmaps: the relevance at the layer split by concept, r_k = a ⊙ (U_k·U_kᵀ·c)
//! per position, plus the residual R − Σ_k r_k (the complement of the subspaces and
//! whatever the rule sent to units with a = 0), each propagated to the input by the same
//! LRP rules from the layer down. LRP below the layer is linear in the relevance it is
//! handed, so the K concept maps and the residual sum to the sample's total map.

use super::super::lrp::lrp_rule;
use super::super::{Composite, Probe, CANCELLED};
use super::layer::{reader, LayerSamples};
use super::{project, Basis};
use crate::backend::Backend;
use crate::nn::{BackwardOptions, BackwardRule, Mode, Node};

/// Input maps per concept and the residual's, for the samples `collect` recorded.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct ConceptMaps {
    /// `concepts[k][n]`: concept k's map of sample n.
    pub concepts: Vec<Vec<Vec<f64>>>,
    pub residual: Vec<Vec<f64>>,
    /// LRP's own map of each sample.
    pub total: Vec<Vec<f64>>,
}

/// Hands `relevance` to the layer that reads the chosen layer's output, LRP's rule
/// below it, and zeros above (whose relevance is not used).
struct FromLayer<'a, R, T> {
    inner: &'a R,
    reader: usize,
    relevance: T,
}

impl<B: Backend, R: BackwardRule<B>> BackwardRule<B> for FromLayer<'_, R, B::Tensor> {
    fn backward(&self, be: &B, node: &Node<B>, x: &B::Tensor, y: &B::Tensor, dy: &B::Tensor) -> Option<B::Tensor> {
        if node.id == self.reader {
            Some(be.copy(&self.relevance))
        } else if node.id > self.reader {
            let mut zero = be.copy(x);
            be.scale(&mut zero, 0.0);
            Some(zero)
        } else {
            self.inner.backward(be, node, x, y, dy)
        }
    }
}

/// Layer relevance of each concept (layer layout), then the residual's, for sample n.
fn split(s: &LayerSamples, n: usize, concepts: &[Basis]) -> Vec<Vec<f64>> {
    let mut parts: Vec<Vec<f64>> = concepts
        .iter()
        .map(|basis| {
            let mut r = Vec::with_capacity(s.dim * s.positions);
            for (a, c) in s.points(n) {
                let coords = project(basis, c);
                r.extend(a.iter().enumerate().map(|(i, a)| a * basis.iter().zip(&coords).map(|(u, x)| u[i] * x).sum::<f64>()));
            }
            s.to_layer(&r)
        })
        .collect();
    let mut residual = s.relevance[n].clone();
    for p in &parts {
        residual.iter_mut().zip(p).for_each(|(r, p)| *r -= p);
    }
    parts.push(residual);
    parts
}

/// The concept maps of the samples `x` (with `s = collect(probe, x, seeds, composite, layer)`).
pub async fn concept_maps<B: Backend>(probe: &Probe<'_, B>, x: &[f64], s: &LayerSamples, composite: &Composite, concepts: &[Basis]) -> Result<ConceptMaps, String> {
    let rule = lrp_rule(composite, probe.net)?;
    let reader = reader(probe.net, s.layer)?;
    let (f, k, width) = (probe.features(), probe.classes(), s.dim * s.positions);
    let mut out = ConceptMaps { concepts: vec![Vec::new(); concepts.len()], residual: Vec::new(), total: s.maps.clone() };
    for (b, chunk) in x.chunks(probe.batch * f).enumerate() {
        let rows = chunk.len() / f;
        let xt = probe.upload(chunk, f);
        let trace = probe.net.forward(probe.be, &xt, Mode::Eval);
        let parts: Vec<Vec<Vec<f64>>> = (0..rows).map(|r| split(s, b * probe.batch + r, concepts)).collect();
        for part in 0..=concepts.len() {
            let layer: Vec<f64> = parts.iter().flat_map(|p| p[part].iter().copied()).collect();
            let from = FromLayer { inner: &rule, reader, relevance: probe.upload(&layer, width) };
            let options = BackwardOptions { input: true, params: false, layer_grads: false, rule: Some(&from) };
            let seed = probe.upload(&vec![0.0; rows * k], k);
            let g = probe.net.backward(probe.be, &xt, &trace, seed, options);
            let maps = probe.download(g.input.as_ref().expect("input relevance requested")).await;
            let into = if part < concepts.len() { &mut out.concepts[part] } else { &mut out.residual };
            into.extend(maps.chunks(f).map(<[f64]>::to_vec));
        }
        probe.advance(rows).await;
        if probe.stopped() {
            return Err(CANCELLED.into());
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;
    use crate::explain::subspace::{collect, drsa, prca, DrsaOptions};
    use crate::explain::testing::*;
    use crate::explain::{lrp, Probe};
    use crate::nn::Features;

    fn assert_sums(m: &ConceptMaps, what: &str) {
        for (n, total) in m.total.iter().enumerate() {
            let scale = total.iter().map(|x| x.abs()).sum::<f64>().max(1e-12);
            for i in 0..total.len() {
                let sum = m.concepts.iter().map(|c| c[n][i]).sum::<f64>() + m.residual[n][i];
                assert!((sum - total[i]).abs() <= 1e-9 * scale, "{what}: sample {n} pixel {i}: concepts + residual {sum} vs total {}", total[i]);
            }
        }
    }

    /// The concept maps plus the residual sum to LRP's map, which `collect` records as
    /// `lrp` computes it; on a dense layer too, where the concepts span the layer.
    #[test]
    fn concept_maps_and_residual_sum_to_the_total_relevance() {
        let be = Be::new();
        let cnn = cnn();
        let probe = Probe::new(&be, &cnn).with_batch(4);
        let (x, seeds) = explained(&probe, 10, 3);
        let s = collect(&probe, &x, &seeds, &composite(), 1).await_now().unwrap();
        let (plain, _) = lrp(&probe, &x, &seeds, &composite()).await_now().unwrap();
        for n in 0..10 {
            close(&s.maps[n], &plain.maps[n], 1e-12, "collect's total map is LRP's");
        }
        let concepts = drsa(&s, &DrsaOptions { concepts: 3, size: 2, q: 2.0, iterations: 30, seed: 1 }, None).await_now().unwrap();
        let m = concept_maps(&probe, &x, &s, &composite(), &concepts).await_now().unwrap();
        assert_eq!((m.concepts.len(), m.concepts[0].len(), m.residual.len()), (3, 10, 10));
        assert_sums(&m, "3 × 2 of 8 channels");
        let residual: f64 = m.residual.iter().flatten().map(|x| x.abs()).sum();
        assert!(residual > 1e-6, "6 of 8 channels leave a residual");
        // One subspace spanning all 8 channels leaves nothing to the residual.
        let one = concept_maps(&probe, &x, &s, &composite(), &[prca(&s, 8)]).await_now().unwrap();
        assert_sums(&one, "one subspace spanning the layer");
        let spanned: f64 = one.residual.iter().flatten().map(|x| x.abs()).sum();
        let total: f64 = one.total.iter().flatten().map(|x| x.abs()).sum();
        assert!(spanned < 1e-9 * total, "spanning the layer leaves no residual: {spanned} of {total}");
        // A dense layer: 2 concepts × 3 of its 6 units, by hand.
        let mlp = net(r#"[{"type":"dense","units":6},{"type":"activation","function":"relu"},{"type":"dense","units":3}]"#, Features::Flat(4), 2, 1.0, 0.1);
        let probe = Probe::new(&be, &mlp);
        let (x, seeds) = explained(&probe, 7, 9);
        let s = collect(&probe, &x, &seeds, &composite(), 1).await_now().unwrap();
        assert_eq!((s.dim, s.positions), (6, 1));
        let concepts = drsa(&s, &DrsaOptions { concepts: 2, size: 3, q: 2.0, iterations: 20, seed: 4 }, None).await_now().unwrap();
        assert_sums(&concept_maps(&probe, &x, &s, &composite(), &concepts).await_now().unwrap(), "dense layer");
    }

    #[test]
    fn layers_that_cannot_hold_concepts_are_refused_with_a_message() {
        let be = Be::new();
        let net = cnn();
        let probe = Probe::new(&be, &net);
        let (x, seeds) = explained(&probe, 2, 1);
        let err = |id| collect(&probe, &x, &seeds, &composite(), id).await_now().err().unwrap();
        assert!(err(6).contains("passes its input through"), "{}", err(6));
        assert!(err(7).contains("the network's output"));
        assert!(err(40).contains("no layer 40"));
    }
}
