//! RISE (Petsiuk et al.): the score of the sample under N random masks, each mask
//! weighted by its score, S = Σ_i f(x ⊙ M_i)·M_i / (N·p). A mask is a random `resolution`²
//! grid of cells kept with probability p, upsampled bilinearly (half-pixel centres,
//! edges clamped) to (resolution + 1) cells and cropped at a random shift within one cell,
//! as the authors' code does; it multiplies every channel. Every sample shares the masks.

use super::probe::repeat;
use super::{Attribution, Probe};
use crate::backend::Backend;
use crate::nn::Features;
use crate::rng::{Rng, Stream};

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RiseOptions {
    pub masks: usize,
    /// Grid cells per side.
    pub resolution: usize,
    /// Probability of keeping a cell.
    pub keep: f64,
    pub seed: u32,
}

/// Mask `index` for an h × w image.
fn mask(o: &RiseOptions, index: usize, h: usize, w: usize) -> Vec<f64> {
    let s = o.resolution;
    let rng = Rng::new(o.seed, Stream::Explain).child(index as u32);
    let grid: Vec<f64> = (0..s * s).map(|g| if (rng.uniform(g as u32) as f64) < o.keep { 1.0 } else { 0.0 }).collect();
    let (cell_h, cell_w) = (h.div_ceil(s), w.div_ceil(s));
    let (dy, dx) = (rng.below((s * s) as u32, cell_h as u32) as usize, rng.below((s * s + 1) as u32, cell_w as u32) as usize);
    let (up_h, up_w) = ((s + 1) * cell_h, (s + 1) * cell_w);
    // Source coordinate and blend weight of an upsampled row or column.
    let source = |d: usize, up: usize| {
        let c = ((d as f64 + 0.5) * s as f64 / up as f64 - 0.5).clamp(0.0, (s - 1) as f64);
        let lo = c.floor() as usize;
        (lo, (lo + 1).min(s - 1), c - lo as f64)
    };
    let mut m = Vec::with_capacity(h * w);
    for i in 0..h {
        let (r0, r1, fr) = source(i + dy, up_h);
        for j in 0..w {
            let (c0, c1, fc) = source(j + dx, up_w);
            let top = grid[r0 * s + c0] * (1.0 - fc) + grid[r0 * s + c1] * fc;
            let bottom = grid[r1 * s + c0] * (1.0 - fc) + grid[r1 * s + c1] * fc;
            m.push(top * (1.0 - fr) + bottom * fr);
        }
    }
    m
}

