//! Labelled 8-bit images, the common result of the image formats, and their conversion
//! into a [`Dataset`]: features scaled to [0, 1], a seeded shuffle before the train/test
//! split, or the upload's own split kept.

use super::{malformed, Options, Progress, Upload, UploadError};
use crate::data::Dataset;
use crate::rng::{Rng, Stream};

/// `n` images of `shape` = `[channels, height, width]`, pixels in NCHW order.
#[derive(Clone, Debug, PartialEq)]
pub struct LabeledImages {
    pub pixels: Vec<u8>,
    pub labels: Vec<u32>,
    pub shape: [usize; 3],
    /// Label i is class `class_names[i]`.
    pub class_names: Vec<String>,
}

impl LabeledImages {
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }
}

/// The dataset of `train` alone (shuffled with `options.seed`, the first
/// `options.train_fraction` training) or of `train` then `test` (their own split, in
/// file order).
pub fn into_upload(
    train: LabeledImages,
    test: Option<LabeledImages>,
    options: &Options,
    progress: &mut Progress,
) -> Result<Upload, UploadError> {
    let shuffle = test.is_none();
    let (mut all, n_train) = match test {
        None => {
            let n = train.len();
            (train, (n as f64 * options.train_fraction as f64).floor() as usize)
        }
        Some(test) => join(train, test)?,
    };
    if all.is_empty() {
        return malformed("the upload holds no images");
    }
    let features: usize = all.shape.iter().product();
    let limits = &options.limits;
    limits.check("the number of feature values (images × pixels × channels)", all.len().saturating_mul(features), limits.values)?;
    let mut order: Vec<u32> = (0..all.len() as u32).collect();
    if shuffle {
        Rng::new(options.seed, Stream::DataSplit).shuffle(&mut order);
        all.labels = order.iter().map(|&i| all.labels[i as usize]).collect();
    }
    let mut scaled = Vec::with_capacity(all.pixels.len());
    for (done, &i) in order.iter().enumerate() {
        scaled.extend(all.pixels[i as usize * features..][..features].iter().map(|&p| p as f32 / 255.0));
        progress.items(done + 1, order.len());
    }
    Ok(Upload {
        dataset: Dataset {
            features: scaled,
            labels: all.labels,
            n_features: features,
            classes: all.class_names.len(),
            n_train,
            image: Some(all.shape),
            masks: Vec::new(),
            decoy_masks: Vec::new(),
        },
        class_names: all.class_names,
    })
}

/// Train then test; their image shapes must agree and one's class names must extend the other's.
fn join(mut train: LabeledImages, test: LabeledImages) -> Result<(LabeledImages, usize), UploadError> {
    if train.shape != test.shape {
        let [_, a, b] = train.shape;
        let [_, c, d] = test.shape;
        return malformed(format!("training images are {a}×{b} but test images are {c}×{d}"));
    }
    let (short, long) = if train.class_names.len() <= test.class_names.len() {
        (&train.class_names, &test.class_names)
    } else {
        (&test.class_names, &train.class_names)
    };
    if long[..short.len()] != short[..] {
        return malformed("the training and test sets name their classes differently");
    }
    let n_train = train.len();
    train.class_names = long.clone();
    train.pixels.extend_from_slice(&test.pixels);
    train.labels.extend_from_slice(&test.labels);
    Ok((train, n_train))
}
