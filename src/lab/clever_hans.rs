//! The Clever Hans demo (Lapuschkin et al. 2019; Ross et al. 2017): a small CNN on digits
//! whose training split carries a class-coded corner patch learns the patch, so its test
//! accuracy (no patch) falls and its saliency maps light up the corner; trained again
//! with the "right for the right reasons" penalty on the decoy region, it reads the digit.
//! Three runs from the same initial weights: no decoy (the reference), decoy plain, decoy
//! guided; test accuracy per epoch, the share of saliency on the decoy, and the maps.

use super::fit::{Fit, Split, Ticker};
use super::{About, Check, Figure, FigureKind, LabReport, Progress, Scale, Series, Thumb, Verdict};
use crate::explain::metrics::relevance_mass;
use crate::explain::{saliency, Probe, SaliencyMode};
use crate::spec::{DecoyKind, DecoySpec, DecoyTest, ExperimentSpec, Guidance};

pub const ABOUT: About = About {
    name: "clever-hans",
    title: "Clever Hans: a shortcut, found and fixed with explanations",
    claim: "A CNN trained on digits whose training images carry a class-coded corner patch learns the patch: \
            its accuracy on patch-free test digits falls and its saliency maps light up the corner. \
            Penalising the input gradients on the patch region during training (right for the right reasons) \
            recovers test accuracy and moves the maps to the digit.",
    paper: "Ross, Hughes & Doshi-Velez 2017, Right for the right reasons; \
            Lapuschkin et al. 2019, Unmasking Clever Hans predictors and assessing what machines really learn",
    look_at: "The test-accuracy curves of the three runs, the share of saliency that falls on the patch, and the \
              gallery: each row is one training digit, then the plain model's map, then the guided model's.",
};

/// The digits and the network; `decoy` adds the patch to the training split only.
const SPEC: &str = r#"{
  "dataset": { "kind": "digits", "points": 1000, "trainFraction": 0.6, "imageSize": 16, "noise": 0, "seed": 1 },
  "model": { "hidden": [], "activation": "relu", "layers": [
      { "type": "conv2d", "filters": 8, "kernel": 3 }, { "type": "activation", "function": "relu" },
      { "type": "pool", "op": "max", "size": 2 },
      { "type": "conv2d", "filters": 16, "kernel": 3 }, { "type": "activation", "function": "relu" },
      { "type": "pool", "op": "max", "size": 2 },
      { "type": "flatten" }, { "type": "dense", "units": 10 } ] },
  "training": { "loss": "softmaxCrossEntropy", "optimizer": "adam", "learningRate": 0.01, "batchSize": 32, "seed": 1 }
}"#;

/// The guidance of the guided run.
const GUIDANCE: &str = r#"{ "lambda": 0.03, "mask": "decoy" }"#;

/// Digits shown in the gallery, and training digits the decoy share is averaged over.
const SHOWN: usize = 4;
const MEASURED: usize = 200;

fn epochs(scale: Scale) -> usize {
    match scale {
        Scale::Small => 10,
        Scale::Full => 20,
    }
}

/// The lab's spec: with the training-only patch decoy or without, guided or not.
pub fn spec(decoy: bool, guided: bool) -> ExperimentSpec {
    let mut spec: ExperimentSpec = serde_json::from_str(SPEC).expect("the lab's spec parses");
    if decoy {
        spec.dataset.decoy = Some(DecoySpec { kind: DecoyKind::Patch, correlation: 1.0, test: DecoyTest::Absent });
    }
    if guided {
        let guidance: Guidance = serde_json::from_str(GUIDANCE).expect("the lab's guidance parses");
        spec.training.guidance = Some(guidance);
    }
    spec
}

/// One run: its test accuracy after every epoch, and the trained model.
async fn run_one(spec: &ExperimentSpec, epochs: usize, ticker: &mut Ticker<'_>) -> Result<(Fit, Vec<f64>), String> {
    let mut fit = Fit::new(spec)?;
    let mut curve = Vec::with_capacity(epochs);
    for _ in 0..epochs {
        fit.train(1, ticker).await?;
        curve.push(fit.test_accuracy().await);
    }
    Ok((fit, curve))
}

/// Absolute saliency of the true class for the first `rows` training digits.
async fn saliency_maps(fit: &Fit, rows: usize) -> Vec<Vec<f64>> {
    let (f, classes) = (fit.data.n_features, fit.data.classes);
    let x: Vec<f64> = fit.data.features[..rows * f].iter().map(|&v| v as f64).collect();
    let mut seeds = vec![0.0; rows * classes];
    for (i, &y) in fit.labels(Split::Train)[..rows].iter().enumerate() {
        seeds[i * classes + y as usize] = 1.0;
    }
    let probe = Probe::new(&fit.trainer.be, &fit.trainer.model);
    saliency(&probe, &x, &seeds, SaliencyMode::Absolute).await.maps
}

