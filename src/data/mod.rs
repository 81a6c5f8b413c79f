//! Deterministic datasets. Data knows no model: it produces features, labels and a
//! train/test split from a dataset spec and its seed.

pub mod two_d;

/// A labelled point set, split into train (the first `n_train` rows) and test.
#[derive(Clone, Debug, PartialEq)]
pub struct Dataset {
    /// Row-major features, `len = n · features`.
    pub features: Vec<f32>,
    pub labels: Vec<u32>,
    pub n_features: usize,
    pub classes: usize,
    pub n_train: usize,
}

impl Dataset {
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    pub fn n_test(&self) -> usize {
        self.len() - self.n_train
    }
}

/// Builds the dataset a (validated) spec describes.
pub fn build(spec: &crate::spec::DatasetSpec, n_train: usize) -> Dataset {
    use crate::spec::DatasetKind as Kind;
    let generate = match spec.kind {
        Kind::Spiral => two_d::spiral,
        Kind::Circle => two_d::circle,
        Kind::Xor => two_d::xor,
        Kind::Gauss => two_d::gauss,
    };
    generate(spec.points as usize, spec.noise, spec.seed, n_train)
}
