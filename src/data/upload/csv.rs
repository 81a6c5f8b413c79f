//! A CSV table: a header row, numeric feature columns and one label column (named, or
//! the last). Fields are comma-separated, optionally double-quoted ("" for a quote,
//! newlines allowed inside quotes); blank lines are skipped. The label's distinct values
//! become the classes, ordered numerically when all are integers, else by text.
//!
//! Features are standardised: each column has the mean subtracted and is divided by the
//! (population) standard deviation, both measured on the training rows only (after the
//! seeded shuffle), so nothing about the test rows leaks into training; a constant
//! column is only centred.

use super::{malformed, Options, Progress, Upload, UploadError};
use crate::data::Dataset;
use crate::rng::{Rng, Stream};
use std::collections::BTreeSet;

/// Parses, shuffles (`options.seed`), splits (`options.train_fraction`) and standardises.
pub fn parse_csv(bytes: &[u8], options: &Options, progress: &mut Progress) -> Result<Upload, UploadError> {
    let limits = &options.limits;
    let text = std::str::from_utf8(bytes)
        .map_err(|e| UploadError::Malformed(format!("the CSV is not UTF-8 text (byte {})", e.valid_up_to())))?;
    let mut records = Records { text, at: 0, line: 1 };
    let header: Vec<String> = records.next_record()?.ok_or_else(|| UploadError::Malformed("the CSV is empty".to_string()))?.1;
    let header: Vec<&str> = header.iter().map(|h| h.trim()).collect();
    limits.check("the number of CSV columns", header.len(), limits.columns)?;
    if header.len() < 2 {
        return malformed("the CSV needs at least one feature column and a label column");
    }
    let label_col = match &options.label_column {
        Some(name) => header
            .iter()
            .position(|h| h == name)
            .ok_or_else(|| UploadError::Malformed(format!("the CSV has no column named '{name}'")))?,
        None => header.len() - 1,
    };
    let n_features = header.len() - 1;
    let (mut features, mut labels) = (Vec::new(), Vec::new());
    while let Some((line, fields)) = records.next_record()? {
        let row = labels.len() + 1;
        if fields.len() != header.len() {
            return malformed(format!("row {row} (line {line}) has {} fields but the header has {}", fields.len(), header.len()));
        }
        limits.check("the number of CSV rows", row, limits.items)?;
        limits.check("the number of feature values (rows × features)", row.saturating_mul(n_features), limits.values)?;
        for (col, field) in fields.iter().enumerate().filter(|&(c, _)| c != label_col) {
            match field.trim().parse::<f64>() {
                Ok(v) if v.is_finite() && v.abs() <= MAX_VALUE => features.push(v),
                Ok(_) => {
                    return malformed(format!(
                        "row {row} (line {line}), column '{}': '{}' is not a number within ±{MAX_VALUE:e}",
                        clip(header[col]),
                        clip(field)
                    ))
                }
                Err(_) => {
                    return malformed(format!("row {row} (line {line}), column '{}': '{}' is not a number", clip(header[col]), clip(field)))
                }
            }
        }
        labels.push(fields[label_col].trim().to_string());
        progress.items(records.at, text.len());
    }
    if labels.is_empty() {
        return malformed("the CSV has a header but no rows");
    }
    let class_names = classes(&labels);
    limits.check("the number of classes (distinct labels)", class_names.len(), limits.classes)?;
    let n = labels.len();
    let mut order: Vec<u32> = (0..n as u32).collect();
    Rng::new(options.seed, Stream::DataSplit).shuffle(&mut order);
    let n_train = (n as f64 * options.train_fraction as f64).floor() as usize;
    let mut shuffled: Vec<f64> = order.iter().flat_map(|&i| &features[i as usize * n_features..][..n_features]).copied().collect();
    standardise(&mut shuffled, n_features, n_train);
    let index: std::collections::HashMap<&String, u32> = class_names.iter().zip(0..).collect();
    Ok(Upload {
        dataset: Dataset {
            features: shuffled.iter().map(|&v| v as f32).collect(),
            labels: order.iter().map(|&i| index[&labels[i as usize]]).collect(),
            n_features,
            classes: class_names.len(),
            n_train,
            image: None,
            feature_names: header.iter().enumerate().filter(|&(c, _)| c != label_col).map(|(_, h)| h.to_string()).collect(),
            ..Dataset::default()
        },
        class_names,
    })
}

