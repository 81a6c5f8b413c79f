//! Lab "geometry": a 2-D ReLU MLP on the spiral seen as a partition of the plane into
//! linear regions (the page's region view: `Session::plane_views`, `activation_codes`).
//! The region count over training, training points per region (the net as a hash
//! encoder), k-NN on the binary activation codes, example forgetting (Toneva et al.) with
//! the most forgotten points, and memorisation of shuffled labels (Zhang et al.).

use super::fit::{Fit, Split, Ticker};
use super::{About, Check, Figure, FigureKind, LabReport, Progress, Scale, Series, Verdict};
use crate::data;
use crate::rng::{Rng, Stream};
use crate::session::{ActivationCodes, Session};
use crate::spec::{Activation, DatasetKind, ExperimentSpec, LayerSpec, Optimizer};
use std::collections::HashMap;

struct Sizes {
    epochs: u32,
    /// Regions are counted every `region_every` epochs on a `grid`² grid.
    region_every: u32,
    grid: u32,
    random_epochs: u32,
    random_width: u32,
}

fn sizes(scale: Scale) -> Sizes {
    match scale {
        Scale::Small => Sizes { epochs: 100, region_every: 10, grid: 64, random_epochs: 40, random_width: 256 },
        Scale::Full => Sizes { epochs: 300, region_every: 10, grid: 128, random_epochs: 100, random_width: 256 },
    }
}

const K: usize = 5;
const GALLERY: usize = 10;

/// The spiral with a 2→w→w→2 ReLU MLP trained by Adam.
fn spec(width: u32) -> ExperimentSpec {
    let mut s = ExperimentSpec::default();
    s.dataset.kind = DatasetKind::Spiral;
    s.dataset.points = 400;
    s.model.hidden = vec![width, width];
    s.model.activation = Activation::Relu;
    s.training.optimizer = Optimizer::Adam;
    s.training.learning_rate = 0.01;
    s.training.batch_size = 20;
    s
}

/// Random-label memorisation (Zhang et al.) on images, as the paper ran it: synthetic
/// digits whose every label is replaced by a seeded draw of one of the ten classes (train
/// and test alike, so the test split can only be at chance, 10 %), for an MLP with two
/// hidden layers of `width` units.
fn random_labels(width: u32) -> Result<Fit, String> {
    let mut s = ExperimentSpec::default();
    s.dataset.kind = DatasetKind::Digits;
    s.dataset.points = 400;
    s.dataset.image_size = 16;
    s.dataset.noise = 0.0;
    let relu = || LayerSpec::Activation { function: Activation::Relu };
    s.model.hidden = Vec::new();
    s.model.layers = vec![LayerSpec::Flatten, LayerSpec::Dense { units: width }, relu(), LayerSpec::Dense { units: width }, relu(), LayerSpec::Dense { units: 10 }];
    s.training.optimizer = Optimizer::Adam;
    s.training.learning_rate = 0.001;
    s.training.batch_size = 20;
    s.validate().map_err(|e| e.0)?;
    let mut data = data::build(&s.dataset, s.train_points());
    let rng = Rng::new(17, Stream::DataNoise);
    for (i, label) in data.labels.iter_mut().enumerate() {
        *label = rng.below(i as u32, 10);
    }
    Fit::on(&s, data)
}

fn argmax(p: &[f32]) -> usize {
    (0..p.len()).fold(0, |b, c| if p[c] > p[b] { c } else { b })
}

/// Linear regions of the plane on a grid² grid (0 if the view has none).
async fn region_count(s: &Session, grid: u32) -> u32 {
    s.plane_views(grid, false, true).await.and_then(|v| v.regions).map_or(0, |r| r.count)
}

/// Whether each training example is classified correctly now.
async fn correct(s: &Session) -> Result<Vec<bool>, String> {
    let d = s.data();
    let probs = s.classify(&d.features[..d.n_train * d.n_features]).await?;
    Ok(probs.chunks(d.classes).zip(&d.labels).map(|(p, &l)| argmax(p) == l as usize).collect())
}

