//! Lab "parametrization": SP, NTK and muP (Yang & Hu's abc presets, `nn::abc`) on the
//! spiral across widths × learning rates. Final-loss heatmaps and the best rate per width
//! (does it transfer?), feature movement ‖Δh‖/‖h₀‖ of the last hidden layer against width,
//! a sharpness curve over full-batch training (top Hessian eigenvalue by power iteration)
//! and the NTK Gram matrix of a small MLP at init with its spectrum.

use super::spectra::{symmetric_eigenvalues, top_hessian_eigenvalue, GradientAt};
use super::fit::Ticker;
use super::weights::{self, Batch};
use super::{About, Check, Figure, FigureKind, LabReport, Progress, Scale, Series, Verdict};
use crate::backend::cpu::CpuBackend;
use crate::backend::Backend;
use crate::data::{self, Dataset};
use crate::nn::layers::Layer;
use crate::nn::{BackwardOptions, Mode, Net};
use crate::spec::{Activation, DatasetKind, ExperimentSpec, Optimizer, Parametrization};
use crate::train::Trainer;

type Be = CpuBackend<f32>;

const PRESETS: [(Parametrization, &str); 3] = [(Parametrization::Sp, "SP"), (Parametrization::Ntk, "NTK"), (Parametrization::MuP, "muP")];
const BASE_WIDTH: u32 = 16;

struct Sizes {
    widths: Vec<u32>,
    rates: Vec<f32>,
    /// Index into `rates` of the rate whose runs give the feature movement, measured
    /// after `movement_epochs` epochs (early, while the scaling regime holds).
    movement_rate: usize,
    movement_epochs: u32,
    epochs: u32,
    /// Sharpness: full-batch epochs, measured every `sharp_every`.
    sharp_epochs: u32,
    sharp_every: u32,
    power_iters: usize,
}

fn sizes(scale: Scale) -> Sizes {
    match scale {
        Scale::Small => Sizes {
            widths: vec![16, 64, 256],
            rates: vec![0.01, 0.03, 0.1, 0.3, 1.0],
            movement_rate: 2,
            movement_epochs: 2,
            epochs: 15,
            sharp_epochs: 60,
            sharp_every: 10,
            power_iters: 15,
        },
        Scale::Full => Sizes {
            widths: vec![16, 32, 64, 128, 256, 512],
            rates: vec![0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0],
            movement_rate: 3,
            movement_epochs: 2,
            epochs: 20,
            sharp_epochs: 150,
            sharp_every: 10,
            power_iters: 20,
        },
    }
}

/// A 2→w→w→2 ReLU MLP on the spiral under `p`, trained by SGD at `rate`.
fn spec(p: Parametrization, width: u32, rate: f32) -> ExperimentSpec {
    let mut s = ExperimentSpec::default();
    s.dataset.kind = DatasetKind::Spiral;
    s.dataset.points = 400;
    s.model.hidden = vec![width, width];
    s.model.activation = Activation::Relu;
    s.model.parametrization = p;
    s.model.base_width = BASE_WIDTH;
    s.training.optimizer = Optimizer::Sgd;
    s.training.learning_rate = rate;
    s.training.batch_size = 25;
    s
}

/// A trainer for `p` at `width` and `rate`. SP and NTK train every layer at the one
/// learning rate, as Jacot et al. and Yang & Hu's kernel-regime NTK (c = 0) do; muP keeps
/// its per-layer rates (`nn::abc`).
fn trainer(p: Parametrization, width: u32, rate: f32, data: &Dataset) -> Result<Trainer<Be>, String> {
    let mut t = Trainer::new(Be::new(), &spec(p, width, rate), data)?;
    if p != Parametrization::MuP {
        t.model.visit_params_mut(&mut |param| param.lr_factors = [1.0, 1.0]);
    }
    Ok(t)
}

