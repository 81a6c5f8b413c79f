//! Gradient maps: saliency (signed, absolute, or the channel max of the absolute value,
//! Simonyan et al.) and gradient × input. The native runner's default mode is absolute,
//! as Captum's `Saliency` (abs=True); `mode=signed` gives the plain gradient.

use super::{input_shape, Attribution, Probe};
use crate::backend::Backend;
use crate::nn::Features;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SaliencyMode {
    Signed,
    Absolute,
    /// max over channels of |∂S/∂x| per pixel: a [h, w] map (flat inputs: |∂S/∂x|).
    ChannelMax,
}

/// The gradient map of every sample of `x` for the seeds' scores.
pub async fn saliency<B: Backend>(probe: &Probe<'_, B>, x: &[f64], seeds: &[f64], mode: SaliencyMode) -> Attribution {
    let f = probe.features();
    let g = probe.gradients(x, seeds, None).await;
    let input = probe.net.input;
    let (shape, maps) = match (mode, input) {
        (SaliencyMode::Signed, _) => (input_shape(input), g.chunks(f).map(<[f64]>::to_vec).collect()),
        (SaliencyMode::Absolute, _) | (SaliencyMode::ChannelMax, Features::Flat(_)) => {
            (input_shape(input), g.chunks(f).map(|r| r.iter().map(|v| v.abs()).collect()).collect())
        }
        (SaliencyMode::ChannelMax, Features::Image(s)) => {
            let p = s.plane();
            let maps = g.chunks(f).map(|r| (0..p).map(|i| (0..s.channels).map(|c| r[c * p + i].abs()).fold(0.0, f64::max)).collect()).collect();
            (vec![s.height, s.width], maps)
        }
    };
    Attribution { shape, maps, completeness_gap: None }
}

/// x ⊙ ∂S/∂x for every sample.
pub async fn gradient_x_input<B: Backend>(probe: &Probe<'_, B>, x: &[f64], seeds: &[f64]) -> Attribution {
    let f = probe.features();
    let g = probe.gradients(x, seeds, None).await;
    let maps = g.chunks(f).zip(x.chunks(f)).map(|(g, x)| g.iter().zip(x).map(|(a, b)| a * b).collect()).collect();
    Attribution { shape: input_shape(probe.net.input), maps, completeness_gap: None }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::explain::testing::*;
    use crate::explain::Target;

    #[test]
    fn saliency_modes_reduce_the_gradient_and_grad_x_input_multiplies() {
        let be = Be::new();
        let layers = r#"[{"type":"conv2d","filters":3,"kernel":3},{"type":"activation","function":"tanh"},{"type":"flatten"},{"type":"dense","units":3}]"#;
        let net = net(layers, image(2, 4, 3), 4, 0.6, 0.0);
        let probe = Probe::new(&be, &net);
        let x = inputs(2, 24, 3, -1.0, 1.0);
        let seeds = Target::Class(1).seeds(&probe.logits(&x).await_now(), 3, None).unwrap();
        let signed = saliency(&probe, &x, &seeds, SaliencyMode::Signed).await_now();
        let abs = saliency(&probe, &x, &seeds, SaliencyMode::Absolute).await_now();
        let max = saliency(&probe, &x, &seeds, SaliencyMode::ChannelMax).await_now();
        let gxi = gradient_x_input(&probe, &x, &seeds).await_now();
        assert_eq!((signed.shape.clone(), max.shape.clone()), (vec![2, 4, 3], vec![4, 3]));
        assert!(signed.maps[0].iter().any(|v| *v < 0.0));
        for s in 0..2 {
            let g = &signed.maps[s];
            assert_eq!(abs.maps[s], g.iter().map(|v| v.abs()).collect::<Vec<_>>());
            for i in 0..12 {
                assert_eq!(max.maps[s][i], g[i].abs().max(g[12 + i].abs()));
            }
            assert_eq!(gxi.maps[s], g.iter().zip(&x[s * 24..]).map(|(a, b)| a * b).collect::<Vec<_>>());
        }
        // The signed map is the gradient: check one entry by differences.
        let h = 1e-6;
        let mut xp = x.clone();
        xp[5] += h;
        let mut xm = x.clone();
        xm[5] -= h;
        let d = (probe.logits(&xp).await_now()[1] - probe.logits(&xm).await_now()[1]) / (2.0 * h);
        assert!((signed.maps[0][5] - d).abs() < 1e-8);
    }
}
