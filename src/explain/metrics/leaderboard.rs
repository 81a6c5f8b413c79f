//! The leaderboard: every method (a parsed `Request`) scored by every metric on the same
//! samples of one model, with the mean deletion, insertion and region-perturbation curves
//! and the randomisation curves, as JSON (`Board`) or CSV. Each cell is a mean over the
//! samples; `COLUMNS` says which way is better.

use super::{
    cascading_randomisation, completeness_gap, gini, max_sensitivity, mean, perturbation_curves, pixel_relevance, pointing_game, relevance_mass, sanity, staged,
    top_k_iou, Order, Perturbation, PerturbationOptions, SensitivityOptions, Tally,
};
use crate::backend::Backend;
use crate::explain::request::{InputsFile, Request};
use crate::explain::{Baseline, Progress, CANCELLED};
use crate::nn::Net;
use serde::Serialize;

/// The metric columns, in order, and whether higher is better.
pub const COLUMNS: [(&str, bool); 12] = [
    ("deletionAuc", false),
    ("insertionAuc", true),
    ("morfAuc", false),
    ("lerfAuc", true),
    ("randomDeletionAuc", true),
    ("completenessGap", false),
    ("pointingGame", true),
    ("relevanceMass", true),
    ("topKIou", true),
    ("gini", true),
    ("maxSensitivity", false),
    ("randomisationSpearman", false),
];

#[derive(Clone, Debug, PartialEq)]
pub struct BoardOptions {
    /// Points − 1 of every perturbation curve.
    pub steps: usize,
    /// Side of the region-perturbation patches (deletion and insertion use pixels).
    pub patch: usize,
    pub fill: Baseline,
    /// Max-sensitivity's L∞ radius and perturbations per sample.
    pub radius: f64,
    pub perturbations: usize,
    /// Whether to run the cascading-randomisation check (it needs a scratch network).
    pub sanity: bool,
    pub seed: u32,
    pub batch: usize,
}

impl Default for BoardOptions {
    fn default() -> Self {
        BoardOptions { steps: 16, patch: 4, fill: Baseline::Zero, radius: 0.05, perturbations: 4, sanity: true, seed: 0, batch: 64 }
    }
}

/// One method's row: its name and parameters, and one value per column (None where the
/// metric does not apply: no masks, or maps not in the input's shape for completeness).
#[derive(Serialize, Clone, Debug, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Row {
    pub method: String,
    pub label: String,
    pub values: Vec<Option<f64>>,
    pub curves: RowCurves,
    /// The first sample's map (in `map_shape`) at each randomisation step, for the map
    /// strip; empty when the check did not run.
    pub strip: Vec<Vec<f64>>,
    pub map_shape: Vec<usize>,
}

/// A method's mean curves over the samples.
#[derive(Serialize, Clone, Debug, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct RowCurves {
    pub deletion: Vec<f64>,
    pub insertion: Vec<f64>,
    pub morf: Vec<f64>,
    pub lerf: Vec<f64>,
    pub random_deletion: Vec<f64>,
    /// Per randomisation step (0: the trained model): the layer randomised last, and the
    /// mean Spearman correlation and SSIM with step 0's maps.
    pub randomised_layers: Vec<Option<usize>>,
    pub spearman: Vec<f64>,
    pub ssim: Vec<f64>,
}

#[derive(Serialize, Clone, Debug, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Board {
    pub format: String,
    pub samples: usize,
    pub columns: Vec<String>,
    pub higher_is_better: Vec<bool>,
    /// The share of pixels (deletion, insertion) or patches (the rest) perturbed at each curve point.
    pub shares: Vec<f64>,
    pub rows: Vec<Row>,
}

