//! A folder of images labelled by folder name (`class_a/img1.png`, or under a common
//! root, `digits/class_a/img1.png`): each file's class is the folder that directly holds
//! it; classes are sorted by name. Hidden entries (a path part starting with '.', such
//! as `.DS_Store`) and macOS `__MACOSX/` copies are skipped.

use super::image::{decode, to_planar};
use super::{malformed, LabeledImages, Options, Progress, UploadError};
use std::collections::BTreeMap;

/// Decodes, converts and resizes every image (to `options.image_size`, or the first
/// image's size in path order).
pub fn parse_folder(files: &[(String, &[u8])], options: &Options, progress: &mut Progress) -> Result<LabeledImages, UploadError> {
    let limits = &options.limits;
    let mut by_class: BTreeMap<&str, Vec<(&str, &[u8])>> = BTreeMap::new();
    let mut count = 0;
    for (path, bytes) in files {
        let Some((folder, file)) = class_of(path) else { continue };
        let folder = folder.ok_or_else(|| UploadError::Malformed(format!("{file} is not inside a class folder")))?;
        by_class.entry(folder).or_default().push((path.as_str(), bytes));
        count += 1;
    }
    if count == 0 {
        return malformed("the folder holds no images");
    }
    limits.check("the number of images", count, limits.items)?;
    limits.check("the number of classes (folders)", by_class.len(), limits.classes)?;
    for list in by_class.values_mut() {
        list.sort_unstable_by_key(|&(path, _)| path);
    }
    let channels = options.color.channels();
    let mut size = options.image_size;
    let mut images = LabeledImages { pixels: Vec::new(), labels: Vec::with_capacity(count), shape: [channels, 0, 0], class_names: Vec::new() };
    for (label, (class, list)) in by_class.iter().enumerate() {
        images.class_names.push(class.to_string());
        for &(path, bytes) in list {
            let decoded = decode(path, bytes, limits)?;
            let [h, w] = *size.get_or_insert([decoded.height, decoded.width]);
            if images.shape[1] == 0 {
                images.shape = [channels, h, w];
                let features = channels.saturating_mul(h).saturating_mul(w);
                limits.check("the values per image (channels × height × width)", features, limits.features)?;
                limits.check("the number of feature values (images × values per image)", count.saturating_mul(features), limits.values)?;
                images.pixels.reserve(count * features);
            }
            images.pixels.extend(to_planar(&decoded, options.color, [h, w]));
            images.labels.push(label as u32);
            progress.items(images.labels.len(), count);
        }
    }
    Ok(images)
}

/// The class folder (None for a file at the top) and file name of an image path, or
/// None for entries to skip (folders, hidden files, `__MACOSX`).
fn class_of(path: &str) -> Option<(Option<&str>, &str)> {
    let parts: Vec<&str> = path.split(['/', '\\']).filter(|p| !p.is_empty()).collect();
    let (&file, folders) = parts.split_last()?;
    if path.ends_with(['/', '\\']) || parts.iter().any(|p| p.starts_with('.') || *p == "__MACOSX") {
        return None;
    }
    Some((folders.last().copied(), file))
}
