//! Label smoothing (Müller, Kornblith & Hinton 2019) on the overconfident setup: an α
//! sweep with reliability diagrams, ECE and NLL, the penultimate activations projected
//! onto the plane through three class templates with their cluster spread, and
//! distillation from teachers trained with and without smoothing.

use super::calibration::{ece, nll, reliability, softmax_rows};
use super::fit::{Fit, Split, Ticker};
use super::{setup, About, Check, Figure, FigureKind, LabReport, Progress, Scale, Series, Verdict};
use crate::spec::{Loss, LossParams};

const ALPHAS: [f64; 4] = [0.0, 0.05, 0.1, 0.2];
/// The α the paper uses and the checks compare with α = 0.
const CHECKED: usize = 2;
const BINS: usize = 10;

/// Coordinates of each row of `h` ([rows, width]) in the plane through the templates
/// `t[0]`, `t[1]`, `t[2]` (each of `width`): origin at t[0], axes the Gram–Schmidt
/// orthonormalisation of t[1] − t[0] and t[2] − t[0].
pub fn project(h: &[f32], width: usize, t: [&[f32]; 3]) -> Vec<[f64; 2]> {
    let diff = |a: &[f32], b: &[f32]| -> Vec<f64> { a.iter().zip(b).map(|(&x, &y)| x as f64 - y as f64).collect() };
    let dot = |a: &[f64], b: &[f64]| -> f64 { a.iter().zip(b).map(|(x, y)| x * y).sum() };
    let unit = |v: Vec<f64>| -> Vec<f64> {
        let n = dot(&v, &v).sqrt().max(1e-300);
        v.into_iter().map(|x| x / n).collect()
    };
    let e1 = unit(diff(t[1], t[0]));
    let v2 = diff(t[2], t[0]);
    let along = dot(&v2, &e1);
    let e2 = unit(v2.iter().zip(&e1).map(|(v, e)| v - along * e).collect());
    h.chunks(width)
        .map(|row| {
            let d = diff(row, t[0]);
            [dot(&d, &e1), dot(&d, &e2)]
        })
        .collect()
}

/// Within-class spread over between-class spread of labelled points: the mean squared
/// distance of a point to its class centroid over the mean squared distance of the
/// class centroids to their mean. Smaller is tighter, better separated clusters.
pub fn spread_ratio(points: &[[f64; 2]], labels: &[u32], classes: usize) -> f64 {
    let mut sums = vec![([0.0; 2], 0usize); classes];
    for (p, &y) in points.iter().zip(labels) {
        let s = &mut sums[y as usize];
        s.0[0] += p[0];
        s.0[1] += p[1];
        s.1 += 1;
    }
    let centroids: Vec<[f64; 2]> = sums.iter().filter(|s| s.1 > 0).map(|s| [s.0[0] / s.1 as f64, s.0[1] / s.1 as f64]).collect();
    let centre_of = |y: usize| {
        let s = &sums[y];
        [s.0[0] / s.1 as f64, s.0[1] / s.1 as f64]
    };
    let sq = |a: [f64; 2], b: [f64; 2]| (a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2);
    let within = points.iter().zip(labels).map(|(&p, &y)| sq(p, centre_of(y as usize))).sum::<f64>() / points.len().max(1) as f64;
    let k = centroids.len().max(1) as f64;
    let mean = [centroids.iter().map(|c| c[0]).sum::<f64>() / k, centroids.iter().map(|c| c[1]).sum::<f64>() / k];
    let between = centroids.iter().map(|&c| sq(c, mean)).sum::<f64>() / k;
    within / between
}

/// What one α of the sweep measured.
struct Measured {
    ece: f64,
    nll: f64,
    accuracy: f64,
    reliability: Series,
    projection: Vec<Series>,
    spread: f64,
}

