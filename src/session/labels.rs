//! The randomised-labels sanity check (Adebayo et al. 2018): a fresh model of the same
//! spec is trained for as many steps as the current one on the training rows with their
//! labels shuffled, and one method's maps of both models on the same test rows are
//! compared by Spearman rank correlation and SSIM (means over the rows). A method whose
//! maps depend on what the model learnt gives different maps; one that only reflects
//! the input keeps them.

use super::explain::{ExplainRequest, ExplainSource};
use super::retrain::Counter;
use super::{Engine, Session};
use crate::explain::metrics::{mean, pixel_relevance, spearman, ssim};
use crate::explain::Progress;
use crate::rng::{Rng, Stream};
use serde::Serialize;

#[derive(Serialize, Clone, Debug, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct LabelCheck {
    pub method: String,
    pub steps: u64,
    pub samples: usize,
    pub spearman: f64,
    pub ssim: f64,
    /// Test accuracy of the current model and of the one trained on shuffled labels.
    pub trained_accuracy: f64,
    pub randomised_accuracy: f64,
}

impl Session {
    /// Runs the check for `request` on dataset `rows`, telling `progress` the steps
    /// trained; fails naming the problem, or with "cancelled".
    pub async fn randomised_labels(&mut self, request: &ExplainRequest, rows: &[usize], seed: u32, progress: Option<&dyn Progress>) -> Result<LabelCheck, String> {
        let steps = self.step();
        if steps == 0 {
            return Err("the randomised-labels check trains for as many steps as the current model had: train it first".into());
        }
        if rows.is_empty() {
            return Err("the randomised-labels check needs at least one sample".into());
        }
        let source = ExplainSource::Rows(rows.to_vec());
        let original = self.explain(request, &source, None).await?;
        let mut data = self.data.clone();
        let n_train = data.n_train;
        Rng::new(seed, Stream::Explain).child(0x1abe1).shuffle(&mut data.labels[..n_train]);
        let mut counter = Counter { done: 0, total: steps as usize, progress };
        let mut fresh = self.retrained(data, steps, &mut counter).await?;
        let randomised = fresh.explain(request, &source, None).await?;
        let input = with_trainer!(&self.engine, t => t.model.input);
        let mut rho = Vec::new();
        let mut structure = Vec::new();
        for (a, b) in original.attributions.iter().zip(&randomised.attributions) {
            let (p, grid) = pixel_relevance(a, &original.shape, input)?;
            let (q, _) = pixel_relevance(b, &randomised.shape, input)?;
            rho.push(spearman(a, b));
            structure.push(ssim(&p, &q, grid));
        }
        Ok(LabelCheck {
            method: request.method.clone(),
            steps,
            samples: rows.len(),
            spearman: mean(&rho),
            ssim: mean(&structure),
            trained_accuracy: f64::from(self.metrics().await.test_acc),
            randomised_accuracy: f64::from(fresh.metrics().await.test_acc),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::explain::CANCELLED;
    use crate::spec::ExperimentSpec;

    /// Gradient maps of a CNN trained on digits and of one trained on shuffled labels
    /// differ (the rank correlation is far from 1), and the shuffled model cannot beat
    /// chance by much; the same model compared with itself would give exactly 1.
    #[test]
    fn shuffled_labels_change_the_gradient_maps() {
        let mut spec: ExperimentSpec = serde_json::from_str(include_str!("../../examples/digits-lenet.json")).unwrap();
        spec.dataset.points = 600;
        let mut s = Session::new(spec).unwrap();
        s.train_steps(3 * s.steps_per_epoch());
        let request = ExplainRequest { method: "gradient".into(), params: vec![], baseline: None };
        let rows: Vec<usize> = (480..490).collect();
        let check = pollster::block_on(s.randomised_labels(&request, &rows, 0, None)).unwrap();
        println!("randomised labels: {check:?}");
        assert!(check.spearman < 0.8 && check.ssim < 0.8, "{check:?}");
        assert!(check.trained_accuracy > check.randomised_accuracy + 0.2, "{check:?}");
        let a = pollster::block_on(s.explain(&request, &ExplainSource::Rows(rows.clone()), None)).unwrap();
        assert_eq!(spearman(&a.attributions[0], &a.attributions[0]), 1.0);
        let stop = |_: usize, _: usize| std::future::ready(false);
        assert_eq!(pollster::block_on(s.randomised_labels(&request, &rows, 0, Some(&stop))).unwrap_err(), CANCELLED);
        assert!(pollster::block_on(s.randomised_labels(&request, &[], 0, None)).unwrap_err().contains("at least one"));
    }
}
