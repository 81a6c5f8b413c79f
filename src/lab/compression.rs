//! Lab "compression": the spiral MLP pruned by weight magnitude (globally and per layer)
//! and quantised (uniform, power-of-two and √2 grids) on copies of its trained weights,
//! accuracy and saliency-map agreement against the dense model; and PRANC (Nooralinejad
//! et al.): the model as a seed and α coefficients over seeded random directions, fitted
//! by gradient descent in their span, small enough for a link.

use super::fit::Ticker;
use super::weights::{self, Batch, Slice};
use super::{About, Check, Figure, FigureKind, LabReport, Progress, Scale, Series, Verdict};
use crate::backend::cpu::CpuBackend;
use crate::data::{self, Dataset};
use crate::explain::metrics::spearman;
use crate::explain::{saliency, Probe, SaliencyMode, Target};
use crate::nn::{Net, ParamRole};
use crate::rng::{Rng, Stream};
use crate::spec::{Activation, DatasetKind, ExperimentSpec, Optimizer};
use crate::train::Trainer;

type Be = CpuBackend<f32>;

const SPARSITIES: [f64; 7] = [0.0, 0.25, 0.5, 0.7, 0.8, 0.9, 0.95];
const BITS: [u32; 6] = [2, 3, 4, 5, 6, 8];
/// Saliency maps are taken on this many cells per side of a grid over the data's square.
const MAP_SIDE: usize = 16;

struct Sizes {
    epochs: u32,
    /// PRANC: random directions and full-batch Adam steps on their coefficients.
    basis: usize,
    pranc_steps: usize,
}

fn sizes(scale: Scale) -> Sizes {
    match scale {
        Scale::Small => Sizes { epochs: 150, basis: 256, pranc_steps: 300 },
        Scale::Full => Sizes { epochs: 300, basis: 512, pranc_steps: 800 },
    }
}

/// The spiral MLP: 2→32→32→2 ReLU, Adam.
fn spec() -> ExperimentSpec {
    let mut s = ExperimentSpec::default();
    s.dataset.kind = DatasetKind::Spiral;
    s.dataset.points = 400;
    s.model.hidden = vec![32, 32];
    s.model.activation = Activation::Relu;
    s.training.optimizer = Optimizer::Adam;
    s.training.learning_rate = 0.01;
    s.training.batch_size = 20;
    s
}

/// Zeroes the fraction `sparsity` of smallest-magnitude weights (biases stay), ranked over
/// all weight tensors together (`global`) or within each.
fn prune(theta: &[f32], slices: &[Slice], sparsity: f64, global: bool) -> Vec<f32> {
    let mut out = theta.to_vec();
    let weights: Vec<&Slice> = slices.iter().filter(|s| s.role == ParamRole::Weight).collect();
    let groups: Vec<Vec<usize>> = if global { vec![weights.iter().flat_map(|s| s.range()).collect()] } else { weights.iter().map(|s| s.range().collect()).collect() };
    for mut group in groups {
        group.sort_by(|&a, &b| theta[a].abs().total_cmp(&theta[b].abs()).then(a.cmp(&b)));
        let cut = (sparsity * group.len() as f64).round() as usize;
        group[..cut].iter().for_each(|&i| out[i] = 0.0);
    }
    out
}

/// A quantisation grid: the magnitudes a weight may take (0 and the scheme's levels).
#[derive(Clone, Copy, Debug, PartialEq)]
enum Grid {
    /// Evenly spaced: 2^(bits−1) − 1 steps of max|w| / (2^(bits−1) − 1).
    Uniform,
    /// max·base^(−k) for k = 0…2^(bits−1) − 2 (one code is zero, one bit the sign).
    Log(f64),
}

