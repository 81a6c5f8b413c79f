//! gzip (RFC 1952) unwrapping and raw-deflate inflation with a size cap and progress,
//! on miniz_oxide. Strict: one member, no trailing bytes, CRC-32 and length checked.

use super::{malformed, Progress, UploadError};
use miniz_oxide::inflate::core::{decompress, inflate_flags, DecompressorOxide};
use miniz_oxide::inflate::TINFLStatus;

const MAGIC: [u8; 2] = [0x1f, 0x8b];
const DEFLATE: u8 = 8;
const FHCRC: u8 = 0x02;
const FEXTRA: u8 = 0x04;
const FNAME: u8 = 0x08;
const FCOMMENT: u8 = 0x10;
/// Input is fed to the inflater in pieces of this size, so that progress can be reported.
const CHUNK: usize = 16 << 10;

pub fn is_gzip(bytes: &[u8]) -> bool {
    bytes.starts_with(&MAGIC)
}

/// The bytes gzip-decompressed when they start with the gzip magic, otherwise as they are.
pub fn maybe_gunzip<'a>(
    bytes: &'a [u8],
    what: &str,
    max_size: usize,
    progress: &mut Progress,
) -> Result<std::borrow::Cow<'a, [u8]>, UploadError> {
    if is_gzip(bytes) {
        gunzip(bytes, what, max_size, progress).map(std::borrow::Cow::Owned)
    } else {
        Ok(std::borrow::Cow::Borrowed(bytes))
    }
}

/// Decompresses a one-member gzip file; `what` names it in errors.
pub fn gunzip(bytes: &[u8], what: &str, max_size: usize, progress: &mut Progress) -> Result<Vec<u8>, UploadError> {
    let truncated = || UploadError::Malformed(format!("{what}: the gzip header is truncated"));
    if !is_gzip(bytes) {
        return malformed(format!("{what}: not a gzip file"));
    }
    let (&method, &flags) = (bytes.get(2).ok_or_else(truncated)?, bytes.get(3).ok_or_else(truncated)?);
    if method != DEFLATE {
        return Err(UploadError::Unsupported(format!("{what}: gzip compression method {method} (only deflate, 8)")));
    }
    if flags & 0xe0 != 0 {
        return malformed(format!("{what}: reserved gzip header flags are set"));
    }
    let mut at = 10;
    if flags & FEXTRA != 0 {
        let len = bytes.get(at..at + 2).ok_or_else(truncated)?;
        at += 2 + u16::from_le_bytes([len[0], len[1]]) as usize;
    }
    for flag in [FNAME, FCOMMENT] {
        if flags & flag != 0 {
            let end = bytes.get(at..).ok_or_else(truncated)?.iter().position(|&b| b == 0).ok_or_else(truncated)?;
            at += end + 1;
        }
    }
    if flags & FHCRC != 0 {
        at += 2;
    }
    let body = bytes.get(at..).ok_or_else(truncated)?;
    let (out, used) = inflate(body, what, max_size, progress)?;
    let trailer = body.get(used..).unwrap_or_default();
    if trailer.len() < 8 {
        return malformed(format!("{what}: the gzip trailer is truncated"));
    }
    if trailer.len() > 8 {
        return Err(UploadError::Unsupported(format!("{what}: {} bytes follow the gzip data", trailer.len() - 8)));
    }
    let crc = u32::from_le_bytes([trailer[0], trailer[1], trailer[2], trailer[3]]);
    let size = u32::from_le_bytes([trailer[4], trailer[5], trailer[6], trailer[7]]);
    if crc32fast::hash(&out) != crc {
        return malformed(format!("{what}: the gzip checksum does not match (corrupt file)"));
    }
    if out.len() as u32 != size {
        return malformed(format!("{what}: gzip data is {} bytes but its trailer says {size}", out.len()));
    }
    Ok(out)
}

/// Inflates raw deflate data to at most `max_size` bytes; returns the output and how
/// many input bytes the deflate stream took.
pub fn inflate(input: &[u8], what: &str, max_size: usize, progress: &mut Progress) -> Result<(Vec<u8>, usize), UploadError> {
    let mut state = Box::<DecompressorOxide>::default();
    let mut out = vec![0u8; input.len().saturating_mul(3).max(1024).min(max_size.max(1))];
    let (mut in_pos, mut out_pos) = (0, 0);
    loop {
        let end = (in_pos + CHUNK).min(input.len());
        let more = if end < input.len() { inflate_flags::TINFL_FLAG_HAS_MORE_INPUT } else { 0 };
        let flags = inflate_flags::TINFL_FLAG_USING_NON_WRAPPING_OUTPUT_BUF | more;
        let (status, used, written) = decompress(&mut state, &input[in_pos..end], &mut out, out_pos, flags);
        in_pos += used;
        out_pos += written;
        progress.items(in_pos, input.len());
        match status {
            TINFLStatus::Done => {
                out.truncate(out_pos);
                return Ok((out, in_pos));
            }
            TINFLStatus::HasMoreOutput => {
                if out.len() >= max_size {
                    return Err(UploadError::TooLarge(format!("{what}: decompresses to more than {max_size} bytes")));
                }
                out.resize(out.len().saturating_mul(2).min(max_size), 0);
            }
            TINFLStatus::NeedsMoreInput if more != 0 && used > 0 => {}
            TINFLStatus::NeedsMoreInput | TINFLStatus::FailedCannotMakeProgress => {
                return malformed(format!("{what}: the compressed data is truncated"));
            }
            _ => return malformed(format!("{what}: the compressed data is corrupt")),
        }
    }
}