/// The RISE saliency of every sample, a [h, w] map each.
pub async fn rise<B: Backend>(probe: &Probe<'_, B>, x: &[f64], seeds: &[f64], options: &RiseOptions) -> Result<Attribution, String> {
    let Features::Image(shape) = probe.net.input else {
        return Err("rise: needs an image input".into());
    };
    if options.masks == 0 || options.resolution == 0 || !(options.keep > 0.0 && options.keep <= 1.0) {
        return Err(format!("rise: needs masks ≥ 1, resolution ≥ 1 and 0 < keep ≤ 1, not {}, {}, {}", options.masks, options.resolution, options.keep));
    }
    let (f, k, p) = (probe.features(), probe.classes(), shape.plane());
    let samples = x.len() / f;
    let map_shape = [shape.height, shape.width];
    let mut sums = vec![vec![0.0; p]; samples];
    let scaled = |sums: &[Vec<f64>], masks: usize| -> Vec<Vec<f64>> {
        let norm = masks as f64 * options.keep;
        sums.iter().map(|m| m.iter().map(|v| v / norm).collect()).collect()
    };
    // A batch of masks at a time, made when needed, for every sample; the maps so far
    // are shown after each batch, so the picture sharpens as masks accumulate.
    for start in (0..options.masks).step_by(probe.batch) {
        let end = (start + probe.batch).min(options.masks);
        let masks: Vec<Vec<f64>> = (start..end).map(|i| mask(options, i, shape.height, shape.width)).collect();
        for ((xr, seed), sum) in x.chunks(f).zip(seeds.chunks(k)).zip(&mut sums) {
            let copies: Vec<f64> = masks.iter().flat_map(|m| xr.iter().enumerate().map(move |(i, v)| v * m[i % p])).collect();
            let scores = probe.scores(&copies, &repeat(seed, masks.len())).await;
            for (m, s) in masks.iter().zip(scores) {
                sum.iter_mut().zip(m).for_each(|(a, m)| *a += s * m);
            }
        }
        if end < options.masks {
            probe.partial(&map_shape, &scaled(&sums, end));
        }
    }
    let maps = scaled(&sums, options.masks);
    Ok(Attribution { shape: map_shape.to_vec(), maps, completeness_gap: None })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::explain::testing::*;
    use crate::nn::Layer;

    fn correlation(a: &[f64], b: &[f64]) -> f64 {
        let n = a.len() as f64;
        let (ma, mb) = (a.iter().sum::<f64>() / n, b.iter().sum::<f64>() / n);
        let cov: f64 = a.iter().zip(b).map(|(x, y)| (x - ma) * (y - mb)).sum();
        let va: f64 = a.iter().map(|x| (x - ma).powi(2)).sum();
        let vb: f64 = b.iter().map(|y| (y - mb).powi(2)).sum();
        cov / (va * vb).sqrt()
    }

    #[test]
    fn masks_keep_about_p_and_stay_in_range() {
        let o = RiseOptions { masks: 200, resolution: 4, keep: 0.3, seed: 1 };
        let all: Vec<f64> = (0..o.masks).flat_map(|i| mask(&o, i, 9, 7)).collect();
        let mean = all.iter().sum::<f64>() / all.len() as f64;
        assert!(all.iter().all(|v| (0.0..=1.0).contains(v)) && (mean - 0.3).abs() < 0.03, "mean {mean}");
        assert_ne!(mask(&o, 0, 9, 7), mask(&o, 1, 9, 7));
    }

    /// On a model linear in its input, with an input of ones, the map converges to the
    /// (smooth) weight map up to scale and offset as the number of masks grows (up to
    /// the blur of the bilinear masks: 0.95 correlation with 4000 masks here).
    #[test]
    fn rise_recovers_a_linear_models_weights_as_masks_grow() {
        let be = Be::new();
        let mut net = net(r#"[{"type":"flatten"},{"type":"dense","units":1}]"#, image(1, 8, 8), 2, 1.0, 0.0);
        let weights: Vec<f64> = (0..64).map(|q| ((q / 8) as f64 / 2.5).sin() + ((q % 8) as f64 / 3.0).cos()).collect();
        if let Layer::Dense(d) = &mut net.nodes[1].layer {
            d.weight.value.iter_mut().zip(&weights).for_each(|(v, w)| *v = *w);
        }
        let probe = Probe::new(&be, &net).with_batch(256);
        let x = vec![1.0; 64];
        let fit = |masks| {
            let a = rise(&probe, &x, &[1.0], &RiseOptions { masks, resolution: 4, keep: 0.5, seed: 3 }).await_now().unwrap();
            correlation(&a.maps[0], &weights)
        };
        let (few, many) = (fit(20), fit(4000));
        println!("correlation with the weights: {few:.3} with 20 masks, {many:.3} with 4000");
        assert!(many > 0.9 && many > few + 0.2, "{few} → {many}");
        assert!(rise(&Probe::new(&be, &super::super::testing::net(r#"[{"type":"dense","units":1}]"#, Features::Flat(3), 1, 1.0, 0.0)), &[1.0; 3], &[1.0], &RiseOptions { masks: 1, resolution: 1, keep: 0.5, seed: 0 })
            .await_now()
            .unwrap_err()
            .contains("image"));
    }

    /// Records the maps each partial report shows.
    struct Partials(std::cell::RefCell<Vec<Vec<Vec<f64>>>>);

    impl crate::explain::Progress for Partials {
        fn report(&self, _: usize, _: usize) -> std::pin::Pin<Box<dyn std::future::Future<Output = bool> + '_>> {
            Box::pin(std::future::ready(true))
        }
        fn partial(&self, shape: &[usize], maps: &[Vec<f64>]) {
            assert_eq!(shape, [6, 5]);
            self.0.borrow_mut().push(maps.to_vec());
        }
    }

    /// After each batch but the last, RISE shows the maps it has so far, and each is
    /// exactly what a run with that many masks gives (mask i is the same in both).
    #[test]
    fn rise_shows_the_maps_of_the_masks_so_far_after_each_batch() {
        let be = Be::new();
        let net = net(r#"[{"type":"conv2d","filters":2,"kernel":3},{"type":"activation","function":"relu"},{"type":"flatten"},{"type":"dense","units":3}]"#, image(2, 6, 5), 4, 0.7, 0.0);
        let x = inputs(2, 60, 5, 0.0, 1.0);
        let seeds = [1.0, 0.0, 0.0, 0.0, 0.0, 1.0];
        let options = |masks| RiseOptions { masks, resolution: 3, keep: 0.5, seed: 9 };
        let hook = Partials(Default::default());
        let probe = Probe::new(&be, &net).with_batch(4).with_progress(&hook, 2 * 10);
        let full = rise(&probe, &x, &seeds, &options(10)).await_now().unwrap();
        let shown = hook.0.into_inner();
        assert_eq!(shown.len(), 2, "after 4 and 8 of 10 masks");
        let plain = Probe::new(&be, &net).with_batch(4);
        for (partial, masks) in shown.iter().zip([4, 8]) {
            assert_eq!(partial, &rise(&plain, &x, &seeds, &options(masks)).await_now().unwrap().maps, "{masks} masks");
        }
        assert_eq!(full.maps, rise(&plain, &x, &seeds, &options(10)).await_now().unwrap().maps);
        assert_ne!(shown[0], full.maps);
    }
}