impl Grid {
    fn name(self) -> &'static str {
        match self {
            Grid::Uniform => "uniform",
            Grid::Log(2.0) => "power of two",
            Grid::Log(_) => "√2 grid",
        }
    }

    /// The non-negative levels for weights up to `max` in magnitude, ascending.
    fn levels(self, bits: u32, max: f64) -> Vec<f64> {
        let steps = (1usize << (bits - 1)) - 1;
        let mut levels = vec![0.0];
        match self {
            Grid::Uniform => levels.extend((1..=steps).map(|q| max * q as f64 / steps as f64)),
            Grid::Log(base) => {
                // The top level is the power of `base` nearest max (in log terms).
                let top = base.powf((max.ln() / base.ln()).round());
                levels.extend((0..steps).rev().map(|k| top * base.powi(-(k as i32))));
            }
        }
        levels
    }
}

/// Each weight tensor rounded to the nearest level of `grid` (sign kept; biases stay).
fn quantise(theta: &[f32], slices: &[Slice], grid: Grid, bits: u32) -> Vec<f32> {
    let mut out = theta.to_vec();
    for s in slices.iter().filter(|s| s.role == ParamRole::Weight) {
        let max = theta[s.range()].iter().map(|w| w.abs() as f64).fold(0.0, f64::max);
        if max == 0.0 {
            continue;
        }
        let levels = grid.levels(bits, max);
        for i in s.range() {
            let m = theta[i].abs() as f64;
            let nearest = levels.iter().copied().min_by(|a, b| (a - m).abs().total_cmp(&(b - m).abs())).unwrap_or(0.0);
            out[i] = (nearest as f32).copysign(theta[i]);
        }
    }
    out
}

/// Inputs at the centres of a MAP_SIDE² grid over the training points' bounding square.
fn map_inputs(data: &Dataset) -> Vec<f64> {
    let (lo, hi) = data.features[..data.n_train * 2].iter().fold((f32::MAX, f32::MIN), |(lo, hi), &v| (lo.min(v), hi.max(v)));
    let cell = (hi - lo) as f64 / MAP_SIDE as f64;
    (0..MAP_SIDE * MAP_SIDE).flat_map(|k| [lo as f64 + ((k % MAP_SIDE) as f64 + 0.5) * cell, hi as f64 - ((k / MAP_SIDE) as f64 + 0.5) * cell]).collect()
}

/// |∂S/∂x₁| + |∂S/∂x₂| per grid cell, for the scores `seeds` pick.
async fn saliency_map(be: &Be, net: &Net<Be>, x: &[f64], seeds: &[f64]) -> Vec<f64> {
    let probe = Probe::new(be, net);
    saliency(&probe, x, seeds, SaliencyMode::Absolute).await.maps.iter().map(|m| m.iter().sum()).collect()
}

/// The model's test accuracy (%) and its saliency map's rank correlation with the dense
/// one, with `theta` written in.
async fn evaluate(t: &mut Trainer<Be>, theta: &[f32], test: &Batch<Be>, x: &[f64], seeds: &[f64], dense_map: &[f64]) -> (f64, f64) {
    weights::write(&t.be, &mut t.model, theta);
    let acc = 100.0 * weights::accuracy(&t.be, &t.model, test).await;
    let map = saliency_map(&t.be, &t.model, x, seeds).await;
    (acc, spearman(&map, dense_map))
}

