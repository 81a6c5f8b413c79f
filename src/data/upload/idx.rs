//! MNIST / Fashion-MNIST IDX files (raw or gzip): an images file (magic 0x00000803,
//! unsigned bytes, n × rows × cols) and a labels file (magic 0x00000801, n bytes).

use super::gzip::maybe_gunzip;
use super::{malformed, IdxPair, LabeledImages, Limits, Progress, UploadError};

const IMAGES_MAGIC: u32 = 0x0000_0803;
const LABELS_MAGIC: u32 = 0x0000_0801;

/// Parses an images file and its labels file into grayscale images labelled by the
/// label values (class names "0", "1", …, up to the largest label).
pub fn parse_idx_pair(pair: IdxPair, limits: &Limits, progress: &mut Progress) -> Result<LabeledImages, UploadError> {
    let IdxPair { images, labels } = pair;
    let share = images.len() as f32 / (images.len() + labels.len()).max(1) as f32;
    progress.phase(0.0, share);
    let images = maybe_gunzip(images, "images file", limits.total_bytes, progress)?;
    progress.phase(share, 1.0);
    let labels = maybe_gunzip(labels, "labels file", limits.total_bytes, progress)?;
    let (dims, pixels) = parse_idx(&images, "images file", IMAGES_MAGIC, 3)?;
    let (label_dims, labels) = parse_idx(&labels, "labels file", LABELS_MAGIC, 1)?;
    let [n, rows, cols] = [dims[0], dims[1], dims[2]];
    limits.check("the number of images", n, limits.items)?;
    limits.check("the pixels per image", rows * cols, limits.pixels_per_image.min(limits.features))?;
    if label_dims[0] != n {
        return malformed(format!("labels file has {} items but images file has {n}", label_dims[0]));
    }
    if rows == 0 || cols == 0 {
        return malformed(format!("images file: images of {rows}×{cols} pixels"));
    }
    let classes = labels.iter().max().map_or(0, |&m| m as usize + 1);
    limits.check("the number of classes (largest label + 1)", classes, limits.classes)?;
    progress.at(1.0);
    Ok(LabeledImages {
        pixels: pixels.to_vec(),
        labels: labels.iter().map(|&l| l as u32).collect(),
        shape: [1, rows, cols],
        class_names: (0..classes).map(|c| c.to_string()).collect(),
    })
}

/// Checks an IDX header of unsigned bytes with `rank` dimensions; returns the dimensions
/// and the data, which must be exactly their product long.
fn parse_idx<'a>(bytes: &'a [u8], what: &str, magic: u32, rank: usize) -> Result<(Vec<usize>, &'a [u8]), UploadError> {
    let word = |i: usize| bytes.get(4 * i..4 * i + 4).map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]));
    let found = word(0).ok_or_else(|| UploadError::Malformed(format!("{what}: {} bytes, too short for an IDX header", bytes.len())))?;
    if found != magic {
        return malformed(format!("{what}: magic number 0x{found:08x}, expected 0x{magic:08x}"));
    }
    let dims = (1..=rank)
        .map(|i| word(i).map(|d| d as usize))
        .collect::<Option<Vec<_>>>()
        .ok_or_else(|| UploadError::Malformed(format!("{what}: the IDX header is truncated")))?;
    let header = 4 * (rank + 1);
    let expected = dims.iter().try_fold(1usize, |a, &d| a.checked_mul(d));
    let data = &bytes[header..];
    if expected != Some(data.len()) {
        let dims = dims.iter().map(|d| d.to_string()).collect::<Vec<_>>().join(" × ");
        return malformed(format!("{what}: the header says {dims} but {} bytes of data follow", data.len()));
    }
    Ok((dims, data))
}
