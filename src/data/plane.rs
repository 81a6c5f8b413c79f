//! From plane points to network inputs: feature expansion (x₁, x₂, x₁², …) and
//! preprocessing whose statistics are fitted on the training split, applied the same way
//! to the data and to any other point of the plane (the decision map, neuron maps).

use super::Dataset;
use crate::spec::{DatasetSpec, Feature, Preprocess};

/// Fitted per-feature rescaling: input = (value − offset) / scale. Empty vectors (no
/// preprocessing, image sets) leave every value unchanged.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Preprocessing {
    pub offset: Vec<f32>,
    pub scale: Vec<f32>,
}

impl Preprocessing {
    /// Fits `method` on the first `n_train` rows of row-major `values` with `width` columns.
    /// A column without spread (zero deviation or range) keeps scale 1.
    pub fn fit(method: Preprocess, values: &[f32], width: usize, n_train: usize) -> Preprocessing {
        if method == Preprocess::None {
            return Preprocessing::default();
        }
        let (offset, scale) = (0..width)
            .map(|c| {
                let mut col: Vec<f64> = values.chunks(width).take(n_train).map(|r| r[c] as f64).collect();
                let (offset, spread) = match method {
                    Preprocess::None => unreachable!("returned above"),
                    Preprocess::Zscore => {
                        let mean = col.iter().sum::<f64>() / col.len() as f64;
                        let var = col.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / col.len() as f64;
                        (mean, var.sqrt())
                    }
                    Preprocess::MinMax => {
                        let min = col.iter().copied().fold(f64::INFINITY, f64::min);
                        let max = col.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                        (min, max - min)
                    }
                    Preprocess::Robust => {
                        col.sort_by(f64::total_cmp);
                        (quantile(&col, 0.5), quantile(&col, 0.75) - quantile(&col, 0.25))
                    }
                };
                let spread = spread as f32;
                (offset as f32, if spread.is_finite() && spread > 0.0 { spread } else { 1.0 })
            })
            .unzip();
        Preprocessing { offset, scale }
    }

    /// Rescales row-major rows in place.
    pub fn apply(&self, values: &mut [f32]) {
        if self.offset.is_empty() {
            return;
        }
        for row in values.chunks_mut(self.offset.len()) {
            for ((v, o), s) in row.iter_mut().zip(&self.offset).zip(&self.scale) {
                *v = (*v - o) / s;
            }
        }
    }
}

/// Linear interpolation between order statistics of sorted values (numpy's default).
fn quantile(sorted: &[f64], q: f64) -> f64 {
    let pos = q * (sorted.len() - 1) as f64;
    let (lo, hi) = (pos.floor() as usize, pos.ceil() as usize);
    sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo as f64)
}

/// The features of each point, row-major [n, features.len()], before preprocessing.
pub fn expand(features: &[Feature], xs: &[[f32; 2]]) -> Vec<f32> {
    xs.iter().flat_map(|&p| features.iter().map(move |f| f.eval(p))).collect()
}

/// The network inputs for raw plane points: the spec's features, rescaled with the
/// statistics fitted on the training split.
pub fn inputs(spec: &DatasetSpec, stats: &Preprocessing, xs: &[[f32; 2]]) -> Vec<f32> {
    let mut values = expand(&spec.features, xs);
    stats.apply(&mut values);
    values
}