/// Forgetting events per example: epochs where it went from correct to incorrect.
fn forgetting(history: &[Vec<bool>]) -> Vec<u32> {
    let n = history.first().map_or(0, Vec::len);
    (0..n).map(|i| history.windows(2).filter(|w| w[0][i] && !w[1][i]).count() as u32).collect()
}

/// How many rows share each code, as (rows in a region → regions with that many) pairs.
fn points_per_region(codes: &ActivationCodes, rows: usize) -> Vec<(usize, usize)> {
    let mut regions: HashMap<&[u64], usize> = HashMap::new();
    for r in 0..rows {
        *regions.entry(codes.row(r)).or_default() += 1;
    }
    let mut hist: HashMap<usize, usize> = HashMap::new();
    for &n in regions.values() {
        *hist.entry(n).or_default() += 1;
    }
    let mut out: Vec<(usize, usize)> = hist.into_iter().collect();
    out.sort();
    out
}

/// The share of `queries` whose majority label among the k nearest `refs` (by
/// `distance`, ties by index) is their own.
fn knn_accuracy(refs: &[usize], queries: &[usize], labels: &[u32], classes: usize, distance: impl Fn(usize, usize) -> f64) -> f64 {
    let hits = queries
        .iter()
        .filter(|&&q| {
            let mut by: Vec<(f64, usize)> = refs.iter().map(|&r| (distance(q, r), r)).collect();
            by.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            let mut votes = vec![0usize; classes];
            by.iter().take(K).for_each(|&(_, r)| votes[labels[r] as usize] += 1);
            let vote = (0..classes).fold(0, |b, c| if votes[c] > votes[b] { c } else { b });
            vote == labels[q] as usize
        })
        .count();
    hits as f64 / queries.len().max(1) as f64
}

fn hamming(a: &[u64], b: &[u64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| (x ^ y).count_ones()).sum::<u32>() as f64
}

/// What the Labs menu shows of this lab.
pub const ABOUT: About = About {
    name: "geometry",
    title: "Geometry: linear regions, codes, forgetting and memorisation",
    claim: "A ReLU network cuts its input space into linear regions whose number changes as it trains; its binary activation codes work as a hash of the input (k-NN on them classifies); some examples are forgotten again and again; and with enough capacity a network memorises labels that carry no signal.",
    paper: "Hanin & Rolnick 2019, Deep ReLU Networks Have Surprisingly Few Activation Patterns; Toneva et al. 2019, An Empirical Study of Example Forgetting during Deep Neural Network Learning; Zhang et al. 2017, Understanding Deep Learning Requires Rethinking Generalization",
    look_at: "The region count over training; how many regions hold one training point; k-NN on codes against k-NN on the inputs; where the most forgotten points sit (near the spiral arms' boundary); train accuracy on random labels of digits climbing to 100% while test stays at chance (10%).",
};

