//! Uploads: IDX pairs with hostile headers and lengths (raw, gzip, or a PNG under an
//! IDX name), PNG images with hostile dimensions and bit flips, and CSV tables.

use super::hostile::{apply_bytes, byte_edits};
use super::{assert_clear, config};
use glassbox::data::upload::{parse, IdxPair, Input, Options, Upload, UploadError};
use proptest::prelude::*;
use proptest::test_runner::TestRunner;

/// A parsed upload is whole: n samples of the same width, finite features, labels
/// below the number of named classes.
pub fn check(input: Input<'_>, what: &str) {
    match parse(input, &Options::default(), &mut |f| assert!((0.0..=1.0).contains(&f), "progress {f}")) {
        Ok(Upload { dataset: d, class_names }) => {
            let n = d.labels.len();
            assert!(n > 0 && d.n_features > 0);
            assert_eq!(d.features.len(), n * d.n_features);
            assert!(d.features.iter().all(|v| v.is_finite()));
            assert_eq!(class_names.len(), d.classes);
            assert!(d.labels.iter().all(|&l| (l as usize) < d.classes));
            assert!(d.n_train <= n);
        }
        Err(UploadError::Malformed(m) | UploadError::Unsupported(m) | UploadError::TooLarge(m)) => assert_clear(&m, what),
    }
}

fn be(words: &[u32]) -> Vec<u8> {
    words.iter().flat_map(|w| w.to_be_bytes()).collect()
}

/// A gzip member (no name) around raw deflate.
pub fn gzip(data: &[u8]) -> Vec<u8> {
    let mut out = vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255];
    out.extend(miniz_oxide::deflate::compress_to_vec(data, 6));
    out.extend(crc32fast::hash(data).to_le_bytes());
    out.extend((data.len() as u32).to_le_bytes());
    out
}

pub fn png(width: u32, height: u32, color: png::ColorType, depth: png::BitDepth, seed: u8) -> Vec<u8> {
    let samples = match color {
        png::ColorType::Grayscale => 1,
        png::ColorType::GrayscaleAlpha => 2,
        png::ColorType::Rgb => 3,
        _ => 4,
    };
    let bytes = (width * height) as usize * samples * if depth == png::BitDepth::Sixteen { 2 } else { 1 };
    let data: Vec<u8> = (0..bytes).map(|i| (i as u8).wrapping_mul(37).wrapping_add(seed)).collect();
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, width, height);
    encoder.set_color(color);
    encoder.set_depth(depth);
    let mut writer = encoder.write_header().expect("a small PNG encodes");
    writer.write_image_data(&data).expect("the data fits the header");
    writer.finish().expect("the PNG closes");
    out
}

/// Sets the IHDR width and height of a PNG and fixes the chunk's CRC, so that only the
/// dimensions are hostile.
fn with_dimensions(mut png: Vec<u8>, width: u32, height: u32) -> Vec<u8> {
    png[16..20].copy_from_slice(&width.to_be_bytes());
    png[20..24].copy_from_slice(&height.to_be_bytes());
    let crc = crc32fast::hash(&png[12..29]);
    png[29..33].copy_from_slice(&crc.to_be_bytes());
    png
}

const DIMS: [u32; 9] = [0, 1, 2, 3, 28, 65_536, 100_001, 0x7fff_ffff, u32::MAX];

#[derive(Clone, Debug)]
struct IdxCase {
    magic: u32,
    dims: [u32; 3],
    /// Data bytes relative to what the header implies (capped), or a PNG in their place.
    slack: i32,
    labels_magic: u32,
    label_count: Option<u32>,
    max_label: u8,
    gzip: (bool, bool),
    png_as_images: bool,
    with_test: bool,
}

fn idx_case() -> impl Strategy<Value = IdxCase> {
    let magic = prop_oneof![6 => Just(0x803u32), 1 => Just(0x801u32), 1 => Just(0x0d03u32), 1 => any::<u32>()];
    let dim = prop_oneof![4 => 1u32..12, 2 => prop::sample::select(DIMS.to_vec()), 1 => any::<u32>()];
    (magic, [dim.clone(), dim.clone(), dim], -3i32..3, prop_oneof![6 => Just(0x801u32), 1 => any::<u32>()],
        prop::option::weighted(0.2, prop::sample::select(DIMS.to_vec())), prop_oneof![3 => 0u8..10, 1 => any::<u8>()],
        (any::<bool>(), any::<bool>()), prop::bool::weighted(0.05), prop::bool::weighted(0.2))
        .prop_map(|(magic, dims, slack, labels_magic, label_count, max_label, gzip, png_as_images, with_test)| IdxCase {
            magic, dims, slack, labels_magic, label_count, max_label, gzip, png_as_images, with_test,
        })
}

