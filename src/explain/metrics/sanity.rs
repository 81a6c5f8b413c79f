//! The cascading-randomisation sanity check (Adebayo et al.): replace the parameters
//! of the layers from the top down, one more layer per step, re-explain, and compare each
//! step's maps with the trained model's by Spearman rank correlation and SSIM. A method
//! that depends on the model produces maps that drift away; one that ignores it (an edge
//! detector) stays identical and fails. The check works on a scratch copy of the network.
//! A randomised tensor is drawn N(0, rms²) with the rms of its trained values (seeded);
//! batch norm's running statistics are kept.

use super::{mean, pixel_relevance, staged, Explainer, Tally};
use crate::backend::{Backend, Real};
use crate::explain::CANCELLED;
use crate::nn::Net;
use crate::rng::{Rng, Stream};

#[derive(Clone, Debug, PartialEq)]
pub struct Randomisation {
    /// The top-level layer randomised at each step (step 0, the trained model, has none).
    pub layers: Vec<Option<usize>>,
    /// Per step, one map per sample.
    pub maps: Vec<Vec<Vec<f64>>>,
    pub shape: Vec<usize>,
    /// Per step, the mean over samples against step 0.
    pub spearman: Vec<f64>,
    pub ssim: Vec<f64>,
}

/// The number of randomisation steps after the original: the top-level layers with parameters.
pub fn steps<B: Backend>(net: &Net<B>) -> usize {
    parametrised(net).len()
}

/// The top-level layers with parameters, top first, with their parameter index ranges.
fn parametrised<B: Backend>(net: &Net<B>) -> Vec<(usize, std::ops::Range<usize>)> {
    let ends = net.nodes.iter().skip(1).map(|n| n.first_param).chain([net.param_count]);
    let mut out: Vec<_> = net.nodes.iter().zip(ends).filter(|(n, end)| *end > n.first_param).map(|(n, end)| (n.id, n.first_param..end)).collect();
    out.reverse();
    out
}

/// Copies every tensor of `from` into `to`, which must have the same architecture.
pub async fn copy_state<B: Backend>(be: &B, from: &Net<B>, to: &mut Net<B>) -> Result<(), String> {
    let mut tensors = Vec::new();
    from.visit_state(&mut |t| tensors.push(t));
    let mut values = Vec::with_capacity(tensors.len());
    for t in tensors {
        values.push((be.shape(t), be.read(t).await));
    }
    let mut given = values.into_iter();
    let mut fits = true;
    to.visit_state_mut(&mut |t| match given.next() {
        Some((shape, v)) if shape == be.shape(t) => *t = be.upload(shape, &v),
        _ => fits = false,
    });
    if fits && given.next().is_none() { Ok(()) } else { Err("randomisation: the scratch network differs from the model".into()) }
}

/// Runs the check for the rows of `x` and the scores `seeds`; `scratch` must have
/// `net`'s architecture and ends fully randomised.
#[allow(clippy::too_many_arguments)]
pub async fn cascading_randomisation<B: Backend>(
    be: &B,
    net: &Net<B>,
    scratch: &mut Net<B>,
    explainer: &dyn Explainer<B>,
    x: &[f64],
    seeds: &[f64],
    seed: u32,
    batch: usize,
    tally: &Tally<'_>,
) -> Result<Randomisation, String> {
    copy_state(be, net, scratch).await?;
    let explain = async |net: &Net<B>| {
        let stage = tally.stage();
        let probe = staged(be, net, batch, &stage);
        let a = explainer.explain(&probe, x, seeds).await?;
        if tally.stopped() { Err(CANCELLED.to_string()) } else { Ok(a) }
    };
    let original = explain(net).await?;
    let input = net.input;
    let grids = |maps: &[Vec<f64>]| maps.iter().map(|m| pixel_relevance(m, &original.shape, input)).collect::<Result<Vec<_>, _>>();
    let first = grids(&original.maps)?;
    let mut out = Randomisation { layers: vec![None], maps: vec![original.maps.clone()], shape: original.shape.clone(), spearman: vec![1.0], ssim: vec![1.0] };
    for (layer, range) in parametrised(net) {
        let mut index = 0;
        let mut picked = Vec::new();
        scratch.visit_params(&mut |p| {
            if range.contains(&index) {
                picked.push(&p.value);
            }
            index += 1;
        });
        let mut fresh = Vec::new();
        for (i, t) in picked.into_iter().enumerate() {
            let values = be.read(t).await;
            let rms = (values.iter().map(|v| v.to_f64().powi(2)).sum::<f64>() / values.len().max(1) as f64).sqrt();
            let rng = Rng::new(seed, Stream::Explain).child((layer * 64 + i) as u32);
            let drawn: Vec<B::E> = (0..values.len()).map(|j| B::E::from_f64(rms * rng.normal(j as u32))).collect();
            fresh.push(be.upload(be.shape(t), &drawn));
        }
        let mut fresh = fresh.into_iter();
        index = 0;
        scratch.visit_params_mut(&mut |p| {
            if range.contains(&index) {
                p.value = fresh.next().expect("one fresh tensor per picked parameter");
            }
            index += 1;
        });
        let a = explain(scratch).await?;
        let now = grids(&a.maps)?;
        out.spearman.push(mean(&original.maps.iter().zip(&a.maps).map(|(p, q)| spearman(p, q)).collect::<Vec<_>>()));
        out.ssim.push(mean(&first.iter().zip(&now).map(|((p, grid), (q, _))| ssim(p, q, *grid)).collect::<Vec<_>>()));
        out.layers.push(Some(layer));
        out.maps.push(a.maps);
    }
    Ok(out)
}