/// PRANC: θ(α) = θ₀ + Σₖ αₖ·bₖ with θ₀ the seeded init and bₖ seeded N(0, 1/P) directions;
/// α by full-batch Adam on ∂L/∂α = Bᵀ∇θL. Returns α and (step, test accuracy %) points.
async fn pranc(t: &mut Trainer<Be>, theta0: &[f32], z: &Sizes, train: &Batch<Be>, test: &Batch<Be>, ticks: &mut Ticker<'_>) -> Result<(Vec<f32>, Vec<(f64, f64)>), String> {
    let p = theta0.len();
    let rng = Rng::new(PRANC_SEED, Stream::Init);
    let scale = 1.0 / (p as f64).sqrt();
    let basis: Vec<Vec<f64>> = (0..z.basis).map(|k| (0..p).map(|i| rng.child(k as u32).normal(i as u32) * scale).collect()).collect();
    let theta = |alpha: &[f64]| -> Vec<f32> { (0..p).map(|i| (theta0[i] as f64 + alpha.iter().zip(&basis).map(|(a, b)| a * b[i]).sum::<f64>()) as f32).collect() };
    let (mut alpha, mut m, mut v) = (vec![0.0f64; z.basis], vec![0.0f64; z.basis], vec![0.0f64; z.basis]);
    let (lr, b1, b2, eps) = (0.05, 0.9, 0.999, 1e-8);
    let mut curve = Vec::new();
    for step in 0..z.pranc_steps {
        weights::write(&t.be, &mut t.model, &theta(&alpha));
        if step % PRANC_EVERY == 0 {
            curve.push((step as f64, 100.0 * weights::accuracy(&t.be, &t.model, test).await));
            ticks.tick(1).await?;
        }
        let g = weights::loss_and_gradient(&t.be, &t.model, train).await.1;
        let n = (step + 1) as i32;
        for (((a, m), v), b) in alpha.iter_mut().zip(&mut m).zip(&mut v).zip(&basis) {
            let gk: f64 = b.iter().zip(&g).map(|(b, g)| b * g).sum();
            *m = b1 * *m + (1.0 - b1) * gk;
            *v = b2 * *v + (1.0 - b2) * gk * gk;
            *a -= lr * (*m / (1.0 - b1.powi(n))) / ((*v / (1.0 - b2.powi(n))).sqrt() + eps);
        }
    }
    weights::write(&t.be, &mut t.model, &theta(&alpha));
    curve.push((z.pranc_steps as f64, 100.0 * weights::accuracy(&t.be, &t.model, test).await));
    Ok((alpha.into_iter().map(|a| a as f32).collect(), curve))
}

const PRANC_SEED: u32 = 2023;
const PRANC_EVERY: usize = 20;

/// Characters of `bytes` bytes in base64 (a link's payload).
fn base64_len(bytes: usize) -> usize {
    bytes.div_ceil(3) * 4
}

/// What the Labs menu shows of this lab.
pub const ABOUT: About = About {
    name: "compression",
    title: "Compression: pruning, quantisation and PRANC",
    claim: "Half the weights of a small trained MLP can be pruned by magnitude with at most a 2-point accuracy loss; accuracy climbs with the bits per weight to the float model's; and PRANC stores a model as a seed and a few hundred coefficients.",
    paper: "Han et al. 2015, Learning both Weights and Connections for Efficient Neural Networks; Miyashita et al. 2016, Convolutional Neural Networks using Logarithmic Data Representation; Nooralinejad et al. 2023, PRANC: Pseudo RAndom Networks for Compacting deep models",
    look_at: "Where the pruning curves fall off (global pruning keeps more of the important layers); how quickly the saliency maps drift from the dense one; the bits at which each grid reaches the float line; PRANC's accuracy against its size.",
};

