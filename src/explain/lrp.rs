//! Layer-wise relevance propagation (Bach et al.; Montavon et al.) as Zennit implements
//! its rules: relevance starts as seed ⊙ logits (so LRP-0 is gradient × input on
//! bias-free ReLU nets) and flows back through a `BackwardRule`. Dense and conv layers
//! take their assigned rule; activations pass relevance on unchanged; average pooling
//! spreads it in proportion to its inputs (Zennit's Norm); max pooling and flatten route
//! it as their gradient. Batch norm, residual, squeeze-excite, gates and PReLU are refused.
//! Denominators are stabilised by ε·sign(z) with sign(0) = +1 (Zennit's `stabilize`).
//!
//! Rules, with z = lin(x; W, b), s = R / stabilise(z), R_in = x ⊙ Wᵀs unless said:
//! - `Epsilon(ε)` (LRP-0 is ε = 0);
//! - `Gamma(γ)`, Zennit's generalised form: where z > 0, z⁺ is lin(x⁺; W + γW⁺, b + γb⁺)
//!   plus lin(x⁻; W + γW⁻, 0) and R_in = x⁺ ⊙ (W + γW⁺)ᵀs + x⁻ ⊙ (W + γW⁻)ᵀs with
//!   s = R / stabilise(z⁺); where z < 0 the same with W⁺ and W⁻ (b⁺ and b⁻) swapped;
//!   where z = 0 nothing. `GammaPaper(γ)` is Montavon et al.'s form, W + γW⁺ and b + γb⁺
//!   for every output; the two agree where the inputs are non-negative and z > 0 (on
//!   ReLU nets they differ at the input layer and where relevance reaches a unit with
//!   z < 0);
//! - `ZPlus`: z = lin(x⁺; W⁺, b⁺) + lin(x⁻; W⁻, 0), R_in = x⁺ ⊙ W⁺ᵀs + x⁻ ⊙ W⁻ᵀs;
//! - `AlphaBeta(α, β)`: α times the z⁺ share minus β times the opposite-sign share
//!   lin(x⁺; W⁻, b⁻) + lin(x⁻; W⁺, 0);
//! - `ZBox(l, h)`: z = lin(x; W, b) − lin(l; W⁺, b⁺) − lin(h; W⁻, b⁻), R_in = x ⊙ Wᵀs −
//!   l ⊙ W⁺ᵀs − h ⊙ W⁻ᵀs (inputs bounded in [l, h]);
//! - `Flat`: weights 1, no bias, inputs 1;
//! - `WSquare`: weights W², inputs 1, and (as Zennit) the squared bias b² in the
//!   denominator, so a biased layer keeps back a share; `WSquarePaper` drops the bias
//!   (Montavon et al.), conserving relevance.
//!
//! Composites as Zennit's: in `EpsilonGammaBox` the zᴮ rule goes to the first conv
//! layer (a network without one has none), in `EpsilonPlusFlat` flat to the first dense
//! or conv layer.

use super::{input_shape, Attribution, Probe};
use crate::backend::{ActivationOp, Backend, PoolOp};
use crate::nn::layers::{Conv2d, Dense};
use crate::nn::{BackwardOptions, BackwardRule, Layer, Mode, Node, Nonlinearity, Param, ParamRole};
use std::collections::BTreeMap;

/// Zennit's default stabiliser for rules other than ε.
const STABILISER: f32 = 1e-6;

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum LrpRule {
    Epsilon(f32),
    Gamma(f32),
    GammaPaper(f32),
    ZPlus,
    AlphaBeta { alpha: f32, beta: f32 },
    ZBox { low: f32, high: f32 },
    Flat,
    WSquare,
    WSquarePaper,
}

/// Which rule each dense or conv layer takes. "First" is the first dense or conv layer.
#[derive(Clone, Debug, PartialEq)]
pub enum Composite {
    /// One rule everywhere.
    Uniform(LrpRule),
    /// ε (1e-6) for dense, z⁺ for conv.
    EpsilonPlus,
    /// zᴮ(low, high) for the first conv layer, γ = 0.25 for the other conv layers, ε
    /// (1e-6) for dense.
    EpsilonGammaBox { low: f32, high: f32 },
    /// Flat first, z⁺ for conv, ε (1e-6) for dense.
    EpsilonPlusFlat,
    /// The given rule per layer id, `default` elsewhere.
    Custom { default: LrpRule, layers: BTreeMap<usize, LrpRule> },
}

