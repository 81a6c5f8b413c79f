//! Sessions on the user's own files: the files are parsed here (in the browser, they
//! never leave it), and the spec records only their names, sizes and hashes, so a link
//! to the experiment asks for the same files and refuses others.

use super::Session;
use crate::data::upload::{self, IdxPair, Input, Limits, Options};
use crate::data::Dataset;
use crate::spec::{content_hash, DatasetKind, DatasetSpec, ExperimentSpec, FileRef, SpecError, UploadFormat, UploadSpec};

/// What the user dropped: the format and every file with its (relative) name.
pub struct UploadedFiles<'a> {
    pub format: UploadFormat,
    pub files: Vec<(String, &'a [u8])>,
}

/// The page keeps to the spec's image limit.
fn page_limits() -> Limits {
    Limits { items: crate::spec::limits::MAX_IMAGES as usize, ..Limits::default() }
}

/// How the spec remembers the files: each by itself, or a folder as one entry.
fn file_refs(u: &UploadedFiles) -> Vec<FileRef> {
    if u.format != UploadFormat::Folder {
        return u.files.iter().map(|(name, b)| FileRef { name: name.clone(), bytes: b.len() as u64, hash: content_hash(b) }).collect();
    }
    let mut sorted: Vec<&(String, &[u8])> = u.files.iter().collect();
    sorted.sort_by(|a, b| a.0.cmp(&b.0));
    let mut all = Vec::new();
    for (name, bytes) in &sorted {
        all.extend_from_slice(name.as_bytes());
        all.push(0);
        all.extend_from_slice(bytes);
    }
    let root = sorted.first().map_or("", |(n, _)| n.split('/').next().unwrap_or(""));
    let name = format!("{root}/ ({} files)", sorted.len());
    vec![FileRef { name, bytes: sorted.iter().map(|(_, b)| b.len() as u64).sum(), hash: content_hash(&all) }]
}

/// IDX files by their names: images (`idx3`/`images`) and labels (`idx1`/`labels`), test
/// files marked `t10k` or `test`.
fn idx_input<'a>(files: &[(String, &'a [u8])]) -> Result<Input<'a>, String> {
    let find = |images: bool, test: bool| {
        let matching: Vec<&(String, &'a [u8])> = files
            .iter()
            .filter(|(name, _)| {
                let n = name.to_lowercase();
                let is_images = n.contains("idx3") || n.contains("images");
                let is_labels = n.contains("idx1") || n.contains("labels");
                let is_test = n.contains("t10k") || n.contains("test");
                (if images { is_images } else { is_labels }) && is_test == test
            })
            .collect();
        match matching.as_slice() {
            [] => Ok(None),
            [(_, bytes)] => Ok(Some(*bytes)),
            many => Err(format!(
                "more than one IDX {} file: {}",
                if images { "images" } else { "labels" },
                many.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>().join(", ")
            )),
        }
    };
    let pair = |test: bool| -> Result<Option<IdxPair<'a>>, String> {
        match (find(true, test)?, find(false, test)?) {
            (Some(images), Some(labels)) => Ok(Some(IdxPair { images, labels })),
            (None, None) => Ok(None),
            (Some(_), None) => Err("an IDX images file needs its labels file (a name with idx1 or labels)".into()),
            (None, Some(_)) => Err("an IDX labels file needs its images file (a name with idx3 or images)".into()),
        }
    };
    let train = pair(false)?.ok_or("IDX data needs an images file (idx3) and a labels file (idx1)")?;
    let named = files.len();
    let test = pair(true)?;
    let used = 2 + 2 * test.is_some() as usize;
    if used != named {
        return Err(format!("{named} files given, but only {used} are IDX images or labels (names need idx3/images or idx1/labels)"));
    }
    Ok(Input::Idx { train, test })
}

fn single<'a>(files: &[(String, &'a [u8])], what: &str) -> Result<&'a [u8], String> {
    match files {
        [(_, bytes)] => Ok(bytes),
        _ => Err(format!("{what} data is one file, got {}", files.len())),
    }
}

