//! Explanations of the session's model through the native runner's request vocabulary
//! (`explain::request`): dataset rows (train first, then test, with their labels),
//! samples given as features (a drawn digit), or the 2-D plane grid of `plane_inputs`.

use super::{Engine, Session};
use crate::explain::request::{explain_with, AttributionFile, InputsFile, Request};
use crate::explain::Progress;

/// Most samples one call explains.
pub const MAX_EXPLAIN_SAMPLES: usize = 4096;
/// Most input numbers (samples × features) one call explains: the methods hold every
/// perturbed copy of them on the host.
pub const MAX_EXPLAIN_NUMBERS: usize = 1 << 18;
/// Most numbers (rows × input numbers) one explanation pushes through the network
/// (IG steps, noise samples, RISE masks, occlusion patches, Shapley orders): it bounds
/// the host memory of the perturbed copies and the time of one call.
pub const MAX_EXPLAIN_WORK: usize = 1 << 25;
/// Largest plane grid an explanation covers, per side.
pub const MAX_EXPLAIN_GRID: u32 = 128;

/// What to explain.
#[derive(Clone, Debug, PartialEq)]
pub enum ExplainSource {
    /// Dataset rows: train first, then test.
    Rows(Vec<usize>),
    /// Whole samples, row after row, with labels when known.
    Features { features: Vec<f32>, labels: Option<Vec<u32>> },
    /// The res×res grid over the plane (2-D sets), top row first; no labels.
    Grid(u32),
}

/// A method by name, its `key=value` parameters (strings, as the runner's `--param`),
/// and the custom baseline `baseline=custom` reads.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct ExplainRequest {
    pub method: String,
    pub params: Vec<(String, String)>,
    pub baseline: Option<Vec<f64>>,
}

impl ExplainRequest {
    /// `{"method": "...", "params": {"steps": "32", ...}, "baseline": [...]?}`; parameter
    /// values are text as the runner's `--param k=v` takes them (numbers and booleans are
    /// taken as their text).
    pub fn from_json(json: &str) -> Result<ExplainRequest, String> {
        #[derive(serde::Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Wire {
            method: String,
            #[serde(default)]
            params: std::collections::BTreeMap<String, serde_json::Value>,
            #[serde(default)]
            baseline: Option<Vec<f64>>,
        }
        let wire: Wire = serde_json::from_str(json).map_err(|e| format!("not an explanation request: {e}"))?;
        let params = wire
            .params
            .into_iter()
            .map(|(k, v)| match v {
                serde_json::Value::String(text) => Ok((k, text)),
                serde_json::Value::Number(_) | serde_json::Value::Bool(_) => Ok((k, v.to_string())),
                other => Err(format!("{}: parameter \"{k}\" must be text or a number, not {other}", wire.method)),
            })
            .collect::<Result<_, _>>()?;
        Ok(ExplainRequest { method: wire.method, params, baseline: wire.baseline })
    }
}

impl Session {
    /// The samples `source` names, as the runner's inputs file would hold them.
    pub(super) fn explain_inputs(&self, source: &ExplainSource, baseline: Option<Vec<f64>>) -> Result<InputsFile, String> {
        let d = &self.data;
        let f = d.n_features;
        let (rows, labels): (Vec<Vec<f64>>, Option<Vec<u32>>) = match source {
            ExplainSource::Rows(indices) => {
                if let Some(&bad) = indices.iter().find(|&&i| i >= d.len()) {
                    return Err(format!("sample {bad} does not exist: the dataset has {} samples", d.len()));
                }
                let rows = indices.iter().map(|&i| d.row(i).iter().map(|&v| v as f64).collect()).collect();
                (rows, Some(indices.iter().map(|&i| d.labels[i]).collect()))
            }
            ExplainSource::Features { features, labels } => {
                if !features.len().is_multiple_of(f) {
                    return Err(format!("a sample has {f} features, got {} values", features.len()));
                }
                (features.chunks(f).map(|r| r.iter().map(|&v| v as f64).collect()).collect(), labels.clone())
            }
            ExplainSource::Grid(res) => {
                if !(1..=MAX_EXPLAIN_GRID).contains(res) {
                    return Err(format!("the explanation grid must be from 1 to {MAX_EXPLAIN_GRID} cells a side, not {res}"));
                }
                let (inputs, _) = self.plane_inputs(*res).ok_or("the plane grid needs a 2-D dataset; this one is not")?;
                (inputs.chunks(f).map(|r| r.iter().map(|&v| v as f64).collect()).collect(), None)
            }
        };
        if rows.len() > MAX_EXPLAIN_SAMPLES || rows.len() * f > MAX_EXPLAIN_NUMBERS {
            return Err(format!(
                "at most {MAX_EXPLAIN_SAMPLES} samples and {MAX_EXPLAIN_NUMBERS} input numbers per explanation, got {} samples of {f}",
                rows.len()
            ));
        }
        InputsFile { inputs: rows, labels, baseline, noise: None }.check(f)
    }

