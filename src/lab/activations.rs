//! Activations and pooling: the AIL gates' surfaces against their exact logit-space
//! forms (Lowe et al.), accuracy and speed of the gates against ReLU and MaxOut on XOR,
//! logAvgExp pooling between its max and mean limits (measured directly, then fixed and
//! learned t in a small CNN), and a stride-2 convolution in place of max-pooling
//! (Springenberg et al.).

use super::fit::{Fit, Ticker};
use super::{About, Check, Figure, FigureKind, LabReport, Progress, Scale, Series, Verdict};
use crate::backend::cpu::CpuBackend;
use crate::backend::{Backend, GateOp, ImageShape, Padding, PoolOp, Window};
use crate::rng::Rng;
use crate::spec::{Activation, DatasetKind, ExperimentSpec, LayerSpec, Optimizer, PoolKind};

/// The gate surfaces' grid: GRID_N values from −GRID_MAX to GRID_MAX (0 among them).
const GRID_N: usize = 41;
const GRID_MAX: f64 = 4.0;
/// (name, AIL form, exact form).
const GATES: [(&str, GateOp, GateOp); 3] =
    [("and", GateOp::AndAil, GateOp::And), ("or", GateOp::OrAil, GateOp::Or), ("xnor", GateOp::XnorAil, GateOp::Xnor)];
/// The logAvgExp temperatures swept, as powers of ten.
const LAE_DECADES: [f64; 9] = [-2.0, -1.5, -1.0, -0.5, 0.0, 0.5, 1.0, 1.5, 2.0];

fn grid() -> Vec<f64> {
    (0..GRID_N).map(|i| -GRID_MAX + 2.0 * GRID_MAX * i as f64 / (GRID_N - 1) as f64).collect()
}

/// `op` over the grid, row i = the i-th y value, column j = the j-th x value.
async fn gate_surface(be: &CpuBackend<f64>, op: GateOp) -> Vec<Vec<f64>> {
    let g = grid();
    let pairs: Vec<f64> = g.iter().flat_map(|&y| g.iter().flat_map(move |&x| [x, y])).collect();
    let out = be.read(&be.pair_gate(op, &be.upload([GRID_N * GRID_N, 2], &pairs))).await;
    out.chunks(GRID_N).map(<[f64]>::to_vec).collect()
}

/// The largest |a − b| over two surfaces, with its (x, y).
pub fn max_error(a: &[Vec<f64>], b: &[Vec<f64>]) -> (f64, [f64; 2]) {
    let g = grid();
    let mut best = (f64::NEG_INFINITY, [f64::NAN; 2]);
    for (i, (ra, rb)) in a.iter().zip(b).enumerate() {
        for (j, (va, vb)) in ra.iter().zip(rb).enumerate() {
            let e = (va - vb).abs();
            if e > best.0 {
                best = (e, [g[j], g[i]]);
            }
        }
    }
    best
}

fn heatmap(id: &str, title: &str, rows: &[Vec<f64>]) -> Figure {
    let g = grid();
    let series = rows.iter().zip(&g).map(|(row, &y)| Series { name: format!("y = {y:.1}"), x: g.clone(), y: row.clone() }).collect();
    Figure::new(id, title, FigureKind::Heatmap, "x (logit)", "y (logit), one row per value", series)
}

