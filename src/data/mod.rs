//! Deterministic datasets. Data knows no model: it produces features, labels and a
//! train/test split from a dataset spec and its seed.

pub mod decoy;
pub mod shapes;
pub mod signals;
pub mod two_d;

/// A labelled set of points or images, split into train (the first `n_train` rows) and test.
#[derive(Clone, Debug, PartialEq)]
pub struct Dataset {
    /// Row-major features, `len = n · features`; an image row is in NCHW order
    /// (index c·H·W + h·W + w) with values in [0, 1].
    pub features: Vec<f32>,
    pub labels: Vec<u32>,
    pub n_features: usize,
    pub classes: usize,
    pub n_train: usize,
    /// `[channels, height, width]` of an image set (their product is `n_features`); None for points.
    pub image: Option<[usize; 3]>,
    /// Ground truth of where the class-defining object is: one byte per pixel per sample
    /// (index n·H·W + h·W + w), 1 on the object and 0 elsewhere; for signals one byte per
    /// position (index n·len + t), 1 on the burst. Empty for point sets.
    pub masks: Vec<u8>,
    /// Where a decoy (`decoy::apply`) was drawn, in the layout of `masks`; empty when the
    /// set has no decoy.
    pub decoy_masks: Vec<u8>,
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
    let (points, noise, seed) = (spec.points as usize, spec.noise, spec.seed);
    let generate = match spec.kind {
        Kind::Spiral => two_d::spiral,
        Kind::Circle => two_d::circle,
        Kind::Xor => two_d::xor,
        Kind::Gauss => two_d::gauss,
        Kind::Shapes => {
            let style = shapes::Style::of(spec);
            let mut data = shapes::shapes(points, spec.image_size as usize, noise, seed, n_train, &style);
            if let Some(decoy) = &spec.decoy {
                decoy::apply(&mut data, decoy, seed);
            }
            return data;
        }
        Kind::Signals => return signals::signals(points, spec.length as usize, noise, seed, n_train),
    };
    generate(points, noise, seed, n_train)
}
