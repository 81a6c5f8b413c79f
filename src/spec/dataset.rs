//! The point-set fields of `DatasetSpec`: input features, preprocessing, classes and
//! custom points, with their validation.

use super::{check, limits, DatasetKind, DatasetSpec, SpecError};
use serde::{Deserialize, Serialize};

/// One network input computed from a point (x₁, x₂). The declaration order is the
/// canonical order: `dataset.features` lists features in it, and so do the inputs.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[serde(rename_all = "camelCase")]
pub enum Feature {
    X1,
    X2,
    X1Squared,
    X2Squared,
    X1x2,
    SinX1,
    SinX2,
}

impl Feature {
    pub const ALL: [Feature; 7] =
        [Feature::X1, Feature::X2, Feature::X1Squared, Feature::X2Squared, Feature::X1x2, Feature::SinX1, Feature::SinX2];

    /// The name used in specs and shown on the input nodes.
    pub fn name(self) -> &'static str {
        match self {
            Feature::X1 => "x1",
            Feature::X2 => "x2",
            Feature::X1Squared => "x1Squared",
            Feature::X2Squared => "x2Squared",
            Feature::X1x2 => "x1x2",
            Feature::SinX1 => "sinX1",
            Feature::SinX2 => "sinX2",
        }
    }

    /// The feature's value at the point (x₁, x₂).
    pub fn eval(self, [x1, x2]: [f32; 2]) -> f32 {
        match self {
            Feature::X1 => x1,
            Feature::X2 => x2,
            Feature::X1Squared => x1 * x1,
            Feature::X2Squared => x2 * x2,
            Feature::X1x2 => x1 * x2,
            Feature::SinX1 => libm::sinf(x1),
            Feature::SinX2 => libm::sinf(x2),
        }
    }
}

/// How each feature is rescaled before it reaches the network; the statistics come from
/// the training split only and apply unchanged to test points and the decision plane.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, Default, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub enum Preprocess {
    #[default]
    None,
    /// (v − mean) / standard deviation.
    Zscore,
    /// (v − min) / (max − min), so the training split spans [0, 1].
    MinMax,
    /// (v − median) / interquartile range.
    Robust,
}

impl DatasetSpec {
    /// The target is a real number: one network output, trained with MSE.
    pub fn is_regression(&self) -> bool {
        self.kind.is_regression() || (self.kind == DatasetKind::Custom && self.regression)
    }

