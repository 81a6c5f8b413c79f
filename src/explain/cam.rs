//! Class activation maps at a chosen layer with an image output (by default the last
//! conv2d): Grad-CAM (Selvaraju et al.), Σ_k mean(∂S/∂A_k)·A_k, as Captum's LayerGradCam
//! computes it (no ReLU unless asked, map at the layer's resolution); Grad-CAM++
//! (Chattopadhyay et al.) with the exp-of-score closed form α = g²/(2g² + ΣA·g³) as
//! pytorch-grad-cam computes it; and Guided Grad-CAM, Grad-CAM with ReLU upsampled
//! (nearest, as Captum) to the input and multiplied by guided backprop per channel.

use super::{guided_backprop, Attribution, GuidedRule, Probe};
use crate::backend::Backend;
use crate::nn::{Features, Layer};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CamVariant {
    GradCam,
    GradCamPlusPlus,
    GuidedGradCam,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CamOptions {
    pub variant: CamVariant,
    /// A layer id (depth-first position); None: the last conv2d layer.
    pub layer: Option<usize>,
    /// Clip the map at zero (always on for Guided Grad-CAM).
    pub relu: bool,
}

/// pytorch-grad-cam's guard in Grad-CAM++'s denominator.
const PLUS_PLUS_EPS: f64 = 1e-7;

pub async fn grad_cam<B: Backend>(probe: &Probe<'_, B>, x: &[f64], seeds: &[f64], options: &CamOptions) -> Result<Attribution, String> {
    let mut last_conv = None;
    let mut shape = None;
    probe.net.visit_nodes(&mut |n| {
        if matches!(n.layer, Layer::Conv2d(_)) {
            last_conv = Some(n.id);
        }
        if Some(n.id) == options.layer {
            shape = Some(n.output);
        }
    });
    let id = options.layer.or(last_conv).ok_or("gradCam: the model has no conv2d layer; give layer=<id>")?;
    if options.layer.is_none() {
        probe.net.visit_nodes(&mut |n| if n.id == id { shape = Some(n.output) });
    }
    let s = match shape {
        Some(Features::Image(s)) => s,
        Some(other) => return Err(format!("gradCam: layer {id} outputs {}, not an image", other.describe())),
        None => return Err(format!("gradCam: there is no layer {id} (the model has {})", probe.net.layer_count)),
    };
    let (acts, grads) = probe.layer(x, seeds, id).await.ok_or_else(|| format!("gradCam: layer {id} passes its input through; pick the layer before it"))?;
    let (c, p) = (s.channels, s.plane());
    let relu = options.relu || options.variant == CamVariant::GuidedGradCam;
    let mut maps: Vec<Vec<f64>> = acts
        .chunks(c * p)
        .zip(grads.chunks(c * p))
        .map(|(a, g)| {
            let mut map = vec![0.0; p];
            for ch in 0..c {
                let (a, g) = (&a[ch * p..(ch + 1) * p], &g[ch * p..(ch + 1) * p]);
                let weight = match options.variant {
                    CamVariant::GradCam | CamVariant::GuidedGradCam => g.iter().sum::<f64>() / p as f64,
                    CamVariant::GradCamPlusPlus => {
                        let total: f64 = a.iter().sum();
                        g.iter()
                            .filter(|g| **g != 0.0)
                            .map(|g| g * g / (2.0 * g * g + total * g * g * g + PLUS_PLUS_EPS) * g.max(0.0))
                            .sum()
                    }
                };
                map.iter_mut().zip(a).for_each(|(m, a)| *m += weight * a);
            }
            if relu {
                map.iter_mut().for_each(|m| *m = m.max(0.0));
            }
            map
        })
        .collect();
    if options.variant != CamVariant::GuidedGradCam {
        return Ok(Attribution { shape: vec![s.height, s.width], maps, completeness_gap: None });
    }
    let Features::Image(input) = probe.net.input else {
        return Err("guidedGradCam: needs an image input".into());
    };
    let guided = guided_backprop(probe, x, seeds, GuidedRule::GuidedBackprop).await;
    for (map, g) in maps.iter_mut().zip(guided.maps) {
        let up = nearest(map, [s.height, s.width], [input.height, input.width]);
        *map = g.iter().enumerate().map(|(i, g)| g * up[i % input.plane()]).collect();
    }
    Ok(Attribution { shape: guided.shape, maps, completeness_gap: None })
}

/// PyTorch's nearest-neighbour resize of a [h, w] plane: source index ⌊dst·in/out⌋.
fn nearest(map: &[f64], from: [usize; 2], to: [usize; 2]) -> Vec<f64> {
    let src = |d: usize, axis: usize| ((d as f64 * from[axis] as f64 / to[axis] as f64).floor() as usize).min(from[axis] - 1);
    (0..to[0]).flat_map(|i| (0..to[1]).map(move |j| (i, j))).map(|(i, j)| map[src(i, 0) * from[1] + src(j, 1)]).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::explain::testing::*;
    use crate::explain::Target;

    /// On conv → relu → global average pool → dense, Grad-CAM at the relu is CAM
    /// (Σ_k w_ck·A_k) divided by the number of positions.
    #[test]
    fn grad_cam_equals_cam_on_a_gap_linear_head() {
        let be = Be::new();
        let layers = r#"[{"type":"conv2d","filters":4,"kernel":3},{"type":"activation","function":"relu"},{"type":"pool","op":"avg"},{"type":"flatten"},{"type":"dense","units":3}]"#;
        let net = net(layers, image(2, 5, 6), 3, 0.8, 0.0);
        let probe = Probe::new(&be, &net).with_batch(2);
        let x = inputs(3, 60, 2, -1.0, 1.0);
        let seeds = Target::Predicted.seeds(&probe.logits(&x).await_now(), 3, None).unwrap();
        let options = CamOptions { variant: CamVariant::GradCam, layer: Some(1), relu: false };
        let cam = grad_cam(&probe, &x, &seeds, &options).await_now().unwrap();
        assert_eq!(cam.shape, vec![5, 6]);
        let w = match &net.nodes[4].layer {
            Layer::Dense(d) => d.weight.value.clone(),
            _ => unreachable!(),
        };
        let (acts, _) = probe.layer(&x, &seeds, 1).await_now().unwrap();
        for r in 0..3 {
            let class = (0..3).find(|&c| seeds[r * 3 + c] == 1.0).unwrap();
            let want: Vec<f64> = (0..30).map(|q| (0..4).map(|k| w[[class, k]] * acts[r * 120 + k * 30 + q]).sum::<f64>() / 30.0).collect();
            close(&cam.maps[r], &want, 1e-12, "Grad-CAM vs CAM/Z");
        }
        let clipped = grad_cam(&probe, &x, &seeds, &CamOptions { relu: true, ..options }).await_now().unwrap();
        assert_eq!(clipped.maps[0], cam.maps[0].iter().map(|v| v.max(0.0)).collect::<Vec<_>>());
        // The default layer is the last conv2d; flat or missing layers are refused.
        assert_eq!(grad_cam(&probe, &x, &seeds, &CamOptions { layer: None, ..options }).await_now().unwrap().shape, vec![5, 6]);
        assert!(grad_cam(&probe, &x, &seeds, &CamOptions { layer: Some(4), ..options }).await_now().unwrap_err().contains("not an image"));
        assert!(grad_cam(&probe, &x, &seeds, &CamOptions { layer: Some(9), ..options }).await_now().unwrap_err().contains("no layer 9"));
    }

    /// Grad-CAM++ weights and Guided Grad-CAM, written out from the layer's activations
    /// and gradients.
    #[test]
    fn grad_cam_plus_plus_and_guided_grad_cam_follow_their_formulas() {
        let be = Be::new();
        let layers = r#"[{"type":"conv2d","filters":3,"kernel":3},{"type":"activation","function":"relu"},{"type":"pool","op":"max","size":2},{"type":"flatten"},{"type":"dense","units":2}]"#;
        let net = net(layers, image(1, 4, 6), 5, 0.8, 0.1);
        let probe = Probe::new(&be, &net);
        let x = inputs(2, 24, 6, -1.0, 1.0);
        let seeds = [1.0, 0.0, 0.0, 1.0];
        let (acts, grads) = probe.layer(&x, &seeds, 1).await_now().unwrap();
        let pp = grad_cam(&probe, &x, &seeds, &CamOptions { variant: CamVariant::GradCamPlusPlus, layer: Some(1), relu: true }).await_now().unwrap();
        let gc = grad_cam(&probe, &x, &seeds, &CamOptions { variant: CamVariant::GradCam, layer: Some(0), relu: true }).await_now().unwrap();
        let guided = guided_backprop(&probe, &x, &seeds, GuidedRule::GuidedBackprop).await_now();
        let ggc = grad_cam(&probe, &x, &seeds, &CamOptions { variant: CamVariant::GuidedGradCam, layer: Some(0), relu: false }).await_now().unwrap();
        for r in 0..2 {
            let (a, g) = (&acts[r * 72..(r + 1) * 72], &grads[r * 72..(r + 1) * 72]);
            let weights: Vec<f64> = (0..3)
                .map(|k| {
                    let total: f64 = a[k * 24..(k + 1) * 24].iter().sum();
                    g[k * 24..(k + 1) * 24].iter().map(|&g| if g == 0.0 { 0.0 } else { g * g / (2.0 * g * g + total * g.powi(3) + 1e-7) * g.max(0.0) }).sum()
                })
                .collect();
            let want: Vec<f64> = (0..24).map(|q| (0..3).map(|k| weights[k] * a[k * 24 + q]).sum::<f64>().max(0.0)).collect();
            close(&pp.maps[r], &want, 1e-12, "Grad-CAM++");
            // Same resolution as the input: the upsampling is the identity here.
            let want: Vec<f64> = (0..24).map(|q| guided.maps[r][q] * gc.maps[r][q]).collect();
            close(&ggc.maps[r], &want, 1e-12, "Guided Grad-CAM");
        }
        assert!(pp.maps.iter().flatten().any(|v| *v > 0.0));
        assert_eq!(nearest(&[1.0, 2.0, 3.0, 4.0], [2, 2], [4, 3]), [1., 1., 2., 1., 1., 2., 3., 3., 4., 3., 3., 4.]);
    }
}
