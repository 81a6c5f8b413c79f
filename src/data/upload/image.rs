//! One PNG or JPEG file to a fixed-size 8-bit image in planar (CHW) order: decoding
//! (png, zune-jpeg; alpha is dropped, 16-bit reduced to 8), colour conversion, and an
//! area-averaging resampler (each output pixel is the mean of the source area it
//! covers, weighted by overlap; exact for integer down-scaling, nearest-like when enlarging).

use super::{malformed, Color, Limits, UploadError};

/// A decoded image: `channels` (1 gray or 3 RGB) interleaved bytes per pixel, row-major.
#[derive(Clone, Debug, PartialEq)]
pub struct Decoded {
    pub width: usize,
    pub height: usize,
    pub channels: usize,
    pub data: Vec<u8>,
}

const PNG_MAGIC: &[u8] = b"\x89PNG\r\n\x1a\n";
const JPEG_MAGIC: &[u8] = &[0xff, 0xd8, 0xff];
/// The end-of-image marker a JPEG must contain (a file cut short may otherwise still decode).
const JPEG_END: &[u8] = &[0xff, 0xd9];
/// The IEND chunk that must close a PNG (a file cut short may otherwise still decode).
const PNG_END: &[u8] = b"\0\0\0\0IEND\xae\x42\x60\x82";

/// Decodes a PNG or JPEG (told apart by content, not by name); `name` appears in errors.
pub fn decode(name: &str, bytes: &[u8], limits: &Limits) -> Result<Decoded, UploadError> {
    let image = if bytes.starts_with(PNG_MAGIC) {
        decode_png(name, bytes, limits)?
    } else if bytes.starts_with(JPEG_MAGIC) {
        decode_jpeg(name, bytes, limits)?
    } else {
        return Err(UploadError::Unsupported(format!("not a PNG or JPEG: {name}")));
    };
    if image.width == 0 || image.height == 0 || image.data.len() != image.width * image.height * image.channels {
        return malformed(format!("{name}: decoded to an empty or inconsistent image"));
    }
    Ok(image)
}

fn decode_png(name: &str, bytes: &[u8], limits: &Limits) -> Result<Decoded, UploadError> {
    let bad = |e: png::DecodingError| UploadError::Malformed(format!("{name}: not a valid PNG ({e})"));
    if !bytes.ends_with(PNG_END) {
        return malformed(format!("{name}: the PNG is truncated (it does not end with IEND)"));
    }
    let budget = png::Limits { bytes: limits.pixels_per_image.saturating_mul(8) };
    let mut decoder = png::Decoder::new_with_limits(std::io::Cursor::new(bytes), budget);
    decoder.set_transformations(png::Transformations::normalize_to_color8());
    let mut reader = decoder.read_info().map_err(bad)?;
    let (width, height) = (reader.info().width as usize, reader.info().height as usize);
    check_pixels(name, width, height, limits)?;
    let size = reader.output_buffer_size().ok_or_else(|| UploadError::TooLarge(format!("{name}: the image is too large")))?;
    let mut buf = vec![0; size];
    let info = reader.next_frame(&mut buf).map_err(bad)?;
    let (stride, channels) = match info.color_type {
        png::ColorType::Grayscale => (1, 1),
        png::ColorType::GrayscaleAlpha => (2, 1),
        png::ColorType::Rgb => (3, 3),
        png::ColorType::Rgba => (4, 3),
        png::ColorType::Indexed => return Err(UploadError::Unsupported(format!("{name}: a palette PNG that did not expand"))),
    };
    let (width, height) = (info.width as usize, info.height as usize);
    let rows = buf.get(..info.line_size * height).unwrap_or_default();
    let data: Vec<u8> = rows
        .chunks_exact(info.line_size.max(1))
        .flat_map(|row| row.chunks_exact(stride).take(width).flat_map(|px| &px[..channels]))
        .copied()
        .collect();
    Ok(Decoded { width, height, channels, data })
}