    /// Checks `classes`, `features`, `preprocess`, `customPoints` and `regression`.
    pub(super) fn validate_points_fields(&self) -> Result<(), SpecError> {
        use limits::*;
        let d = self;
        let image = d.kind.is_image();
        if d.kind.is_multiclass() && !d.is_regression() {
            check((2..=MAX_CLASSES).contains(&d.classes), || {
                format!("dataset.classes must be between 2 and {MAX_CLASSES}, got {}", d.classes)
            })?;
        } else {
            check(d.classes == 2, || {
                format!(
                    "dataset.classes applies to spiral, blobs, checkerboard and custom classification sets only \
                     ({:?} has a fixed number of outputs), got {}",
                    d.kind, d.classes
                )
            })?;
        }
        if image {
            check(d.features == [Feature::X1, Feature::X2], || "dataset.features applies to point datasets only".into())?;
            check(d.preprocess == Preprocess::None, || "dataset.preprocess applies to point datasets only".into())?;
        } else {
            check(!d.features.is_empty(), || "dataset.features must list at least one feature".into())?;
            check(d.features.windows(2).all(|w| w[0] < w[1]), || {
                let order: Vec<&str> = Feature::ALL.iter().map(|f| f.name()).collect();
                format!("dataset.features must list each feature once, in the order {}", order.join(", "))
            })?;
        }
        check(d.kind == DatasetKind::Custom || !d.regression, || "dataset.regression applies to kind custom only".into())?;
        if d.kind != DatasetKind::Custom {
            return check(d.custom_points.is_empty(), || "dataset.customPoints applies to kind custom only".into());
        }
        check(d.custom_points.len() == d.points as usize, || {
            format!(
                "dataset.points must equal the number of dataset.customPoints ({}) for kind custom, got {}",
                d.custom_points.len(),
                d.points
            )
        })?;
        for (i, &[x1, x2, value]) in d.custom_points.iter().enumerate() {
            let within = |v: f32| v.is_finite() && v.abs() <= MAX_CUSTOM_VALUE;
            check(within(x1) && within(x2), || {
                format!("dataset.customPoints[{i}] coordinates must be finite numbers within ±{MAX_CUSTOM_VALUE}, got ({x1}, {x2})")
            })?;
            if d.regression {
                check(within(value), || {
                    format!("dataset.customPoints[{i}] target must be a finite number within ±{MAX_CUSTOM_VALUE}, got {value}")
                })?;
            } else {
                check(value >= 0.0 && value < d.classes as f32 && value.fract() == 0.0, || {
                    format!("dataset.customPoints[{i}] label must be an integer from 0 to {}, got {value}", d.classes - 1)
                })?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;
    use super::super::{ExperimentSpec, Loss};
    use super::*;

    const OLD_JSON: &str = r#"{"dataset":{"kind":"spiral","points":500,"trainFraction":0.5,"noise":0.0,"seed":1},"model":{"hidden":[8,8],"activation":"tanh"},"training":{"loss":"softmaxCrossEntropy","optimizer":"sgd","learningRate":0.03,"batchSize":10,"seed":1},"backend":"auto"}"#;

    #[test]
    fn new_fields_round_trip_and_set_the_network_width() {
        let json = OLD_JSON.replace(
            r#""seed":1},"model""#,
            r#""seed":1,"classes":5,"features":["x1","x2","x1Squared","x1x2","sinX2"],"preprocess":"robust"},"model""#,
        );
        let spec: ExperimentSpec = serde_json::from_str(&json).unwrap();
        spec.validate().unwrap();
        assert_eq!((spec.classes(), spec.inputs()), (5, 5));
        assert_eq!(spec.dataset.preprocess, Preprocess::Robust);
        assert_eq!(serde_json::to_string(&spec).unwrap(), json);
        let names: Vec<String> = Feature::ALL.iter().map(|f| serde_json::to_string(f).unwrap()).collect();
        assert_eq!(names.join(","), r#""x1","x2","x1Squared","x2Squared","x1x2","sinX1","sinX2""#);
        assert!(Feature::ALL.iter().all(|f| names.contains(&format!("\"{}\"", f.name()))));
    }

    #[test]
    fn regression_and_custom_sets_validate() {
        let mut s = ExperimentSpec::default();
        s.dataset.kind = DatasetKind::Plane;
        assert!(s.validate().unwrap_err().0.contains("training.loss must be mse"));
        s.training.loss = Loss::Mse;
        s.validate().unwrap();
        assert_eq!(s.classes(), 1);
        let mut c = ExperimentSpec::default();
        c.dataset.kind = DatasetKind::Custom;
        c.dataset.classes = 3;
        c.dataset.custom_points = (0..20).map(|i| [i as f32 * 0.1, -1.0, (i % 3) as f32]).collect();
        c.dataset.points = 20;
        c.training.batch_size = 5;
        c.validate().unwrap();
        assert_eq!(c.classes(), 3);
        c.dataset.regression = true;
        c.dataset.custom_points[4][2] = 0.25;
        assert!(c.validate().unwrap_err().0.contains("classes applies"));
        c.dataset.classes = 2;
        c.training.loss = Loss::Mse;
        c.validate().unwrap();
        assert_eq!(c.classes(), 1);
    }

    #[test]
    fn bad_point_fields_are_named() {
        type Breaker = Box<dyn Fn(&mut DatasetSpec)>;
        let custom = |d: &mut DatasetSpec| {
            d.kind = DatasetKind::Custom;
            d.custom_points = vec![[0.0, 0.0, 1.0]; 40];
            d.points = 40;
        };
        let cases: Vec<(&str, Breaker)> = vec![
            ("dataset.classes must be between 2 and 8", Box::new(|d| d.classes = 9)),
            ("dataset.classes applies", Box::new(|d| {
                d.kind = DatasetKind::Moons;
                d.classes = 3;
            })),
            ("dataset.features must list at least one", Box::new(|d| d.features.clear())),
            ("dataset.features must list each feature once", Box::new(|d| d.features = vec![Feature::X2, Feature::X1])),
            ("dataset.features must list each feature once", Box::new(|d| d.features = vec![Feature::X1, Feature::X1])),
            ("dataset.features applies to point datasets", Box::new(|d| {
                d.kind = DatasetKind::Shapes;
                d.features = vec![Feature::X1];
            })),
            ("dataset.preprocess applies to point datasets", Box::new(|d| {
                d.kind = DatasetKind::Digits;
                d.preprocess = Preprocess::Zscore;
            })),
            ("dataset.customPoints applies to kind custom", Box::new(|d| d.custom_points = vec![[0.0; 3]])),
            ("dataset.regression applies to kind custom", Box::new(|d| d.regression = true)),
            ("dataset.points must equal the number of dataset.customPoints (40)", Box::new(move |d| {
                custom(d);
                d.points = 41;
            })),
            ("dataset.customPoints[3] coordinates", Box::new(move |d| {
                custom(d);
                d.custom_points[3][1] = f32::NAN;
            })),
            ("dataset.customPoints[5] label must be an integer from 0 to 1", Box::new(move |d| {
                custom(d);
                d.custom_points[5][2] = 2.0;
            })),
            ("dataset.customPoints[6] label", Box::new(move |d| {
                custom(d);
                d.custom_points[6][2] = 0.5;
            })),
            ("dataset.customPoints[7] target", Box::new(move |d| {
                custom(d);
                d.regression = true;
                d.custom_points[7][2] = f32::INFINITY;
            })),
        ];
        for (message, break_it) in cases {
            let mut d = ExperimentSpec::default().dataset;
            break_it(&mut d);
            let err = d.validate().unwrap_err().0;
            assert!(err.contains(message), "expected an error containing {message:?}, got {err}");
        }
    }
}
