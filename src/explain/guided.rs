//! Guided backprop (Springenberg et al.) and deconvnet (Zeiler & Fergus): the gradient
//! with ReLU's backward pass replaced, R_in = R_out·[x > 0]·[R_out > 0] and
//! R_in = R_out·[R_out > 0] respectively. Other layers keep their own backward pass
//! (max pooling routes to the maximum, as Captum does).

use super::{input_shape, Attribution, Probe};
use crate::backend::{ActivationOp, Backend};
use crate::nn::{BackwardRule, Layer, Node, Nonlinearity};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GuidedRule {
    GuidedBackprop,
    Deconvnet,
}

impl<B: Backend> BackwardRule<B> for GuidedRule {
    fn backward(&self, be: &B, node: &Node<B>, x: &B::Tensor, y: &B::Tensor, dy: &B::Tensor) -> Option<B::Tensor> {
        if !matches!(&node.layer, Layer::Activation(a) if a.nonlinearity == Nonlinearity::Elementwise(ActivationOp::Relu)) {
            return None;
        }
        let positive = be.activation(ActivationOp::Relu, dy);
        Some(match self {
            GuidedRule::GuidedBackprop => be.activation_backward(ActivationOp::Relu, x, y, &positive),
            GuidedRule::Deconvnet => positive,
        })
    }
}

/// The guided-backprop or deconvnet map of every sample.
pub async fn guided_backprop<B: Backend>(probe: &Probe<'_, B>, x: &[f64], seeds: &[f64], rule: GuidedRule) -> Attribution {
    let f = probe.features();
    let g = probe.gradients(x, seeds, Some(&rule)).await;
    Attribution { shape: input_shape(probe.net.input), maps: g.chunks(f).map(<[f64]>::to_vec).collect(), completeness_gap: None }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::explain::testing::*;
    use crate::nn::{Features, Layer};
    use ndarray::Array2;

    /// A two-layer ReLU MLP written out by hand: the maps follow each rule's formula.
    #[test]
    fn guided_backprop_and_deconvnet_follow_their_relu_rules() {
        let be = Be::new();
        let net = net(r#"[{"type":"dense","units":7},{"type":"activation","function":"relu"},{"type":"dense","units":5},{"type":"activation","function":"relu"},{"type":"dense","units":2}]"#, Features::Flat(3), 6, 1.0, 0.0);
        let probe = Probe::new(&be, &net);
        let x = inputs(3, 3, 4, -1.5, 1.5);
        let seeds = [1.0, 0.0, 0.0, 1.0, 1.0, -1.0];
        let weights: Vec<(Array2<f64>, Array2<f64>)> = net
            .nodes
            .iter()
            .filter_map(|n| match &n.layer {
                Layer::Dense(d) => Some((d.weight.value.clone(), d.bias.value.clone())),
                _ => None,
            })
            .collect();
        let guided = guided_backprop(&probe, &x, &seeds, GuidedRule::GuidedBackprop).await_now();
        let deconv = guided_backprop(&probe, &x, &seeds, GuidedRule::Deconvnet).await_now();
        for r in 0..3 {
            let x0 = Array2::from_shape_vec((1, 3), x[r * 3..r * 3 + 3].to_vec()).unwrap();
            let z1 = x0.dot(&weights[0].0.t()) + &weights[0].1;
            let z2 = z1.mapv(|v| v.max(0.0)).dot(&weights[1].0.t()) + &weights[1].1;
            let seed = Array2::from_shape_vec((1, 2), seeds[r * 2..r * 2 + 2].to_vec()).unwrap();
            for (rule, map) in [(GuidedRule::GuidedBackprop, &guided), (GuidedRule::Deconvnet, &deconv)] {
                let through = |d: Array2<f64>, z: &Array2<f64>| match rule {
                    GuidedRule::GuidedBackprop => ndarray::Zip::from(&d).and(z).map_collect(|d, z| if *d > 0.0 && *z > 0.0 { *d } else { 0.0 }),
                    GuidedRule::Deconvnet => d.mapv(|d| d.max(0.0)),
                };
                let d2 = through(seed.dot(&weights[2].0), &z2);
                let d1 = through(d2.dot(&weights[1].0), &z1);
                let want = d1.dot(&weights[0].0);
                close(&map.maps[r], want.as_slice().unwrap(), 1e-12, &format!("{rule:?} sample {r}"));
            }
        }
        assert_ne!(guided.maps, deconv.maps);
    }
}
