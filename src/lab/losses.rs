//! Losses side by side on the overconfident setup: cross-entropy, focal, Poly-1, the
//! encouraging loss and softmax gradient tampering, each trained from the same start,
//! compared by their logit-margin histograms, calibration (ECE, mean confidence) and
//! accuracy.

use super::calibration::{accuracy, ece, histogram, margins, mean_confidence, median, softmax_rows};
use super::fit::{Fit, Split, Ticker};
use super::{setup, About, Check, Figure, FigureKind, LabReport, Progress, Scale, Series, Verdict};
use crate::spec::{Loss, LossParams};

const BINS: usize = 10;
/// The margin histograms' range, in logit units, and bin count.
const MARGIN_RANGE: (f64, f64, usize) = (-10.0, 30.0, 20);

/// The losses compared, by display name: CE first (the reference of the checks).
fn losses() -> Vec<(&'static str, Loss, LossParams)> {
    let d = LossParams::default();
    vec![
        ("cross-entropy", Loss::SoftmaxCrossEntropy, d),
        ("focal (γ = 2)", Loss::Focal, LossParams { focal_gamma: 2.0, ..d }),
        ("Poly-1 (ε = 1)", Loss::Poly1, LossParams { poly_epsilon: 1.0, ..d }),
        ("encouraging (logEnd 0.75)", Loss::Encouraging, LossParams { log_end: 0.75, ..d }),
        ("gradient tampering (α = 0.5)", Loss::SoftmaxCrossEntropy, LossParams { tamper: 0.5, ..d }),
    ]
}

/// What one loss's run measured.
struct Measured {
    accuracy: f64,
    ece: f64,
    confidence: f64,
    /// Median logit margin on the training split.
    train_margin: f64,
    margins: Vec<f64>,
}

async fn measure(fit: &Fit) -> Measured {
    let classes = fit.data.classes;
    let labels = fit.labels(Split::Test);
    let logits = fit.logits(Split::Test).await;
    let probs = softmax_rows(&logits, classes);
    let train_margins = margins(&fit.logits(Split::Train).await, fit.labels(Split::Train));
    Measured {
        accuracy: accuracy(&logits, labels),
        ece: ece(&probs, labels, BINS),
        confidence: mean_confidence(&probs),
        train_margin: median(&train_margins),
        margins: train_margins,
    }
}

/// What the Labs menu shows of this lab.
pub const ABOUT: About = About {
    name: "losses",
    title: "Classification losses side by side",
    claim: "Focal loss tempers the overconfidence of cross-entropy; the encouraging loss, which rewards well-classified examples, widens their margins. Poly-1 and gradient tampering are shown alongside.",
    paper: "Lin et al. (2017), Focal loss for dense object detection; Leng et al. (2022), PolyLoss; Zhao et al. (2022), Well-classified examples are underestimated in classification with deep neural networks; Zhang et al. (2022), Softmax gradient tampering",
    look_at: "The margin histograms (encouraging shifted right of CE), the ECE and confidence bars (focal below CE) and whether accuracy moves at all.",
};

pub async fn run(scale: Scale, progress: &dyn Progress) -> Result<LabReport, String> {
    let epochs = setup::epochs(scale);
    let losses = losses();
    let mut ticker = Ticker::new(progress, epochs * losses.len());
    let mut measured = Vec::new();
    for (_, loss, params) in &losses {
        let mut fit = Fit::new(&setup::spec(scale, *loss, *params))?;
        fit.train(epochs, &mut ticker).await?;
        measured.push(measure(&fit).await);
    }
    let names: Vec<String> = losses.iter().map(|l| l.0.to_string()).collect();
    let (lo, hi, bins) = MARGIN_RANGE;
    let hist = measured
        .iter()
        .zip(&names)
        .map(|(m, name)| {
            let h = histogram(&m.margins, lo, hi, bins);
            Series { name: name.clone(), x: h.iter().map(|p| p.0).collect(), y: h.iter().map(|p| p.1).collect() }
        })
        .collect();
    let bars = |id: &str, title: &str, y_label: &str, f: &dyn Fn(&Measured) -> f64| {
        let mut fig = Figure::new(id, title, FigureKind::Bars, "loss", y_label, vec![Series {
            name: y_label.into(),
            x: (0..names.len()).map(|i| i as f64).collect(),
            y: measured.iter().map(f).collect(),
        }]);
        fig.categories = names.clone();
        fig
    };
    let figures = vec![
        Figure::new(
            "margins",
            "Logit margins on the training split (ends collect the values outside)",
            FigureKind::Lines,
            "margin z_label − max other z (logit units)",
            "share of training points",
            hist,
        ),
        bars("ece", "Expected calibration error (test split, 10 bins)", "ECE", &|m| m.ece),
        bars("confidence", "Mean top-class probability (test split)", "mean confidence", &|m| m.confidence),
        bars("accuracy", "Test accuracy", "test accuracy (%)", &|m| 100.0 * m.accuracy),
    ];
    let (ce, focal, encouraging) = (&measured[0], &measured[1], &measured[3]);
    let checks = vec![
        Check {
            claim: "focal loss lowers overconfidence against cross-entropy".into(),
            holds: focal.ece < ce.ece && focal.confidence < ce.confidence,
            detail: format!(
                "ECE {:.3} → {:.3}, mean confidence {:.3} → {:.3} (CE → focal)",
                ce.ece, focal.ece, ce.confidence, focal.confidence
            ),
        },
        Check {
            claim: "the encouraging loss gives larger margins than cross-entropy".into(),
            holds: encouraging.train_margin > ce.train_margin,
            detail: format!("median training margin {:.2} (CE) vs {:.2} (encouraging)", ce.train_margin, encouraging.train_margin),
        },
    ];
    Ok(LabReport::new(&ABOUT, scale, figures, Verdict::from_checks(checks)))
}
