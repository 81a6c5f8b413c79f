//! Shapley value sampling (Castro et al.; Captum's ShapleyValueSampling) for
//! low-dimensional inputs: features, or groups of them such as superpixels, are switched
//! from the baseline to the input one at a time in random orders, each switch credited
//! with the score change; the credits are averaged over the orders. Every element of a
//! group carries the group's value. Each order costs groups + 1 evaluations, batched.

use super::probe::repeat;
use super::{input_shape, Attribution, Probe};
use crate::backend::Backend;
use crate::nn::Features;
use crate::rng::{Rng, Stream};

/// Largest number of groups: the method is for low-dimensional inputs.
pub const MAX_GROUPS: usize = 1024;

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ShapleyOptions {
    /// Random orders.
    pub samples: usize,
    /// Superpixel side for images (square cells through every channel); ignored for flat
    /// inputs, whose features are their own groups.
    pub cell: usize,
    /// The baseline value every feature starts from.
    pub fill: f64,
    pub seed: u32,
}

/// The group of every input element.
fn groups(input: Features, cell: usize) -> Vec<usize> {
    match input {
        Features::Flat(n) => (0..n).collect(),
        Features::Image(s) => {
            let across = s.width.div_ceil(cell);
            (0..s.len()).map(|e| {
                let q = e % s.plane();
                (q / s.width / cell) * across + (q % s.width) / cell
            }).collect()
        }
    }
}

/// How many groups `groups` makes (0 for a zero cell, which the method refuses).
pub(super) fn group_count(input: Features, cell: usize) -> usize {
    if cell == 0 {
        return 0;
    }
    groups(input, cell).iter().max().map_or(0, |g| g + 1)
}

pub async fn shapley_sampling<B: Backend>(probe: &Probe<'_, B>, x: &[f64], seeds: &[f64], options: &ShapleyOptions) -> Result<Attribution, String> {
    let (f, k) = (probe.features(), probe.classes());
    if options.samples == 0 || options.cell == 0 {
        return Err("shapley: needs samples ≥ 1 and cell ≥ 1".into());
    }
    let group_of = groups(probe.net.input, options.cell);
    let count = group_of.iter().max().map_or(0, |g| g + 1);
    if count > MAX_GROUPS {
        return Err(format!("shapley: {count} features or superpixels are too many (at most {MAX_GROUPS}); use a larger cell"));
    }
    let mut maps = Vec::with_capacity(x.len() / f);
    for (r, (xr, seed)) in x.chunks(f).zip(seeds.chunks(k)).enumerate() {
        let rng = Rng::new(options.seed, Stream::Explain).child(r as u32);
        let mut copies = Vec::with_capacity(options.samples * (count + 1) * f);
        let mut orders = Vec::with_capacity(options.samples);
        for s in 0..options.samples {
            let mut order: Vec<usize> = (0..count).collect();
            rng.child(s as u32).shuffle(&mut order);
            let mut current = vec![options.fill; f];
            copies.extend_from_slice(&current);
            for &g in &order {
                group_of.iter().enumerate().filter(|(_, &h)| h == g).for_each(|(e, _)| current[e] = xr[e]);
                copies.extend_from_slice(&current);
            }
            orders.push(order);
        }
        let scores = probe.scores(&copies, &repeat(seed, options.samples * (count + 1))).await;
        let mut value = vec![0.0; count];
        for (order, s) in orders.iter().zip(scores.chunks(count + 1)) {
            for (step, &g) in order.iter().enumerate() {
                value[g] += (s[step + 1] - s[step]) / options.samples as f64;
            }
        }
        maps.push(group_of.iter().map(|&g| value[g]).collect());
    }
    Ok(Attribution { shape: input_shape(probe.net.input), maps, completeness_gap: None })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::explain::testing::*;
    use crate::nn::Layer;

    /// Exact Shapley values of a 3-feature net by enumerating every coalition, and the
    /// sampled ones: efficiency holds for every sample count, and the values converge.
    #[test]
    fn shapley_sampling_is_efficient_and_converges_to_exact_values() {
        let be = Be::new();
        let net = net(r#"[{"type":"dense","units":6},{"type":"activation","function":"relu"},{"type":"dense","units":2}]"#, Features::Flat(3), 4, 1.5, 0.0);
        let probe = Probe::new(&be, &net).with_batch(32);
        let x = [0.9, -1.2, 0.6];
        let seed = [0.0, 1.0];
        let fill = 0.1;
        let coalition = |mask: usize| -> Vec<f64> { (0..3).map(|i| if mask >> i & 1 == 1 { x[i] } else { fill }).collect() };
        let all: Vec<f64> = (0..8).flat_map(coalition).collect();
        let v = probe.scores(&all, &repeat(&seed, 8)).await_now();
        let weight = [1.0 / 3.0, 1.0 / 6.0, 1.0 / 3.0]; // |S|!(n − |S| − 1)!/n! for |S| = 0, 1, 2
        let exact: Vec<f64> = (0..3)
            .map(|i| (0..8).filter(|m| m >> i & 1 == 0).map(|m: usize| weight[m.count_ones() as usize] * (v[m | 1 << i] - v[m])).sum())
            .collect();
        for samples in [1, 400] {
            let a = shapley_sampling(&probe, &x, &seed, &ShapleyOptions { samples, cell: 1, fill, seed: 2 }).await_now().unwrap();
            assert!((a.maps[0].iter().sum::<f64>() - (v[7] - v[0])).abs() < 1e-12, "efficiency with {samples} orders");
            if samples == 400 {
                close(&a.maps[0], &exact, 0.03, "sampled vs exact Shapley values");
            }
        }
        // Images: superpixels carry one value each; a linear model gets Σ_group w·(x − fill).
        let linear = super::super::testing::net(r#"[{"type":"flatten"},{"type":"dense","units":1}]"#, image(1, 4, 4), 1, 1.0, 0.0);
        let w = match &linear.nodes[1].layer {
            Layer::Dense(d) => d.weight.value.row(0).to_vec(),
            _ => unreachable!(),
        };
        let x = inputs(1, 16, 3, -1.0, 1.0);
        let a = shapley_sampling(&Probe::new(&be, &linear), &x, &[1.0], &ShapleyOptions { samples: 2, cell: 2, fill: 0.0, seed: 0 }).await_now().unwrap();
        let top_left: f64 = [0, 1, 4, 5].iter().map(|&e| w[e] * x[e]).sum();
        assert!((a.maps[0][0] - top_left).abs() < 1e-12 && a.maps[0][5] == a.maps[0][0]);
        assert_eq!(groups(image(2, 3, 3), 2), [0, 0, 1, 0, 0, 1, 2, 2, 3, 0, 0, 1, 0, 0, 1, 2, 2, 3]);
    }
}