/// A method with its parameters as one label: `name(k=v; …)`.
fn label(r: &Request) -> String {
    if r.params.is_empty() {
        return r.name.clone();
    }
    format!("{}({})", r.name, r.params.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; "))
}

/// Rows the board pushes through the network for `n` samples (for progress and the work
/// bound; the sanity check counts when `o.sanity`).
pub fn rows<B: Backend>(net: &Net<B>, methods: &[Request], n: usize, o: &BoardOptions) -> usize {
    let curves = 5 * n * (o.steps + 1) + 2 * n;
    // The board's maps, then the check's: the trained model's and one per randomised layer.
    let sanity = if o.sanity { sanity::steps(net) + 2 } else { 1 };
    n + methods.iter().map(|r| sanity * r.method.rows(n, net.input) + curves + r.method.rows(n * o.perturbations, net.input)).sum::<usize>()
}

/// Scores `methods` on `inputs` (with a ground-truth mask per sample when given); with
/// `o.sanity`, `scratch` (the model's architecture) is overwritten by the check.
#[allow(clippy::too_many_arguments)]
pub async fn leaderboard<B: Backend>(
    be: &B,
    net: &Net<B>,
    mut scratch: Option<&mut Net<B>>,
    methods: &[Request],
    inputs: &InputsFile,
    masks: Option<&[Vec<u8>]>,
    o: &BoardOptions,
    progress: Option<&dyn Progress>,
) -> Result<Board, String> {
    if methods.is_empty() {
        return Err("leaderboard: no methods to judge".into());
    }
    if o.steps == 0 || o.patch == 0 || o.perturbations == 0 || !(o.radius.is_finite() && o.radius >= 0.0) {
        return Err("leaderboard: steps, patch and perturbations must be at least 1 and the radius a number ≥ 0".into());
    }
    let n = inputs.inputs.len();
    if masks.is_some_and(|m| m.len() != n) {
        return Err(format!("leaderboard: {} masks for {n} samples", masks.map_or(0, <[_]>::len)));
    }
    let o = &BoardOptions { sanity: o.sanity && scratch.is_some(), ..o.clone() };
    let tally = Tally::new(progress, rows(net, methods, n, o));
    let x: Vec<f64> = inputs.inputs.concat();
    let k = net.output.len();
    let stage = tally.stage();
    let logits = staged(be, net, o.batch, &stage).logits(&x).await;
    let mut board_rows = Vec::new();
    for request in methods {
        let seeds = request.target.seeds(&logits, k, inputs.labels.as_deref())?;
        let stage = tally.stage();
        let probe = staged(be, net, o.batch, &stage);
        let a = super::Explainer::explain(&request.method, &probe, &x, &seeds).await?;
        let curve = async |perturbation, order, patch| {
            let options = PerturbationOptions { perturbation, order, patch, steps: o.steps, fill: o.fill.clone() };
            perturbation_curves(&probe, &x, &seeds, &a.maps, &a.shape, &options).await
        };
        let deletion = curve(Perturbation::Deletion, Order::Most, 1).await?;
        let insertion = curve(Perturbation::Insertion, Order::Most, 1).await?;
        let morf = curve(Perturbation::Deletion, Order::Most, o.patch).await?;
        let lerf = curve(Perturbation::Deletion, Order::Least, o.patch).await?;
        let random = curve(Perturbation::Deletion, Order::Random(o.seed), 1).await?;
        let gap = match completeness_gap(&probe, &x, &seeds, &a.maps, &o.fill).await {
            Ok(g) => Some(mean(&g.iter().map(|v| v.abs()).collect::<Vec<_>>())),
            Err(_) => None,
        };
        let sensitivity = SensitivityOptions { radius: o.radius, samples: o.perturbations, seed: o.seed };
        let sensitive = max_sensitivity(&probe, &request.method, &x, &seeds, &a.maps, &sensitivity).await?;
        let relevance = a.maps.iter().map(|m| pixel_relevance(m, &a.shape, net.input).map(|r| r.0)).collect::<Result<Vec<_>, _>>()?;
        let pointing = localise(&relevance, masks, pointing_game)?;
        let mass = localise(&relevance, masks, relevance_mass)?;
        let iou = localise(&relevance, masks, |r, m| top_k_iou(r, m, None))?;
        if tally.stopped() {
            return Err(CANCELLED.into());
        }
        let randomisation = match scratch.as_deref_mut().filter(|_| o.sanity) {
            Some(scratch) => Some(cascading_randomisation(be, net, scratch, &request.method, &x, &seeds, o.seed, o.batch, &tally).await?),
            None => None,
        };
        let values = vec![
            Some(mean(&deletion.auc)),
            Some(mean(&insertion.auc)),
            Some(mean(&morf.auc)),
            Some(mean(&lerf.auc)),
            Some(mean(&random.auc)),
            gap,
            pointing,
            mass,
            iou,
            Some(mean(&a.maps.iter().map(|m| gini(m)).collect::<Vec<_>>())),
            Some(mean(&sensitive)),
            randomisation.as_ref().and_then(|r| r.spearman.last().copied()),
        ];
        let (randomised_layers, spearman, ssim, strip) = randomisation
            .map(|r| (r.layers, r.spearman, r.ssim, r.maps.into_iter().filter_map(|step| step.into_iter().next()).collect()))
            .unwrap_or_default();
        board_rows.push(Row {
            method: request.name.clone(),
            label: label(request),
            values,
            curves: RowCurves { deletion: deletion.mean_curve, insertion: insertion.mean_curve, morf: morf.mean_curve, lerf: lerf.mean_curve, random_deletion: random.mean_curve, randomised_layers, spearman, ssim },
            strip,
            map_shape: a.shape.clone(),
        });
    }
    Ok(Board {
        format: "glassbox-leaderboard".into(),
        samples: n,
        columns: COLUMNS.iter().map(|(c, _)| c.to_string()).collect(),
        higher_is_better: COLUMNS.iter().map(|(_, h)| *h).collect(),
        shares: (0..=o.steps).map(|i| i as f64 / o.steps as f64).collect(),
        rows: board_rows,
    })
}

/// The mean of `metric` over the samples' relevance and masks; None without masks.
fn localise(relevance: &[Vec<f64>], masks: Option<&[Vec<u8>]>, metric: impl Fn(&[f64], &[u8]) -> Result<f64, String>) -> Result<Option<f64>, String> {
    let Some(masks) = masks else { return Ok(None) };
    Ok(Some(mean(&relevance.iter().zip(masks).map(|(r, m)| metric(r, m)).collect::<Result<Vec<_>, _>>()?)))
}

/// A CSV field, quoted when it holds a comma, quote or line break.
fn field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) { format!("\"{}\"", text.replace('"', "\"\"")) } else { text.to_string() }
}

