//! The user's own data, parsed in the browser (the bytes never leave it) behind one
//! validated entry point, [`parse`]: MNIST-style IDX files (raw or gzip), a zip or a
//! dropped folder of PNG/JPEG images labelled by their folder names, or a CSV table.
//! Every format is checked against [`Limits`] and fails with an [`UploadError`] that
//! names the problem and where it is; no input, however truncated or corrupt, panics.

pub mod csv;
pub mod folder;
pub mod gzip;
pub mod idx;
pub mod image;
pub mod labeled;
pub mod progress;
#[cfg(test)]
mod tests;
pub mod zip;

use super::Dataset;
pub use labeled::LabeledImages;
pub use progress::Progress;
use std::fmt;

/// Why an upload was refused; the message names the problem and where it is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum UploadError {
    /// The bytes are not what the format says (truncated, corrupt, inconsistent).
    Malformed(String),
    /// A well-formed input uses something this reader does not handle.
    Unsupported(String),
    /// The input is larger than a [`Limits`] bound.
    TooLarge(String),
}

impl fmt::Display for UploadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            UploadError::Malformed(m) | UploadError::Unsupported(m) | UploadError::TooLarge(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for UploadError {}

pub(crate) fn malformed<T>(message: impl Into<String>) -> Result<T, UploadError> {
    Err(UploadError::Malformed(message.into()))
}

/// Bounds on what an upload may hold, so that a hostile or mistaken file cannot exhaust
/// the tab's memory.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Input bytes in all (compressed sizes), and bytes after decompression.
    pub total_bytes: usize,
    /// Images or table rows.
    pub items: usize,
    /// Pixels of one source image (before resizing).
    pub pixels_per_image: usize,
    /// Feature values of one sample (channels · height · width after resizing, or CSV columns).
    pub features: usize,
    /// Feature values of the whole dataset (samples · features), 4 bytes each in memory.
    pub values: usize,
    pub classes: usize,
    /// CSV columns, the label included.
    pub columns: usize,
}

impl Default for Limits {
    /// Fits MNIST (70 000 images of 28×28) and Fashion-MNIST with room to spare.
    fn default() -> Self {
        Limits {
            total_bytes: 256 << 20,
            items: 100_000,
            pixels_per_image: 4096 * 4096,
            features: 64 * 64 * 3,
            values: 1 << 26,
            classes: 100,
            columns: 1000,
        }
    }
}

impl Limits {
    pub(crate) fn check(&self, what: &str, value: usize, limit: usize) -> Result<(), UploadError> {
        if value > limit {
            return Err(UploadError::TooLarge(format!("{what} is {value}, more than the limit of {limit}")));
        }
        Ok(())
    }
}

/// Whether images keep their colour.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Color {
    /// One channel, luma 0.299 R + 0.587 G + 0.114 B.
    Gray,
    /// Three channels R, G, B (grayscale sources are replicated).
    Rgb,
}

impl Color {
    pub fn channels(self) -> usize {
        match self {
            Color::Gray => 1,
            Color::Rgb => 3,
        }
    }
}

/// How to turn an upload into a dataset.
#[derive(Clone, Debug, PartialEq)]
pub struct Options {
    /// Share of the samples that train, when the upload has no train/test split of its own.
    pub train_fraction: f32,
    /// Seeds the shuffle before that split.
    pub seed: u32,
    /// Image folders and zips: `[height, width]` to resize to; None = the first image's
    /// size. IDX images keep their size.
    pub image_size: Option<[usize; 2]>,
    /// Image folders and zips; IDX images are grayscale.
    pub color: Color,
    /// CSV: the label column's header; None = the last column.
    pub label_column: Option<String>,
    pub limits: Limits,
}

impl Default for Options {
    fn default() -> Self {
        Options { train_fraction: 0.8, seed: 1, image_size: None, color: Color::Gray, label_column: None, limits: Limits::default() }
    }
}