pub async fn run(scale: Scale, progress: &dyn Progress) -> Result<LabReport, String> {
    let z = sizes(scale);
    let s = spec();
    let data = data::build(&s.dataset, s.train_points());
    let pranc_ticks = z.pranc_steps.div_ceil(PRANC_EVERY);
    let total = z.epochs as usize + 2 * SPARSITIES.len() + 3 * BITS.len() + pranc_ticks;
    let mut ticks = Ticker::new(progress, total);

    let mut t = Trainer::new(Be::new(), &s, &data)?;
    let theta0 = weights::read(&t.be, &t.model).await;
    for _ in 0..z.epochs {
        t.train_steps(t.steps_per_epoch());
        ticks.tick(1).await?;
    }
    let dense = weights::read(&t.be, &t.model).await;
    let slices = weights::layout(&t.be, &t.model);
    let (train, test) = (Batch::train(&t.be, &data), Batch::test(&t.be, &data));
    let x = map_inputs(&data);
    let logits = Probe::new(&t.be, &t.model).logits(&x).await;
    let seeds = Target::Predicted.seeds(&logits, data.classes, None)?;
    let dense_map = saliency_map(&t.be, &t.model, &x, &seeds).await;
    let dense_acc = 100.0 * weights::accuracy(&t.be, &t.model, &test).await;

    // [global, per layer] × sparsity: (accuracy, rank correlation).
    let mut pruning = [Vec::new(), Vec::new()];
    for (g, global) in [true, false].into_iter().enumerate() {
        for &sparsity in &SPARSITIES {
            pruning[g].push(evaluate(&mut t, &prune(&dense, &slices, sparsity, global), &test, &x, &seeds, &dense_map).await);
            ticks.tick(1).await?;
        }
    }
    let grids = [Grid::Uniform, Grid::Log(2.0), Grid::Log(std::f64::consts::SQRT_2)];
    let mut quant = Vec::new();
    for grid in grids {
        let mut row = Vec::new();
        for &bits in &BITS {
            row.push(evaluate(&mut t, &quantise(&dense, &slices, grid, bits), &test, &x, &seeds, &dense_map).await.0);
            ticks.tick(1).await?;
        }
        quant.push(row);
    }
    let (alpha, pranc_curve) = pranc(&mut t, &theta0, &z, &train, &test, &mut ticks).await?;
    let pranc_acc = pranc_curve.last().map_or(0.0, |c| c.1);
    let pranc_bytes = 4 + 4 * alpha.len();
    let dense_bytes = 4 * dense.len();

    let sparsity_pct: Vec<f64> = SPARSITIES.iter().map(|s| 100.0 * s).collect();
    let names = ["global", "per layer"];
    let mut figures = vec![
        Figure::new(
            "pruning-accuracy",
            "Test accuracy against sparsity (magnitude pruning of the weights)",
            FigureKind::Lines,
            "weights pruned (%)",
            "test accuracy (%)",
            names.iter().zip(&pruning).map(|(n, p)| Series { name: n.to_string(), x: sparsity_pct.clone(), y: p.iter().map(|c| c.0).collect() }).collect(),
        ),
        Figure::new(
            "pruning-saliency",
            &format!("Saliency maps of the pruned model against the dense one ({MAP_SIDE}² grid, predicted class of the dense model)"),
            FigureKind::Lines,
            "weights pruned (%)",
            "Spearman rank correlation with the dense map",
            names.iter().zip(&pruning).map(|(n, p)| Series { name: n.to_string(), x: sparsity_pct.clone(), y: p.iter().map(|c| c.1).collect() }).collect(),
        ),
    ];
    let bits: Vec<f64> = BITS.iter().map(|&b| b as f64).collect();
    let mut series: Vec<Series> = grids.iter().zip(&quant).map(|(g, q)| Series { name: g.name().into(), x: bits.clone(), y: q.clone() }).collect();
    series.push(Series { name: "float32".into(), x: bits.clone(), y: vec![dense_acc; bits.len()] });
    figures.push(Figure::new("quantisation", "Test accuracy against bits per weight (per-tensor grids; biases in float)", FigureKind::Lines, "bits per weight", "test accuracy (%)", series));
    let (px, py): (Vec<f64>, Vec<f64>) = pranc_curve.iter().copied().unzip();
    figures.push(Figure::new(
        "pranc",
        &format!("PRANC: test accuracy while fitting {} coefficients (dense: {dense_acc:.1}%)", z.basis),
        FigureKind::Lines,
        "Adam step on α (full batch)",
        "test accuracy (%)",
        vec![Series { name: "PRANC".into(), x: px, y: py }],
    ));
    let mut f = Figure::new(
        "model-bytes",
        "Bytes to store the model",
        FigureKind::Bars,
        "form",
        "bytes",
        vec![Series { name: "bytes".into(), x: vec![0.0, 1.0], y: vec![dense_bytes as f64, pranc_bytes as f64] }],
    );
    f.categories = vec!["float32 weights".into(), "PRANC seed + α".into()];
    figures.push(f);

    let at = |s: f64| SPARSITIES.iter().position(|&x| x == s).expect("50% is on the sparsity grid");
    let half = at(0.5);
    let (g50, l50) = (pruning[0][half].0, pruning[1][half].0);
    let uniform = &quant[0];
    let (low, top) = (uniform[0], uniform[BITS.len() - 1]);
    let describe = |q: &[f64]| BITS.iter().zip(q).map(|(b, a)| format!("{b}: {a:.1}")).collect::<Vec<_>>().join(", ");
    let chance = 100.0 / data.classes as f64;
    let link = base64_len(pranc_bytes);
    let checks = vec![
        Check {
            claim: "pruning half the weights keeps accuracy within 2 points".into(),
            holds: dense_acc - g50 <= 2.0,
            detail: format!("test accuracy dense {dense_acc:.1}% → {g50:.1}% at 50% global ({l50:.1}% per layer)"),
        },
        Check {
            claim: "uniform quantisation accuracy rises with bits and matches float at the top".into(),
            holds: top >= low && (top - dense_acc).abs() <= 1.0,
            detail: format!(
                "uniform by bits {}; float {dense_acc:.1}% (power of two {}; √2 {})",
                describe(uniform),
                describe(&quant[1]),
                describe(&quant[2])
            ),
        },
        Check {
            claim: "PRANC keeps most of the accuracy in a link-sized model".into(),
            holds: pranc_acc >= (chance + dense_acc) / 2.0 && link <= 2048,
            detail: format!(
                "{pranc_acc:.1}% with {} coefficients: {pranc_bytes} bytes ({link} base64 characters) vs {dense_bytes} bytes dense at {dense_acc:.1}% (most: at least halfway from chance {chance:.0}%; link-sized: ≤ 2048 characters)",
                alpha.len()
            ),
        },
    ];
    Ok(LabReport::new(&ABOUT, scale, figures, Verdict::from_checks(checks)))
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;
    use super::*;

    fn slices() -> Vec<Slice> {
        vec![
            Slice { role: ParamRole::Weight, start: 0, len: 4 },
            Slice { role: ParamRole::Bias, start: 4, len: 2 },
            Slice { role: ParamRole::Weight, start: 6, len: 2 },
        ]
    }

    #[test]
    fn pruning_zeroes_the_smallest_weights_globally_or_per_layer() {
        let theta = [0.1, -0.5, 0.3, -0.05, 0.01, 0.02, 2.0, -1.0];
        // Global 50%: the 3 smallest of the 6 weights (0.1, −0.05, 0.3); biases stay.
        assert_eq!(prune(&theta, &slices(), 0.5, true), vec![0.0, -0.5, 0.0, 0.0, 0.01, 0.02, 2.0, -1.0]);
        // Per layer 50%: two of the first four, one of the last two.
        assert_eq!(prune(&theta, &slices(), 0.5, false), vec![0.0, -0.5, 0.3, 0.0, 0.01, 0.02, 2.0, 0.0]);
    }

    #[test]
    fn quantisation_grids_have_the_promised_levels() {
        assert_eq!(Grid::Uniform.levels(3, 1.5), vec![0.0, 0.5, 1.0, 1.5]);
        assert_eq!(Grid::Log(2.0).levels(3, 0.9), vec![0.0, 0.25, 0.5, 1.0]);
        let sqrt2 = Grid::Log(std::f64::consts::SQRT_2).levels(2, 1.0);
        assert_eq!(sqrt2, vec![0.0, 1.0]);
        let theta = [0.7, -0.2, 0.01, -1.5];
        let s = [Slice { role: ParamRole::Weight, start: 0, len: 4 }];
        assert_eq!(quantise(&theta, &s, Grid::Uniform, 3), vec![0.5, -0.0, 0.0, -1.5]);
        // Plenty of bits reproduce the weights closely.
        let fine = quantise(&theta, &s, Grid::Uniform, 16);
        assert!(fine.iter().zip(&theta).all(|(a, b)| (a - b).abs() < 1e-4));
    }
}