/// The output of the last hidden activation for the rows of `x`, row-major.
async fn last_hidden(be: &Be, net: &Net<Be>, x: &<Be as Backend>::Tensor) -> Vec<f32> {
    let mut last = None;
    net.visit_nodes(&mut |n| {
        if matches!(n.layer, Layer::Activation(_)) {
            last = Some(n.id);
        }
    });
    let id = last.expect("an MLP with hidden layers has an activation");
    let trace = net.forward(be, x, Mode::Eval);
    be.read(trace.output(x, id)).await
}

/// ‖a − b‖ / ‖b‖.
fn relative_change(a: &[f32], b: &[f32]) -> f64 {
    let diff: f64 = a.iter().zip(b).map(|(x, y)| ((x - y) as f64).powi(2)).sum();
    let base: f64 = b.iter().map(|y| (*y as f64).powi(2)).sum();
    (diff / base.max(f64::MIN_POSITIVE)).sqrt()
}

/// max / min of positive values (∞ when one is not positive and finite).
fn spread(values: &[f64]) -> f64 {
    let max = values.iter().copied().fold(f64::MIN, f64::max);
    let min = values.iter().copied().fold(f64::MAX, f64::min);
    if min > 0.0 && max.is_finite() {
        max / min
    } else {
        f64::INFINITY
    }
}

/// The index of the smallest finite value, if any.
fn best(values: &[f64]) -> Option<usize> {
    values.iter().enumerate().filter(|(_, v)| v.is_finite()).min_by(|a, b| a.1.total_cmp(b.1)).map(|(i, _)| i)
}

/// One preset's sweep: final train loss [width][rate] and feature movement per width.
struct Sweep {
    loss: Vec<Vec<f64>>,
    movement: Vec<f64>,
}

struct NetGradient<'a> {
    be: &'a Be,
    net: &'a mut Net<Be>,
    batch: &'a Batch<Be>,
}

impl GradientAt for NetGradient<'_> {
    async fn at(&mut self, theta: &[f32]) -> Vec<f64> {
        weights::write(self.be, self.net, theta);
        weights::loss_and_gradient(self.be, self.net, self.batch).await.1
    }
}

/// What the Labs menu shows of this lab.
pub const ABOUT: About = About {
    name: "parametrization",
    title: "Parametrisation: SP, NTK and muP across widths",
    claim: "Under the NTK parametrisation hidden features move less the wider the network (lazy training); under muP they keep moving by the same amount at every width, and the best learning rate transfers from narrow to wide networks.",
    paper: "Jacot, Gabriel & Hongler 2018, Neural Tangent Kernel; Yang & Hu 2021, Feature Learning in Infinite-Width Neural Networks; Yang et al. 2022, Tensor Programs V (muTransfer); Cohen et al. 2021, Gradient Descent on Neural Networks Typically Occurs at the Edge of Stability",
    look_at: "The feature-movement lines (SGD; SP and NTK at one learning rate for every layer, muP with its per-layer rates): NTK falls with width, muP stays level past the narrowest widths. In the heatmaps, whether the lowest-loss column stays put as width grows. The sharpness curve against 2 / learning rate (the edge of stability).",
};

pub async fn run(scale: Scale, progress: &dyn Progress) -> Result<LabReport, String> {
    let z = sizes(scale);
    let data = data::build(&spec(Parametrization::Sp, 16, 0.01).dataset, spec(Parametrization::Sp, 16, 0.01).train_points());
    let cells = PRESETS.len() * z.widths.len() * z.rates.len();
    let sharp_points = (z.sharp_epochs / z.sharp_every + 1) as usize;
    let total = cells * z.epochs as usize + z.sharp_epochs as usize + sharp_points + 1;
    let mut ticks = Ticker::new(progress, total);

    let mut sweeps = Vec::new();
    for &(p, _) in &PRESETS {
        let mut sweep = Sweep { loss: Vec::new(), movement: Vec::new() };
        for &width in &z.widths {
            let mut row = Vec::new();
            for (r, &rate) in z.rates.iter().enumerate() {
                let mut t = trainer(p, width, rate, &data)?;
                let probe = Batch::of(&t.be, &data, 0..data.n_train.min(100));
                let h0 = last_hidden(&t.be, &t.model, &probe.x).await;
                for epoch in 1..=z.epochs {
                    t.train_steps(t.steps_per_epoch());
                    if r == z.movement_rate && epoch == z.movement_epochs {
                        let h = last_hidden(&t.be, &t.model, &probe.x).await;
                        sweep.movement.push(relative_change(&h, &h0));
                    }
                    ticks.tick(1).await?;
                }
                t.sync_history().await;
                row.push(t.history().last().map_or(f64::NAN, |h| h.train_loss as f64));
            }
            sweep.loss.push(row);
        }
        sweeps.push(sweep);
    }

    let sharpness = sharpness_curve(&data, &z, &mut ticks).await?;
    let (gram, points) = ntk_gram(&data).await?;
    ticks.tick(1).await?;

    Ok(report(scale, &z, &sweeps, sharpness, &gram, points))
}

