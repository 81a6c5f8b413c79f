//! The leaderboard over the session's model (`explain::metrics::leaderboard`): dataset
//! rows scored by several methods, with the rows' ground-truth object or decoy masks for
//! the localisation columns, under the same caps as one explanation (the whole board's
//! work counts against `MAX_EXPLAIN_WORK`).

use super::explain::{ExplainRequest, ExplainSource, MAX_EXPLAIN_WORK};
use super::{Engine, Session};
use crate::explain::metrics::leaderboard::{leaderboard, rows, Board, BoardOptions};
use crate::explain::request::Request;
use crate::explain::{Baseline, Progress};
use crate::nn::Net;
use serde::Deserialize;

/// Which ground-truth masks the localisation columns use.
#[derive(Deserialize, Clone, Copy, Debug, PartialEq, Default)]
#[serde(rename_all = "camelCase")]
pub enum BoardMasks {
    #[default]
    Object,
    Decoy,
    None,
}

/// The methods to judge and the board's options, as JSON: `{"methods": [{"method",
/// "params"}, ...], "steps", "patch", "fill": "zero"|"mean"|"blur", "radius",
/// "perturbations", "sanity", "masks": "object"|"decoy"|"none", "seed", "batch"}`.
#[derive(Clone, Debug, PartialEq)]
pub struct LeaderboardRequest {
    pub methods: Vec<ExplainRequest>,
    pub fill: String,
    pub masks: BoardMasks,
    pub options: BoardOptions,
}

impl LeaderboardRequest {
    pub fn from_json(json: &str) -> Result<LeaderboardRequest, String> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields, rename_all = "camelCase")]
        struct Wire {
            methods: Vec<serde_json::Value>,
            steps: Option<usize>,
            patch: Option<usize>,
            fill: Option<String>,
            radius: Option<f64>,
            perturbations: Option<usize>,
            sanity: Option<bool>,
            #[serde(default)]
            masks: BoardMasks,
            seed: Option<u32>,
            batch: Option<usize>,
        }
        let w: Wire = serde_json::from_str(json).map_err(|e| format!("not a leaderboard request: {e}"))?;
        let methods = w.methods.iter().map(|m| ExplainRequest::from_json(&m.to_string())).collect::<Result<Vec<_>, _>>()?;
        let d = BoardOptions::default();
        let batch = w.batch.unwrap_or(d.batch);
        if !(1..=4096).contains(&batch) {
            return Err(format!("leaderboard: batch must be a whole number from 1 to 4096, not {batch}"));
        }
        let options = BoardOptions {
            steps: w.steps.unwrap_or(d.steps),
            patch: w.patch.unwrap_or(d.patch),
            fill: Baseline::Zero,
            radius: w.radius.unwrap_or(d.radius),
            perturbations: w.perturbations.unwrap_or(d.perturbations),
            sanity: w.sanity.unwrap_or(d.sanity),
            seed: w.seed.unwrap_or(d.seed),
            batch,
        };
        Ok(LeaderboardRequest { methods, fill: w.fill.unwrap_or_else(|| "zero".into()), masks: w.masks, options })
    }
}

impl Session {
    /// The dataset's per-pixel masks of one kind with the pixels per sample, when it has
    /// them for every sample (`BoardMasks::None` has none).
    pub fn pixel_masks(&self, which: BoardMasks) -> Option<(&[u8], usize)> {
        let d = &self.data;
        let all = match which {
            BoardMasks::Object => &d.masks,
            BoardMasks::Decoy => &d.decoy_masks,
            BoardMasks::None => return None,
        };
        let pixels = d.image.map(|[_, h, w]| h * w).filter(|&p| p > 0 && all.len() == d.len() * p)?;
        Some((all, pixels))
    }

