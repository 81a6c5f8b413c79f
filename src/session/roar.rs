//! ROAR, remove and retrain (Hooker et al. 2019): the current model's maps of one method
//! rank every train and test image's pixels; for each fraction f, the top f of each
//! image's pixels (every channel) are replaced by that image's mean, a fresh model of the
//! same spec is trained on the altered data for as many steps as the current one, and its
//! test accuracy is recorded — and the same for the same share of pixels removed in a
//! random order. A map that finds what the label lives in makes the accuracy fall faster
//! than random removal. Retraining runs on the CPU backend (`retrain`).

use super::explain::{ExplainRequest, ExplainSource};
use super::retrain::Counter;
use super::{Engine, Session};
use crate::data::Dataset;
use crate::explain::metrics::pixel_relevance;
use crate::explain::Progress;
use crate::rng::{Rng, Stream};
use serde::Serialize;

/// Rows explained per call (each call stays under the explanation caps).
const EXPLAIN_CHUNK: usize = 256;

/// Test accuracy of the retrained model per removed fraction, by the method's ranking and
/// by a random one.
#[derive(Serialize, Clone, Debug, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Roar {
    pub method: String,
    pub steps: u64,
    pub fractions: Vec<f64>,
    pub method_accuracy: Vec<f64>,
    pub random_accuracy: Vec<f64>,
}

/// Which pixels of every image go first.
enum Ranking<'a> {
    /// Per image, its pixel relevance (highest first).
    Relevance(&'a [Vec<f64>]),
    Random(u32),
}

/// `data` with the top `fraction` of each image's pixels (by `ranking`) set to the image's
/// mean, every channel.
fn remove(data: &Dataset, ranking: &Ranking, fraction: f64) -> Dataset {
    let [channels, h, w] = data.image.expect("ROAR needs images");
    let pixels = h * w;
    let k = ((fraction * pixels as f64).round() as usize).min(pixels);
    let mut out = data.clone();
    for (i, image) in out.features.chunks_mut(data.n_features).enumerate() {
        let mut order: Vec<usize> = (0..pixels).collect();
        match ranking {
            Ranking::Relevance(r) => order.sort_by(|&a, &b| r[i][b].total_cmp(&r[i][a])),
            Ranking::Random(seed) => Rng::new(*seed, Stream::Explain).child(i as u32).shuffle(&mut order),
        }
        let mean = image.iter().sum::<f32>() / image.len() as f32;
        for &p in &order[..k] {
            for c in 0..channels {
                image[c * pixels + p] = mean;
            }
        }
    }
    out
}

impl Session {
    /// Runs ROAR for `request` at `fractions` (each in [0, 1]), telling `progress` the
    /// rows explained and steps trained; fails naming the problem, or with "cancelled".
    pub async fn roar(&self, request: &ExplainRequest, fractions: &[f64], seed: u32, progress: Option<&dyn Progress>) -> Result<Roar, String> {
        let d = &self.data;
        let input = with_trainer!(&self.engine, t => t.model.input);
        if d.image.is_none() {
            return Err("ROAR needs an image dataset".into());
        }
        if fractions.is_empty() || fractions.iter().any(|f| !(0.0..=1.0).contains(f)) {
            return Err("ROAR: give one or more fractions, each from 0 to 1".into());
        }
        let steps = self.step();
        if steps == 0 {
            return Err("ROAR retrains for as many steps as the current model had: train it first".into());
        }
        let mut counter = Counter { done: 0, total: d.len() + 2 * fractions.len() * steps as usize, progress };
        let mut relevance = Vec::with_capacity(d.len());
        let rows: Vec<usize> = (0..d.len()).collect();
        for chunk in rows.chunks(EXPLAIN_CHUNK) {
            let a = self.explain(request, &ExplainSource::Rows(chunk.to_vec()), None).await?;
            for map in &a.attributions {
                relevance.push(pixel_relevance(map, &a.shape, input)?.0);
            }
            counter.add(chunk.len()).await?;
        }
        let mut accuracy = [Vec::new(), Vec::new()];
        for &fraction in fractions {
            for (which, ranking) in [Ranking::Relevance(&relevance), Ranking::Random(seed)].iter().enumerate() {
                let mut fresh = self.retrained(remove(d, ranking, fraction), steps, &mut counter).await?;
                accuracy[which].push(f64::from(fresh.metrics().await.test_acc));
            }
        }
        let [method_accuracy, random_accuracy] = accuracy;
        Ok(Roar { method: request.method.clone(), steps, fractions: fractions.to_vec(), method_accuracy, random_accuracy })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::explain::CANCELLED;
    use crate::spec::ExperimentSpec;

    fn digits(points: u32) -> Session {
        let mut spec: ExperimentSpec = serde_json::from_str(include_str!("../../examples/digits-lenet.json")).unwrap();
        spec.dataset.points = points;
        Session::new(spec).unwrap()
    }

    /// Removal keeps the images' shape, sets exactly the top share of pixels to the
    /// image's mean, and a random order differs from the relevance order.
    #[test]
    fn removal_replaces_the_top_pixels_by_the_image_mean() {
        let s = digits(60);
        let d = s.data();
        let pixels = d.n_features;
        let relevance: Vec<Vec<f64>> = (0..d.len()).map(|_| (0..pixels).map(|p| p as f64).collect()).collect();
        let out = remove(d, &Ranking::Relevance(&relevance), 0.25);
        let k = pixels / 4;
        for i in 0..d.len() {
            let before = &d.features[i * pixels..(i + 1) * pixels];
            let after = &out.features[i * pixels..(i + 1) * pixels];
            let mean = before.iter().sum::<f32>() / pixels as f32;
            assert!(after[pixels - k..].iter().all(|&v| v == mean), "the {k} most relevant pixels (the last ones) hold the mean");
            assert_eq!(&after[..pixels - k], &before[..pixels - k]);
        }
        let random = remove(d, &Ranking::Random(0), 0.25);
        assert_ne!(random.features, out.features);
        assert_eq!(remove(d, &Ranking::Random(0), 0.0).features, d.features);
    }

    /// Digits live in their strokes: removing the pixels a trained CNN's
    /// gradient × input ranks highest hurts the retrained model more than removing as
    /// many at random; bad requests are named.
    #[test]
    fn removing_the_relevant_pixels_hurts_more_than_random_removal() {
        let mut s = digits(600);
        s.train_steps(3 * s.steps_per_epoch());
        let request = ExplainRequest { method: "gradientXInput".into(), params: vec![], baseline: None };
        let seen = std::cell::Cell::new(0);
        let hook = |done: usize, _total: usize| {
            seen.set(done);
            std::future::ready(true)
        };
        let roar = pollster::block_on(s.roar(&request, &[0.3], 0, Some(&hook))).unwrap();
        println!("ROAR at 30%: gradient × input {:.3}, random {:.3}", roar.method_accuracy[0], roar.random_accuracy[0]);
        assert!(roar.method_accuracy[0] < roar.random_accuracy[0] - 0.05, "{roar:?}");
        assert_eq!(seen.get(), 600 + 2 * roar.steps as usize);
        assert!(pollster::block_on(s.roar(&request, &[1.5], 0, None)).unwrap_err().contains("from 0 to 1"));
        let stop = |_: usize, _: usize| std::future::ready(false);
        assert_eq!(pollster::block_on(s.roar(&request, &[0.3], 0, Some(&stop))).unwrap_err(), CANCELLED);
        assert!(pollster::block_on(digits(60).roar(&request, &[0.3], 0, None)).unwrap_err().contains("train it first"));
    }
}