/// Full-batch SGD on an SP MLP of width 64 with the top Hessian eigenvalue every few
/// epochs: (epoch, λ_max) and the learning rate used.
async fn sharpness_curve(data: &Dataset, z: &Sizes, ticks: &mut Ticker<'_>) -> Result<(Vec<(f64, f64)>, f32), String> {
    let rate = 0.1;
    let mut t = trainer(Parametrization::Sp, 64, rate, data)?;
    let mut full_batch = t.training().clone();
    full_batch.batch_size = data.n_train as u32;
    t.set_training(&full_batch, data)?;
    let batch = Batch::train(&t.be, data);
    let mut curve = Vec::new();
    for epoch in 0..=z.sharp_epochs {
        if epoch % z.sharp_every == 0 {
            let theta = weights::read(&t.be, &t.model).await;
            let lambda = {
                let mut g = NetGradient { be: &t.be, net: &mut t.model, batch: &batch };
                top_hessian_eigenvalue(&mut g, &theta, z.power_iters, 1e-3, 11).await
            };
            weights::write(&t.be, &mut t.model, &theta);
            curve.push((epoch as f64, lambda));
            ticks.tick(1).await?;
        }
        if epoch < z.sharp_epochs {
            t.train_steps(t.steps_per_epoch());
            ticks.tick(1).await?;
        }
    }
    Ok((curve, rate))
}

/// The empirical NTK Θ(xᵢ, xⱼ) = ∇θf(xᵢ)·∇θf(xⱼ) of f = logit₁ − logit₀ for a width-64
/// NTK-parametrised MLP at init, on the first few training points: the n×n Gram matrix.
async fn ntk_gram(data: &Dataset) -> Result<(Vec<f64>, usize), String> {
    let n = 8.min(data.n_train);
    let s = spec(Parametrization::Ntk, 64, 0.01);
    let be = Be::new();
    let net = Net::build(&be, crate::nn::Features::Flat(data.n_features), &s.model, data.classes, s.training.seed)?;
    let mut jacobian = Vec::new();
    for i in 0..n {
        let x = be.upload([1, data.n_features], data.row(i));
        let trace = net.forward(&be, &x, Mode::Eval);
        let seed = be.upload([1, 2], &[-1.0, 1.0]);
        let grads = net.backward(&be, &x, &trace, seed, BackwardOptions::training());
        let mut row = Vec::new();
        for g in &grads.params {
            row.extend(be.read(g).await.into_iter().map(f64::from));
        }
        jacobian.push(row);
    }
    let gram = (0..n * n).map(|k| jacobian[k / n].iter().zip(&jacobian[k % n]).map(|(a, b)| a * b).sum()).collect();
    Ok((gram, n))
}

