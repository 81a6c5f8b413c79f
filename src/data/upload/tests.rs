//! Upload tests: every format on small files built here (IDX by hand, gzip and zip by
//! hand around miniz_oxide, PNG and JPEG with encoders), the error messages, the limits,
//! progress, and robustness: truncated and corrupted inputs return errors, never panic.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use super::*;
use crate::rng::{Rng, Stream};

// ---- builders -------------------------------------------------------------------

fn be(words: &[u32]) -> Vec<u8> {
    words.iter().flat_map(|w| w.to_be_bytes()).collect()
}

/// Image i is filled with the value 10·i + 1 except pixel 0 = i, so rows are traceable.
fn idx_images(n: usize, rows: usize, cols: usize) -> Vec<u8> {
    let mut out = be(&[0x803, n as u32, rows as u32, cols as u32]);
    for i in 0..n {
        out.push(i as u8);
        out.extend(std::iter::repeat_n((10 * i + 1) as u8, rows * cols - 1));
    }
    out
}

fn idx_labels(labels: &[u8]) -> Vec<u8> {
    let mut out = be(&[0x801, labels.len() as u32]);
    out.extend_from_slice(labels);
    out
}

/// A gzip member with a file name in its header.
fn gzip(data: &[u8]) -> Vec<u8> {
    let mut out = vec![0x1f, 0x8b, 8, 0x08, 0, 0, 0, 0, 0, 255];
    out.extend_from_slice(b"train-images\0");
    out.extend(miniz_oxide::deflate::compress_to_vec(data, 6));
    out.extend(crc32fast::hash(data).to_le_bytes());
    out.extend((data.len() as u32).to_le_bytes());
    out
}

/// A zip of (name, data, deflate?) entries; a directory entry when the name ends in '/'.
fn zip(entries: &[(&str, &[u8], bool)]) -> Vec<u8> {
    let (mut out, mut central) = (Vec::new(), Vec::new());
    for &(name, data, deflate) in entries {
        let packed = if deflate { miniz_oxide::deflate::compress_to_vec(data, 6) } else { data.to_vec() };
        let method: u16 = if deflate { 8 } else { 0 };
        let mut common = Vec::new();
        common.extend(method.to_le_bytes());
        common.extend([0u8; 4]); // time, date
        common.extend(crc32fast::hash(data).to_le_bytes());
        common.extend((packed.len() as u32).to_le_bytes());
        common.extend((data.len() as u32).to_le_bytes());
        common.extend((name.len() as u16).to_le_bytes());
        common.extend([0u8; 2]); // extra length
        central.extend(0x0201_4b50u32.to_le_bytes());
        central.extend([20, 0, 20, 0, 0, 0]); // made by, needed, flags
        central.extend(&common);
        central.extend([0u8; 8]); // comment length, disk, internal and external attributes
        central.extend([0u8; 2]);
        central.extend((out.len() as u32).to_le_bytes());
        central.extend(name.as_bytes());
        out.extend(0x0403_4b50u32.to_le_bytes());
        out.extend([20, 0, 0, 0]); // needed, flags
        out.extend(&common);
        out.extend(name.as_bytes());
        out.extend(&packed);
    }
    let (offset, n) = (out.len() as u32, entries.len() as u16);
    out.extend(&central);
    out.extend(0x0605_4b50u32.to_le_bytes());
    out.extend([0u8; 4]);
    out.extend(n.to_le_bytes());
    out.extend(n.to_le_bytes());
    out.extend((central.len() as u32).to_le_bytes());
    out.extend(offset.to_le_bytes());
    out.extend([0u8; 2]);
    out
}

fn png(width: u32, height: u32, color: ::png::ColorType, data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut encoder = ::png::Encoder::new(&mut out, width, height);
    encoder.set_color(color);
    encoder.set_depth(::png::BitDepth::Eight);
    let mut writer = encoder.write_header().unwrap();
    writer.write_image_data(data).unwrap();
    writer.finish().unwrap();
    out
}

fn jpeg(width: u16, height: u16, rgb: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    jpeg_encoder::Encoder::new(&mut out, 95).encode(rgb, width, height, jpeg_encoder::ColorType::Rgb).unwrap();
    out
}

fn quiet(input: Input<'_>, options: &Options) -> Result<Upload, UploadError> {
    parse(input, options, &mut |_| {})
}

fn idx(images: &[u8], labels: &[u8]) -> Result<Upload, UploadError> {
    quiet(Input::Idx { train: IdxPair { images, labels }, test: None }, &Options::default())
}