/// Ranks from 1, ties given their average rank.
fn ranks(v: &[f64]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..v.len()).collect();
    order.sort_by(|&a, &b| v[a].total_cmp(&v[b]));
    let mut r = vec![0.0; v.len()];
    let mut i = 0;
    while i < order.len() {
        let mut j = i;
        while j + 1 < order.len() && v[order[j + 1]] == v[order[i]] {
            j += 1;
        }
        for &k in &order[i..=j] {
            r[k] = (i + j) as f64 / 2.0 + 1.0;
        }
        i = j + 1;
    }
    r
}

/// Spearman's rank correlation: Pearson's on the ranks; 0 when either side is constant.
pub fn spearman(a: &[f64], b: &[f64]) -> f64 {
    let (ra, rb) = (ranks(a), ranks(b));
    let (ma, mb) = (mean(&ra), mean(&rb));
    let cov: f64 = ra.iter().zip(&rb).map(|(x, y)| (x - ma) * (y - mb)).sum();
    let (va, vb): (f64, f64) = (ra.iter().map(|x| (x - ma).powi(2)).sum(), rb.iter().map(|y| (y - mb).powi(2)).sum());
    if va == 0.0 || vb == 0.0 { 0.0 } else { cov / (va * vb).sqrt() }
}

/// Mean SSIM of two maps on a rows × cols grid, each first scaled by its largest |value|
/// (so the range is 2), over every 7×7 window (smaller grids: one window of their size).
pub fn ssim(a: &[f64], b: &[f64], grid: [usize; 2]) -> f64 {
    let scale = |v: &[f64]| {
        let m = v.iter().fold(0.0, |m: f64, x| m.max(x.abs()));
        v.iter().map(|x| if m > 0.0 { x / m } else { 0.0 }).collect::<Vec<_>>()
    };
    let (a, b) = (scale(a), scale(b));
    let [rows, cols] = grid;
    let (wh, ww) = (rows.min(7), cols.min(7));
    let (c1, c2) = ((0.01f64 * 2.0).powi(2), (0.03f64 * 2.0).powi(2));
    let mut total = 0.0;
    let mut windows = 0;
    for i0 in 0..=rows - wh {
        for j0 in 0..=cols - ww {
            let cells: Vec<usize> = (i0..i0 + wh).flat_map(|i| (j0..j0 + ww).map(move |j| i * cols + j)).collect();
            let n = cells.len() as f64;
            let (ma, mb) = (cells.iter().map(|&c| a[c]).sum::<f64>() / n, cells.iter().map(|&c| b[c]).sum::<f64>() / n);
            let va = cells.iter().map(|&c| (a[c] - ma).powi(2)).sum::<f64>() / n;
            let vb = cells.iter().map(|&c| (b[c] - mb).powi(2)).sum::<f64>() / n;
            let cov = cells.iter().map(|&c| (a[c] - ma) * (b[c] - mb)).sum::<f64>() / n;
            total += (2.0 * ma * mb + c1) * (2.0 * cov + c2) / ((ma * ma + mb * mb + c1) * (va + vb + c2));
            windows += 1;
        }
    }
    total / windows as f64
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::explain::metrics::MapsFuture;
    use crate::explain::request::Method;
    use crate::explain::testing::*;
    use crate::explain::{Attribution, Probe, SaliencyMode};

    /// Horizontal differences of the input: a map that never looks at the model.
    struct EdgeDetector;

    impl Explainer<Be> for EdgeDetector {
        fn explain<'a>(&'a self, probe: &'a Probe<'_, Be>, x: &'a [f64], _seeds: &'a [f64]) -> MapsFuture<'a> {
            let f = probe.features();
            let maps = x.chunks(f).map(|r| (0..f).map(|i| if i % 6 == 5 { 0.0 } else { (r[i + 1] - r[i]).abs() }).collect()).collect();
            Box::pin(std::future::ready(Ok(Attribution { shape: crate::explain::input_shape(probe.net.input), maps, completeness_gap: None })))
        }
    }

    const CNN: &str = r#"[{"type":"conv2d","filters":3,"kernel":3},{"type":"activation","function":"relu"},{"type":"flatten"},{"type":"dense","units":4},{"type":"activation","function":"tanh"},{"type":"dense","units":3}]"#;

    /// The gradient's maps move away from the trained model's as layers are randomised
    /// (rank correlation and SSIM fall below 1 and end low), while the edge detector's
    /// stay identical at every step; the original network is left untouched.
    #[test]
    fn randomisation_changes_gradient_maps_but_not_an_edge_detector() {
        let be = Be::new();
        let input = image(1, 6, 6);
        let net = net(CNN, input, 3, 0.6, 0.0);
        let mut scratch = super::super::super::testing::net(CNN, input, 9, 0.1, 0.0);
        let x = inputs(3, 36, 5, 0.0, 1.0);
        let seeds: Vec<f64> = (0..3).flat_map(|_| [1.0, 0.0, 0.0]).collect();
        let before = Probe::new(&be, &net).logits(&x).await_now();
        let tally = Tally::new(None, 0);
        let grad = Method::Gradient(SaliencyMode::Signed);
        let g = cascading_randomisation(&be, &net, &mut scratch, &grad, &x, &seeds, 1, 8, &tally).await_now().unwrap();
        assert_eq!(g.layers, vec![None, Some(5), Some(3), Some(0)]);
        assert_eq!((g.spearman.len(), g.ssim.len(), g.maps.len()), (4, 4, 4));
        assert!(g.spearman[1..].iter().all(|&r| r < 0.99), "{:?}", g.spearman);
        assert!(g.spearman[3] < 0.5 && g.ssim[3] < 0.5, "{:?} {:?}", g.spearman, g.ssim);
        let e = cascading_randomisation(&be, &net, &mut scratch, &EdgeDetector, &x, &seeds, 1, 8, &tally).await_now().unwrap();
        assert!(e.maps.iter().all(|m| *m == e.maps[0]));
        assert!(e.spearman.iter().chain(&e.ssim).all(|&v| (v - 1.0).abs() < 1e-12), "{:?} {:?}", e.spearman, e.ssim);
        assert_eq!(Probe::new(&be, &net).logits(&x).await_now(), before);
        let other = super::super::super::testing::net(r#"[{"type":"flatten"},{"type":"dense","units":3}]"#, input, 1, 0.1, 0.0);
        let mut other = other;
        assert!(cascading_randomisation(&be, &net, &mut other, &grad, &x, &seeds, 1, 8, &tally).await_now().unwrap_err().contains("differs"));
    }

    #[test]
    fn spearman_and_ssim_know_identity_reversal_and_ties() {
        let a = [0.1, 0.5, 0.3, 0.9];
        assert!((spearman(&a, &a) - 1.0).abs() < 1e-15);
        assert!((spearman(&a, &a.map(|v| -v)) + 1.0).abs() < 1e-15);
        assert_eq!(ranks(&[2.0, 1.0, 2.0]), vec![2.5, 1.0, 2.5]);
        assert_eq!(spearman(&a, &[1.0; 4]), 0.0);
        assert!((ssim(&a, &a.map(|v| 3.0 * v), [2, 2]) - 1.0).abs() < 1e-12, "scaling does not matter");
        let centred = [-1.0, 1.0, 0.5, -0.5];
        assert!(ssim(&centred, &centred.map(|v| -v), [2, 2]) < -0.9, "a sign flip anticorrelates");
    }
}