/// Replaces a point set's features (the raw coordinates) by the spec's inputs and keeps
/// the fitted statistics. With the default features and no preprocessing nothing changes.
pub fn prepare(data: &mut Dataset, spec: &DatasetSpec) {
    let values = expand(&spec.features, &data.points);
    data.n_features = spec.features.len();
    data.preprocessing = Preprocessing::fit(spec.preprocess, &values, data.n_features, data.n_train);
    data.features = values;
    data.preprocessing.apply(&mut data.features);
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;
    use super::*;
    use crate::spec::{DatasetKind, ExperimentSpec};

    fn spec(features: Vec<Feature>, preprocess: Preprocess) -> DatasetSpec {
        DatasetSpec { features, preprocess, noise: 0.2, ..ExperimentSpec::default().dataset }
    }

    #[test]
    fn features_expand_each_point_in_canonical_order() {
        let got = expand(&Feature::ALL, &[[2.0, -3.0]]);
        assert_eq!(got, vec![2.0, -3.0, 4.0, 9.0, -6.0, libm::sinf(2.0), libm::sinf(-3.0)]);
        assert_eq!(expand(&[Feature::X2], &[[1.0, 5.0], [2.0, 6.0]]), vec![5.0, 6.0]);
    }

    #[test]
    fn statistics_come_from_the_training_split_only() {
        // Train rows 0, 2, 4; a wild test row must not move the statistics.
        let values = [1.0f32, 10.0, 2.0, 20.0, 3.0, 30.0, 1000.0, -1000.0];
        let z = Preprocessing::fit(Preprocess::Zscore, &values, 2, 3);
        assert_eq!(z.offset, vec![2.0, 20.0]);
        assert!((z.scale[0] - (2.0f32 / 3.0).sqrt()).abs() < 1e-6);
        let m = Preprocessing::fit(Preprocess::MinMax, &values, 2, 3);
        assert_eq!((m.offset.clone(), m.scale.clone()), (vec![1.0, 10.0], vec![2.0, 20.0]));
        let r = Preprocessing::fit(Preprocess::Robust, &values, 2, 3);
        assert_eq!((r.offset.clone(), r.scale.clone()), (vec![2.0, 20.0], vec![1.0, 10.0]));
        let mut rows = values;
        m.apply(&mut rows);
        assert_eq!(&rows[..6], &[0.0, 0.0, 0.5, 0.5, 1.0, 1.0]);
        // A constant column keeps scale 1.
        assert_eq!(Preprocessing::fit(Preprocess::Zscore, &[4.0, 4.0], 1, 2).scale, vec![1.0]);
        assert_eq!(Preprocessing::fit(Preprocess::None, &values, 2, 3), Preprocessing::default());
    }

    /// The training split of a prepared set has the method's statistics, and `inputs`
    /// maps the raw points to exactly the rows the network trains on.
    #[test]
    fn prepared_sets_and_plane_inputs_agree() {
        for preprocess in [Preprocess::None, Preprocess::Zscore, Preprocess::MinMax, Preprocess::Robust] {
            let s = spec(vec![Feature::X1, Feature::X1Squared, Feature::X1x2, Feature::SinX2], preprocess);
            let data = crate::data::build(&s, 200);
            assert_eq!((data.n_features, data.features.len()), (4, 4 * data.len()));
            assert_eq!(inputs(&s, &data.preprocessing, &data.points), data.features);
            for c in 0..4 {
                let mut col: Vec<f32> = data.features.chunks(4).take(data.n_train).map(|r| r[c]).collect();
                let mean = col.iter().sum::<f32>() / col.len() as f32;
                let std = (col.iter().map(|v| (v - mean).powi(2)).sum::<f32>() / col.len() as f32).sqrt();
                col.sort_by(f32::total_cmp);
                match preprocess {
                    Preprocess::Zscore => assert!(mean.abs() < 1e-4 && (std - 1.0).abs() < 1e-4, "{mean} {std}"),
                    Preprocess::MinMax => assert!(col[0].abs() < 1e-6 && (col[col.len() - 1] - 1.0).abs() < 1e-6),
                    Preprocess::Robust => assert!(col[col.len() / 2].abs() < 0.05, "median {}", col[col.len() / 2]),
                    Preprocess::None => assert!(data.preprocessing.offset.is_empty()),
                }
            }
        }
    }

    #[test]
    fn default_features_leave_the_raw_points() {
        let s = DatasetSpec { kind: DatasetKind::Moons, ..ExperimentSpec::default().dataset };
        let data = crate::data::build(&s, 250);
        assert_eq!(data.features, data.points.iter().flatten().copied().collect::<Vec<f32>>());
    }
}