/// Flips one random bit at a time (seeded); `must_fail(position, bit mask)` says where
/// the flip has to be caught. Parsing must never panic.
fn flips(valid: &[u8], count: u32, parse: impl Fn(&[u8]) -> Result<Upload, UploadError>, must_fail: impl Fn(usize, u8) -> bool) {
    let rng = Rng::new(7, Stream::DataNoise);
    for k in 0..count {
        let at = rng.below(2 * k, valid.len() as u32) as usize;
        let mut bytes = valid.to_vec();
        let bit = 1 << rng.below(2 * k + 1, 8);
        bytes[at] ^= bit;
        let result = parse(&bytes);
        assert!(!must_fail(at, bit) || result.is_err(), "flipping bit {bit:#04x} of byte {at} was accepted");
    }
}

fn every_prefix_fails(valid: &[u8], parse: impl Fn(&[u8]) -> Result<Upload, UploadError>) {
    assert!(parse(valid).is_ok());
    for len in 0..valid.len() {
        assert!(parse(&valid[..len]).is_err(), "a prefix of {len} of {} bytes was accepted", valid.len());
    }
}

// ---- IDX --------------------------------------------------------------------------

#[test]
fn idx_pair_raw_and_gzip_give_the_same_shuffled_scaled_dataset() {
    let (images, labels) = (idx_images(5, 3, 4), idx_labels(&[0, 1, 2, 0, 1]));
    let options = Options { train_fraction: 0.6, ..Options::default() };
    let raw = quiet(Input::Idx { train: IdxPair { images: &images, labels: &labels }, test: None }, &options).unwrap();
    let (gz_images, gz_labels) = (gzip(&images), gzip(&labels));
    let gz = quiet(Input::Idx { train: IdxPair { images: &gz_images, labels: &labels }, test: None }, &options).unwrap();
    let both_gz = quiet(Input::Idx { train: IdxPair { images: &gz_images, labels: &gz_labels }, test: None }, &options).unwrap();
    assert_eq!(raw, gz);
    assert_eq!(raw, both_gz);
    let d = &raw.dataset;
    assert_eq!((d.len(), d.n_features, d.classes, d.n_train, d.image), (5, 12, 3, 3, Some([1, 3, 4])));
    assert!(d.masks.is_empty());
    assert_eq!(raw.class_names, ["0", "1", "2"]);
    let mut seen = Vec::new();
    for (row, &label) in d.features.chunks(12).zip(&d.labels) {
        let i = (row[0] * 255.0).round() as usize;
        assert_eq!(label as usize, [0, 1, 2, 0, 1][i]);
        assert!(row[1..].iter().all(|&v| v == (10 * i + 1) as f32 / 255.0));
        seen.push(i);
    }
    assert_ne!(seen, [0, 1, 2, 3, 4], "rows are shuffled before the split");
    seen.sort_unstable();
    assert_eq!(seen, [0, 1, 2, 3, 4]);
}

#[test]
fn idx_train_and_test_keep_their_split_and_order() {
    let (train, train_labels) = (idx_images(4, 2, 2), idx_labels(&[0, 1, 0, 1]));
    let (test, test_labels) = (idx_images(3, 2, 2), idx_labels(&[2, 0, 1]));
    let input = Input::Idx {
        train: IdxPair { images: &train, labels: &train_labels },
        test: Some(IdxPair { images: &test, labels: &test_labels }),
    };
    let up = quiet(input, &Options::default()).unwrap();
    let d = &up.dataset;
    assert_eq!((d.len(), d.n_train, d.classes), (7, 4, 3));
    assert_eq!(d.labels, [0, 1, 0, 1, 2, 0, 1]);
    let firsts: Vec<u32> = d.features.chunks(4).map(|r| (r[0] * 255.0).round() as u32).collect();
    assert_eq!(firsts, [0, 1, 2, 3, 0, 1, 2]);
}

#[test]
fn idx_errors_name_the_problem() {
    let err = idx(&idx_images(5, 2, 2), &idx_labels(&[0, 1, 2, 3])).unwrap_err();
    assert_eq!(err.to_string(), "labels file has 4 items but images file has 5");
    let err = idx(&idx_labels(&[0]), &idx_labels(&[0])).unwrap_err();
    assert_eq!(err.to_string(), "images file: magic number 0x00000801, expected 0x00000803");
    let err = idx(&idx_images(2, 2, 2), &idx_labels(&[0, 200])).unwrap_err();
    assert!(matches!(err, UploadError::TooLarge(_)), "{err}");
    let mut not_gzip = gzip(&idx_images(1, 1, 1));
    not_gzip[2] = 9;
    assert!(matches!(idx(&not_gzip, &idx_labels(&[0])), Err(UploadError::Unsupported(_))));
}