    /// Explains `source` with `request`, telling `progress` how many rows have gone
    /// through the network; fails naming the problem, or with "cancelled".
    pub async fn explain(&self, request: &ExplainRequest, source: &ExplainSource, progress: Option<&dyn Progress>) -> Result<AttributionFile, String> {
        let inputs = self.explain_inputs(source, request.baseline.clone())?;
        let parsed = Request::parse(&request.method, &request.params, &inputs)?;
        let input = with_trainer!(&self.engine, t => t.model.input);
        let work = parsed.method.rows(inputs.inputs.len(), input).saturating_mul(input.len());
        if work > MAX_EXPLAIN_WORK {
            return Err(format!(
                "{}: this would push {work} numbers through the network, more than the {MAX_EXPLAIN_WORK} one explanation allows; use fewer samples, steps, masks or noise samples",
                request.method
            ));
        }
        with_trainer!(&self.engine, t => explain_with(&t.be, &t.model, &inputs, &parsed, progress).await)
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;
    use super::*;
    use crate::spec::ExperimentSpec;
    use std::cell::Cell;

    fn request(method: &str, params: &[(&str, &str)]) -> ExplainRequest {
        ExplainRequest { method: method.into(), params: params.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(), baseline: None }
    }

    fn lenet() -> Session {
        let mut spec: ExperimentSpec = serde_json::from_str(include_str!("../../examples/digits-lenet.json")).unwrap();
        spec.dataset.points = 120;
        Session::new(spec).unwrap()
    }

    /// Rows and the same samples given as features explain alike; rows bring their labels.
    #[test]
    fn rows_and_features_are_explained_alike_with_labels_from_the_dataset() {
        let s = lenet();
        let ig = request("integratedGradients", &[("steps", "4"), ("target", "true")]);
        let rows = pollster::block_on(s.explain(&ig, &ExplainSource::Rows(vec![3, 100]), None)).unwrap();
        assert_eq!((rows.shape.clone(), rows.attributions.len()), (vec![1, 28, 28], 2));
        assert_eq!(rows.targets, vec![vec![s.data().labels[3]], vec![s.data().labels[100]]]);
        assert_eq!(rows.completeness_gap.as_ref().map(Vec::len), Some(2));
        let features: Vec<f32> = [3, 100].iter().flat_map(|&i| s.data().row(i).to_vec()).collect();
        let labels = Some(vec![s.data().labels[3], s.data().labels[100]]);
        let given = pollster::block_on(s.explain(&ig, &ExplainSource::Features { features: features.clone(), labels }, None)).unwrap();
        assert_eq!(given, rows);
        let unlabelled = pollster::block_on(s.explain(&ig, &ExplainSource::Features { features, labels: None }, None)).unwrap_err();
        assert!(unlabelled.contains("labels"), "{unlabelled}");
        let bad = |source: ExplainSource| pollster::block_on(s.explain(&request("gradient", &[]), &source, None)).unwrap_err();
        assert_eq!(bad(ExplainSource::Rows(vec![0, 120])), "sample 120 does not exist: the dataset has 120 samples");
        assert!(bad(ExplainSource::Rows(vec![0; 400])).contains("at most"));
        assert!(bad(ExplainSource::Features { features: vec![0.5; 783], labels: None }).contains("784 features"));
        assert!(bad(ExplainSource::Features { features: vec![f32::NAN; 784], labels: None }).contains("not finite"));
        assert!(bad(ExplainSource::Grid(8)).contains("2-D"));
        assert!(pollster::block_on(s.explain(&request("lime", &[]), &ExplainSource::Rows(vec![0]), None)).unwrap_err().contains("unknown method"));
        // 43 samples × 1000 masks × 784 numbers is past the work bound.
        let rise = request("rise", &[("masks", "1000")]);
        let too_much = pollster::block_on(s.explain(&rise, &ExplainSource::Rows((0..43).collect()), None)).unwrap_err();
        assert!(too_much.starts_with("rise: this would push 33712000 numbers") && too_much.contains("fewer samples"), "{too_much}");
    }

    /// The plane grid: one map of the network's inputs per cell, top row first, each
    /// point mapped through the set's features; no labels.
    #[test]
    fn the_plane_grid_is_explained_per_network_input() {
        let s = Session::new(ExperimentSpec::default()).unwrap();
        let gxi = pollster::block_on(s.explain(&request("gradientXInput", &[]), &ExplainSource::Grid(5), None)).unwrap();
        assert_eq!((gxi.shape.clone(), gxi.attributions.len()), (vec![s.data().n_features], 25));
        let (inputs, _) = s.plane_inputs(5).unwrap();
        let given = ExplainSource::Features { features: inputs, labels: None };
        assert_eq!(pollster::block_on(s.explain(&request("gradientXInput", &[]), &given, None)).unwrap(), gxi);
        let err = |source, target| pollster::block_on(s.explain(&request("gradient", &[("target", target)]), &source, None)).unwrap_err();
        assert!(err(ExplainSource::Grid(4), "true").contains("labels"));
        assert!(err(ExplainSource::Grid(129), "predicted").contains("from 1 to 128"));
        assert!(err(ExplainSource::Grid(0), "predicted").contains("from 1 to 128"));
    }

    #[test]
    fn requests_read_from_json_take_numbers_as_text() {
        let r = ExplainRequest::from_json(r#"{"method": "integratedGradients", "params": {"steps": 32, "rule": "left", "x": true}, "baseline": [0.5]}"#).unwrap();
        assert_eq!(r, ExplainRequest { method: "integratedGradients".into(), params: vec![("rule".into(), "left".into()), ("steps".into(), "32".into()), ("x".into(), "true".into())], baseline: Some(vec![0.5]) });
        assert!(ExplainRequest::from_json(r#"{"method": "gradient", "params": {"mode": [1]}}"#).unwrap_err().contains("\"mode\" must be text"));
        assert!(ExplainRequest::from_json(r#"{"method": "gradient", "extra": 1}"#).unwrap_err().contains("not an explanation request"));
        assert!(ExplainRequest::from_json("[]").unwrap_err().contains("not an explanation request"));
    }

    /// The session passes the hook through: rows are reported, and a stop cancels.
    #[test]
    fn session_explanations_report_progress_and_cancel() {
        let s = lenet();
        let rise = request("rise", &[("masks", "40"), ("batch", "16")]);
        let seen = Cell::new((0, 0));
        let go_on = |done, total| {
            seen.set((done, total));
            std::future::ready(true)
        };
        pollster::block_on(s.explain(&rise, &ExplainSource::Rows(vec![1]), Some(&go_on))).unwrap();
        assert_eq!(seen.get(), (41, 41));
        let stop = |done: usize, _| std::future::ready(done < 17);
        assert_eq!(pollster::block_on(s.explain(&rise, &ExplainSource::Rows(vec![1]), Some(&stop))).unwrap_err(), "cancelled");
    }
}
