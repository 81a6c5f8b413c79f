//! Occlusion (Zeiler & Fergus): a patch of `fill` slides over the input with a stride,
//! through every channel; each occluded copy's score drop S(x) − S(x_occluded) is added
//! to the pixels it covered, and every pixel's sum is divided by the number of patches
//! that covered it (Captum's `Occlusion`). As in Captum, patches start every `stride`
//! pixels until one reaches the far edge, ⌈(n − patch)/stride⌉ + 1 per axis, so the last
//! one is cut off by the edge when the stride does not divide n − patch. Flat inputs
//! are a 1 × n strip with patches 1 × `patch`.

use super::probe::repeat;
use super::{input_shape, Attribution, Probe};
use crate::backend::Backend;
use crate::nn::Features;

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct OcclusionOptions {
    /// The patch side in pixels (features for flat inputs).
    pub patch: usize,
    pub stride: usize,
    pub fill: f64,
}

pub async fn occlusion<B: Backend>(probe: &Probe<'_, B>, x: &[f64], seeds: &[f64], options: &OcclusionOptions) -> Result<Attribution, String> {
    let OcclusionOptions { patch, stride, fill } = *options;
    let (f, k) = (probe.features(), probe.classes());
    let (c, h, w, ph) = match probe.net.input {
        Features::Flat(n) => (1, 1, n, 1),
        Features::Image(s) => (s.channels, s.height, s.width, patch),
    };
    if patch == 0 || stride == 0 || ph > h || patch > w {
        return Err(format!("occlusion: the patch ({patch}) must fit the input ({}) and the stride ({stride}) be at least 1", probe.net.input.describe()));
    }
    let origins: Vec<(usize, usize)> = starts(h, ph, stride).flat_map(|i| starts(w, patch, stride).map(move |j| (i, j))).collect();
    let covered =
        |(i, j): (usize, usize)| (0..c).flat_map(move |ch| (i..(i + ph).min(h)).flat_map(move |a| (j..(j + patch).min(w)).map(move |b| (ch * h + a) * w + b)));
    let rows = x.len() / f;
    let mut copies = Vec::with_capacity(x.len() * (origins.len() + 1));
    let mut copy_seeds = Vec::new();
    for r in 0..rows {
        let xr = &x[r * f..(r + 1) * f];
        copies.extend_from_slice(xr);
        for &o in &origins {
            let mut occluded = xr.to_vec();
            covered(o).for_each(|p| occluded[p] = fill);
            copies.extend(occluded);
        }
        copy_seeds.extend(repeat(&seeds[r * k..(r + 1) * k], origins.len() + 1));
    }
    let scores = probe.scores(&copies, &copy_seeds).await;
    let mut maps = Vec::with_capacity(rows);
    for s in scores.chunks(origins.len() + 1) {
        let (mut sum, mut count) = (vec![0.0; f], vec![0u32; f]);
        for (&o, occluded) in origins.iter().zip(&s[1..]) {
            for p in covered(o) {
                sum[p] += s[0] - occluded;
                count[p] += 1;
            }
        }
        maps.push(sum.iter().zip(&count).map(|(s, &n)| if n == 0 { 0.0 } else { s / n as f64 }).collect());
    }
    Ok(Attribution { shape: input_shape(probe.net.input), maps, completeness_gap: None })
}

/// Where the patches along an axis of `len` start: every `stride` until a patch reaches
/// the far edge (Captum's count ⌈(len − patch)/stride⌉ + 1, dropping any start past the
/// edge, which only a stride longer than the patch produces).
pub(super) fn starts(len: usize, patch: usize, stride: usize) -> impl Iterator<Item = usize> + Clone {
    (0..(len - patch).div_ceil(stride) + 1).map(move |t| t * stride).filter(move |&o| o < len)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::explain::testing::*;
    use crate::nn::Layer;

    #[test]
    fn one_pixel_occlusion_of_a_linear_model_is_weight_times_x_minus_fill() {
        let be = Be::new();
        let net = net(r#"[{"type":"flatten"},{"type":"dense","units":3}]"#, image(2, 3, 4), 5, 1.0, 0.0);
        let probe = Probe::new(&be, &net).with_batch(7);
        let x = inputs(2, 24, 1, -1.0, 1.0);
        let seeds = [0.0, 0.0, 1.0, 1.0, -1.0, 0.0];
        let w = match &net.nodes[1].layer {
            Layer::Dense(d) => d.weight.value.clone(),
            _ => unreachable!(),
        };
        let fill = 0.25;
        let a = occlusion(&probe, &x, &seeds, &OcclusionOptions { patch: 1, stride: 1, fill }).await_now().unwrap();
        for r in 0..2 {
            // A 1×1 patch covers both channels of a pixel: the map holds their sum at each.
            let want: Vec<f64> = (0..24)
                .map(|p| {
                    let col = |ch: usize| ch * 12 + p % 12;
                    (0..2).map(|ch| (0..3).map(|t| seeds[r * 3 + t] * w[[t, col(ch)]]).sum::<f64>() * (x[r * 24 + col(ch)] - fill)).sum()
                })
                .collect();
            close(&a.maps[r], &want, 1e-12, "occlusion");
        }
        // 2×2 patches at stride 2 on 3×4: two rows of patches, the second cut to row 2 by
        // the edge; each pixel holds its own patch's drop.
        let b = occlusion(&probe, &x, &seeds, &OcclusionOptions { patch: 2, stride: 2, fill: 0.0 }).await_now().unwrap();
        let m = &b.maps[0];
        assert!([1, 4, 5, 12, 13, 16, 17].iter().all(|&p| m[p] == m[0]) && m[2] == m[7] && m[0] != m[2]);
        assert!([9, 20, 21].iter().all(|&p| m[p] == m[8]) && m[10] == m[23] && m[8] != m[0] && m[8] != m[10]);
        // The cut patch's drop is that of zeroing row 2's two pixels in both channels.
        let mut cut = x[..24].to_vec();
        [8, 9, 20, 21].iter().for_each(|&p| cut[p] = 0.0);
        let drop = probe.scores(&x[..24], &seeds[..3]).await_now()[0] - probe.scores(&cut, &seeds[..3]).await_now()[0];
        assert!((m[8] - drop).abs() < 1e-12);
        assert_eq!(starts(8, 3, 2).collect::<Vec<_>>(), [0, 2, 4, 6]);
        assert_eq!(starts(5, 1, 3).collect::<Vec<_>>(), [0, 3]);
        assert!(occlusion(&probe, &x, &seeds, &OcclusionOptions { patch: 5, stride: 1, fill: 0.0 }).await_now().unwrap_err().contains("must fit"));
    }
}