fn report(scale: Scale, z: &Sizes, sweeps: &[Sweep], sharpness: (Vec<(f64, f64)>, f32), gram: &[f64], n: usize) -> LabReport {
    let widths: Vec<f64> = z.widths.iter().map(|&w| w as f64).collect();
    let rate_names: Vec<String> = z.rates.iter().map(|r| format!("{r}")).collect();
    let mut figures = Vec::new();
    for (&(_, name), sweep) in PRESETS.iter().zip(sweeps) {
        let series = z
            .widths
            .iter()
            .zip(&sweep.loss)
            .map(|(w, row)| Series { name: format!("width {w}"), x: (0..z.rates.len()).map(|i| i as f64).collect(), y: row.clone() })
            .collect();
        let mut f = Figure::new(&format!("loss-{}", name.to_lowercase()), &format!("{name}: final train loss by width and learning rate"), FigureKind::Heatmap, "learning rate", "final train loss (cross-entropy, nats)", series);
        f.categories = rate_names.clone();
        figures.push(f);
    }
    let best_rates: Vec<Vec<Option<usize>>> = sweeps.iter().map(|s| s.loss.iter().map(|row| best(row)).collect()).collect();
    let mut f = Figure::new(
        "best-rate",
        "Best learning rate against width",
        FigureKind::Lines,
        "hidden width (units)",
        "best learning rate (SGD)",
        PRESETS
            .iter()
            .zip(&best_rates)
            .map(|(&(_, name), b)| {
                let (x, y) = widths.iter().zip(b).filter_map(|(&w, i)| i.map(|i| (w, z.rates[i] as f64))).unzip();
                Series { name: name.into(), x, y }
            })
            .collect(),
    );
    f.log_x = true;
    figures.push(f);
    let mut f = Figure::new(
        "feature-movement",
        &format!("Feature movement of the last hidden layer after {} epochs at learning rate {}", z.movement_epochs, z.rates[z.movement_rate]),
        FigureKind::Lines,
        "hidden width (units)",
        "‖h − h₀‖ / ‖h₀‖ (ratio)",
        PRESETS.iter().zip(sweeps).map(|(&(_, name), s)| Series { name: name.into(), x: widths.clone(), y: s.movement.clone() }).collect(),
    );
    f.log_x = true;
    figures.push(f);
    let (curve, rate) = sharpness;
    let epochs: Vec<f64> = curve.iter().map(|c| c.0).collect();
    figures.push(Figure::new(
        "sharpness",
        &format!("Sharpness during full-batch gradient descent (SP, width 64, learning rate {rate})"),
        FigureKind::Lines,
        "epoch (full-batch steps)",
        "top Hessian eigenvalue of the training loss",
        vec![
            Series { name: "λ_max".into(), x: epochs.clone(), y: curve.iter().map(|c| c.1).collect() },
            Series { name: "2 / learning rate".into(), x: epochs.clone(), y: vec![2.0 / rate as f64; epochs.len()] },
        ],
    ));
    let point_names: Vec<String> = (1..=n).map(|i| format!("x{i}")).collect();
    let mut f = Figure::new(
        "ntk-gram",
        "NTK Gram matrix at init (NTK, width 64, f = logit₁ − logit₀)",
        FigureKind::Heatmap,
        "training point",
        "Θ(xᵢ, xⱼ)",
        (0..n).map(|i| Series { name: point_names[i].clone(), x: (0..n).map(|j| j as f64).collect(), y: gram[i * n..(i + 1) * n].to_vec() }).collect(),
    );
    f.categories = point_names;
    figures.push(f);
    let eig = symmetric_eigenvalues(gram, n);
    let mut f = Figure::new(
        "ntk-spectrum",
        "Eigenvalues of the NTK Gram matrix",
        FigureKind::Bars,
        "eigenvalue rank",
        "eigenvalue",
        vec![Series { name: "NTK".into(), x: (0..n).map(|i| i as f64).collect(), y: eig }],
    );
    f.categories = (1..=n).map(|i| format!("λ{i}")).collect();
    figures.push(f);

    let checks = checks(z, sweeps, &best_rates);
    LabReport::new(&ABOUT, scale, figures, Verdict::from_checks(checks))
}