/// An IDX images file and its labels file, each raw or gzip.
#[derive(Clone, Copy, Debug)]
pub struct IdxPair<'a> {
    pub images: &'a [u8],
    pub labels: &'a [u8],
}

/// What the user handed over.
#[derive(Clone, Debug)]
pub enum Input<'a> {
    /// IDX files; with a test pair the standard split is kept and `train_fraction` ignored.
    Idx { train: IdxPair<'a>, test: Option<IdxPair<'a>> },
    /// A zip of `class/…/image.png` entries.
    Zip(&'a [u8]),
    /// A dropped folder: (relative path, file bytes), labelled by the first folder name.
    Folder(Vec<(String, &'a [u8])>),
    /// A CSV table with a header row.
    Csv(&'a [u8]),
}

/// A parsed upload: the dataset and the names of its classes, in label order.
#[derive(Clone, Debug, PartialEq)]
pub struct Upload {
    pub dataset: Dataset,
    pub class_names: Vec<String>,
}

/// Parses and validates an upload. `progress` is called with the fraction done, rising
/// monotonically to 1 in steps of at most a few percent.
pub fn parse(input: Input<'_>, options: &Options, progress: &mut dyn FnMut(f32)) -> Result<Upload, UploadError> {
    check_options(options)?;
    let limits = &options.limits;
    let total: usize = match &input {
        Input::Idx { train, test } => {
            [Some(train), test.as_ref()].into_iter().flatten().map(|p| p.images.len() + p.labels.len()).sum()
        }
        Input::Zip(bytes) | Input::Csv(bytes) => bytes.len(),
        Input::Folder(files) => files.iter().map(|(_, b)| b.len()).sum(),
    };
    limits.check("the upload's size in bytes", total, limits.total_bytes)?;
    let mut progress = Progress::new(progress);
    // Each branch parses into [0, BUILD] and assembles the dataset in [BUILD, 1].
    const BUILD: f32 = 0.9;
    let (train, test) = match input {
        Input::Idx { train, test } => {
            let bytes = |p: &IdxPair| (p.images.len() + p.labels.len()) as f32;
            let split = BUILD * bytes(&train) / (bytes(&train) + test.as_ref().map_or(0.0, bytes)).max(1.0);
            progress.window(0.0, split);
            let train = idx::parse_idx_pair(train, limits, &mut progress)?;
            progress.window(split, BUILD);
            (train, test.map(|pair| idx::parse_idx_pair(pair, limits, &mut progress)).transpose()?)
        }
        Input::Zip(bytes) => {
            progress.window(0.0, 0.3);
            let files = zip::read_zip(bytes, limits, &mut progress)?;
            progress.window(0.3, BUILD);
            let files = files.iter().map(|(name, data)| (name.clone(), data.as_slice())).collect::<Vec<_>>();
            (folder::parse_folder(&files, options, &mut progress)?, None)
        }
        Input::Folder(files) => {
            progress.window(0.0, BUILD);
            (folder::parse_folder(&files, options, &mut progress)?, None)
        }
        Input::Csv(bytes) => {
            let upload = csv::parse_csv(bytes, options, &mut progress)?;
            progress.finish();
            return Ok(upload);
        }
    };
    progress.window(BUILD, 1.0);
    let upload = labeled::into_upload(train, test, options, &mut progress)?;
    progress.finish();
    Ok(upload)
}

fn check_options(options: &Options) -> Result<(), UploadError> {
    let f = options.train_fraction;
    if !(f.is_finite() && (0.0..=1.0).contains(&f)) {
        return Err(UploadError::Unsupported(format!("the train fraction must be between 0 and 1, got {f}")));
    }
    if let Some([h, w]) = options.image_size {
        if h == 0 || w == 0 {
            return Err(UploadError::Unsupported(format!("the image size must be at least 1×1, got {h}×{w}")));
        }
    }
    Ok(())
}