#[test]
fn every_truncated_idx_or_gzip_file_is_refused() {
    let (images, labels) = (idx_images(3, 2, 3), idx_labels(&[1, 0, 1]));
    every_prefix_fails(&images, |b| idx(b, &labels));
    every_prefix_fails(&labels, |b| idx(&images, b));
    let gz = gzip(&images);
    every_prefix_fails(&gz, |b| idx(b, &labels));
    let mut trailing = gz.clone();
    trailing.push(0);
    assert!(idx(&trailing, &labels).is_err());
}

#[test]
fn bit_flips_in_idx_and_gzip_never_panic_and_are_caught_where_checked() {
    let (images, labels) = (idx_images(20, 4, 4), idx_labels(&[3; 20]));
    // Raw IDX: the header is checked, pixels are free.
    flips(&images, 400, |b| idx(b, &labels), |at, _| at < 16);
    // gzip: everything but the FTEXT hint, time stamp, extra flags, OS byte and file name is checked.
    flips(&gzip(&images), 2000, |b| idx(b, &labels), |at, bit| !((4..23).contains(&at) || at == 3 && bit == 1));
}

// ---- images: folder and zip -------------------------------------------------------

/// Class "b" has a 4×4 RGB PNG and a 2×2 gray PNG; class "a" an 8×8 JPEG and a 4×4 RGBA PNG.
fn image_files() -> Vec<(String, Vec<u8>)> {
    let rgb: Vec<u8> = (0..16).flat_map(|i| [i * 16, 255 - i * 16, 100]).collect();
    let rgba: Vec<u8> = (0..16u8).flat_map(|i| [i, i, i, 7]).collect();
    vec![
        ("set/b/x1.png".to_string(), png(4, 4, ::png::ColorType::Rgb, &rgb)),
        ("set/b/x2.png".to_string(), png(2, 2, ::png::ColorType::Grayscale, &[0, 50, 100, 150])),
        ("set/a/y.jpg".to_string(), jpeg(8, 8, &[128; 8 * 8 * 3])),
        ("set/a/z.png".to_string(), png(4, 4, ::png::ColorType::Rgba, &rgba)),
        ("set/.DS_Store".to_string(), b"junk".to_vec()),
        ("__MACOSX/set/a/._z.png".to_string(), b"junk".to_vec()),
    ]
}

fn folder(files: &[(String, Vec<u8>)], options: &Options) -> Result<Upload, UploadError> {
    quiet(Input::Folder(files.iter().map(|(n, b)| (n.clone(), b.as_slice())).collect()), options)
}

#[test]
fn a_folder_of_png_and_jpeg_is_labelled_by_sorted_folder_names_and_resized() {
    let options = Options { train_fraction: 0.5, ..Options::default() };
    let up = folder(&image_files(), &options).unwrap();
    let d = &up.dataset;
    assert_eq!(up.class_names, ["a", "b"]);
    // The first image in sorted order is a/y.jpg, 8×8.
    assert_eq!((d.len(), d.image, d.n_features, d.classes, d.n_train), (4, Some([1, 8, 8]), 64, 2, 2));
    let mut labels = d.labels.clone();
    labels.sort_unstable();
    assert_eq!(labels, [0, 0, 1, 1]);
    // The flat gray JPEG stays flat after decoding.
    let jpeg_row = d.features.chunks(64).find(|r| r.iter().all(|&v| (v - 128.0 / 255.0).abs() < 3.0 / 255.0));
    assert!(jpeg_row.is_some(), "the flat JPEG is among the rows");

    let rgb = Options { color: Color::Rgb, image_size: Some([2, 3]), ..options };
    let up = folder(&image_files(), &rgb).unwrap();
    assert_eq!((up.dataset.image, up.dataset.n_features), (Some([3, 2, 3]), 18));
    assert!(up.dataset.features.iter().all(|v| (0.0..=1.0).contains(v)));
}