/// Parses the files into the experiment `template` asks for: the data from the files,
/// the model and training from the template. When the template already names files
/// (a link), the files must be those.
pub fn prepare(
    template: &ExperimentSpec,
    given: &UploadedFiles,
    progress: &mut dyn FnMut(f32),
) -> Result<(ExperimentSpec, Dataset), String> {
    let refs = file_refs(given);
    if let Some(wanted) = &template.dataset.upload {
        let sort = |v: &[FileRef]| {
            let mut v = v.to_vec();
            v.sort_by(|a, b| a.name.cmp(&b.name));
            v
        };
        if wanted.format != given.format || sort(&wanted.files) != sort(&refs) {
            let got: Vec<String> = refs.iter().map(|f| format!("{} ({} bytes)", f.name, f.bytes)).collect();
            return Err(format!("This experiment needs {}; the files given are {}.", wanted.describe(), got.join(", ")));
        }
    }
    let input = match given.format {
        UploadFormat::Idx => idx_input(&given.files)?,
        UploadFormat::Zip => Input::Zip(single(&given.files, "zip")?),
        UploadFormat::Csv => Input::Csv(single(&given.files, "CSV")?),
        UploadFormat::Folder => Input::Folder(given.files.clone()),
    };
    let d = &template.dataset;
    let options = Options { train_fraction: d.train_fraction, seed: d.seed, limits: page_limits(), ..Options::default() };
    let parsed = upload::parse(input, &options, progress).map_err(|e| e.to_string())?.dataset;
    let upload = UploadSpec { format: given.format, files: refs, features: parsed.n_features as u32, classes: parsed.classes as u32 };
    let dataset = DatasetSpec {
        kind: DatasetKind::Upload,
        points: parsed.len() as u32,
        train_fraction: d.train_fraction,
        seed: d.seed,
        upload: Some(upload),
        ..ExperimentSpec::default().dataset
    };
    let spec = ExperimentSpec { dataset, ..template.clone() };
    spec.validate().map_err(|e| e.0)?;
    spec.training.validate(parsed.n_train as u32).map_err(|e| e.0)?;
    Ok((spec, parsed))
}

impl Session {
    /// A CPU session on parsed files (from `prepare`).
    pub fn on_files(spec: ExperimentSpec, data: Dataset) -> Result<Self, SpecError> {
        Session::on_cpu_with(spec, data)
    }