impl Composite {
    /// The rule of every layer id (None: not a dense or conv layer), after checking that
    /// LRP knows every layer of the network.
    pub fn assign<B: Backend>(&self, net: &crate::nn::Net<B>) -> Result<Vec<Option<LrpRule>>, String> {
        let mut rules = vec![None; net.layer_count];
        let (mut first, mut first_conv) = (true, true);
        let mut refused = None;
        net.visit_nodes(&mut |node| {
            let conv = match &node.layer {
                Layer::Dense(_) => false,
                Layer::Conv2d(_) => true,
                Layer::Activation(a) if matches!(a.nonlinearity, Nonlinearity::Elementwise(_)) => return,
                Layer::Flatten | Layer::Dropout(_) | Layer::Pool(_) => return,
                other => {
                    refused.get_or_insert(format!("lrp: layer {} ({}) has no LRP rule here", node.id, other.kind()));
                    return;
                }
            };
            let eps = LrpRule::Epsilon(STABILISER);
            rules[node.id] = Some(match self {
                Composite::Uniform(rule) => *rule,
                Composite::EpsilonPlus => if conv { LrpRule::ZPlus } else { eps },
                Composite::EpsilonGammaBox { low, high } if conv && first_conv => LrpRule::ZBox { low: *low, high: *high },
                Composite::EpsilonGammaBox { .. } => if conv { LrpRule::Gamma(0.25) } else { eps },
                Composite::EpsilonPlusFlat if first => LrpRule::Flat,
                Composite::EpsilonPlusFlat => if conv { LrpRule::ZPlus } else { eps },
                Composite::Custom { default, layers } => *layers.get(&node.id).unwrap_or(default),
            });
            first = false;
            first_conv &= !conv;
        });
        if let Some(message) = refused {
            return Err(message);
        }
        if let Composite::Custom { layers, .. } = self {
            if let Some(id) = layers.keys().find(|id| rules.get(**id).is_none_or(Option::is_none)) {
                return Err(format!("lrp: layer {id} is not a dense or conv2d layer, so it takes no rule"));
            }
        }
        Ok(rules)
    }
}

/// A dense or conv layer with its parameters replaced by a rule's.
enum Affine<B: Backend> {
    Dense(Dense<B>),
    Conv(Conv2d<B>),
}

impl<B: Backend> Affine<B> {
    fn of(layer: &Layer<B>, weight: B::Tensor, bias: B::Tensor) -> Affine<B> {
        let (weight, bias) = (Param::new(weight, ParamRole::Weight), Param::new(bias, ParamRole::Bias));
        match layer {
            Layer::Dense(d) => Affine::Dense(Dense { weight, bias, multiplier: d.multiplier }),
            Layer::Conv2d(c) => Affine::Conv(Conv2d { weight, bias, window: c.window, filters: c.filters, multiplier: c.multiplier }),
            _ => unreachable!("rules are assigned to dense and conv layers only"),
        }
    }

    /// (lin(x), Wᵀ·) as a closure-free pair: the output and what the transpose needs.
    fn forward(&self, be: &B, x: &B::Tensor) -> (B::Tensor, Option<B::Tensor>) {
        match self {
            Affine::Dense(d) => (d.forward(be, x), None),
            Affine::Conv(c) => {
                let (y, cols) = c.forward(be, x);
                (y, Some(cols))
            }
        }
    }

    fn transpose(&self, be: &B, cols: Option<&B::Tensor>, s: &B::Tensor) -> B::Tensor {
        match (self, cols) {
            (Affine::Dense(d), _) => d.backward(be, s, s, None),
            (Affine::Conv(c), Some(cols)) => c.backward(be, cols, s, None),
            (Affine::Conv(_), None) => unreachable!("a conv forward pass keeps its columns"),
        }
    }
}

/// One term of a rule: sign·lin(input; weight, bias).
struct Term<T> {
    sign: f32,
    input: T,
    weight: T,
    bias: T,
}

struct Rules {
    by_layer: Vec<Option<LrpRule>>,
}

fn positive<B: Backend>(be: &B, t: &B::Tensor) -> B::Tensor {
    be.activation(ActivationOp::Relu, t)
}