/// Largest |feature| accepted: far beyond any real measurement, and small enough that
/// standardising stays finite in f64 and the result fits an f32.
const MAX_VALUE: f64 = 1e30;

/// Keeps echoed file text short in messages.
fn clip(s: &str) -> std::borrow::Cow<'_, str> {
    crate::quote::clip(s, 40)
}

/// Distinct labels, in numeric order when all are integers, else in text order.
fn classes(labels: &[String]) -> Vec<String> {
    let mut names: Vec<String> = labels.iter().collect::<BTreeSet<_>>().into_iter().cloned().collect();
    if let Some(numbers) = names.iter().map(|s| s.parse::<i64>().ok()).collect::<Option<Vec<_>>>() {
        let mut pairs: Vec<(i64, String)> = numbers.into_iter().zip(names).collect();
        pairs.sort_unstable();
        names = pairs.into_iter().map(|(_, s)| s).collect();
    }
    names
}

/// Standardises each column of row-major `values` by the mean and std of its first `n_train` rows.
fn standardise(values: &mut [f64], columns: usize, n_train: usize) {
    for c in 0..columns {
        let train = values[..n_train * columns].iter().skip(c).step_by(columns);
        let mean = if n_train == 0 { 0.0 } else { train.clone().sum::<f64>() / n_train as f64 };
        let var = if n_train == 0 { 0.0 } else { train.map(|v| (v - mean) * (v - mean)).sum::<f64>() / n_train as f64 };
        let scale = if var > 0.0 { 1.0 / var.sqrt() } else { 1.0 };
        for v in values.iter_mut().skip(c).step_by(columns) {
            *v = (*v - mean) * scale;
        }
    }
}

/// A record reader over CSV text, tracking line numbers for messages.
struct Records<'a> {
    text: &'a str,
    at: usize,
    line: usize,
}

impl Records<'_> {
    /// The next non-blank record and the line it starts on; None at the end.
    fn next_record(&mut self) -> Result<Option<(usize, Vec<String>)>, UploadError> {
        let bytes = self.text.as_bytes();
        while self.at < bytes.len() {
            let start_line = self.line;
            let (mut fields, mut field, mut quoted, mut was_quoted) = (Vec::new(), String::new(), false, false);
            let mut chars = self.text[self.at..].char_indices().peekable();
            let mut end = self.text.len() - self.at;
            while let Some((i, c)) = chars.next() {
                match (quoted, c) {
                    (true, '"') if chars.peek().map(|&(_, c)| c) == Some('"') => {
                        field.push('"');
                        chars.next();
                    }
                    (true, '"') => quoted = false,
                    (true, c) => {
                        self.line += (c == '\n') as usize;
                        field.push(c);
                    }
                    (false, '"') if field.trim().is_empty() && !was_quoted => {
                        field.clear();
                        (quoted, was_quoted) = (true, true);
                    }
                    (false, '"') => return malformed(format!("line {}: a stray quote inside a field", self.line)),
                    (false, ',') => {
                        fields.push(std::mem::take(&mut field));
                        was_quoted = false;
                    }
                    (false, '\n') => {
                        end = i + 1;
                        break;
                    }
                    (false, '\r') => {}
                    (false, c) if was_quoted && !c.is_whitespace() => {
                        return malformed(format!("line {}: text after a closing quote", self.line));
                    }
                    (false, c) => field.push(c),
                }
            }
            if quoted {
                return malformed(format!("line {start_line}: a quoted field is not closed"));
            }
            self.at += end;
            self.line += 1;
            fields.push(field);
            if fields.len() > 1 || !fields[0].trim().is_empty() || was_quoted {
                return Ok(Some((start_line, fields)));
            }
        }
        Ok(None)
    }
}