async fn measure(fit: &Fit) -> Result<Measured, String> {
    let classes = fit.data.classes;
    let labels = fit.labels(Split::Test);
    let logits = fit.logits(Split::Test).await;
    let probs = softmax_rows(&logits, classes);
    let bins = reliability(&probs, labels, BINS);
    let reliability = Series {
        name: "model".into(),
        x: bins.iter().map(|b| b.confidence).collect(),
        y: bins.iter().map(|b| b.accuracy).collect(),
    };
    let templates = fit.templates().await.ok_or("the network does not end in a dense layer")?;
    let (h, width) = fit.penultimate(Split::Test).await;
    let t = [&templates[..width], &templates[width..2 * width], &templates[2 * width..3 * width]];
    let points = project(&h, width, t);
    let projection = (0..3)
        .map(|c| {
            let mine: Vec<&[f64; 2]> = points.iter().zip(labels).filter(|(_, &y)| y == c).map(|(p, _)| p).collect();
            Series { name: format!("class {c}"), x: mine.iter().map(|p| p[0]).collect(), y: mine.iter().map(|p| p[1]).collect() }
        })
        .collect();
    Ok(Measured {
        ece: ece(&probs, labels, BINS),
        nll: nll(&probs, labels),
        accuracy: super::calibration::accuracy(&logits, labels),
        reliability,
        projection,
        spread: spread_ratio(&points, labels, 3),
    })
}

fn alpha_id(alpha: f64) -> String {
    format!("a{:03}", (alpha * 100.0).round() as u32)
}

/// A smaller MLP that learns from `teacher` by distillation (β = 0.5, T = 2). Specs
/// cannot name a teacher, so the student is built with cross-entropy and switched over.
fn student(scale: Scale, teacher: crate::nn::Net<crate::backend::cpu::CpuBackend<f32>>) -> Result<Fit, String> {
    let mut spec = setup::spec(scale, Loss::SoftmaxCrossEntropy, LossParams::default());
    spec.model.hidden = vec![16, 16];
    spec.training.seed = 2;
    let mut fit = Fit::new(&spec)?;
    spec.training.loss = Loss::Distillation;
    spec.training.loss_params = LossParams { distill_beta: 0.5, distill_temperature: 2.0, ..LossParams::default() };
    fit.trainer.set_training(&spec.training, &fit.data)?;
    fit.trainer.set_teacher(teacher)?;
    Ok(fit)
}

/// What the Labs menu shows of this lab.
pub const ABOUT: About = About {
    name: "label-smoothing",
    title: "Label smoothing: calibration, clusters and distillation",
    claim: "Label smoothing improves calibration and pulls each class's penultimate activations into a tight cluster, but a teacher trained with it distils worse into a student.",
    paper: "Müller, Kornblith & Hinton (2019), When does label smoothing help?",
    look_at: "The reliability curves moving onto the diagonal and ECE falling with α; the clusters in the template plane tightening; the two students' accuracies.",
};