/// Mean share of saliency inside each digit's decoy patch.
fn decoy_share(maps: &[Vec<f64>], fit: &Fit) -> Result<f64, String> {
    let pixels = maps[0].len();
    let mut sum = 0.0;
    for (i, map) in maps.iter().enumerate() {
        sum += relevance_mass(map, &fit.data.decoy_masks[i * pixels..(i + 1) * pixels])?;
    }
    Ok(sum / maps.len() as f64)
}

/// A map scaled to [0, 1] by its maximum, as a viridis thumbnail.
fn map_thumb(caption: &str, map: &[f64], side: usize) -> Thumb {
    let top = map.iter().cloned().fold(0.0, f64::max).max(1e-12);
    Thumb { caption: caption.into(), width: side, height: side, channels: 1, pixels: map.iter().map(|&v| (v / top) as f32).collect(), viridis: true }
}

pub async fn run(scale: Scale, progress: &dyn Progress) -> Result<LabReport, String> {
    let epochs = epochs(scale);
    let mut ticker = Ticker::new(progress, 3 * epochs);
    let (_, reference) = run_one(&spec(false, false), epochs, &mut ticker).await?;
    let (plain, plain_curve) = run_one(&spec(true, false), epochs, &mut ticker).await?;
    let (guided, guided_curve) = run_one(&spec(true, true), epochs, &mut ticker).await?;

    let measured = MEASURED.min(plain.data.n_train);
    let plain_maps = saliency_maps(&plain, measured).await;
    let guided_maps = saliency_maps(&guided, measured).await;
    let plain_share = decoy_share(&plain_maps, &plain)?;
    let guided_share = decoy_share(&guided_maps, &guided)?;

    let x: Vec<f64> = (1..=epochs).map(|e| e as f64).collect();
    let curve = |name: &str, y: &[f64]| Series { name: name.into(), x: x.clone(), y: y.to_vec() };
    let mut figures = vec![Figure::new(
        "test-accuracy",
        "Accuracy on patch-free test digits after each epoch",
        FigureKind::Lines,
        "epoch",
        "test accuracy",
        vec![curve("no decoy (reference)", &reference), curve("decoy, plain", &plain_curve), curve("decoy, guided", &guided_curve)],
    )];
    let mut shares = Figure::new(
        "decoy-share",
        "Share of saliency on the decoy patch (training digits)",
        FigureKind::Bars,
        "run",
        "share of |gradient| on the patch",
        vec![Series { name: "share".into(), x: vec![0.0, 1.0], y: vec![plain_share, guided_share] }],
    );
    shares.categories = vec!["plain".into(), "guided".into()];
    figures.push(shares);

    let side = plain.data.image.map_or(0, |[_, h, _]| h);
    let mut gallery = Figure::new("maps", "Training digits and their saliency maps", FigureKind::Gallery, "", "", Vec::new());
    gallery.categories = vec!["digit".into(), "plain model".into(), "guided model".into()];
    let f = plain.data.n_features;
    for i in 0..SHOWN.min(measured) {
        let label = plain.labels(Split::Train)[i];
        let pixels = plain.data.features[i * f..(i + 1) * f].to_vec();
        gallery.thumbs.push(Thumb { caption: format!("a {label}"), width: side, height: side, channels: 1, pixels, viridis: false });
        gallery.thumbs.push(map_thumb("plain", &plain_maps[i], side));
        gallery.thumbs.push(map_thumb("guided", &guided_maps[i], side));
    }
    figures.push(gallery);

    let last = |c: &[f64]| *c.last().expect("at least one epoch");
    let (reference_acc, plain_acc, guided_acc) = (last(&reference), last(&plain_curve), last(&guided_curve));
    let checks = vec![
        Check {
            claim: "the decoy costs test accuracy".into(),
            holds: plain_acc <= reference_acc - 0.1,
            detail: format!("test accuracy {reference_acc:.3} without the decoy, {plain_acc:.3} with it"),
        },
        Check {
            claim: "guidance recovers test accuracy".into(),
            holds: guided_acc > plain_acc,
            detail: format!("test accuracy {plain_acc:.3} plain → {guided_acc:.3} guided"),
        },
        Check {
            claim: "guided maps move off the patch".into(),
            holds: guided_share < plain_share,
            detail: format!("saliency share on the patch {plain_share:.3} plain → {guided_share:.3} guided"),
        },
    ];
    Ok(LabReport::new(&ABOUT, scale, figures, Verdict::from_checks(checks)))
}
