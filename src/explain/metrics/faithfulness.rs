//! Faithfulness: does removing what a map calls relevant change the score? Deletion
//! and insertion curves (RISE) and region perturbation / pixel flipping (MoRF, LeRF) are
//! one procedure: rank p×p patches of the pixel grid by the map's summed relevance, then
//! replace them, a growing share at a time, by a fill (zero, a mean input or a blur:
//! `Baseline`) — deletion — or start from the fill and put them back — insertion — and
//! record the explained score S = seed·logits. The AUC is the curve's mean over the
//! share (trapezoids). Also the completeness gap Σ map − (S(x) − S(fill)).

use super::{mean, pixel_relevance};
use crate::backend::Backend;
use crate::explain::{Baseline, Probe};
use crate::rng::{Rng, Stream};

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Perturbation {
    /// Replace the ranked patches by the fill (the curve should fall fast for MoRF).
    Deletion,
    /// Start from the fill and restore the ranked patches (the curve should rise fast).
    Insertion,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Order {
    /// Most relevant first (MoRF).
    Most,
    /// Least relevant first (LeRF).
    Least,
    /// A seeded random order: the reference a map must beat.
    Random(u32),
}

#[derive(Clone, Debug, PartialEq)]
pub struct PerturbationOptions {
    pub perturbation: Perturbation,
    pub order: Order,
    /// Side of the square patches (1: pixel flipping); flat inputs take runs of `patch` features.
    pub patch: usize,
    /// The curve has `steps + 1` points, at shares 0, 1/steps, …, 1 of the patches.
    pub steps: usize,
    pub fill: Baseline,
}

/// Score curves per sample, their AUCs, and the mean curve.
#[derive(Clone, Debug, PartialEq)]
pub struct Curves {
    /// The share of patches perturbed at each point.
    pub shares: Vec<f64>,
    pub curves: Vec<Vec<f64>>,
    pub auc: Vec<f64>,
    pub mean_curve: Vec<f64>,
}

impl PerturbationOptions {
    /// Rows pushed through the network for `samples` samples.
    pub fn rows(&self, samples: usize) -> usize {
        samples * (self.steps + 1)
    }
}

/// Trapezoid area under `ys` at equally spaced points over [0, 1].
pub fn auc(ys: &[f64]) -> f64 {
    if ys.len() < 2 {
        return ys.first().copied().unwrap_or(0.0);
    }
    ys.windows(2).map(|w| (w[0] + w[1]) / 2.0).sum::<f64>() / (ys.len() - 1) as f64
}

/// The patches of a rows × cols grid, each a list of cell indices.
fn patches(grid: [usize; 2], patch: usize) -> Vec<Vec<usize>> {
    let [rows, cols] = grid;
    let (ph, pw) = (if rows == 1 { 1 } else { patch }, patch);
    let mut out = Vec::new();
    for i0 in (0..rows).step_by(ph) {
        for j0 in (0..cols).step_by(pw) {
            out.push((i0..(i0 + ph).min(rows)).flat_map(|i| (j0..(j0 + pw).min(cols)).map(move |j| i * cols + j)).collect());
        }
    }
    out
}

/// Perturbation curves of `maps` (one per row of `x`, in `shape`) for the scores `seeds`.
pub async fn perturbation_curves<B: Backend>(probe: &Probe<'_, B>, x: &[f64], seeds: &[f64], maps: &[Vec<f64>], shape: &[usize], o: &PerturbationOptions) -> Result<Curves, String> {
    if o.patch == 0 || o.steps == 0 {
        return Err("perturbation: patch and steps must be at least 1".into());
    }
    let input = probe.net.input;
    let f = probe.features();
    let cells = match input {
        crate::nn::Features::Image(s) => s.height * s.width,
        crate::nn::Features::Flat(n) => n,
    };
    let mut rows = Vec::with_capacity(maps.len() * (o.steps + 1) * f);
    for (r, (xr, map)) in x.chunks(f).zip(maps).enumerate() {
        let (relevance, grid) = pixel_relevance(map, shape, input)?;
        let fill = o.fill.of(xr, input, r)?;
        let groups = patches(grid, o.patch);
        let score = |g: &Vec<usize>| g.iter().map(|&c| relevance[c]).sum::<f64>();
        let mut order: Vec<usize> = (0..groups.len()).collect();
        match o.order {
            Order::Most => order.sort_by(|&a, &b| score(&groups[b]).total_cmp(&score(&groups[a]))),
            Order::Least => order.sort_by(|&a, &b| score(&groups[a]).total_cmp(&score(&groups[b]))),
            Order::Random(seed) => Rng::new(seed, Stream::Explain).child(r as u32).shuffle(&mut order),
        }
        let (start, end) = match o.perturbation {
            Perturbation::Deletion => (xr, fill.as_slice()),
            Perturbation::Insertion => (fill.as_slice(), xr),
        };
        let mut current = start.to_vec();
        let mut placed = 0;
        for step in 0..=o.steps {
            let upto = (step * groups.len()).div_ceil(o.steps).min(groups.len());
            for &g in &order[placed..upto] {
                for &cell in &groups[g] {
                    for feature in (cell..f).step_by(cells) {
                        current[feature] = end[feature];
                    }
                }
            }
            placed = upto;
            rows.extend_from_slice(&current);
        }
    }
    let per = o.steps + 1;
    let sample_seeds: Vec<f64> = seeds.chunks(probe.classes()).flat_map(|s| crate::explain::probe::repeat(s, per)).collect();
    let scores = probe.scores(&rows, &sample_seeds).await;
    let curves: Vec<Vec<f64>> = scores.chunks(per).map(<[f64]>::to_vec).collect();
    let auc = curves.iter().map(|c| auc(c)).collect();
    let mean_curve = (0..per).map(|i| mean(&curves.iter().map(|c| c[i]).collect::<Vec<_>>())).collect();
    Ok(Curves { shares: (0..per).map(|i| i as f64 / o.steps as f64).collect(), curves, auc, mean_curve })
}

/// Σ map − (S(x) − S(fill)) per sample, for maps in the input's shape.
pub async fn completeness_gap<B: Backend>(probe: &Probe<'_, B>, x: &[f64], seeds: &[f64], maps: &[Vec<f64>], fill: &Baseline) -> Result<Vec<f64>, String> {
    let f = probe.features();
    if maps.iter().any(|m| m.len() != f) {
        return Err("completeness: the maps are not in the input's shape".into());
    }
    let mut both = x.to_vec();
    for (r, xr) in x.chunks(f).enumerate() {
        both.extend(fill.of(xr, probe.net.input, r)?);
    }
    let s = probe.scores(&both, &[seeds, seeds].concat()).await;
    let n = maps.len();
    Ok(maps.iter().enumerate().map(|(r, m)| m.iter().sum::<f64>() - (s[r] - s[n + r])).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::explain::request::Method;
    use crate::explain::testing::*;
    use crate::explain::{IgOptions, Quadrature};
    use crate::explain::metrics::Explainer;
    use crate::nn::Features;

    fn options(perturbation: Perturbation, order: Order) -> PerturbationOptions {
        PerturbationOptions { perturbation, order, patch: 1, steps: 12, fill: Baseline::Zero }
    }

    /// A linear model with the exact attribution w⊙x: deleting by that map lowers the
    /// score faster than random deletion (lower AUC), inserting by it raises it faster,
    /// and LeRF deletion keeps it highest; every curve runs from S(x) to S(0) or back.
    #[test]
    fn deletion_by_the_exact_attribution_beats_random_deletion_on_a_linear_model() {
        let be = Be::new();
        let net = net(r#"[{"type":"dense","units":2}]"#, Features::Flat(24), 5, 1.0, 0.0);
        let probe = Probe::new(&be, &net).with_batch(7);
        let x = inputs(4, 24, 3, 0.0, 1.0);
        let seeds: Vec<f64> = (0..4).flat_map(|_| [1.0, 0.0]).collect();
        let maps = Method::GradientXInput.explain(&probe, &x, &seeds).await_now().unwrap().maps;
        let run = |p, o| perturbation_curves(&probe, &x, &seeds, &maps, &[24], &options(p, o)).await_now().unwrap();
        let full = probe.scores(&x, &seeds).await_now();
        let empty = probe.scores(&vec![0.0; 96], &seeds).await_now();
        let (morf, random, lerf) = (run(Perturbation::Deletion, Order::Most), run(Perturbation::Deletion, Order::Random(1)), run(Perturbation::Deletion, Order::Least));
        for r in 0..4 {
            assert!(morf.auc[r] < random.auc[r] && random.auc[r] < lerf.auc[r], "sample {r}: {} {} {}", morf.auc[r], random.auc[r], lerf.auc[r]);
            assert!((morf.curves[r][0] - full[r]).abs() < 1e-12 && (morf.curves[r][12] - empty[r]).abs() < 1e-12);
            // Linear: after k MoRF steps the k largest terms are gone, the lowest score
            // any order can leave; LeRF leaves the highest.
            for s in 0..13 {
                assert!(morf.curves[r][s] <= random.curves[r][s] + 1e-12 && random.curves[r][s] <= lerf.curves[r][s] + 1e-12, "sample {r} step {s}");
            }
        }
        let (insert, insert_random) = (run(Perturbation::Insertion, Order::Most), run(Perturbation::Insertion, Order::Random(1)));
        assert!(crate::explain::metrics::mean(&insert.auc) > crate::explain::metrics::mean(&insert_random.auc));
        assert!((insert.curves[0][0] - empty[0]).abs() < 1e-12 && (insert.curves[0][12] - full[0]).abs() < 1e-12);
        assert_eq!(morf.shares.len(), 13);
        assert!((morf.mean_curve[3] - crate::explain::metrics::mean(&morf.curves.iter().map(|c| c[3]).collect::<Vec<_>>())).abs() < 1e-15);
    }

    /// Patches group whole p×p squares (all channels) and the fill is the baseline's.
    #[test]
    fn region_perturbation_removes_whole_patches_and_uses_the_fill() {
        assert_eq!(patches([3, 4], 2), vec![vec![0, 1, 4, 5], vec![2, 3, 6, 7], vec![8, 9], vec![10, 11]]);
        assert_eq!(patches([1, 5], 2), vec![vec![0, 1], vec![2, 3], vec![4]]);
        let be = Be::new();
        let net = net(r#"[{"type":"flatten"},{"type":"dense","units":2}]"#, image(2, 4, 4), 2, 1.0, 0.0);
        let probe = Probe::new(&be, &net);
        let x = inputs(1, 32, 4, 0.0, 1.0);
        let seeds = vec![0.0, 1.0];
        let mut map = vec![0.0; 32];
        map[0] = 5.0; // top-left patch first
        let mean_fill = Baseline::Mean(vec![0.5; 32]);
        let o = PerturbationOptions { perturbation: Perturbation::Deletion, order: Order::Most, patch: 2, steps: 4, fill: mean_fill };
        let c = perturbation_curves(&probe, &x, &seeds, &[map], &[2, 4, 4], &o).await_now().unwrap();
        let mut one = x.clone();
        for f in [0, 1, 4, 5, 16, 17, 20, 21] {
            one[f] = 0.5;
        }
        assert!((c.curves[0][1] - probe.scores(&one, &seeds).await_now()[0]).abs() < 1e-12);
        assert!((c.curves[0][4] - probe.scores(&[0.5; 32], &seeds).await_now()[0]).abs() < 1e-12);
        assert!(perturbation_curves(&probe, &x, &seeds, &[vec![0.0; 5]], &[5], &o).await_now().unwrap_err().contains("does not cover"));
    }

    /// Integrated Gradients with many steps on a smooth network closes the gap; the
    /// gradient alone (×input) does not.
    #[test]
    fn the_completeness_gap_of_integrated_gradients_vanishes_on_a_smooth_net() {
        let be = Be::new();
        let net = net(r#"[{"type":"dense","units":6},{"type":"activation","function":"tanh"},{"type":"dense","units":3}]"#, Features::Flat(5), 7, 1.0, 0.0);
        let probe = Probe::new(&be, &net);
        let x = inputs(3, 5, 8, -1.0, 1.0);
        let seeds: Vec<f64> = (0..3).flat_map(|_| [0.0, 0.0, 1.0]).collect();
        let ig = Method::IntegratedGradients(IgOptions { baseline: Baseline::Zero, steps: 64, rule: Quadrature::GaussLegendre });
        let maps = ig.explain(&probe, &x, &seeds).await_now().unwrap().maps;
        let gap = completeness_gap(&probe, &x, &seeds, &maps, &Baseline::Zero).await_now().unwrap();
        assert!(gap.iter().all(|g| g.abs() < 1e-9), "{gap:?}");
        let gxi = Method::GradientXInput.explain(&probe, &x, &seeds).await_now().unwrap().maps;
        let gap = completeness_gap(&probe, &x, &seeds, &gxi, &Baseline::Zero).await_now().unwrap();
        assert!(gap.iter().any(|g| g.abs() > 1e-3), "{gap:?}");
    }
}
