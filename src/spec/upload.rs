//! The part of a dataset spec that names the user's own files: their format, names,
//! sizes and content hashes, and the shape of the data they held. A link carries this,
//! never the data, so opening it asks for the same files again.

use super::{check, limits, DatasetKind, DatasetSpec, SpecError};
use serde::{Deserialize, Serialize};

/// How the files are read (see `data::upload::Input`).
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub enum UploadFormat {
    /// MNIST-style IDX images and labels (raw or gzip), optionally a test pair too.
    Idx,
    /// One zip of `class/…/image.png` entries.
    Zip,
    /// A dropped folder of images, labelled by their first folder name.
    Folder,
    /// One CSV table with a header row; the last column is the label.
    Csv,
}

/// One file as the link remembers it.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct FileRef {
    pub name: String,
    pub bytes: u64,
    /// FNV-1a 64 of the file's bytes, 16 lowercase hex digits.
    pub hash: String,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct UploadSpec {
    pub format: UploadFormat,
    pub files: Vec<FileRef>,
    /// Features per sample and classes the files held.
    pub features: u32,
    pub classes: u32,
}

/// Most files an upload names (a folder's files are named by their count and hash only).
pub const MAX_FILES: usize = 4;
const MAX_NAME: usize = 200;

/// FNV-1a 64 of `bytes` as 16 hex digits.
pub fn content_hash(bytes: &[u8]) -> String {
    let h = bytes.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, &b| (h ^ b as u64).wrapping_mul(0x100_0000_01b3));
    format!("{h:016x}")
}

impl UploadSpec {
    /// What to show someone who opens a link to this data: which files to bring.
    pub fn describe(&self) -> String {
        let files: Vec<String> = self.files.iter().map(|f| format!("{} ({} bytes)", f.name, f.bytes)).collect();
        format!("{:?} data: {}", self.format, files.join(", ")).to_lowercase()
    }
}

impl DatasetSpec {
    /// An upload kind names its files; no other kind may.
    pub(super) fn validate_upload(&self) -> Result<(), SpecError> {
        let Some(u) = &self.upload else {
            return check(self.kind != DatasetKind::Upload, || "dataset.upload is required for kind upload".into());
        };
        check(self.kind == DatasetKind::Upload, || "dataset.upload applies to kind upload only".into())?;
        check((1..=MAX_FILES).contains(&u.files.len()), || {
            format!("dataset.upload.files must list 1 to {MAX_FILES} files, got {}", u.files.len())
        })?;
        for (i, f) in u.files.iter().enumerate() {
            check(!f.name.is_empty() && f.name.chars().count() <= MAX_NAME, || {
                format!("dataset.upload.files[{i}].name must have 1 to {MAX_NAME} characters")
            })?;
            check(f.hash.len() == 16 && f.hash.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)), || {
                format!("dataset.upload.files[{i}].hash must be 16 lowercase hex digits")
            })?;
        }
        check((1..=limits::MAX_IMAGE_PIXELS as u32).contains(&u.features), || {
            format!("dataset.upload.features must be between 1 and {}, got {}", limits::MAX_IMAGE_PIXELS, u.features)
        })?;
        let max_classes = crate::data::upload::Limits::default().classes as u32;
        check((2..=max_classes).contains(&u.classes), || {
            format!("dataset.upload.classes must be between 2 and {max_classes}, got {}", u.classes)
        })?;
        check((limits::MIN_POINTS..=limits::MAX_IMAGES).contains(&self.points), || {
            format!("dataset.points (upload) must be between {} and {}, got {}", limits::MIN_POINTS, limits::MAX_IMAGES, self.points)
        })?;
        check(self.noise == 0.0 && self.image_size == 0 && self.decoy.is_none(), || {
            "dataset.noise, imageSize and decoy do not apply to uploads".into()
        })
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;
    use super::*;
    use crate::spec::ExperimentSpec;

    fn upload_spec() -> ExperimentSpec {
        let mut s = ExperimentSpec::default();
        s.dataset.kind = DatasetKind::Upload;
        s.dataset.points = 100;
        let file = |name: &str, bytes| FileRef { name: name.into(), bytes, hash: content_hash(name.as_bytes()) };
        s.dataset.upload = Some(UploadSpec {
            format: UploadFormat::Idx,
            files: vec![file("train-images-idx3-ubyte.gz", 900), file("train-labels-idx1-ubyte", 108)],
            features: 784,
            classes: 10,
        });
        s
    }

    #[test]
    fn an_upload_spec_round_trips_and_names_its_files() {
        let s = upload_spec();
        s.validate().unwrap();
        let json = serde_json::to_string(&s).unwrap();
        assert!(json.contains(r#""upload":{"format":"idx","files":[{"name":"train-images-idx3-ubyte.gz","bytes":900"#), "{json}");
        assert_eq!(serde_json::from_str::<ExperimentSpec>(&json).unwrap(), s);
        assert_eq!((s.classes(), s.inputs()), (10, 784));
        let text = s.dataset.upload.unwrap().describe();
        assert_eq!(text, "idx data: train-images-idx3-ubyte.gz (900 bytes), train-labels-idx1-ubyte (108 bytes)");
        assert_eq!(content_hash(b""), "cbf29ce484222325");
    }

    #[test]
    fn bad_upload_specs_are_refused_naming_the_field() {
        type Edit = Box<dyn Fn(&mut ExperimentSpec)>;
        let cases: Vec<(&str, Edit)> = vec![
            ("dataset.upload is required", Box::new(|s| s.dataset.upload = None)),
            ("dataset.upload applies to kind upload only", Box::new(|s| s.dataset.kind = DatasetKind::Digits)),
            ("files[1].hash", Box::new(|s| s.dataset.upload.as_mut().unwrap().files[1].hash = "XYZ".into())),
            ("files must list 1 to 4", Box::new(|s| s.dataset.upload.as_mut().unwrap().files.clear())),
            ("dataset.upload.classes", Box::new(|s| s.dataset.upload.as_mut().unwrap().classes = 1)),
            ("dataset.points (upload)", Box::new(|s| s.dataset.points = 1_000_000)),
            ("do not apply to uploads", Box::new(|s| s.dataset.noise = 5.0)),
        ];
        for (expected, edit) in cases {
            let mut s = upload_spec();
            edit(&mut s);
            let err = s.validate().unwrap_err().0;
            assert!(err.contains(expected), "expected {expected:?}, got {err:?}");
        }
    }
}
