//! Concept subspaces over dataset rows of the session's model
//! (`explain::subspace::concepts`): the request as JSON, checked and bounded like one
//! explanation, LRP's composite and target parsed as the "lrp" method's parameters.

use super::explain::{ExplainRequest, ExplainSource, MAX_EXPLAIN_WORK};
use super::{Engine, Session};
use crate::explain::request::{Method, Request};
use crate::explain::subspace::{concepts, ConceptOptions, ConceptReport, DrsaOptions};
use crate::explain::{Probe, Progress};
use serde::Deserialize;

/// `{"layer", "concepts", "size", "q", "iterations", "seed", "top", "params": {lrp's
/// parameters: "composite" or "rule", "target", "batch"}}`.
#[derive(Clone, Debug, PartialEq)]
pub struct ConceptRequest {
    pub options: ConceptOptions,
    pub lrp: ExplainRequest,
}

/// The most DRSA iterations one request may ask for.
pub const MAX_CONCEPT_ITERATIONS: usize = 2000;

impl ConceptRequest {
    pub fn from_json(json: &str) -> Result<ConceptRequest, String> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Wire {
            layer: usize,
            concepts: usize,
            size: usize,
            q: Option<f64>,
            iterations: Option<usize>,
            seed: Option<u32>,
            top: Option<usize>,
            #[serde(default)]
            params: serde_json::Map<String, serde_json::Value>,
        }
        let w: Wire = serde_json::from_str(json).map_err(|e| format!("not a concepts request: {e}"))?;
        let iterations = w.iterations.unwrap_or(100);
        if iterations > MAX_CONCEPT_ITERATIONS {
            return Err(format!("concepts: at most {MAX_CONCEPT_ITERATIONS} iterations, not {iterations}"));
        }
        let lrp = ExplainRequest::from_json(&serde_json::json!({"method": "lrp", "params": w.params}).to_string())?;
        let drsa = DrsaOptions { concepts: w.concepts, size: w.size, q: w.q.unwrap_or(2.0), iterations, seed: w.seed.unwrap_or(1) };
        // The composite is filled in when the parameters are parsed against the inputs.
        let options = ConceptOptions { layer: w.layer, drsa, composite: crate::explain::Composite::EpsilonPlus, top: w.top.unwrap_or(6) };
        Ok(ConceptRequest { options, lrp })
    }
}

impl Session {
    /// PRCA, PCA and DRSA at `request`'s layer over dataset `rows` (train first, then
    /// test), telling `progress` the work done; fails naming the problem, or with
    /// "cancelled".
    pub async fn concepts(&self, request: &ConceptRequest, rows: &[usize], progress: Option<&dyn Progress>) -> Result<ConceptReport, String> {
        let inputs = self.explain_inputs(&ExplainSource::Rows(rows.to_vec()), None)?;
        let parsed: Request = Request::parse("lrp", &request.lrp.params, &inputs)?;
        let Method::Lrp(composite) = parsed.method else { unreachable!("parsed as lrp") };
        let options = ConceptOptions { composite, ..request.options.clone() };
        let n = inputs.inputs.len();
        let passes = n.saturating_mul(options.drsa.concepts + 3);
        let work = passes.saturating_mul(inputs.inputs.first().map_or(0, Vec::len));
        if work > MAX_EXPLAIN_WORK {
            return Err(format!("concepts: this would push {work} numbers through the network, more than the {MAX_EXPLAIN_WORK} allowed; use fewer samples or concepts"));
        }
        let x = inputs.flat();
        let quiet = |_: usize, _: usize| async { true };
        let progress = progress.unwrap_or(&quiet);
        with_trainer!(&self.engine, t => {
            let probe = Probe::new(&t.be, &t.model).with_batch(parsed.batch);
            let logits = probe.logits(&x).await;
            let seeds = parsed.target.seeds(&logits, probe.classes(), inputs.labels.as_deref())?;
            concepts(&t.be, &t.model, parsed.batch, &x, &seeds, &options, progress).await
        })
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;
    use super::*;
    use crate::spec::ExperimentSpec;

    /// On the digits LeNet: the report's maps sum to the total; bad requests are named.
    #[test]
    fn the_session_runs_concepts_on_dataset_rows_and_names_bad_requests() {
        let mut spec: ExperimentSpec = serde_json::from_str(include_str!("../../examples/digits-lenet.json")).unwrap();
        spec.dataset.points = 40;
        let s = Session::new(spec).unwrap();
        let layer = {
            let mut ids = vec![];
            with_trainer!(&s.engine, t => t.model.visit_nodes(&mut |n| if n.layer.kind() == "activation" { ids.push(n.id) }));
            ids[0]
        };
        let json = format!(r#"{{"layer": {layer}, "concepts": 2, "size": 1, "iterations": 10, "top": 2, "params": {{"composite": "epsilonPlus"}}}}"#);
        let rows: Vec<usize> = (0..8).collect();
        let r = pollster::block_on(s.concepts(&ConceptRequest::from_json(&json).unwrap(), &rows, None)).unwrap();
        assert_eq!((r.maps.concepts.len(), r.maps.total.len(), r.top[0].len()), (2, 8, 2));
        for n in 0..8 {
            for i in 0..r.maps.total[n].len() {
                let sum = r.maps.concepts[0][n][i] + r.maps.concepts[1][n][i] + r.maps.residual[n][i];
                assert!((sum - r.maps.total[n][i]).abs() < 1e-3 * (1.0 + r.maps.total[n][i].abs()), "sample {n} pixel {i}");
            }
        }
        let bad = |json: &str| match ConceptRequest::from_json(json) {
            Ok(r) => pollster::block_on(s.concepts(&r, &rows, None)).unwrap_err(),
            Err(e) => e,
        };
        assert!(bad(r#"{"layer": 1, "concepts": 2}"#).contains("not a concepts request"));
        assert!(bad(r#"{"layer": 1, "concepts": 2, "size": 1, "iterations": 99999}"#).contains("at most"));
        assert!(bad(r#"{"layer": 1, "concepts": 2, "size": 1, "params": {"composite": "magic"}}"#).contains("composite"));
        assert!(bad(&format!(r#"{{"layer": {layer}, "concepts": 99, "size": 1}}"#)).contains("exceed"));
        assert!(bad(&format!(r#"{{"layer": {layer}, "concepts": 1, "size": 1, "params": {{"target": "7:x"}}}}"#)).contains("target"));
        assert!(bad(r#"{"layer": 999, "concepts": 1, "size": 1}"#).contains("no layer 999"));
        let one = ConceptRequest::from_json(&json).unwrap();
        assert!(pollster::block_on(s.concepts(&one, &[3], None)).unwrap_err().contains("at least 2 samples"));
    }
}
