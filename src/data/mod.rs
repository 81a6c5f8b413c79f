//! Deterministic datasets. Data knows no model: it produces features, labels (or
//! regression targets) and a train/test split from a dataset spec and its seed.

pub mod decoy;
pub mod digits;
pub mod plane;
pub mod plane_sets;
pub mod points_csv;
pub mod shapes;
pub mod signals;
pub mod two_d;
pub mod upload;

pub use plane::Preprocessing;

/// A labelled set of points or images, split into train (the first `n_train` rows) and test.
#[derive(Clone, Debug, Default, PartialEq)]
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
    /// Point sets: each sample's raw coordinates (x₁, x₂), from which `features` are
    /// computed (see `plane`). Empty for image sets.
    pub points: Vec<[f32; 2]>,
    /// Regression sets: each sample's real target (then `classes` is 1, the number of
    /// outputs, and every label is 0). Empty for classification.
    pub targets: Vec<f32>,
    /// The rescaling fitted on the training split (empty: none).
    pub preprocessing: Preprocessing,
    /// Where a decoy (`decoy::apply`) was drawn, in the layout of `masks`; empty when the
    /// set has no decoy.
    pub decoy_masks: Vec<u8>,
    /// A table's feature column names, in feature order (an uploaded CSV's header without
    /// the label column); empty when the features are unnamed (images, point sets).
    pub feature_names: Vec<String>,
}

impl Dataset {
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    /// The features of sample `i`.
    pub fn row(&self, i: usize) -> &[f32] {
        &self.features[i * self.n_features..(i + 1) * self.n_features]
    }

    pub fn n_test(&self) -> usize {
        self.len() - self.n_train
    }

    pub fn is_regression(&self) -> bool {
        !self.targets.is_empty()
    }
}

/// Builds the dataset a (validated) spec describes.
pub fn build(spec: &crate::spec::DatasetSpec, n_train: usize) -> Dataset {
    use crate::spec::DatasetKind as Kind;
    let (points, noise, seed) = (spec.points as usize, spec.noise, spec.seed);
    let classes = spec.classes as usize;
    let mut data = match spec.kind {
        Kind::Spiral => two_d::spiral(points, classes, noise, seed, n_train),
        Kind::Circle => two_d::circle(points, noise, seed, n_train),
        Kind::Xor => two_d::xor(points, noise, seed, n_train),
        Kind::Gauss => two_d::gauss(points, noise, seed, n_train),
        Kind::Moons => plane_sets::moons(points, noise, seed, n_train),
        Kind::YinYang => plane_sets::yin_yang(points, noise, seed, n_train),
        Kind::Checkerboard => plane_sets::checkerboard(points, classes, noise, seed, n_train),
        Kind::Blobs => plane_sets::blobs(points, classes, noise, seed, n_train),
        Kind::Plane => plane_sets::plane(points, noise, seed, n_train),
        Kind::GaussRegression => plane_sets::gauss_regression(points, noise, seed, n_train),
        Kind::Custom => plane_sets::custom(&spec.custom_points, spec.regression, classes, noise, seed, n_train),
        Kind::Shapes | Kind::Digits => {
            let side = spec.side() as usize;
            let mut data = match spec.kind {
                Kind::Shapes => shapes::shapes(points, side, noise, seed, n_train, &shapes::Style::of(spec)),
                _ => digits::digits(points, side, noise, seed, n_train),
            };
            if let Some(decoy) = &spec.decoy {
                decoy::apply(&mut data, decoy, seed);
            }
            return data;
        }
        Kind::Signals => return signals::signals(points, spec.length as usize, noise, seed, n_train),
        // The user's files are parsed by `upload::parse`; a spec alone has no rows for them.
        Kind::Upload => return Dataset::default(),
    };
    plane::prepare(&mut data, spec);
    data
}

/// Checks shared by the tests of every generator.
#[cfg(test)]
pub(crate) mod checks {
    use super::Dataset;

    /// `make(seed)` gives the same bits for a seed, and different features, masks and
    /// split order for another.
    pub fn seed_reproduces(make: impl Fn(u32) -> Dataset) {
        let bits = |d: &Dataset| d.features.iter().map(|v| v.to_bits()).collect::<Vec<u32>>();
        let (a, b, c) = (make(7), make(7), make(8));
        assert_eq!(bits(&a), bits(&b));
        assert_eq!((&a.masks, &a.labels, &a.targets), (&b.masks, &b.labels, &b.targets));
        assert_ne!(bits(&a), bits(&c));
        if !a.masks.is_empty() {
            assert_ne!(a.masks, c.masks);
        }
        assert!(a.labels != c.labels || a.targets != c.targets, "the split shuffle depends on the seed");
    }