pub async fn run(scale: Scale, progress: &dyn Progress) -> Result<LabReport, String> {
    let epochs = setup::epochs(scale);
    let mut ticker = Ticker::new(progress, epochs * (ALPHAS.len() + 2));
    let mut measured = Vec::new();
    let mut teachers = Vec::new();
    for &alpha in &ALPHAS {
        let params = LossParams { label_smoothing: alpha as f32, ..LossParams::default() };
        let mut fit = Fit::new(&setup::spec(scale, Loss::SoftmaxCrossEntropy, params))?;
        fit.train(epochs, &mut ticker).await?;
        measured.push(measure(&fit).await?);
        if alpha == 0.0 || alpha == ALPHAS[CHECKED] {
            teachers.push((alpha, fit));
        }
    }
    let teacher_names: Vec<String> = teachers.iter().map(|(a, _)| format!("teacher α = {a}")).collect();
    let mut students = Vec::new();
    for (_, teacher) in teachers {
        let mut student = student(scale, teacher.trainer.model)?;
        student.train(epochs, &mut ticker).await?;
        students.push(student.test_accuracy().await);
    }
    let teacher_acc: Vec<f64> = vec![measured[0].accuracy, measured[CHECKED].accuracy];

    let mut figures = Vec::new();
    for (&alpha, m) in ALPHAS.iter().zip(&measured) {
        let diagonal = Series { name: "perfect calibration".into(), x: vec![0.0, 1.0], y: vec![0.0, 1.0] };
        figures.push(Figure::new(
            &format!("reliability-{}", alpha_id(alpha)),
            &format!("Reliability diagram, α = {alpha}"),
            FigureKind::Lines,
            "confidence (mean top-class probability in the bin)",
            "accuracy in the bin",
            vec![m.reliability.clone(), diagonal],
        ));
    }
    let over_alpha = |name: &str, f: &dyn Fn(&Measured) -> f64| Series { name: name.into(), x: ALPHAS.to_vec(), y: measured.iter().map(f).collect() };
    figures.push(Figure::new("ece", "Expected calibration error against α (test split, 10 bins)", FigureKind::Lines, "label smoothing α", "ECE", vec![over_alpha("ECE", &|m| m.ece)]));
    figures.push(Figure::new("nll", "Negative log-likelihood against α (test split)", FigureKind::Lines, "label smoothing α", "NLL (nats per point)", vec![over_alpha("NLL", &|m| m.nll)]));
    for (&alpha, m) in ALPHAS.iter().zip(&measured) {
        figures.push(Figure::new(
            &format!("projection-{}", alpha_id(alpha)),
            &format!("Penultimate activations on the plane of the three class templates, α = {alpha}"),
            FigureKind::Scatter,
            "coordinate along template 1 − template 0 (activation units)",
            "orthogonal coordinate in the template plane (activation units)",
            m.projection.clone(),
        ));
    }
    figures.push(Figure::new(
        "spread-ratio",
        "Within-class over between-class spread in the template plane",
        FigureKind::Lines,
        "label smoothing α",
        "spread ratio (dimensionless)",
        vec![over_alpha("within / between", &|m| m.spread)],
    ));
    let mut distill = Figure::new(
        "distillation",
        "Teacher and distilled student test accuracy",
        FigureKind::Bars,
        "teacher",
        "test accuracy (%)",
        vec![
            Series { name: "teacher".into(), x: vec![0.0, 1.0], y: teacher_acc.iter().map(|a| 100.0 * a).collect() },
            Series { name: "student".into(), x: vec![0.0, 1.0], y: students.iter().map(|a| 100.0 * a).collect() },
        ],
    );
    distill.categories = teacher_names;
    figures.push(distill);

    let (plain, smooth) = (&measured[0], &measured[CHECKED]);
    let a = ALPHAS[CHECKED];
    let checks = vec![
        Check {
            claim: "label smoothing lowers ECE".into(),
            holds: smooth.ece < plain.ece,
            detail: format!("ECE {:.3} (α = 0) → {:.3} (α = {a})", plain.ece, smooth.ece),
        },
        Check {
            claim: "label smoothing tightens the class clusters".into(),
            holds: smooth.spread < plain.spread,
            detail: format!("within/between spread {:.3} (α = 0) → {:.3} (α = {a})", plain.spread, smooth.spread),
        },
        Check {
            claim: "a teacher trained with label smoothing distils worse".into(),
            holds: students[1] < students[0],
            detail: format!("student accuracy {:.1}% (teacher α = 0) vs {:.1}% (teacher α = {a})", 100.0 * students[0], 100.0 * students[1]),
        },
    ];
    Ok(LabReport::new(&ABOUT, scale, figures, Verdict::from_checks(checks)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn projection_puts_the_templates_at_their_plane_coordinates() {
        // Templates in 3-D: the plane z = 1; a point off the plane keeps its in-plane part.
        let t0 = [0.0f32, 0.0, 1.0];
        let t1 = [2.0f32, 0.0, 1.0];
        let t2 = [0.0f32, 3.0, 1.0];
        let h = [2.0f32, 0.0, 1.0, 0.0, 3.0, 1.0, 1.0, 1.0, 5.0];
        let p = project(&h, 3, [&t0, &t1, &t2]);
        assert_eq!(p, vec![[2.0, 0.0], [0.0, 3.0], [1.0, 1.0]]);
    }

    #[test]
    fn spread_ratio_is_within_over_between_and_falls_as_clusters_tighten() {
        // Class centroids (±1, 0): between = 1; points ±0.5 off them in y: within = 0.25.
        let points = [[1.0, 0.5], [1.0, -0.5], [-1.0, 0.5], [-1.0, -0.5]];
        let labels = [0, 0, 1, 1];
        assert!((spread_ratio(&points, &labels, 2) - 0.25).abs() < 1e-12);
        let tighter = [[1.0, 0.1], [1.0, -0.1], [-1.0, 0.1], [-1.0, -0.1]];
        assert!(spread_ratio(&tighter, &labels, 2) < spread_ratio(&points, &labels, 2));
    }
}