impl Board {
    /// One line per method: its label, then every column (empty where it does not apply).
    pub fn csv(&self) -> String {
        let mut out = std::iter::once("method".to_string()).chain(self.columns.iter().cloned()).collect::<Vec<_>>().join(",") + "\n";
        for row in &self.rows {
            let cells = row.values.iter().map(|v| v.map_or(String::new(), |v| v.to_string()));
            out += &(std::iter::once(field(&row.label)).chain(cells).collect::<Vec<_>>().join(",") + "\n");
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::explain::testing::*;
    use std::cell::RefCell;

    const CNN: &str = r#"[{"type":"conv2d","filters":2,"kernel":3},{"type":"activation","function":"relu"},{"type":"flatten"},{"type":"dense","units":3}]"#;

    fn request(name: &str, params: &[(&str, &str)], inputs: &InputsFile) -> Request {
        Request::parse(name, &params.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect::<Vec<_>>(), inputs).unwrap()
    }

    /// A board of three methods on a small CNN: one row each with every column filled
    /// (masks given), curves of steps + 1 points that start at the samples' mean score,
    /// progress rising to exactly the announced rows, and a CSV with a quoted label.
    #[test]
    fn the_board_scores_every_method_on_every_metric_and_reports_its_rows() {
        let be = Be::new();
        let input = image(1, 5, 5);
        let net = net(CNN, input, 2, 0.7, 0.0);
        let mut scratch = net_copy(input);
        let rows_in = inputs(3, 25, 4, 0.0, 1.0);
        let file = InputsFile { inputs: rows_in.chunks(25).map(<[f64]>::to_vec).collect(), labels: Some(vec![0, 1, 2]), baseline: None, noise: None };
        let methods = vec![
            request("gradient", &[], &file),
            request("integratedGradients", &[("steps", "8"), ("target", "true")], &file),
            request("occlusion", &[("patch", "2"), ("stride", "2")], &file),
        ];
        let masks: Vec<Vec<u8>> = (0..3).map(|i| (0..25).map(|p| u8::from(p % 5 >= i)).collect()).collect();
        let o = BoardOptions { steps: 5, patch: 2, batch: 16, ..BoardOptions::default() };
        let seen = RefCell::new(Vec::new());
        let hook = |done, total| {
            seen.borrow_mut().push((done, total));
            std::future::ready(true)
        };
        let board = leaderboard(&be, &net, Some(&mut scratch), &methods, &file, Some(&masks), &o, Some(&hook)).await_now().unwrap();
        assert_eq!(board.rows.iter().map(|r| r.method.as_str()).collect::<Vec<_>>(), ["gradient", "integratedGradients", "occlusion"]);
        assert!(board.rows.iter().all(|r| r.values.len() == COLUMNS.len() && r.values.iter().all(Option::is_some)), "{:?}", board.rows[0].values);
        assert_eq!(board.rows[1].label, "integratedGradients(steps=8; target=true)");
        assert_eq!(board.rows[0].curves.deletion.len(), 6);
        let probe = crate::explain::Probe::new(&be, &net);
        let z = probe.logits(&rows_in).await_now();
        let predicted: Vec<f64> = z.chunks(3).map(|r| r.iter().copied().fold(f64::MIN, f64::max)).collect();
        assert!((board.rows[0].curves.deletion[0] - mean(&predicted)).abs() < 1e-12);
        assert_eq!(board.rows[0].curves.spearman.len(), 3, "the trained model, then two layers randomised");
        // The strip: the first sample's map per step, starting with the trained model's.
        let first = super::super::Explainer::explain(&methods[0].method, &probe, &rows_in, &methods[0].target.seeds(&z, 3, file.labels.as_deref()).unwrap()).await_now().unwrap();
        assert_eq!(board.rows[0].strip.len(), 3);
        assert_eq!(board.rows[0].map_shape, first.shape);
        assert_eq!(board.rows[0].strip[0], first.maps[0]);
        assert!(board.rows[0].strip.iter().all(|m| m.len() == 25) && board.rows[0].strip[2] != first.maps[0]);
        let seen = seen.into_inner();
        let total = rows(&net, &methods, 3, &o);
        assert!(seen.windows(2).all(|w| w[0].0 < w[1].0) && seen.iter().all(|s| s.1 == total), "{seen:?}");
        assert_eq!(seen.last().unwrap().0, total);
        let csv = board.csv();
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(lines.len(), 4);
        assert!(lines[0].starts_with("method,deletionAuc,insertionAuc,"));
        assert!(lines[3].starts_with("occlusion(patch=2; stride=2),"));
        assert_eq!(field("a,b\"c"), "\"a,b\"\"c\"");
        // No masks: the localisation columns are empty; no scratch: no sanity column.
        let bare = leaderboard(&be, &net, None, &methods[..1], &file, None, &o, None).await_now().unwrap();
        assert_eq!(bare.rows[0].values[6..9], [None, None, None]);
        assert_eq!(bare.rows[0].values[11], None);
        assert!(bare.rows[0].strip.is_empty());
        assert!(bare.csv().lines().nth(1).unwrap().contains(",,,"));
    }

    fn net_copy(input: crate::nn::Features) -> crate::nn::Net<Be> {
        net(CNN, input, 11, 0.1, 0.0)
    }

    #[test]
    fn a_stop_cancels_the_board_and_bad_options_are_named() {
        let be = Be::new();
        let input = image(1, 5, 5);
        let net = net(CNN, input, 2, 0.7, 0.0);
        let file = InputsFile { inputs: vec![vec![0.5; 25]; 2], labels: None, baseline: None, noise: None };
        let methods = vec![request("gradient", &[], &file), request("gradientXInput", &[], &file)];
        let o = BoardOptions { steps: 4, batch: 4, ..BoardOptions::default() };
        let calls = RefCell::new(0);
        let stop = |done: usize, _| {
            *calls.borrow_mut() += 1;
            std::future::ready(done < 10)
        };
        let mut scratch = net_copy(input);
        assert_eq!(leaderboard(&be, &net, Some(&mut scratch), &methods, &file, None, &o, Some(&stop)).await_now().unwrap_err(), CANCELLED);
        assert!(*calls.borrow() <= 4, "it stops soon after the hook says so: {} calls", calls.borrow());
        assert!(leaderboard(&be, &net, None, &[], &file, None, &o, None).await_now().unwrap_err().contains("no methods"));
        let bad = BoardOptions { steps: 0, ..o.clone() };
        assert!(leaderboard(&be, &net, None, &methods, &file, None, &bad, None).await_now().unwrap_err().contains("at least 1"));
        assert!(leaderboard(&be, &net, None, &methods, &file, Some(&[vec![1; 25]]), &o, None).await_now().unwrap_err().contains("1 masks for 2"));
    }
}