/// The gates' surfaces and errors: figures, and (name, max error, where) per gate.
async fn gates() -> (Vec<Figure>, Vec<(&'static str, f64, [f64; 2])>) {
    let be = CpuBackend::<f64>::new();
    let (mut figures, mut errors) = (Vec::new(), Vec::new());
    for (name, ail, exact) in GATES {
        let (a, e) = (gate_surface(&be, ail).await, gate_surface(&be, exact).await);
        let diff: Vec<Vec<f64>> = a.iter().zip(&e).map(|(ra, re)| ra.iter().zip(re).map(|(x, y)| x - y).collect()).collect();
        let upper = name.to_uppercase();
        figures.push(heatmap(&format!("{name}-ail"), &format!("{upper}_AIL(x, y)"), &a));
        figures.push(heatmap(&format!("{name}-exact"), &format!("Exact {upper}(x, y) = logit of the soft gate"), &e));
        figures.push(heatmap(&format!("{name}-error"), &format!("{upper}_AIL − exact {upper}"), &diff));
        let (err, at) = max_error(&a, &e);
        errors.push((name, err, at));
    }
    let mut bars = Figure::new("gate-max-error", "Largest |AIL − exact| on the grid", FigureKind::Bars, "gate", "max |AIL − exact| (logit units)", vec![Series {
        name: "max error".into(),
        x: (0..errors.len()).map(|i| i as f64).collect(),
        y: errors.iter().map(|e| e.1).collect(),
    }]);
    bars.categories = errors.iter().map(|e| e.0.to_uppercase()).collect();
    figures.push(bars);
    (figures, errors)
}

/// logAvgExp against max and mean pooling of one seeded batch (64 images, 4 × 8 × 8,
/// values in [0, 1], 2 × 2 windows): per t, the largest |LAE − max| and |LAE − mean|.
pub async fn lae_limits() -> Vec<(f64, f64, f64)> {
    let be = CpuBackend::<f32>::new();
    let shape = ImageShape::new(4, 8, 8);
    let rows = 64;
    let rng = Rng::from_parts(9, 100);
    let values: Vec<f32> = (0..(rows * shape.len()) as u32).map(|i| rng.uniform(i)).collect();
    let x = be.upload([rows, shape.len()], &values);
    let window = Window::new(shape, [2, 2], [2, 2], Padding::Valid).expect("2 × 2 windows fit an 8 × 8 image");
    let max = be.read(&be.pool(PoolOp::Max, &x, &window, None)).await;
    let mean = be.read(&be.pool(PoolOp::Avg, &x, &window, None)).await;
    let mut out = Vec::new();
    for d in LAE_DECADES {
        let t = 10f64.powf(d);
        let log_t = be.upload([1, 1], &[t.ln() as f32]);
        let lae = be.read(&be.pool(PoolOp::LogAvgExp, &x, &window, Some(&log_t))).await;
        let dev = |other: &[f32]| lae.iter().zip(other).fold(0.0f64, |m, (&a, &b)| m.max((a as f64 - b as f64).abs()));
        out.push((t, dev(&max), dev(&mean)));
    }
    out
}

fn xor_spec(activation: Activation, seed: u32) -> ExperimentSpec {
    let mut spec = ExperimentSpec::default();
    spec.dataset.kind = DatasetKind::Xor;
    spec.dataset.points = 400;
    spec.model.activation = activation;
    spec.model.hidden = vec![4];
    spec.training.optimizer = Optimizer::Adam;
    spec.training.learning_rate = 0.02;
    spec.training.seed = seed;
    spec
}

/// The pooling stage of the CNN.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Downsample {
    Pool(PoolKind, f32, bool),
    StridedConv,
}

fn cnn_spec(scale: Scale, down: Downsample) -> ExperimentSpec {
    let mut spec = ExperimentSpec::default();
    spec.dataset.kind = DatasetKind::Shapes;
    spec.dataset.points = match scale {
        Scale::Small => 400,
        Scale::Full => 1200,
    };
    spec.dataset.train_fraction = 0.75;
    spec.dataset.noise = 20.0;
    spec.dataset.seed = 5;
    spec.model.hidden = Vec::new();
    let stage = |filters: u32| -> Vec<LayerSpec> {
        let mut v = vec![LayerSpec::Conv2d { filters, kernel: 3, stride: 1, padding: Default::default() }, LayerSpec::Activation { function: Activation::Relu }];
        v.extend(match down {
            Downsample::Pool(op, temperature, learn_temperature) => {
                vec![LayerSpec::Pool { op, size: Some(2), stride: None, padding: None, temperature, learn_temperature }]
            }
            Downsample::StridedConv => vec![
                LayerSpec::Conv2d { filters, kernel: 3, stride: 2, padding: Default::default() },
                LayerSpec::Activation { function: Activation::Relu },
            ],
        });
        v
    };
    spec.model.layers = [stage(8), stage(16), vec![LayerSpec::Flatten, LayerSpec::Dense { units: 4 }]].concat();
    spec.training.optimizer = Optimizer::Adam;
    spec.training.learning_rate = 0.005;
    spec.training.batch_size = 32;
    spec
}

fn sizes(scale: Scale) -> (u32, usize, usize) {
    // (XOR seeds, XOR epochs, CNN epochs)
    match scale {
        Scale::Small => (2, 60, 12),
        Scale::Full => (5, 100, 15),
    }
}

const XOR_ACTIVATIONS: [(&str, Activation); 5] = [
    ("ReLU", Activation::Relu),
    ("MaxOut", Activation::Maxout),
    ("AND_AIL", Activation::AndAil),
    ("OR_AIL", Activation::OrAil),
    ("XNOR_AIL", Activation::XnorAil),
];

fn bars(id: &str, title: &str, y_label: &str, names: &[&str], y: Vec<f64>) -> Figure {
    let mut f = Figure::new(id, title, FigureKind::Bars, "activation", y_label, vec![Series {
        name: y_label.into(),
        x: (0..y.len()).map(|i| i as f64).collect(),
        y,
    }]);
    f.categories = names.iter().map(|n| n.to_string()).collect();
    f
}