#[test]
fn area_resampling_averages_blocks_and_keeps_size() {
    let image = image::Decoded { width: 4, height: 2, channels: 1, data: vec![0, 10, 20, 30, 40, 50, 60, 70] };
    assert_eq!(image::to_planar(&image, Color::Gray, [1, 2]), [25, 45]);
    assert_eq!(image::to_planar(&image, Color::Gray, [2, 4]), image.data);
    assert_eq!(image::to_planar(&image, Color::Rgb, [1, 1]), [35, 35, 35]);
    let rgb = image::Decoded { width: 1, height: 1, channels: 3, data: vec![255, 0, 0] };
    assert_eq!(image::to_planar(&rgb, Color::Gray, [1, 1]), [76]);
    assert_eq!(image::to_planar(&rgb, Color::Rgb, [2, 1]), [255, 255, 0, 0, 0, 0]);
}

#[test]
fn a_zip_reads_like_the_same_folder() {
    let files = image_files();
    let mut entries: Vec<(&str, &[u8], bool)> = vec![("set/", &[], false), ("set/b/", &[], false)];
    entries.extend(files.iter().enumerate().map(|(i, (n, b))| (n.as_str(), b.as_slice(), i % 2 == 0)));
    let bytes = zip(&entries);
    assert_eq!(quiet(Input::Zip(&bytes), &Options::default()).unwrap(), folder(&files, &Options::default()).unwrap());
}

#[test]
fn image_errors_name_the_file() {
    let mut files = image_files();
    files.push(("set/a/img3.gif".to_string(), b"GIF89a....".to_vec()));
    assert_eq!(folder(&files, &Options::default()).unwrap_err().to_string(), "not a PNG or JPEG: set/a/img3.gif");
    let top = vec![("loose.png".to_string(), files[0].1.clone())];
    assert_eq!(folder(&top, &Options::default()).unwrap_err().to_string(), "loose.png is not inside a class folder");
    let small = Options { limits: Limits { pixels_per_image: 15, ..Limits::default() }, ..Options::default() };
    assert!(matches!(folder(&image_files(), &small), Err(UploadError::TooLarge(_))));
    let many: Vec<(String, Vec<u8>)> = (0..101).map(|c| (format!("c{c}/x.png"), files[1].1.clone())).collect();
    assert!(matches!(folder(&many, &Options::default()), Err(UploadError::TooLarge(_))));

    let data = b"abc";
    let mut bytes = zip(&[("a/x.png", data, false)]);
    let method_at = 8; // local header
    bytes[method_at] = 12;
    let central = bytes.len() - 22 - 46 - 7;
    bytes[central + 10] = 12;
    let err = quiet(Input::Zip(&bytes), &Options::default()).unwrap_err();
    assert_eq!(err.to_string(), "zip entry a/x.png is compressed with an unsupported method (12)");
}

#[test]
fn truncated_and_corrupted_images_and_zips_are_refused_without_panics() {
    let files = image_files();
    for (name, bytes) in &files[..4] {
        every_prefix_fails(bytes, |b| folder(&[(name.clone(), b.to_vec())], &Options::default()));
    }
    let entries: Vec<(&str, &[u8], bool)> = files[..4].iter().map(|(n, b)| (n.as_str(), b.as_slice(), true)).collect();
    let bytes = zip(&entries);
    every_prefix_fails(&bytes, |b| quiet(Input::Zip(b), &Options::default()));
    // Compressed data and names are CRC- or structure-checked; flips anywhere must not panic.
    flips(&bytes, 3000, |b| quiet(Input::Zip(b), &Options::default()), |_, _| false);
    for (name, png) in &files[..4] {
        flips(png, 300, |b| folder(&[(name.clone(), b.to_vec())], &Options::default()), |_, _| false);
    }
    let mut bad_entry = bytes.clone();
    bad_entry[60] ^= 0xff; // inside the first entry's deflated data
    assert!(quiet(Input::Zip(&bad_entry), &Options::default()).is_err());
}

// ---- CSV --------------------------------------------------------------------------

fn csv(text: &str, options: &Options) -> Result<Upload, UploadError> {
    quiet(Input::Csv(text.as_bytes()), options)
}

