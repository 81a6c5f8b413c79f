//! How well a classifier's confidence matches its accuracy, from its logits and the true
//! labels: accuracy, NLL, the reliability diagram and expected calibration error (ECE,
//! top-label, equal-width bins), logit margins and histograms of them.

/// Softmax of each row of `logits` (row-major, `classes` per row), in f64.
pub fn softmax_rows(logits: &[f32], classes: usize) -> Vec<Vec<f64>> {
    logits
        .chunks(classes)
        .map(|row| {
            let max = row.iter().fold(f32::NEG_INFINITY, |m, &v| m.max(v)) as f64;
            let e: Vec<f64> = row.iter().map(|&v| (v as f64 - max).exp()).collect();
            let sum: f64 = e.iter().sum();
            e.into_iter().map(|v| v / sum).collect()
        })
        .collect()
}

fn argmax(row: &[f64]) -> usize {
    (0..row.len()).fold(0, |best, j| if row[j] > row[best] { j } else { best })
}

/// Share of rows whose largest logit is the label's.
pub fn accuracy(logits: &[f32], labels: &[u32]) -> f64 {
    let classes = logits.len() / labels.len().max(1);
    let probs = softmax_rows(logits, classes);
    let right = probs.iter().zip(labels).filter(|(p, &y)| argmax(p) == y as usize).count();
    right as f64 / labels.len().max(1) as f64
}

/// Mean −log p(label), in nats.
pub fn nll(probs: &[Vec<f64>], labels: &[u32]) -> f64 {
    let sum: f64 = probs.iter().zip(labels).map(|(p, &y)| -p[y as usize].max(1e-300).ln()).sum();
    sum / labels.len().max(1) as f64
}

/// One bin of a reliability diagram.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Bin {
    /// Mean top-class probability of the rows in the bin.
    pub confidence: f64,
    /// Share of those rows predicted right.
    pub accuracy: f64,
    pub count: usize,
}

/// The rows sorted by their top-class probability into `bins` equal-width bins of
/// (0, 1]; empty bins are left out.
pub fn reliability(probs: &[Vec<f64>], labels: &[u32], bins: usize) -> Vec<Bin> {
    let mut sums = vec![(0.0, 0.0, 0usize); bins];
    for (p, &y) in probs.iter().zip(labels) {
        let top = argmax(p);
        let conf = p[top];
        let b = ((conf * bins as f64).ceil() as usize).clamp(1, bins) - 1;
        sums[b].0 += conf;
        sums[b].1 += (top == y as usize) as u8 as f64;
        sums[b].2 += 1;
    }
    sums.into_iter()
        .filter(|s| s.2 > 0)
        .map(|(c, a, n)| Bin { confidence: c / n as f64, accuracy: a / n as f64, count: n })
        .collect()
}

/// Σ_bins (n_b / n)·|accuracy_b − confidence_b|.
pub fn ece(probs: &[Vec<f64>], labels: &[u32], bins: usize) -> f64 {
    let n = labels.len().max(1) as f64;
    reliability(probs, labels, bins).iter().map(|b| b.count as f64 / n * (b.accuracy - b.confidence).abs()).sum()
}

/// Mean top-class probability.
pub fn mean_confidence(probs: &[Vec<f64>]) -> f64 {
    probs.iter().map(|p| p[argmax(p)]).sum::<f64>() / probs.len().max(1) as f64
}

/// z_label − max_{j ≠ label} z_j of each row: positive when the row is classified right.
pub fn margins(logits: &[f32], labels: &[u32]) -> Vec<f64> {
    let classes = logits.len() / labels.len().max(1);
    logits
        .chunks(classes)
        .zip(labels)
        .map(|(row, &y)| {
            let other = row.iter().enumerate().filter(|&(j, _)| j != y as usize).fold(f32::NEG_INFINITY, |m, (_, &v)| m.max(v));
            (row[y as usize] - other) as f64
        })
        .collect()
}

/// The median of `values` (NaN when empty).
pub fn median(values: &[f64]) -> f64 {
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    match v.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => v[n / 2],
        n => (v[n / 2 - 1] + v[n / 2]) / 2.0,
    }
}

/// Share of `values` in each of `bins` equal-width bins over [lo, hi] (values outside
/// go to the end bins), as (bin centre, share) pairs.
pub fn histogram(values: &[f64], lo: f64, hi: f64, bins: usize) -> Vec<(f64, f64)> {
    let width = (hi - lo) / bins as f64;
    let mut counts = vec![0usize; bins];
    for &v in values {
        let b = ((v - lo) / width).floor().clamp(0.0, (bins - 1) as f64) as usize;
        counts[b] += 1;
    }
    let n = values.len().max(1) as f64;
    counts.iter().enumerate().map(|(b, &c)| (lo + (b as f64 + 0.5) * width, c as f64 / n)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ece_is_the_count_weighted_gap_between_confidence_and_accuracy() {
        // Two rows at confidence 0.9 (one right), two at 0.6 (both right).
        let probs = vec![vec![0.9, 0.1], vec![0.9, 0.1], vec![0.6, 0.4], vec![0.4, 0.6]];
        let labels = [0, 1, 0, 1];
        let bins = reliability(&probs, &labels, 10);
        assert_eq!(bins.len(), 2);
        assert_eq!(bins[0].count, 2);
        assert!((bins[0].confidence - 0.6).abs() < 1e-12 && bins[0].accuracy == 1.0);
        assert!((bins[1].confidence - 0.9).abs() < 1e-12 && bins[1].accuracy == 0.5);
        let expected = 0.5 * 0.4 + 0.5 * 0.4;
        assert!((ece(&probs, &labels, 10) - expected).abs() < 1e-12);
        // A perfectly calibrated set has ECE 0.
        let calibrated = vec![vec![1.0, 0.0], vec![0.0, 1.0]];
        assert_eq!(ece(&calibrated, &[0, 1], 10), 0.0);
    }

    #[test]
    fn softmax_nll_accuracy_and_margins_agree_with_hand_values() {
        let logits = [0.0f32, 0.0, 2.0, 0.0];
        let probs = softmax_rows(&logits, 2);
        assert!((probs[0][0] - 0.5).abs() < 1e-12);
        let labels = [1, 1];
        assert!((nll(&probs, &labels) - (2f64.ln() + (1.0 + 2f64.exp()).ln()) / 2.0).abs() < 1e-9);
        // Row 0 ties (argmax picks class 0), row 1 is wrong.
        assert_eq!(accuracy(&logits, &labels), 0.0);
        assert_eq!(margins(&logits, &labels), vec![0.0, -2.0]);
        assert_eq!(median(&[3.0, 1.0, 2.0, 10.0]), 2.5);
    }

    #[test]
    fn a_histogram_counts_every_value_once() {
        let h = histogram(&[-5.0, 0.1, 0.2, 0.9, 7.0], 0.0, 1.0, 2);
        assert_eq!(h, vec![(0.25, 0.6), (0.75, 0.4)]);
    }
}
