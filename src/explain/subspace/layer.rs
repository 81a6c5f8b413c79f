//! One LRP pass that records, at the chosen layer, every sample's activations, the
//! relevance arriving there and the context c = R / a, and at the input the total map.

use super::super::lrp::lrp_rule;
use super::super::{Composite, Probe, CANCELLED};
use crate::backend::Backend;
use crate::nn::{BackwardOptions, Features, Layer, Mode, Net};

/// What one layer saw of a set of samples.
pub struct LayerSamples {
    pub layer: usize,
    /// Channels (a conv layer's) or units (a dense layer's): the space concepts live in.
    pub dim: usize,
    /// Spatial positions per sample (1 for a dense layer).
    pub positions: usize,
    /// Per sample, position-major: the channel vector of position p at p·dim.
    pub acts: Vec<Vec<f64>>,
    /// R / a where a ≠ 0, else 0; position-major as `acts`.
    pub context: Vec<Vec<f64>>,
    /// The relevance arriving at the layer, as the layer lays it out (channel-major).
    pub relevance: Vec<Vec<f64>>,
    /// The LRP map of every sample at the input.
    pub maps: Vec<Vec<f64>>,
}

impl LayerSamples {
    pub fn len(&self) -> usize {
        self.acts.len()
    }

    pub fn is_empty(&self) -> bool {
        self.acts.is_empty()
    }

    /// Sample n's (a_p, c_p) channel vectors, one pair per position.
    pub fn points(&self, n: usize) -> impl Iterator<Item = (&[f64], &[f64])> + '_ {
        self.acts[n].chunks(self.dim).zip(self.context[n].chunks(self.dim))
    }

    /// Σ aᵀc of sample n: the relevance the layer holds, up to what the rule sent to
    /// units with a = 0 (which the concept maps leave in the residual).
    pub fn total(&self, n: usize) -> f64 {
        self.acts[n].iter().zip(&self.context[n]).map(|(a, c)| a * c).sum()
    }

    /// Layer layout (channel ch, position p at ch·positions + p) to position-major.
    pub(super) fn to_points(&self, v: &[f64]) -> Vec<f64> {
        let (d, p) = (self.dim, self.positions);
        (0..p * d).map(|i| v[(i % d) * p + i / d]).collect()
    }

    /// Position-major back to the layer's layout.
    pub(super) fn to_layer(&self, v: &[f64]) -> Vec<f64> {
        let (d, p) = (self.dim, self.positions);
        (0..p * d).map(|i| v[(i % p) * d + i / p]).collect()
    }
}

/// The node that reads layer `id`'s output (identity layers skipped), after checking
/// that `id` is a computing layer of a plain sequence with something above it.
pub(super) fn reader<B: Backend>(net: &Net<B>, id: usize) -> Result<usize, String> {
    let identity = |l: &Layer<B>| matches!(l, Layer::Flatten | Layer::Dropout(_));
    let node = net.nodes.iter().position(|n| n.id == id).ok_or_else(|| format!("concepts: there is no layer {id} at the top level of the network"))?;
    if identity(&net.nodes[node].layer) {
        return Err(format!("concepts: layer {id} ({}) passes its input through; choose a layer that computes", net.nodes[node].layer.kind()));
    }
    net.nodes[node + 1..]
        .iter()
        .find(|n| !identity(&n.layer))
        .map(|n| n.id)
        .ok_or_else(|| format!("concepts: layer {id} is the network's output; choose a layer below it"))
}

/// Runs LRP (`composite`, explaining seeds·logits) over `x` and records layer `id`.
pub async fn collect<B: Backend>(probe: &Probe<'_, B>, x: &[f64], seeds: &[f64], composite: &Composite, id: usize) -> Result<LayerSamples, String> {
    let rule = lrp_rule(composite, probe.net)?;
    reader(probe.net, id)?;
    let out = probe.net.nodes.iter().find(|n| n.id == id).expect("reader found it").output;
    let (dim, positions) = match out {
        Features::Flat(n) => (n, 1),
        Features::Image(s) => (s.channels, s.height * s.width),
    };
    let (f, k) = (probe.features(), probe.classes());
    let mut s = LayerSamples { layer: id, dim, positions, acts: vec![], context: vec![], relevance: vec![], maps: vec![] };
    for (chunk, seed) in x.chunks(probe.batch * f).zip(seeds.chunks(probe.batch * k)) {
        let xt = probe.upload(chunk, f);
        let trace = probe.net.forward(probe.be, &xt, Mode::Eval);
        let start = probe.be.mul(&probe.upload(seed, k), trace.logits(&xt));
        let options = BackwardOptions { input: true, params: false, layer_grads: true, rule: Some(&rule) };
        let g = probe.net.backward(probe.be, &xt, &trace, start, options);
        let acts = probe.download(trace.output(&xt, id)).await;
        let r = probe.download(g.layers[id].as_ref().expect("a computing layer below the output receives relevance")).await;
        let maps = probe.download(g.input.as_ref().expect("input relevance requested")).await;
        let width = dim * positions;
        for ((a, r), m) in acts.chunks(width).zip(r.chunks(width)).zip(maps.chunks(f)) {
            let c: Vec<f64> = a.iter().zip(r).map(|(a, r)| if *a != 0.0 { r / a } else { 0.0 }).collect();
            s.acts.push(s.to_points(a));
            s.context.push(s.to_points(&c));
            s.relevance.push(r.to_vec());
            s.maps.push(m.to_vec());
        }
        probe.advance(chunk.len() / f).await;
        if probe.stopped() {
            return Err(CANCELLED.into());
        }
    }
    Ok(s)
}