fn negative<B: Backend>(be: &B, t: &B::Tensor) -> B::Tensor {
    let mut m = be.copy(t);
    be.scale(&mut m, -1.0);
    let mut n = positive(be, &m);
    be.scale(&mut n, -1.0);
    n
}

fn filled<B: Backend>(be: &B, like: &B::Tensor, v: f32) -> B::Tensor {
    let shape = be.shape(like);
    be.upload(shape, &vec![<B::E as crate::backend::Real>::from_f32(v); shape[0] * shape[1]])
}

/// R / stabilise(Σ sign·lin(terms)), then Σ sign·input ⊙ weightᵀ(that).
fn share<B: Backend>(be: &B, layer: &Layer<B>, terms: &[Term<B::Tensor>], r: &B::Tensor, eps: f32) -> B::Tensor {
    let mut z: Option<B::Tensor> = None;
    let mut parts = Vec::with_capacity(terms.len());
    for t in terms {
        let affine = Affine::of(layer, be.copy(&t.weight), be.copy(&t.bias));
        let (mut y, cols) = affine.forward(be, &t.input);
        be.scale(&mut y, t.sign);
        z = Some(match z {
            Some(acc) => be.add(&acc, &y),
            None => y,
        });
        parts.push((affine, cols));
    }
    let s = be.stabilized_div(r, &z.expect("a rule has at least one term"), eps);
    let mut out: Option<B::Tensor> = None;
    for (t, (affine, cols)) in terms.iter().zip(parts) {
        let mut c = be.mul(&t.input, &affine.transpose(be, cols.as_ref(), &s));
        be.scale(&mut c, t.sign);
        out = Some(match out {
            Some(acc) => be.add(&acc, &c),
            None => c,
        });
    }
    out.expect("a rule has at least one term")
}

fn params<B: Backend>(layer: &Layer<B>) -> (&B::Tensor, &B::Tensor) {
    match layer {
        Layer::Dense(d) => (&d.weight.value, &d.bias.value),
        Layer::Conv2d(c) => (&c.weight.value, &c.bias.value),
        _ => unreachable!("rules are assigned to dense and conv layers only"),
    }
}

/// w + γ·part, for γ-lifted weights and biases.
fn lift<B: Backend>(be: &B, w: &B::Tensor, part: &B::Tensor, gamma: f32) -> B::Tensor {
    let mut g = be.copy(part);
    be.scale(&mut g, gamma);
    be.add(w, &g)
}

/// R where `z` > 0 (else 0).
fn where_positive<B: Backend>(be: &B, z: &B::Tensor, r: &B::Tensor) -> B::Tensor {
    be.activation_backward(ActivationOp::Relu, z, &positive(be, z), r)
}

fn apply<B: Backend>(be: &B, layer: &Layer<B>, rule: LrpRule, x: &B::Tensor, r: &B::Tensor) -> B::Tensor {
    let (w, b) = params(layer);
    let term = |sign, input: B::Tensor, weight: B::Tensor, bias: B::Tensor| Term { sign, input, weight, bias };
    let zero_bias = || filled(be, b, 0.0);
    let (xp, xn) = (positive(be, x), negative(be, x));
    let (wp, wn, bp, bn) = (positive(be, w), negative(be, w), positive(be, b), negative(be, b));
    match rule {
        LrpRule::Epsilon(eps) => share(be, layer, &[term(1.0, be.copy(x), be.copy(w), be.copy(b))], r, eps),
        LrpRule::Gamma(gamma) => {
            let (z, _) = Affine::of(layer, be.copy(w), be.copy(b)).forward(be, x);
            let mut minus_z = be.copy(&z);
            be.scale(&mut minus_z, -1.0);
            let (up, down) = (where_positive(be, &z, r), where_positive(be, &minus_z, r));
            let (wu, wd) = (lift(be, w, &wp, gamma), lift(be, w, &wn, gamma));
            let rising = share(be, layer, &[term(1.0, be.copy(&xp), be.copy(&wu), lift(be, b, &bp, gamma)), term(1.0, be.copy(&xn), be.copy(&wd), zero_bias())], &up, STABILISER);
            let falling = share(be, layer, &[term(1.0, xp, wd, lift(be, b, &bn, gamma)), term(1.0, xn, wu, zero_bias())], &down, STABILISER);
            be.add(&rising, &falling)
        }
        LrpRule::GammaPaper(gamma) => share(be, layer, &[term(1.0, be.copy(x), lift(be, w, &wp, gamma), lift(be, b, &bp, gamma))], r, STABILISER),
        LrpRule::ZPlus => share(be, layer, &[term(1.0, xp, wp, bp), term(1.0, xn, wn, zero_bias())], r, STABILISER),
        LrpRule::AlphaBeta { alpha, beta } => {
            let mut up = share(be, layer, &[term(1.0, be.copy(&xp), be.copy(&wp), bp), term(1.0, be.copy(&xn), be.copy(&wn), zero_bias())], r, STABILISER);
            let mut down = share(be, layer, &[term(1.0, xp, wn, bn), term(1.0, xn, wp, zero_bias())], r, STABILISER);
            be.scale(&mut up, alpha);
            be.scale(&mut down, -beta);
            be.add(&up, &down)
        }
        LrpRule::ZBox { low, high } => share(
            be,
            layer,
            &[term(1.0, be.copy(x), be.copy(w), be.copy(b)), term(-1.0, filled(be, x, low), wp, bp), term(-1.0, filled(be, x, high), wn, bn)],
            r,
            STABILISER,
        ),
        LrpRule::Flat => share(be, layer, &[term(1.0, filled(be, x, 1.0), filled(be, w, 1.0), zero_bias())], r, STABILISER),
        LrpRule::WSquare => share(be, layer, &[term(1.0, filled(be, x, 1.0), be.mul(w, w), be.mul(b, b))], r, STABILISER),
        LrpRule::WSquarePaper => share(be, layer, &[term(1.0, filled(be, x, 1.0), be.mul(w, w), zero_bias())], r, STABILISER),
    }
}