    /// Scores `request.methods` on dataset `rows` (train first, then test), telling
    /// `progress` the rows pushed through the network; fails naming the problem, or
    /// with "cancelled".
    pub async fn leaderboard(&self, request: &LeaderboardRequest, rows_given: &[usize], progress: Option<&dyn Progress>) -> Result<Board, String> {
        let inputs = self.explain_inputs(&ExplainSource::Rows(rows_given.to_vec()), None)?;
        let methods = request.methods.iter().map(|m| Request::parse(&m.method, &m.params, &inputs)).collect::<Result<Vec<_>, _>>()?;
        let n = inputs.inputs.len();
        let fill = match request.fill.as_str() {
            "zero" => Baseline::Zero,
            "mean" => Baseline::Mean((0..inputs.inputs[0].len()).map(|i| inputs.inputs.iter().map(|r| r[i]).sum::<f64>() / n as f64).collect()),
            "blur" => Baseline::Blur { sigma: 1.0 },
            other => return Err(format!("leaderboard: fill must be zero, mean or blur, not \"{other}\"")),
        };
        let options = BoardOptions { fill, ..request.options.clone() };
        let d = &self.data;
        let masks = match request.masks {
            BoardMasks::None => None,
            which => {
                let what = if which == BoardMasks::Object { "object" } else { "decoy" };
                let (all, pixels) = self.pixel_masks(which).ok_or_else(|| format!("leaderboard: this dataset has no {what} masks; choose masks \"none\""))?;
                Some(rows_given.iter().map(|&i| all[i * pixels..(i + 1) * pixels].to_vec()).collect::<Vec<_>>())
            }
        };
        with_trainer!(&self.engine, t => {
            let work = rows(&t.model, &methods, n, &options).saturating_mul(t.model.input.len());
            if work > MAX_EXPLAIN_WORK {
                return Err(format!(
                    "leaderboard: this would push {work} numbers through the network, more than the {MAX_EXPLAIN_WORK} allowed; use fewer samples, methods, steps or perturbations"
                ));
            }
            let mut scratch = match options.sanity {
                true => Some(Net::build(&t.be, t.model.input, &self.spec.model, d.classes, self.spec.training.seed)?),
                false => None,
            };
            leaderboard(&t.be, &t.model, scratch.as_mut(), &methods, &inputs, masks.as_deref(), &options, progress).await
        })
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;
    use super::*;
    use crate::spec::ExperimentSpec;

    fn lenet() -> Session {
        let mut spec: ExperimentSpec = serde_json::from_str(include_str!("../../examples/digits-lenet.json")).unwrap();
        spec.dataset.points = 60;
        Session::new(spec).unwrap()
    }

    /// The digits' object masks fill the localisation columns; bad requests are named.
    #[test]
    fn the_session_board_reads_masks_and_keeps_within_the_work_bound() {
        let s = lenet();
        let json = r#"{"methods": [{"method": "gradient"}, {"method": "gradientXInput"}], "steps": 4, "perturbations": 2, "sanity": false, "fill": "mean"}"#;
        let board = pollster::block_on(s.leaderboard(&LeaderboardRequest::from_json(json).unwrap(), &[0, 5], None)).unwrap();
        assert_eq!((board.rows.len(), board.samples), (2, 2));
        assert_eq!(s.pixel_masks(BoardMasks::Object).map(|(m, p)| (m.len(), p)), Some((60 * 784, 784)));
        assert!(s.pixel_masks(BoardMasks::Decoy).is_none() && s.pixel_masks(BoardMasks::None).is_none());
        assert!(board.rows.iter().all(|r| r.values[6..9].iter().all(Option::is_some)), "{:?}", board.rows[0].values);
        let bad = |json: &str| match LeaderboardRequest::from_json(json) {
            Ok(r) => pollster::block_on(s.leaderboard(&r, &[0], None)).unwrap_err(),
            Err(e) => e,
        };
        assert!(bad(r#"{"methods": [{"method": "lime"}]}"#).contains("unknown method"));
        assert!(bad(r#"{"methods": [], "fill": "grey"}"#).contains("fill must be"));
        assert!(bad(r#"{"methods": [{"method": "gradient"}], "masks": "decoy"}"#).contains("no decoy masks"));
        assert!(bad(r#"{"methods": [{"method": "gradient"}], "extra": 1}"#).contains("not a leaderboard request"));
        assert!(bad(r#"{"methods": [{"method": "integratedGradients", "params": {"steps": 20000}}]}"#).contains("more than the"));
        let rows: Vec<usize> = (0..60).collect();
        let too_many = LeaderboardRequest::from_json(r#"{"methods": [{"method": "gradient"}], "steps": 200}"#).unwrap();
        assert!(pollster::block_on(s.leaderboard(&too_many, &rows, None)).unwrap_err().contains("more than the"));
    }
}