pub async fn run(scale: Scale, progress: &dyn Progress) -> Result<LabReport, String> {
    let z = sizes(scale);
    let total = (z.epochs + z.random_epochs + 1) as usize;
    let mut ticks = Ticker::new(progress, total);

    let mut s = Session::new(spec(16)).map_err(|e| e.0)?;
    let steps = s.steps_per_epoch();
    let mut regions = vec![(0.0, region_count(&s, z.grid).await as f64)];
    let mut history = vec![correct(&s).await?];
    for epoch in 1..=z.epochs {
        s.train_steps(steps);
        history.push(correct(&s).await?);
        if epoch % z.region_every == 0 {
            regions.push((epoch as f64, region_count(&s, z.grid).await as f64));
        }
        ticks.tick(1).await?;
    }
    let m = s.metrics().await;
    let d = s.data().clone();
    let codes = s.activation_codes(&d.features).await?.ok_or("the ReLU MLP has activation codes")?;
    let per_region = points_per_region(&codes, d.n_train);
    let train: Vec<usize> = (0..d.n_train).collect();
    let test: Vec<usize> = (d.n_train..d.len()).collect();
    let knn_codes = knn_accuracy(&train, &test, &d.labels, d.classes, |a, b| hamming(codes.row(a), codes.row(b)));
    let knn_inputs = knn_accuracy(&train, &test, &d.labels, d.classes, |a, b| d.row(a).iter().zip(d.row(b)).map(|(x, y)| ((x - y) as f64).powi(2)).sum());
    let forgotten = forgetting(&history);

    let mut r = random_labels(z.random_width)?;
    let mut random_curve = Vec::with_capacity(z.random_epochs as usize);
    for _ in 0..z.random_epochs {
        r.train(1, &mut ticks).await?;
        random_curve.push((r.accuracy(Split::Train).await, r.accuracy(Split::Test).await));
    }
    let true_curve = s.history_since(0).to_vec();
    ticks.tick(1).await?;

    let mut figures = Vec::new();
    let (rx, ry): (Vec<f64>, Vec<f64>) = regions.iter().copied().unzip();
    figures.push(Figure::new(
        "region-count",
        &format!("Linear regions of the plane over training ({}² grid over [−6, 6]²)", z.grid),
        FigureKind::Lines,
        "epoch",
        "linear regions (count)",
        vec![Series { name: "regions".into(), x: rx, y: ry.clone() }],
    ));
    figures.push(Figure::new(
        "points-per-region",
        "Training points per region after training (the net as a hash encoder)",
        FigureKind::Bars,
        "training points in a region",
        "regions (count)",
        vec![Series { name: "regions".into(), x: per_region.iter().map(|p| p.0 as f64).collect(), y: per_region.iter().map(|p| p.1 as f64).collect() }],
    ));
    let mut f = Figure::new(
        "knn",
        &format!("{K}-NN test accuracy: on activation codes (Hamming) and on the inputs, against the network"),
        FigureKind::Bars,
        "classifier",
        "test accuracy (%)",
        vec![Series { name: "test accuracy".into(), x: vec![0.0, 1.0, 2.0], y: vec![100.0 * knn_codes, 100.0 * knn_inputs, 100.0 * m.test_acc as f64] }],
    );
    f.categories = vec!["k-NN on codes".into(), "k-NN on inputs".into(), "network".into()];
    figures.push(f);
    let max_forgot = forgotten.iter().copied().max().unwrap_or(0);
    figures.push(Figure::new(
        "forgetting-counts",
        "Forgetting events per training example (correct → incorrect between epochs)",
        FigureKind::Bars,
        "forgetting events",
        "training examples (count)",
        vec![Series {
            name: "examples".into(),
            x: (0..=max_forgot).map(f64::from).collect(),
            y: (0..=max_forgot).map(|k| forgotten.iter().filter(|&&c| c == k).count() as f64).collect(),
        }],
    ));
    let mut order: Vec<usize> = (0..d.n_train).collect();
    order.sort_by(|&a, &b| forgotten[b].cmp(&forgotten[a]).then(a.cmp(&b)));
    let most: Vec<usize> = order.into_iter().take(GALLERY).filter(|&i| forgotten[i] > 0).collect();
    let mut scatter: Vec<Series> = (0..d.classes)
        .map(|c| {
            let rows: Vec<usize> = (0..d.n_train).filter(|&i| d.labels[i] as usize == c).collect();
            Series { name: format!("class {c}"), x: rows.iter().map(|&i| d.points[i][0] as f64).collect(), y: rows.iter().map(|&i| d.points[i][1] as f64).collect() }
        })
        .collect();
    scatter.push(Series {
        name: format!("most forgotten ({})", most.iter().map(|&i| forgotten[i].to_string()).collect::<Vec<_>>().join(", ")),
        x: most.iter().map(|&i| d.points[i][0] as f64).collect(),
        y: most.iter().map(|&i| d.points[i][1] as f64).collect(),
    });
    figures.push(Figure::new("most-forgotten", "The most forgotten training points", FigureKind::Scatter, "x₁", "x₂", scatter));
    let curve = |h: &[crate::train::EpochRecord], test: bool| -> Series {
        Series {
            name: String::new(),
            x: h.iter().map(|r| r.epoch as f64).collect(),
            y: h.iter().map(|r| 100.0 * if test { r.test_acc } else { r.train_acc } as f64).collect(),
        }
    };
    let named = |mut s: Series, name: &str| {
        s.name = name.into();
        s
    };
    let epochs = |n: usize| (1..=n).map(|e| e as f64);
    let random = |test: bool, name: &str| Series {
        name: name.into(),
        x: epochs(random_curve.len()).collect(),
        y: random_curve.iter().map(|&(train, t)| 100.0 * if test { t } else { train }).collect(),
    };
    figures.push(Figure::new(
        "random-labels",
        &format!("Memorising random labels of 16 × 16 digits (2 × {} units) against the spiral's true labels (2 × 16)", z.random_width),
        FigureKind::Lines,
        "epoch",
        "accuracy (%)",
        vec![
            random(false, "random labels, train"),
            random(true, "random labels, test"),
            named(curve(&true_curve, false), "true labels, train"),
            named(curve(&true_curve, true), "true labels, test"),
        ],
    ));

    let &(last_train, last_test) = random_curve.last().ok_or("the random-label run has a history")?;
    let (min, max) = ry.iter().fold((f64::MAX, f64::MIN), |(lo, hi), &v| (lo.min(v), hi.max(v)));
    let checks = vec![
        Check {
            claim: "random labels are memorised".into(),
            holds: last_train >= 0.95 && (last_test - 0.1).abs() <= 0.05,
            detail: format!(
                "after {} epochs: train {:.1}% (memorised: ≥ 95%), test {:.1}% (chance: 10 ± 5%)",
                random_curve.len(),
                100.0 * last_train,
                100.0 * last_test
            ),
        },
        Check {
            claim: "the region count is computed and changes over training".into(),
            holds: min > 0.0 && max > min,
            detail: format!("regions {} at init, {min}–{max} over training, {} at the end", ry[0], ry[ry.len() - 1]),
        },
    ];
    Ok(LabReport::new(&ABOUT, scale, figures, Verdict::from_checks(checks)))
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;
    use super::*;

    #[test]
    fn forgetting_counts_correct_to_incorrect_transitions() {
        let h = vec![vec![false, true, true], vec![true, false, true], vec![false, true, true], vec![true, false, true]];
        assert_eq!(forgetting(&h), vec![1, 2, 0]);
    }

    #[test]
    fn regions_group_equal_codes() {
        let codes = ActivationCodes { bits: 3, words: 1, patterns: vec![0b101, 0b001, 0b101, 0b111, 0b101] };
        // One region holds three rows, two hold one each.
        assert_eq!(points_per_region(&codes, 5), vec![(1, 2), (3, 1)]);
        assert_eq!(hamming(codes.row(0), codes.row(3)), 1.0);
    }

    #[test]
    fn knn_votes_among_the_nearest() {
        // Points on a line; labels 0 on the left, 1 on the right.
        let xs: [f64; 13] = [0.0, 1.0, 2.0, 3.0, 4.0, 10.0, 11.0, 12.0, 13.0, 14.0, 1.5, 12.5, 5.0];
        let labels = [0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 0, 1, 1];
        let d = |a: usize, b: usize| (xs[a] - xs[b]).abs();
        let refs: Vec<usize> = (0..10).collect();
        // 1.5 and 12.5 are right; 5.0 (labelled 1) sits nearer the 0s and is wrong.
        assert!((knn_accuracy(&refs, &[10, 11, 12], &labels, 2, d) - 2.0 / 3.0).abs() < 1e-12);
    }
}