    /// A GPU session on parsed files (from `prepare`).
    pub fn on_files_gpu(spec: ExperimentSpec, data: Dataset, gpu: crate::backend::gpu::GpuBackend) -> Result<Self, SpecError> {
        Session::on_gpu_with(spec, data, gpu)
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;
    use super::*;

    /// An IDX pair of `n` 8×8 images whose label is the row of their one lit line.
    fn idx_pair(n: usize) -> (Vec<u8>, Vec<u8>) {
        let mut images = vec![0, 0, 8, 3, 0, 0, 0, n as u8, 0, 0, 0, 8, 0, 0, 0, 8];
        let mut labels = vec![0, 0, 8, 1, 0, 0, 0, n as u8];
        for i in 0..n {
            let class = i % 4;
            let mut image = [0u8; 64];
            image[class * 2 * 8..class * 2 * 8 + 8].fill(255);
            images.extend_from_slice(&image);
            labels.push(class as u8);
        }
        (images, labels)
    }

    fn template() -> ExperimentSpec {
        let mut spec = ExperimentSpec::default();
        spec.model.hidden = vec![16];
        spec.training.batch_size = 8;
        spec
    }

    #[test]
    fn idx_files_become_a_session_and_the_link_asks_for_them() {
        let (images, labels) = idx_pair(80);
        let files = UploadedFiles {
            format: UploadFormat::Idx,
            files: vec![("train-images-idx3-ubyte".into(), &images[..]), ("train-labels-idx1-ubyte".into(), &labels[..])],
        };
        let (spec, data) = prepare(&template(), &files, &mut |_| {}).unwrap();
        assert_eq!((data.len(), data.n_features, data.classes), (80, 64, 4));
        let u = spec.dataset.upload.clone().unwrap();
        assert_eq!((spec.dataset.kind, spec.dataset.points, u.features, u.classes), (DatasetKind::Upload, 80, 64, 4));
        assert_eq!(u.files[0].hash, content_hash(&images));
        let mut s = Session::on_files(spec.clone(), data).unwrap();
        s.train_steps(40);
        assert!(pollster::block_on(s.metrics()).train_loss.is_finite());

        // The spec alone cannot rebuild the data: it names the files.
        let err = Session::new(spec.clone()).err().unwrap().0;
        assert!(err.contains("train-images-idx3-ubyte (5136 bytes), train-labels-idx1-ubyte (88 bytes)); open them"), "{err}");
        // Reopening with the same files works; with other files it says which are needed.
        assert!(prepare(&spec, &files, &mut |_| {}).is_ok());
        let (other, _) = idx_pair(40);
        let wrong = UploadedFiles { format: UploadFormat::Idx, files: vec![files.files[0].clone(), ("train-labels-idx1-ubyte".into(), &other[..])] };
        let err = prepare(&spec, &wrong, &mut |_| {}).unwrap_err();
        assert!(err.starts_with("This experiment needs idx data: train-images-idx3-ubyte (5136 bytes)"), "{err}");
    }

    #[test]
    fn painted_masks_of_the_wrong_size_for_uploaded_images_are_refused_at_open() {
        let (images, labels) = idx_pair(80);
        let files = UploadedFiles {
            format: UploadFormat::Idx,
            files: vec![("train-images-idx3-ubyte".into(), &images[..]), ("train-labels-idx1-ubyte".into(), &labels[..])],
        };
        let (spec, data) = prepare(&template(), &files, &mut |_| {}).unwrap();
        // 8 × 8 images take 8 bytes of bits; 32 bytes are a 16 × 16 mask.
        let painted = |bits: &str| serde_json::json!({"lambda": 1, "mask": "painted", "painted": [{"index": 0, "bits": bits}]});
        let fits = painted("AQAAAAAAAAA=");
        let wrong = painted("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=");
        let mut good = spec.clone();
        good.training.guidance = Some(serde_json::from_value(fits).unwrap());
        assert!(Session::on_files(good, data.clone()).is_ok());
        let mut bad = spec.clone();
        bad.training.guidance = Some(serde_json::from_value(wrong.clone()).unwrap());
        let err = Session::on_files(bad, data.clone()).err().expect("a wrongly sized mask is refused").0;
        assert!(err.contains("painted"), "{err}");
        // The same mask arriving later, as an event, is refused when the run opens.
        let mut later = spec.clone();
        later.events = vec![serde_json::from_value(serde_json::json!({"step": 5, "training": {"guidance": wrong}})).unwrap()];
        let err = Session::on_files(later, data).err().expect("a wrongly sized mask in an event is refused").0;
        assert!(err.contains("painted"), "{err}");
    }

    #[test]
    fn csv_column_names_reach_the_session() {
        let text: String = "a,b,label\n".to_string() + &(0..40).map(|i| format!("{i},{},{}\n", 40 - i, i % 2)).collect::<String>();
        let files = UploadedFiles { format: UploadFormat::Csv, files: vec![("t.csv".into(), text.as_bytes())] };
        let (spec, data) = prepare(&template(), &files, &mut |_| {}).unwrap();
        let session = Session::on_files(spec, data).unwrap();
        assert_eq!(session.data().feature_names, ["a", "b"]);
    }

    #[test]
    fn bad_files_are_refused_with_the_reason() {
        let (images, labels) = idx_pair(80);
        let truncated = UploadedFiles {
            format: UploadFormat::Idx,
            files: vec![("train-images-idx3-ubyte".into(), &images[..500]), ("train-labels-idx1-ubyte".into(), &labels[..])],
        };
        let err = prepare(&template(), &truncated, &mut |_| {}).unwrap_err();
        assert!(err.to_lowercase().contains("truncated") || err.contains("bytes"), "{err}");
        let lonely = UploadedFiles { format: UploadFormat::Idx, files: vec![("train-images-idx3-ubyte".into(), &images[..])] };
        assert!(prepare(&template(), &lonely, &mut |_| {}).unwrap_err().contains("needs its labels file"));
        let two_csv = UploadedFiles { format: UploadFormat::Csv, files: vec![("a.csv".into(), &b"x,y\n"[..]), ("b.csv".into(), &b"x,y\n"[..])] };
        assert_eq!(prepare(&template(), &two_csv, &mut |_| {}).unwrap_err(), "CSV data is one file, got 2");
    }
}