fn idx_files(c: &IdxCase) -> (Vec<u8>, Vec<u8>) {
    let [n, rows, cols] = c.dims;
    let implied = (n as u64).saturating_mul(rows as u64).saturating_mul(cols as u64).min(20_000);
    let len = (implied as i64 + c.slack as i64).max(0) as usize;
    let mut images = be(&[c.magic, n, rows, cols]);
    images.extend((0..len).map(|i| (i * 7) as u8));
    if c.png_as_images {
        images = png(4, 4, png::ColorType::Grayscale, png::BitDepth::Eight, 1);
    }
    let count = c.label_count.unwrap_or(n);
    let mut labels = be(&[c.labels_magic, count]);
    labels.extend((0..(count as usize).min(20_000)).map(|i| (i as u8) % c.max_label.max(1)));
    let images = if c.gzip.0 { gzip(&images) } else { images };
    let labels = if c.gzip.1 { gzip(&labels) } else { labels };
    (images, labels)
}

#[test]
fn hostile_idx_headers_and_lengths() {
    let mut runner = TestRunner::new(config("IDX uploads"));
    runner
        .run(&(idx_case(), byte_edits(2), prop::bool::weighted(0.3)), |(case, edits, edit)| {
            let (mut images, labels) = idx_files(&case);
            if edit {
                images = apply_bytes(images, &edits);
            }
            let train = IdxPair { images: &images, labels: &labels };
            let test = case.with_test.then_some(IdxPair { images: &images, labels: &labels });
            check(Input::Idx { train, test }, &format!("{case:?}"));
            Ok(())
        })
        .unwrap();
}

#[test]
fn hostile_png_dimensions_and_bytes() {
    let colors = vec![png::ColorType::Grayscale, png::ColorType::GrayscaleAlpha, png::ColorType::Rgb, png::ColorType::Rgba];
    let case = (1u32..9, 1u32..9, prop::sample::select(colors), any::<bool>(), any::<u8>(),
        prop::option::weighted(0.3, (prop::sample::select(DIMS.to_vec()), prop::sample::select(DIMS.to_vec()))),
        prop::option::weighted(0.6, byte_edits(3)), prop::sample::select(vec!["png", "jpg", "idx", "PNG"]));
    let mut runner = TestRunner::new(config("PNG uploads"));
    runner
        .run(&case, |(w, h, color, sixteen, seed, dims, edits, ext)| {
            let depth = if sixteen { png::BitDepth::Sixteen } else { png::BitDepth::Eight };
            let mut bytes = png(w, h, color, depth, seed);
            if let Some((width, height)) = dims {
                bytes = with_dimensions(bytes, width, height);
            }
            if let Some(edits) = &edits {
                bytes = apply_bytes(bytes, edits);
            }
            let other = png(3, 3, png::ColorType::Rgb, png::BitDepth::Eight, 9);
            let files = vec![(format!("cats/a.{ext}"), bytes.as_slice()), ("dogs/b.png".to_string(), other.as_slice())];
            check(Input::Folder(files), &format!("{w}×{h} {color:?} {dims:?} {edits:?}"));
            Ok(())
        })
        .unwrap();
}

#[test]
fn hostile_upload_csv() {
    let cell = prop_oneof![
        4 => (-100.0f32..100.0).prop_map(|v| v.to_string()),
        1 => prop::sample::select(vec!["NaN", "inf", "1e39", "", "\"q,uoted\"", "cat", "<b>x</b>", "-", "1e308"]).prop_map(String::from),
        1 => "[ -~]{0,8}",
    ];
    let row = |width: usize| prop::collection::vec(cell.clone(), width..=width).prop_map(|c| c.join(","));
    let table = (1usize..6).prop_flat_map(move |width| {
        let header = (0..width).map(|i| if i + 1 == width { "label".to_string() } else { format!("f{i}") }).collect::<Vec<_>>().join(",");
        (Just(header), prop::collection::vec(row(width), 0..30), prop::option::weighted(0.2, byte_edits(2)))
    });
    let mut runner = TestRunner::new(config("upload CSV"));
    runner
        .run(&table, |(header, rows, edits)| {
            let mut text = format!("{header}\n{}", rows.join("\n")).into_bytes();
            if let Some(edits) = &edits {
                text = apply_bytes(text, edits);
            }
            check(Input::Csv(&text), &String::from_utf8_lossy(&text));
            Ok(())
        })
        .unwrap();
}
