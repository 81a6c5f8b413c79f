//! A small, strict zip reader: the central directory is read from the end-of-central-
//! directory record, entries are stored or deflated (miniz_oxide), CRC-32 and sizes are
//! checked. Not supported (clear errors): ZIP64, multi-disk archives, encryption, other
//! compression methods.

use super::gzip::inflate;
use super::{malformed, Limits, Progress, UploadError};

const EOCD: u32 = 0x0605_4b50;
const CENTRAL: u32 = 0x0201_4b50;
const LOCAL: u32 = 0x0403_4b50;
const EOCD_LEN: usize = 22;
const CENTRAL_LEN: usize = 46;
const LOCAL_LEN: usize = 30;
const STORED: u16 = 0;
const DEFLATED: u16 = 8;

fn u16_at(b: &[u8], at: usize) -> Option<u16> {
    b.get(at..at.checked_add(2)?).map(|s| u16::from_le_bytes([s[0], s[1]]))
}

fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    b.get(at..at.checked_add(4)?).map(|s| u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
}

/// One central-directory entry.
struct Entry {
    name: String,
    flags: u16,
    method: u16,
    crc: u32,
    compressed: usize,
    size: usize,
    offset: usize,
}

/// Every file entry (folders skipped) as (path, contents), in directory order.
pub fn read_zip(bytes: &[u8], limits: &Limits, progress: &mut Progress) -> Result<Vec<(String, Vec<u8>)>, UploadError> {
    let entries = central_directory(bytes)?;
    limits.check("the number of zip entries", entries.len(), limits.items.saturating_mul(2))?;
    let total: usize = entries.iter().map(|e| e.size).fold(0, usize::saturating_add);
    limits.check("the zip's uncompressed size in bytes", total, limits.total_bytes)?;
    let mut files = Vec::with_capacity(entries.len());
    for (i, entry) in entries.iter().enumerate() {
        if !entry.name.ends_with('/') {
            files.push((entry.name.clone(), extract(bytes, entry)?));
        }
        progress.items(i + 1, entries.len());
    }
    Ok(files)
}

fn central_directory(bytes: &[u8]) -> Result<Vec<Entry>, UploadError> {
    let not_zip = || UploadError::Malformed("not a zip file (no end-of-central-directory record)".to_string());
    let earliest = bytes.len().saturating_sub(EOCD_LEN + u16::MAX as usize);
    let eocd = (earliest..=bytes.len().checked_sub(EOCD_LEN).ok_or_else(not_zip)?)
        .rev()
        .find(|&at| u32_at(bytes, at) == Some(EOCD))
        .ok_or_else(not_zip)?;
    let field16 = |i: usize| u16_at(bytes, eocd + i).ok_or_else(not_zip);
    let (disk, cd_disk, on_disk, count) = (field16(4)?, field16(6)?, field16(8)?, field16(10)?);
    let cd_size = u32_at(bytes, eocd + 12).ok_or_else(not_zip)?;
    let cd_offset = u32_at(bytes, eocd + 16).ok_or_else(not_zip)?;
    if count == u16::MAX || cd_size == u32::MAX || cd_offset == u32::MAX {
        return Err(UploadError::Unsupported("ZIP64 archives are not supported".to_string()));
    }
    if disk != 0 || cd_disk != 0 || on_disk != count {
        return Err(UploadError::Unsupported("multi-part zip archives are not supported".to_string()));
    }
    let directory = (cd_offset as usize)
        .checked_add(cd_size as usize)
        .and_then(|end| bytes.get(cd_offset as usize..end))
        .filter(|_| cd_offset as usize + cd_size as usize <= eocd)
        .ok_or_else(|| UploadError::Malformed("zip central directory lies outside the file".to_string()))?;
    let mut at = 0;
    let mut entries = Vec::with_capacity(count as usize);
    for i in 0..count {
        let bad = || UploadError::Malformed(format!("zip central directory entry {i} is truncated or corrupt"));
        if u32_at(directory, at) != Some(CENTRAL) {
            return Err(bad());
        }
        let f16 = |o: usize| u16_at(directory, at + o).ok_or_else(bad);
        let f32 = |o: usize| u32_at(directory, at + o).ok_or_else(bad);
        let (name_len, extra_len, comment_len) = (f16(28)? as usize, f16(30)? as usize, f16(32)? as usize);
        let name = directory.get(at + CENTRAL_LEN..at + CENTRAL_LEN + name_len).ok_or_else(bad)?;
        entries.push(Entry {
            name: String::from_utf8_lossy(name).into_owned(),
            flags: f16(8)?,
            method: f16(10)?,
            crc: f32(16)?,
            compressed: f32(20)? as usize,
            size: f32(24)? as usize,
            offset: f32(42)? as usize,
        });
        at += CENTRAL_LEN + name_len + extra_len + comment_len;
    }
    Ok(entries)
}

fn extract(bytes: &[u8], e: &Entry) -> Result<Vec<u8>, UploadError> {
    let name = &e.name;
    let bad = || UploadError::Malformed(format!("zip entry {name} is truncated or corrupt"));
    if e.flags & 1 != 0 {
        return Err(UploadError::Unsupported(format!("zip entry {name} is encrypted")));
    }
    if u32_at(bytes, e.offset) != Some(LOCAL) {
        return Err(bad());
    }
    let skip = u16_at(bytes, e.offset + 26).ok_or_else(bad)? as usize + u16_at(bytes, e.offset + 28).ok_or_else(bad)? as usize;
    let start = e.offset + LOCAL_LEN + skip;
    let data = start.checked_add(e.compressed).and_then(|end| bytes.get(start..end)).ok_or_else(bad)?;
    let out = match e.method {
        STORED => data.to_vec(),
        DEFLATED => {
            let (out, _) = inflate(data, &format!("zip entry {name}"), e.size, &mut Progress::new(&mut |_| {}))?;
            out
        }
        m => return Err(UploadError::Unsupported(format!("zip entry {name} is compressed with an unsupported method ({m})"))),
    };
    if out.len() != e.size {
        return malformed(format!("zip entry {name} is {} bytes but the directory says {}", out.len(), e.size));
    }
    if crc32fast::hash(&out) != e.crc {
        return malformed(format!("zip entry {name} fails its checksum (corrupt)"));
    }
    Ok(out)
}