fn decode_jpeg(name: &str, bytes: &[u8], limits: &Limits) -> Result<Decoded, UploadError> {
    use zune_jpeg::zune_core::{bytestream::ZCursor, colorspace::ColorSpace, options::DecoderOptions};
    let bad = |e: zune_jpeg::errors::DecodeErrors| UploadError::Malformed(format!("{name}: not a valid JPEG ({e:?})"));
    let side = limits.pixels_per_image.min(1 << 16);
    let options = DecoderOptions::default()
        .jpeg_set_out_colorspace(ColorSpace::RGB)
        .set_max_width(side)
        .set_max_height(side);
    if !bytes.windows(2).any(|w| w == JPEG_END) {
        return malformed(format!("{name}: the JPEG is truncated (it has no end-of-image marker)"));
    }
    let mut decoder = zune_jpeg::JpegDecoder::new_with_options(ZCursor::new(bytes), options);
    decoder.decode_headers().map_err(bad)?;
    let (width, height) = decoder.dimensions().ok_or_else(|| UploadError::Malformed(format!("{name}: JPEG without dimensions")))?;
    check_pixels(name, width, height, limits)?;
    let data = decoder.decode().map_err(bad)?;
    let channels = decoder.output_colorspace().map_or(0, |c| c.num_components());
    if channels != 1 && channels != 3 {
        return Err(UploadError::Unsupported(format!("{name}: a JPEG with {channels} colour components")));
    }
    Ok(Decoded { width, height, channels, data })
}

fn check_pixels(name: &str, width: usize, height: usize, limits: &Limits) -> Result<(), UploadError> {
    limits.check(&format!("{name}: the pixel count ({width}×{height})"), width.saturating_mul(height), limits.pixels_per_image)
}

/// The image in `color` at `[height, width]`, planar (CHW) bytes.
pub fn to_planar(image: &Decoded, color: Color, [height, width]: [usize; 2]) -> Vec<u8> {
    let pixels = image.width * image.height;
    let planes: Vec<Vec<f32>> = match (color, image.channels) {
        (Color::Gray, 3) => vec![image
            .data
            .chunks_exact(3)
            .map(|p| 0.299 * p[0] as f32 + 0.587 * p[1] as f32 + 0.114 * p[2] as f32)
            .collect()],
        (Color::Gray, _) => vec![image.data.iter().map(|&v| v as f32).collect()],
        (Color::Rgb, 3) => (0..3).map(|c| (0..pixels).map(|i| image.data[3 * i + c] as f32).collect()).collect(),
        (Color::Rgb, _) => vec![image.data.iter().map(|&v| v as f32).collect(); 3],
    };
    let (rows, cols) = (weights(image.height, height), weights(image.width, width));
    planes
        .iter()
        .flat_map(|plane| resample(plane, image.width, &rows, &cols))
        .map(|v| v.round().clamp(0.0, 255.0) as u8)
        .collect()
}

/// For each of `to` output positions, the source indices and weights (summing to 1) of
/// the area it covers among `from` source positions.
fn weights(from: usize, to: usize) -> Vec<Vec<(usize, f32)>> {
    let scale = from as f64 / to as f64;
    (0..to)
        .map(|o| {
            let (a, b) = (o as f64 * scale, (o + 1) as f64 * scale);
            let first = a.floor() as usize;
            let last = (b.ceil() as usize).min(from);
            (first..last)
                .map(|s| (s, ((b.min(s as f64 + 1.0) - a.max(s as f64)) / scale) as f32))
                .filter(|&(_, w)| w > 0.0)
                .collect()
        })
        .collect()
}

/// Separable resampling of one `width`-wide plane: rows first, then columns.
fn resample(plane: &[f32], width: usize, rows: &[Vec<(usize, f32)>], cols: &[Vec<(usize, f32)>]) -> Vec<f32> {
    let narrowed: Vec<Vec<f32>> = plane
        .chunks_exact(width)
        .map(|row| cols.iter().map(|taps| taps.iter().map(|&(s, w)| w * row[s]).sum()).collect())
        .collect();
    let narrowed = &narrowed;
    rows.iter()
        .flat_map(|taps| (0..cols.len()).map(move |x| taps.iter().map(|&(s, w)| w * narrowed[s][x]).sum::<f32>()))
        .collect()
}