#[test]
fn csv_labels_become_sorted_classes_and_features_are_standardised_on_train_rows() {
    let mut text = String::from("x1, \"x,2\" ,kind\n");
    for i in 0..40 {
        text += &format!("{}, {} ,{}\r\n", i, (i * 7) % 11, ["cat", "dog", "\"ant\""][i % 3]);
    }
    text += "\n";
    let options = Options { train_fraction: 0.75, ..Options::default() };
    let up = csv(&text, &options).unwrap();
    let d = &up.dataset;
    assert_eq!(up.class_names, ["ant", "cat", "dog"]);
    assert_eq!((d.len(), d.n_features, d.classes, d.n_train, d.image), (40, 2, 3, 30, None));
    for c in 0..2 {
        let train: Vec<f64> = d.features[..60].iter().skip(c).step_by(2).map(|&v| v as f64).collect();
        let mean = train.iter().sum::<f64>() / 30.0;
        let var = train.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / 30.0;
        assert!(mean.abs() < 1e-6 && (var - 1.0).abs() < 1e-5, "column {c}: mean {mean}, var {var}");
    }
    // Labels follow their rows through the shuffle: x1 = i identifies the row.
    let (mean, std) = train_stats(&text, 30, &options);
    for (row, &label) in d.features.chunks(2).zip(&d.labels) {
        let i = (row[0] as f64 * std + mean).round() as usize;
        assert_eq!(up.class_names[label as usize], ["cat", "dog", "ant"][i % 3]);
    }

    let numeric = csv("a,label\n1,10\n2,2\n3,-1\n4,2\n", &Options { label_column: Some("label".into()), ..Options::default() });
    assert_eq!(numeric.unwrap().class_names, ["-1", "2", "10"]);
    let first = csv("label,a\n7,1\n8,1\n", &Options { label_column: Some("label".into()), ..Options::default() }).unwrap();
    assert_eq!((first.dataset.n_features, first.class_names.clone()), (1, vec!["7".to_string(), "8".to_string()]));
    assert!(first.dataset.features.iter().all(|&v| v == 0.0), "a constant column is only centred");
}

#[test]
fn csv_feature_columns_keep_their_names_in_order_without_the_label() {
    let labelled = Options { label_column: Some("kind".into()), ..Options::default() };
    let up = csv("width, kind ,\"height, cm\",depth\n1,a,2,3\n4,b,5,6\n", &labelled).unwrap();
    assert_eq!(up.dataset.feature_names, ["width", "height, cm", "depth"]);
    assert_eq!(up.dataset.feature_names.len(), up.dataset.n_features);
    // Without a named label column the last is the label; each name stays with its column.
    let last = csv("p,q,y\n1,9,a\n2,9,b\n", &Options::default()).unwrap();
    assert_eq!(last.dataset.feature_names, ["p", "q"]);
    assert!(last.dataset.features.chunks(2).all(|row| row[1] == 0.0), "q is the constant column");
    // Images have no column names.
    assert!(folder(&image_files(), &Options::default()).unwrap().dataset.feature_names.is_empty());
}

/// Mean and std of column x1 over the first `n_train` shuffled rows, recomputed independently.
fn train_stats(text: &str, n_train: usize, options: &Options) -> (f64, f64) {
    let n = text.lines().filter(|l| !l.trim().is_empty()).count() - 1;
    let mut order: Vec<u32> = (0..n as u32).collect();
    Rng::new(options.seed, Stream::DataSplit).shuffle(&mut order);
    let x: Vec<f64> = order[..n_train].iter().map(|&i| i as f64).collect();
    let mean = x.iter().sum::<f64>() / n_train as f64;
    (mean, (x.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / n_train as f64).sqrt())
}

#[test]
fn csv_errors_name_row_and_column() {
    let o = Options::default();
    assert_eq!(csv("x1,x2,y\n1,2,a\n3,abc,b\n", &o).unwrap_err().to_string(), "row 2 (line 3), column 'x2': 'abc' is not a number");
    // Finite in f64 but not in f32, or so large that standardising would overflow.
    let huge = csv("x1,x2,y\n1,2,a\n3,1e308,b\n", &o).unwrap_err().to_string();
    assert_eq!(huge, "row 2 (line 3), column 'x2': '1e308' is not a number within ±1e30");
    assert_eq!(csv("x1,x2,y\n1,2,a\n3,b\n", &o).unwrap_err().to_string(), "row 2 (line 3) has 2 fields but the header has 3");
    assert_eq!(csv("x,y\n\"1,a\n", &o).unwrap_err().to_string(), "line 2: a quoted field is not closed");
    assert_eq!(csv("x,y\n1,a\n", &Options { label_column: Some("z".into()), ..o.clone() }).unwrap_err().to_string(), "the CSV has no column named 'z'");
    assert!(csv("x,y\nNaN,a\n", &o).is_err());
    assert!(csv("x,y\n", &o).is_err());
    assert!(csv("", &o).is_err());
    assert_eq!(quiet(Input::Csv(b"x,y\n1,\xff\n"), &o).unwrap_err().to_string(), "the CSV is not UTF-8 text (byte 6)");
    let many: String = std::iter::once("x,y\n".to_string()).chain((0..101).map(|i| format!("1,c{i}\n"))).collect();
    assert!(matches!(csv(&many, &o), Err(UploadError::TooLarge(_))));
    let rows = Options { limits: Limits { items: 2, ..Limits::default() }, ..o.clone() };
    assert!(matches!(csv("x,y\n1,a\n2,b\n3,a\n", &rows), Err(UploadError::TooLarge(_))));
    let wide = Options { limits: Limits { columns: 2, ..Limits::default() }, ..o };
    assert!(matches!(csv("x,z,y\n1,2,a\n", &wide), Err(UploadError::TooLarge(_))));
}