/// What the Labs menu shows of this lab.
pub const ABOUT: About = About {
    name: "activations",
    title: "Activations and pooling",
    claim: "The AIL gates are cheap piecewise-linear stand-ins for exact logit-space AND/OR/XNOR, off by at most ln 3 (at the origin); they learn XOR as ReLU and MaxOut do. logAvgExp pooling moves from max to mean pooling as its temperature grows, and a stride-2 convolution can replace max-pooling.",
    paper: "Lowe et al. (2021), Logical activation functions: logit-space equivalents of probabilistic Boolean operators; Springenberg et al. (2015), Striving for simplicity: the all convolutional net",
    look_at: "The error heatmaps (largest at the origin for AND and OR), the XOR accuracy and speed bars, the two logAvgExp curves crossing over as t grows, the learned t, and the max-pool vs stride-2 bars.",
};

pub async fn run(scale: Scale, progress: &dyn Progress) -> Result<LabReport, String> {
    let (seeds, xor_epochs, cnn_epochs) = sizes(scale);
    let fixed_t: Vec<f64> = [-1.0, 0.0, 1.0].iter().map(|d| 10f64.powf(*d)).collect();
    // Max, avg, each fixed t, learned t, strided conv.
    let cnn_runs = 4 + fixed_t.len();
    let total = 1 + XOR_ACTIVATIONS.len() * seeds as usize * xor_epochs + cnn_runs * cnn_epochs;
    let mut ticker = Ticker::new(progress, total);

    let (mut figures, gate_errors) = gates().await;
    let limits = lae_limits().await;
    ticker.tick(1).await?;

    // XOR: mean test accuracy and ms per epoch over seeds.
    let (mut acc, mut ms) = (Vec::new(), Vec::new());
    for (_, activation) in XOR_ACTIVATIONS {
        let (mut a, mut m) = (0.0, 0.0);
        for seed in 1..=seeds {
            let mut fit = Fit::new(&xor_spec(activation, seed))?;
            m += fit.train(xor_epochs, &mut ticker).await? / xor_epochs as f64;
            a += fit.test_accuracy().await;
        }
        acc.push(100.0 * a / seeds as f64);
        ms.push(m / seeds as f64);
    }
    let names: Vec<&str> = XOR_ACTIVATIONS.iter().map(|a| a.0).collect();
    figures.push(bars("xor-accuracy", "XOR test accuracy (4 hidden units, mean over seeds)", "test accuracy (%)", &names, acc.clone()));
    figures.push(bars("xor-speed", "Training wall time per epoch on the CPU (mean over seeds)", "ms per epoch", &names, ms.clone()));

    figures.push(Figure {
        log_x: true,
        ..Figure::new(
            "lae-limits",
            "logAvgExp pooling against max and mean pooling (2 × 2 windows, values in [0, 1])",
            FigureKind::Lines,
            "temperature t",
            "largest |difference| (pixel units)",
            vec![
                Series { name: "|LAE − max|".into(), x: limits.iter().map(|l| l.0).collect(), y: limits.iter().map(|l| l.1).collect() },
                Series { name: "|LAE − mean|".into(), x: limits.iter().map(|l| l.0).collect(), y: limits.iter().map(|l| l.2).collect() },
            ],
        )
    });

    // The CNN with each downsampling.
    let cnn = |down: Downsample| Fit::new(&cnn_spec(scale, down));
    let mut accuracy_of = Vec::new();
    for down in [Downsample::Pool(PoolKind::Max, 1.0, false), Downsample::Pool(PoolKind::Avg, 1.0, false), Downsample::StridedConv] {
        let mut fit = cnn(down)?;
        fit.train(cnn_epochs, &mut ticker).await?;
        accuracy_of.push(100.0 * fit.test_accuracy().await);
    }
    let (max_acc, avg_acc, conv_acc) = (accuracy_of[0], accuracy_of[1], accuracy_of[2]);
    let mut lae_acc = Vec::new();
    for &t in &fixed_t {
        let mut fit = cnn(Downsample::Pool(PoolKind::LogAvgExp, t as f32, false))?;
        fit.train(cnn_epochs, &mut ticker).await?;
        lae_acc.push(100.0 * fit.test_accuracy().await);
    }
    let mut learned = cnn(Downsample::Pool(PoolKind::LogAvgExp, 1.0, true))?;
    let mut trajectory = vec![learned.temperatures().await];
    for _ in 0..cnn_epochs {
        learned.train(1, &mut ticker).await?;
        trajectory.push(learned.temperatures().await);
    }
    let learned_acc = 100.0 * learned.test_accuracy().await;
    let span = |y: f64| vec![fixed_t[0], fixed_t[fixed_t.len() - 1]].into_iter().map(move |x| (x, y)).unzip::<f64, f64, Vec<f64>, Vec<f64>>();
    let line = |name: &str, (x, y): (Vec<f64>, Vec<f64>)| Series { name: name.into(), x, y };
    figures.push(Figure {
        log_x: true,
        ..Figure::new(
            "lae-accuracy",
            "Shapes CNN test accuracy with logAvgExp pooling at fixed t",
            FigureKind::Lines,
            "temperature t",
            "test accuracy (%)",
            vec![
                Series { name: "logAvgExp, fixed t".into(), x: fixed_t.clone(), y: lae_acc.clone() },
                line("max pool", span(max_acc)),
                line("average pool", span(avg_acc)),
                line("logAvgExp, learned t", span(learned_acc)),
            ],
        )
    });
    let layers = trajectory.first().map_or(0, Vec::len);
    figures.push(Figure::new(
        "learned-t",
        "Learned logAvgExp temperature over training (from t = 1)",
        FigureKind::Lines,
        "epoch",
        "temperature t",
        (0..layers)
            .map(|l| Series {
                name: format!("pool {}", l + 1),
                x: (0..trajectory.len()).map(|e| e as f64).collect(),
                y: trajectory.iter().map(|t| t[l]).collect(),
            })
            .collect(),
    ));
    let mut allconv = Figure::new("allconv", "Max-pooling against a stride-2 convolution (shapes CNN)", FigureKind::Bars, "downsampling", "test accuracy (%)", vec![Series {
        name: "test accuracy (%)".into(),
        x: vec![0.0, 1.0],
        y: vec![max_acc, conv_acc],
    }]);
    allconv.categories = vec!["2 × 2 max pool".into(), "3 × 3 conv, stride 2".into()];
    figures.push(allconv);

    let ln3 = 3f64.ln();
    let at_origin = |name: &str| {
        let (_, err, at) = gate_errors.iter().find(|g| g.0 == name).copied().expect("every gate is measured");
        ((err - ln3).abs() < 1e-3 && at == [0.0, 0.0], format!("{} {err:.4} at ({}, {})", name.to_uppercase(), at[0], at[1]))
    };
    let (and_ok, and_detail) = at_origin("and");
    let (or_ok, or_detail) = at_origin("or");
    let xnor = gate_errors[2];
    let window = 4f64;
    let bounds_hold = limits.iter().all(|&(t, to_max, to_mean)| to_max <= t * window.ln() + 1e-5 && to_mean <= 1.0 / (8.0 * t) + 1e-5);
    let (first, last) = (limits[0], limits[limits.len() - 1]);
    let gates_learn = acc[2..].iter().all(|&a| a >= 90.0);
    let checks = vec![
        Check {
            claim: "the AIL gates' largest error is ln 3 ≈ 1.0986 at the origin for AND and OR".into(),
            holds: and_ok && or_ok,
            detail: format!("{and_detail}, {or_detail}; XNOR {:.4} at ({}, {})", xnor.1, xnor.2[0], xnor.2[1]),
        },
        Check {
            claim: "logAvgExp approaches max as t → 0 and mean as t → ∞".into(),
            holds: bounds_hold && first.1 < 0.02 && last.2 < 0.002,
            detail: format!("|LAE − max| {:.2e} at t = {}, |LAE − mean| {:.2e} at t = {}; within t·ln 4 and 1/(8t) at every t: {bounds_hold}", first.1, first.0, last.2, last.0),
        },
        Check {
            claim: "every AIL gate learns XOR with 4 hidden units".into(),
            holds: gates_learn,
            detail: format!("test accuracy {}", names.iter().zip(&acc).map(|(n, a)| format!("{n} {a:.1}%")).collect::<Vec<_>>().join(", ")),
        },
        Check {
            claim: "a stride-2 convolution replaces max-pooling without losing accuracy (within 2 points)".into(),
            holds: conv_acc >= max_acc - 2.0,
            detail: format!("test accuracy {max_acc:.1}% (max pool) vs {conv_acc:.1}% (stride-2 conv)"),
        },
    ];
    Ok(LabReport::new(&ABOUT, scale, figures, Verdict::from_checks(checks)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_grid_holds_the_origin_and_max_error_finds_the_largest_gap() {
        let g = grid();
        assert_eq!(g[GRID_N / 2], 0.0);
        assert_eq!((g[0], g[GRID_N - 1]), (-GRID_MAX, GRID_MAX));
        let zero = vec![vec![0.0; GRID_N]; GRID_N];
        let mut bump = zero.clone();
        bump[3][7] = -2.5;
        assert_eq!(max_error(&bump, &zero), (2.5, [g[7], g[3]]));
    }
}