    /// FNV-1a over every byte a set holds (features, masks, labels, targets, decoy
    /// masks): equal fingerprints on two platforms mean the same bytes.
    pub fn fingerprint(d: &Dataset) -> u64 {
        let values = d.features.iter().flat_map(|v| v.to_bits().to_le_bytes());
        let labels = d.labels.iter().flat_map(|l| l.to_le_bytes());
        let targets = d.targets.iter().flat_map(|t| t.to_bits().to_le_bytes());
        let bytes = values.chain(d.masks.iter().copied()).chain(labels).chain(targets).chain(d.decoy_masks.iter().copied());
        bytes.fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ b as u64).wrapping_mul(0x100_0000_01b3))
    }

    /// Samples per class over the whole set and over the training split.
    pub fn class_counts(d: &Dataset) -> (Vec<usize>, Vec<usize>) {
        let count = |labels: &[u32]| (0..d.classes as u32).map(|c| labels.iter().filter(|&&l| l == c).count()).collect();
        (count(&d.labels), count(&d.labels[..d.n_train]))
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;
    use crate::spec::{DatasetKind, DecoyKind, DecoySpec, DecoyTest, ExperimentSpec};

    /// Every generator's bytes are pinned, and this test also runs in the browser, so a
    /// seed gives the same data natively and in wasm (and links keep their data).
    #[test]
    fn every_generator_gives_its_pinned_bytes_on_every_platform() {
        use crate::spec::{DatasetSpec, Texture};
        let base = ExperimentSpec::default().dataset;
        let set = |kind: DatasetKind, edit: &dyn Fn(&mut DatasetSpec)| {
            let mut d = DatasetSpec { kind, points: 60, noise: if kind.is_point_set() { 0.2 } else { 10.0 }, seed: 5, ..base.clone() };
            edit(&mut d);
            d
        };
        let cases: Vec<(DatasetSpec, u64)> = vec![
            (set(DatasetKind::Spiral, &|d| d.classes = 3), 0x49c1_e94f_fbed_78d7),
            (set(DatasetKind::Circle, &|_| ()), 0x89ef_1e0f_d279_9b56),
            (set(DatasetKind::Xor, &|_| ()), 0x2e07_7cda_bcc3_3b22),
            (set(DatasetKind::Gauss, &|_| ()), 0x9cbf_a8c4_ac00_4bb0),
            (set(DatasetKind::Moons, &|_| ()), 0x49b5_4bae_a19d_d010),
            (set(DatasetKind::YinYang, &|_| ()), 0xae27_c693_e9c2_f733),
            (set(DatasetKind::Checkerboard, &|d| d.classes = 3), 0xa1cd_6c42_70cf_3bcf),
            (set(DatasetKind::Blobs, &|d| d.classes = 4), 0x5966_3d2f_c5ee_b48e),
            (set(DatasetKind::Plane, &|_| ()), 0xb432_3ea7_eb73_4e9f),
            (set(DatasetKind::GaussRegression, &|_| ()), 0xe8f0_e09b_3747_ca4a),
            (set(DatasetKind::Digits, &|d| d.points = 20), 0xf03a_f34a_ccdc_7031),
            (set(DatasetKind::Shapes, &|d| (d.rotate, d.color, d.texture, d.shape_classes) = (true, true, Texture::Grating, 8)), 0xa43a_b293_fa65_2a1b),
            (set(DatasetKind::Signals, &|_| ()), 0xda06_56ea_92f7_23dd),
            (
                set(DatasetKind::Digits, &|d| {
                    d.points = 20;
                    d.decoy = Some(DecoySpec { kind: DecoyKind::Patch, correlation: 0.8, test: DecoyTest::Shuffled });
                }),
                0x8669_fee2_d7cc_f382,
            ),
        ];
        let (specs, pinned): (Vec<DatasetSpec>, Vec<u64>) = cases.into_iter().unzip();
        let got: Vec<u64> = specs
            .iter()
            .map(|spec| super::checks::fingerprint(&super::build(spec, (spec.points as f32 * spec.train_fraction) as usize)))
            .collect();
        let show = |v: &[u64]| v.iter().map(|h| format!("{h:#018x}")).collect::<Vec<_>>();
        assert_eq!(show(&got), show(&pinned));
    }

    /// Digits take a decoy through the spec like shapes do: a frame on every training
    /// image (its own mask), none in the test split; the digits themselves are unchanged
    /// away from the frame.
    #[test]
    fn digits_carry_a_decoy_from_the_spec() {
        let mut spec = ExperimentSpec::default();
        spec.dataset.kind = DatasetKind::Digits;
        spec.dataset.points = 100;
        spec.dataset.decoy = Some(DecoySpec { kind: DecoyKind::Frame, correlation: 1.0, test: DecoyTest::Absent });
        spec.validate().unwrap();
        let d = super::build(&spec.dataset, spec.train_points());
        let clean = super::build(&crate::spec::DatasetSpec { decoy: None, ..spec.dataset.clone() }, spec.train_points());
        let pixels = 28 * 28;
        assert_eq!(d.decoy_masks.len(), d.len() * pixels);
        let framed = |i: usize| d.decoy_masks[i * pixels..(i + 1) * pixels].contains(&1);
        assert!((0..d.n_train).all(framed) && !(d.n_train..d.len()).any(framed));
        assert_eq!(d.features[d.n_train * pixels..], clean.features[d.n_train * pixels..]);
        let centre = 14 * 28 + 14;
        assert!((0..d.n_train).all(|i| d.features[i * pixels + centre] == clean.features[i * pixels + centre]));
    }
}