#[test]
fn ragged_or_corrupted_csv_never_panics() {
    let text = "a,b,\"c\"\"q\",label\n1,2,3,x\n4,5,6,y\n7,8,9,x\n";
    for len in 0..text.len() {
        let _ = quiet(Input::Csv(&text.as_bytes()[..len]), &Options::default());
    }
    flips(text.as_bytes(), 500, |b| quiet(Input::Csv(b), &Options::default()), |_, _| false);
    for ragged in ["a,b\n1\n", "a,b\n1,2,3\n", "a,b\n1,x\n2\n"] {
        assert!(csv(ragged, &Options::default()).is_err(), "{ragged:?}");
    }
}

// ---- limits and progress ----------------------------------------------------------

#[test]
fn oversized_uploads_and_bad_options_are_refused() {
    let (images, labels) = (idx_images(3, 2, 2), idx_labels(&[0, 1, 0]));
    let input = || Input::Idx { train: IdxPair { images: &images, labels: &labels }, test: None };
    let tiny = Options { limits: Limits { total_bytes: 20, ..Limits::default() }, ..Options::default() };
    assert!(matches!(quiet(input(), &tiny), Err(UploadError::TooLarge(_))));
    let few = Options { limits: Limits { items: 2, ..Limits::default() }, ..Options::default() };
    assert!(matches!(quiet(input(), &few), Err(UploadError::TooLarge(_))));
    let bomb = gzip(&vec![0u8; 1 << 20]);
    let capped = Options { limits: Limits { total_bytes: 1 << 16, ..Limits::default() }, ..Options::default() };
    let err = quiet(Input::Idx { train: IdxPair { images: &bomb, labels: &labels }, test: None }, &capped).unwrap_err();
    assert!(matches!(err, UploadError::TooLarge(_)), "{err}");
    for f in [-0.1, 1.5, f32::NAN] {
        assert!(quiet(input(), &Options { train_fraction: f, ..Options::default() }).is_err());
    }
}

fn reports(input: Input<'_>) -> Vec<f32> {
    let mut seen = Vec::new();
    parse(input, &Options::default(), &mut |f| seen.push(f)).unwrap();
    seen
}

fn assert_progress(seen: &[f32], max_step: f32) {
    assert_eq!(seen.last(), Some(&1.0));
    let mut last = 0.0;
    for &f in seen {
        assert!(f >= last && f - last <= max_step, "progress went from {last} to {f}");
        last = f;
    }
}

#[test]
fn progress_rises_monotonically_in_small_steps_to_one() {
    let rng = Rng::new(3, Stream::DataNoise);
    let mut images = be(&[0x803, 600, 28, 28]);
    images.extend((0..600 * 784).map(|i| rng.bits(i) as u8));
    let labels = idx_labels(&[4; 600]);
    let gz = gzip(&images);
    let seen = reports(Input::Idx { train: IdxPair { images: &gz, labels: &labels }, test: None });
    println!("IDX gzip: {} progress reports", seen.len());
    assert_progress(&seen, 0.05);

    let gray = png(2, 2, ::png::ColorType::Grayscale, &[0, 50, 100, 150]);
    let files: Vec<(String, &[u8])> = (0..300).map(|i| (format!("c{}/{i}.png", i % 3), gray.as_slice())).collect();
    let seen = reports(Input::Folder(files));
    assert_progress(&seen, 0.02);

    let text: String = std::iter::once("x,y\n".to_string()).chain((0..2000).map(|i| format!("{i},{}\n", i % 2))).collect();
    assert_progress(&reports(Input::Csv(text.as_bytes())), 0.02);
}