impl<B: Backend> BackwardRule<B> for Rules {
    fn backward(&self, be: &B, node: &Node<B>, x: &B::Tensor, y: &B::Tensor, r: &B::Tensor) -> Option<B::Tensor> {
        match &node.layer {
            Layer::Dense(_) | Layer::Conv2d(_) => {
                let rule = self.by_layer[node.id].expect("every dense and conv layer has a rule");
                Some(apply(be, &node.layer, rule, x, r))
            }
            Layer::Activation(_) => Some(be.copy(r)),
            Layer::Pool(p) if p.op == PoolOp::Avg => {
                let s = be.stabilized_div(r, y, STABILISER);
                Some(be.mul(x, &p.backward(be, x, y, &s, None)))
            }
            _ => None,
        }
    }
}

/// `composite`'s backward rule on `net`, for methods that run their own LRP passes.
pub(crate) fn lrp_rule<B: Backend>(composite: &Composite, net: &crate::nn::Net<B>) -> Result<impl BackwardRule<B>, String> {
    Ok(Rules { by_layer: composite.assign(net)? })
}

/// The relevance arriving at one layer's output, summed per sample.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct LayerRelevance {
    pub layer: usize,
    pub kind: &'static str,
    pub sums: Vec<f64>,
}

/// The LRP map of every sample, and the relevance sum at every computing layer's output
/// (the input's sum is the map's).
pub async fn lrp<B: Backend>(probe: &Probe<'_, B>, x: &[f64], seeds: &[f64], composite: &Composite) -> Result<(Attribution, Vec<LayerRelevance>), String> {
    let rules = Rules { by_layer: composite.assign(probe.net)? };
    let (f, k) = (probe.features(), probe.classes());
    let mut kinds = Vec::new();
    probe.net.visit_nodes(&mut |n| kinds.push(n.layer.kind()));
    let mut map = Vec::with_capacity(x.len());
    let mut sums: Vec<Vec<f64>> = vec![Vec::new(); probe.net.layer_count];
    let mut passes = vec![true; probe.net.layer_count];
    for (chunk, seed) in x.chunks(probe.batch * f).zip(seeds.chunks(probe.batch * k)) {
        let xt = probe.upload(chunk, f);
        let trace = probe.net.forward(probe.be, &xt, Mode::Eval);
        let start = probe.be.mul(&probe.upload(seed, k), trace.logits(&xt));
        let options = BackwardOptions { input: true, params: false, layer_grads: true, rule: Some(&rules) };
        let g = probe.net.backward(probe.be, &xt, &trace, start, options);
        map.extend(probe.download(g.input.as_ref().expect("input gradient requested")).await);
        for (id, r) in g.layers.iter().enumerate() {
            match r {
                Some(r) => {
                    let r = probe.download(r).await;
                    let width = r.len() / (chunk.len() / f);
                    sums[id].extend(r.chunks(width).map(|row| row.iter().sum::<f64>()));
                }
                None => passes[id] = false,
            }
        }
        probe.advance(chunk.len() / f).await;
    }
    let layers = sums
        .into_iter()
        .enumerate()
        .filter(|(id, _)| passes[*id])
        .map(|(layer, sums)| LayerRelevance { layer, kind: kinds[layer], sums })
        .collect();
    let maps = map.chunks(f).map(<[f64]>::to_vec).collect();
    Ok((Attribution { shape: input_shape(probe.net.input), maps, completeness_gap: None }, layers))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::explain::testing::*;
    use crate::explain::{gradient_x_input, Target};
    use crate::nn::Features;

    const MLP: &str = r#"[{"type":"dense","units":6},{"type":"activation","function":"relu"},{"type":"dense","units":5},{"type":"activation","function":"relu"},{"type":"dense","units":3}]"#;
    const CNN: &str = r#"[{"type":"conv2d","filters":3,"kernel":3},{"type":"activation","function":"relu"},{"type":"pool","op":"max","size":2},
        {"type":"conv2d","filters":4,"kernel":3,"padding":"valid"},{"type":"activation","function":"relu"},{"type":"pool","op":"avg"},{"type":"flatten"},{"type":"dense","units":3}]"#;

    fn bias_free(layers: &str, input: Features, seed: u32) -> crate::nn::Net<Be> {
        let mut net = net(layers, input, seed, 1.0, 0.0);
        net.visit_params_mut(&mut |p| {
            if p.role == ParamRole::Bias {
                p.value.fill(0.0);
            }
        });
        net
    }

    #[test]
    fn lrp_zero_is_gradient_times_input_on_bias_free_relu_nets() {
        let be = Be::new();
        for (layers, input) in [(MLP, Features::Flat(4)), (CNN, image(2, 6, 6))] {
            let net = bias_free(layers, input, 3);
            let probe = Probe::new(&be, &net).with_batch(2);
            let x = inputs(3, input.len(), 4, -1.0, 1.0);
            let seeds = Target::Predicted.seeds(&probe.logits(&x).await_now(), 3, None).unwrap();
            let (a, _) = lrp(&probe, &x, &seeds, &Composite::Uniform(LrpRule::Epsilon(0.0))).await_now().unwrap();
            let gxi = gradient_x_input(&probe, &x, &seeds).await_now();
            for r in 0..3 {
                // Up to the 1e-6 stabiliser of the CNN's average pooling.
                close(&a.maps[r], &gxi.maps[r], 1e-5, "LRP-0 vs gradient × input");
            }
        }
    }

    /// On bias-free nets with non-negative inputs and a positive score, every rule
    /// conserves relevance layer by layer up to the stabiliser (no denominator vanishes
    /// where relevance arrives: a ReLU unit that passed has z > 0, so z⁺ ≥ z > 0); with
    /// biases, ε loses exactly the biases' share.
    #[test]
    fn lrp_rules_conserve_relevance_per_layer() {
        let be = Be::new();
        let rules = [
            LrpRule::Epsilon(1e-9),
            LrpRule::Gamma(0.25),
            LrpRule::GammaPaper(0.25),
            LrpRule::ZPlus,
            LrpRule::AlphaBeta { alpha: 1.0, beta: 0.0 },
            LrpRule::Flat,
            LrpRule::WSquare,
            LrpRule::WSquarePaper,
        ];
        for (layers, input) in [(MLP, Features::Flat(4)), (CNN, image(1, 6, 6))] {
            let net = bias_free(layers, input, 5);
            let probe = Probe::new(&be, &net);
            let x = inputs(2, input.len(), 6, 0.0, 1.0);
            let seeds = Target::Predicted.seeds(&probe.logits(&x).await_now(), 3, None).unwrap();
            let scores = probe.scores(&x, &seeds).await_now();
            assert!(scores.iter().all(|s| *s > 0.0), "the explained scores are positive: {scores:?}");
            // Flat and w² everywhere send relevance to dead channels too, which the
            // average pool's Norm rule then drops (x = 0): on the CNN they only head.
            let cnn = input.len() != 4;
            let mut composites: Vec<Composite> =
                rules.iter().filter(|r| !(cnn && matches!(r, LrpRule::Flat | LrpRule::WSquare | LrpRule::WSquarePaper))).map(|r| Composite::Uniform(*r)).collect();
            if cnn {
                let heads = [(0, LrpRule::Flat), (3, LrpRule::WSquare)];
                composites.push(Composite::Custom { default: LrpRule::Epsilon(1e-9), layers: BTreeMap::from(heads) });
            }
            composites.extend([Composite::EpsilonPlus, Composite::EpsilonGammaBox { low: 0.0, high: 1.0 }, Composite::EpsilonPlusFlat]);
            for composite in composites {
                let (a, per_layer) = lrp(&probe, &x, &seeds, &composite).await_now().unwrap();
                for (r, &score) in scores.iter().enumerate() {
                    let total = a.maps[r].iter().sum::<f64>();
                    assert!((total - score).abs() < 1e-4 * (1.0 + score.abs()), "{composite:?}: input sum {total} vs score {score}; layers {per_layer:?}");
                    for l in &per_layer {
                        assert!((l.sums[r] - score).abs() < 1e-4 * (1.0 + score.abs()), "{composite:?}: layer {} holds {}", l.layer, l.sums[r]);
                    }
                }
                assert_eq!(per_layer.len(), if input.len() == 4 { 5 } else { 7 }, "every computing layer reports");
            }
        }
        // αβ with β > 0 conserves only where a unit has contributions of both signs (its
        // negative share has nowhere to go otherwise, as in Zennit): check α2β1's formula
        // on one layer with mixed-sign weights.
        let one = bias_free(r#"[{"type":"dense","units":2}]"#, Features::Flat(5), 9);
        let probe = Probe::new(&be, &one);
        let x = inputs(1, 5, 3, 0.0, 1.0);
        let (a, _) = lrp(&probe, &x, &[1.0, 0.0], &Composite::Uniform(LrpRule::AlphaBeta { alpha: 2.0, beta: 1.0 })).await_now().unwrap();
        let w = match &one.nodes[0].layer {
            Layer::Dense(d) => d.weight.value.row(0).to_vec(),
            _ => unreachable!(),
        };
        let (zp, zn): (f64, f64) = (x.iter().zip(&w).map(|(x, w)| x * w.max(0.0)).sum(), x.iter().zip(&w).map(|(x, w)| x * w.min(0.0)).sum());
        assert!(zp > 0.0 && zn < 0.0, "mixed signs: {zp}, {zn}");
        let score = zp + zn;
        let want: Vec<f64> = x.iter().zip(&w).map(|(x, w)| score * (2.0 * x * w.max(0.0) / zp - x * w.min(0.0) / zn)).collect();
        close(&a.maps[0], &want, 1e-5, "α2β1 (up to the 1e-6 stabiliser)");
        assert!((a.maps[0].iter().sum::<f64>() - score).abs() < 1e-5 * (1.0 + score.abs()));
        // With biases, the ε rule at the top layer keeps Σ_j R_j·(z_j − b_j)/z_j.
        let net = net(r#"[{"type":"dense","units":3}]"#, Features::Flat(4), 7, 1.0, 0.3);
        let probe = Probe::new(&be, &net);
        let x = inputs(1, 4, 8, -1.0, 1.0);
        let (a, _) = lrp(&probe, &x, &[0.0, 0.0, 1.0], &Composite::Uniform(LrpRule::Epsilon(0.0))).await_now().unwrap();
        let z = probe.logits(&x).await_now()[2];
        let b = match &net.nodes[0].layer {
            Layer::Dense(d) => d.bias.value[[0, 2]],
            _ => unreachable!(),
        };
        assert!((a.maps[0].iter().sum::<f64>() - (z - b)).abs() < 1e-12);
    }

    /// Zennit's generalised γ rule on one dense layer with mixed-sign inputs, written out:
    /// a unit with z > 0 shares by the γ-lifted positive contributions, one with z < 0 by
    /// the γ-lifted negative ones; the paper's form lifts W⁺ for both. w² with biases
    /// keeps the share b² / (Σw² + b²) back.
    #[test]
    fn gamma_and_w_square_follow_zennit_on_a_biased_layer() {
        let be = Be::new();
        let one = net(r#"[{"type":"dense","units":2}]"#, Features::Flat(5), 4, 1.0, 0.0);
        let probe = Probe::new(&be, &one);
        let x = inputs(1, 5, 2, -1.0, 1.0);
        let (w, b) = match &one.nodes[0].layer {
            Layer::Dense(d) => (d.weight.value.clone(), d.bias.value.clone()),
            _ => unreachable!(),
        };
        let z = probe.logits(&x).await_now();
        assert!(z[0] * z[1] < 0.0, "one rising and one falling unit: {z:?}");
        let seeds = [1.0, 1.0];
        let gamma = 0.5;
        let lifted = |v: f64, up: bool| v + gamma * if up { v.max(0.0) } else { v.min(0.0) };
        let mut want = vec![0.0; 5];
        let mut paper = vec![0.0; 5];
        let mut square = vec![0.0; 5];
        for j in 0..2 {
            let rising = z[j] > 0.0;
            // x⁺ takes the lift of the sign that raises z's magnitude, x⁻ the other.
            let part = |i: usize| if x[i] >= 0.0 { x[i] * lifted(w[[j, i]], rising) } else { x[i] * lifted(w[[j, i]], !rising) };
            let total: f64 = (0..5).map(part).sum::<f64>() + lifted(b[[0, j]], rising);
            let plain = |i: usize| x[i] * lifted(w[[j, i]], true);
            let plain_total: f64 = (0..5).map(plain).sum::<f64>() + lifted(b[[0, j]], true);
            let squares: f64 = (0..5).map(|i| w[[j, i]].powi(2)).sum::<f64>() + b[[0, j]].powi(2);
            for i in 0..5 {
                want[i] += z[j] * part(i) / total;
                paper[i] += z[j] * plain(i) / plain_total;
                square[i] += z[j] * w[[j, i]].powi(2) / squares;
            }
        }
        let run = |rule| lrp(&probe, &x, &seeds, &Composite::Uniform(rule)).await_now().unwrap().0.maps[0].clone();
        close(&run(LrpRule::Gamma(gamma as f32)), &want, 1e-5, "generalised γ");
        close(&run(LrpRule::GammaPaper(gamma as f32)), &paper, 1e-5, "paper γ");
        assert!(want.iter().zip(&paper).any(|(a, b)| (a - b).abs() > 1e-3), "the forms differ on mixed-sign inputs");
        close(&run(LrpRule::WSquare), &square, 1e-5, "w² with b²");
    }

    #[test]
    fn composites_assign_rules_by_layer_type_and_position() {
        let net = net(CNN, image(1, 6, 6), 1, 1.0, 0.0);
        let eps = Some(LrpRule::Epsilon(STABILISER));
        let none = None;
        let at = |c: Composite| c.assign(&net).unwrap();
        assert_eq!(at(Composite::EpsilonPlus), [Some(LrpRule::ZPlus), none, none, Some(LrpRule::ZPlus), none, none, none, eps]);
        assert_eq!(
            at(Composite::EpsilonGammaBox { low: -1.0, high: 2.0 }),
            [Some(LrpRule::ZBox { low: -1.0, high: 2.0 }), none, none, Some(LrpRule::Gamma(0.25)), none, none, none, eps]
        );
        assert_eq!(at(Composite::EpsilonPlusFlat), [Some(LrpRule::Flat), none, none, Some(LrpRule::ZPlus), none, none, none, eps]);
        let custom = Composite::Custom { default: LrpRule::ZPlus, layers: BTreeMap::from([(7, LrpRule::Epsilon(0.1))]) };
        assert_eq!(at(custom)[7], Some(LrpRule::Epsilon(0.1)));
        let wrong = Composite::Custom { default: LrpRule::ZPlus, layers: BTreeMap::from([(1, LrpRule::Flat)]) };
        assert!(wrong.assign(&net).unwrap_err().contains("layer 1 is not a dense"));
        // Zennit puts zᴮ on the first conv layer only: an MLP takes ε throughout.
        let mlp = super::super::testing::net(MLP, Features::Flat(4), 1, 1.0, 0.0);
        assert_eq!(Composite::EpsilonGammaBox { low: -1.0, high: 1.0 }.assign(&mlp).unwrap(), [eps, none, eps, none, eps]);
        let bn = super::super::testing::net(r#"[{"type":"dense","units":3},{"type":"batchNorm"}]"#, Features::Flat(2), 1, 1.0, 0.0);
        assert!(Composite::EpsilonPlus.assign(&bn).unwrap_err().contains("batchNorm"));
    }
}