/// Least-squares slope of ln y on ln x: the exponent of a power law y ∝ xᵖ.
pub fn log_log_slope(x: &[f64], y: &[f64]) -> f64 {
    let (lx, ly): (Vec<f64>, Vec<f64>) = x.iter().zip(y).map(|(a, b)| (a.ln(), b.ln())).unzip();
    let n = lx.len() as f64;
    let (mx, my) = (lx.iter().sum::<f64>() / n, ly.iter().sum::<f64>() / n);
    let cov: f64 = lx.iter().zip(&ly).map(|(a, b)| (a - mx) * (b - my)).sum();
    let var: f64 = lx.iter().map(|a| (a - mx).powi(2)).sum();
    cov / var
}

fn fmt_list(values: &[f64]) -> String {
    values.iter().map(|v| format!("{v:.3}")).collect::<Vec<_>>().join(", ")
}

fn checks(z: &Sizes, sweeps: &[Sweep], best_rates: &[Vec<Option<usize>>]) -> Vec<Check> {
    let (ntk, mup) = (&sweeps[1].movement, &sweeps[2].movement);
    let (first, last) = (ntk[0], ntk[ntk.len() - 1]);
    let widths: Vec<f64> = z.widths.iter().map(|&w| w as f64).collect();
    let slope = log_log_slope(&widths, ntk);
    let falls = slope <= -0.25 && last <= first / 2.0;
    let (s_ntk, s_mup) = (spread(ntk), spread(mup));
    let flat = s_mup * 2.0 <= s_ntk;
    let shift = |b: &[Option<usize>]| -> Option<usize> {
        let idx: Vec<usize> = b.iter().flatten().copied().collect();
        (idx.len() == b.len()).then(|| idx.iter().max().unwrap() - idx.iter().min().unwrap())
    };
    let describe = |b: &[Option<usize>]| b.iter().map(|i| i.map_or("none".into(), |i| format!("{}", z.rates[i]))).collect::<Vec<_>>().join(", ");
    let mup_shift = shift(&best_rates[2]);
    vec![
        Check {
            claim: "NTK feature movement falls with width".into(),
            holds: falls,
            detail: format!(
                "‖Δh‖/‖h₀‖ at widths {:?}: {}; log–log slope {slope:.2} (falls: slope ≤ −0.25, theory −0.5, and at least halved overall)",
                z.widths,
                fmt_list(ntk)
            ),
        },
        Check {
            claim: "muP feature movement stays roughly flat".into(),
            holds: flat,
            detail: format!("max/min across widths: muP {s_mup:.2} vs NTK {s_ntk:.2} (roughly flat: at most half NTK's); muP {}", fmt_list(mup)),
        },
        Check {
            claim: "the best learning rate transfers across widths under muP".into(),
            holds: mup_shift.is_some_and(|s| s <= 1),
            detail: format!("best rate by width {:?}: muP {}; SP {}; NTK {} (transfer: muP's best moves at most one grid step)", z.widths, describe(&best_rates[2]), describe(&best_rates[0]), describe(&best_rates[1])),
        },
    ]
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;
    use super::*;

    #[test]
    fn spread_best_and_relative_change() {
        assert_eq!(spread(&[0.5, 1.0, 2.0]), 4.0);
        assert_eq!(spread(&[0.0, 1.0]), f64::INFINITY);
        assert_eq!(best(&[f64::NAN, 0.3, 0.1, 0.2]), Some(2));
        assert_eq!(best(&[f64::NAN]), None);
        assert!((relative_change(&[3.0, 4.0], &[0.0, 4.0]) - 0.75).abs() < 1e-12);
    }

    #[test]
    fn log_log_slope_recovers_a_power_law() {
        let x = [16.0, 64.0, 256.0, 1024.0];
        let y: Vec<f64> = x.iter().map(|w: &f64| 3.0 * w.powf(-0.5)).collect();
        assert!((log_log_slope(&x, &y) + 0.5).abs() < 1e-12);
        assert!((log_log_slope(&x, &[2.0; 4])).abs() < 1e-12);
    }
}
