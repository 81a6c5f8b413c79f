//! Plane points as CSV: `x1,x2,label` (classification) or `x1,x2,target` (regression),
//! one point per line, the header optional. Parsing refuses anything a custom dataset
//! could not hold, with a message naming the line and column.

use super::Dataset;
use crate::spec::limits::{MAX_CLASSES, MAX_CUSTOM_VALUE, MAX_POINTS, MIN_POINTS};

/// Largest CSV text accepted.
pub const MAX_CSV_BYTES: usize = 1 << 20;

/// Parsed points, ready to become a custom dataset.
#[derive(Clone, Debug, PartialEq)]
pub struct PointsTable {
    /// `[x₁, x₂, label or target]` per point, in file order.
    pub points: Vec<[f32; 3]>,
    /// 1 + the largest label (at least 2); 2 for regression.
    pub classes: u32,
    /// The third column holds real targets.
    pub regression: bool,
}

/// Keeps echoed file text short in messages.
fn clip(s: &str) -> std::borrow::Cow<'_, str> {
    crate::quote::clip(s, 60)
}

/// What a header's third column says, if there is a header.
fn header_kind(fields: &[&str]) -> Result<bool, String> {
    let names: Vec<String> = fields.iter().map(|f| f.trim().to_ascii_lowercase()).collect();
    let known = names.len() == 3
        && ["x", "x1"].contains(&names[0].as_str())
        && ["y", "x2"].contains(&names[1].as_str())
        && ["label", "class", "target", "y", "value"].contains(&names[2].as_str());
    if !known {
        return Err(format!(
            "line 1: expected numbers or a header x1,x2,label (or x1,x2,target for regression), got \"{}\"",
            clip(&fields.join(","))
        ));
    }
    Ok(!["label", "class"].contains(&names[2].as_str()))
}

/// Whether a third-column value can be a class label.
fn is_label(v: f32) -> bool {
    v >= 0.0 && v < MAX_CLASSES as f32 && v.fract() == 0.0
}

/// Parses CSV text into points; errors name the line (1-based) and column.
pub fn parse(text: &str) -> Result<PointsTable, String> {
    if text.len() > MAX_CSV_BYTES {
        return Err(format!("the file has {} bytes; at most {MAX_CSV_BYTES} are accepted", text.len()));
    }
    // Files from old Mac spreadsheets end lines with a bare carriage return.
    let text = if text.contains('\n') { std::borrow::Cow::Borrowed(text) } else { std::borrow::Cow::Owned(text.replace('\r', "\n")) };
    let mut regression = None;
    let mut points = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let (n, line) = (i + 1, line.trim());
        if line.is_empty() {
            continue;
        }
        let fields: Vec<&str> = line.split(',').collect();
        let numbers: Vec<Result<f32, _>> = fields.iter().map(|f| f.trim().parse::<f32>()).collect();
        if points.is_empty() && regression.is_none() && numbers.iter().any(|v| v.is_err()) {
            regression = Some(header_kind(&fields)?);
            continue;
        }
        if fields.len() != 3 {
            return Err(format!("line {n}: expected 3 comma-separated values (x1, x2, label), got {}", fields.len()));
        }
        let mut row = [0.0f32; 3];
        for (c, (value, field)) in numbers.into_iter().zip(&fields).enumerate() {
            let v = value.map_err(|_| format!("line {n}, column {}: \"{}\" is not a number", c + 1, clip(field.trim())))?;
            if !v.is_finite() || v.abs() > MAX_CUSTOM_VALUE {
                return Err(format!("line {n}, column {}: values must be finite and within ±{MAX_CUSTOM_VALUE}, got {v}", c + 1));
            }
            row[c] = v;
        }
        if regression == Some(false) && !is_label(row[2]) {
            return Err(format!("line {n}, column 3: a label must be an integer from 0 to {}, got {}", MAX_CLASSES - 1, row[2]));
        }
        if points.len() == MAX_POINTS as usize {
            return Err(format!("line {n}: the file has more than {MAX_POINTS} points"));
        }
        points.push(row);
    }
    if points.len() < MIN_POINTS as usize {
        return Err(format!("the file has {} points; at least {MIN_POINTS} are needed", points.len()));
    }
    let regression = regression.unwrap_or_else(|| !points.iter().all(|p| is_label(p[2])));
    let classes = if regression { 2 } else { points.iter().map(|p| p[2] as u32 + 1).max().unwrap_or(2).max(2) };
    Ok(PointsTable { points, classes, regression })
}

/// A point set's raw points and labels (or targets) as CSV with a header, in the set's
/// order (training split first). Empty for image sets.
pub fn write(data: &Dataset) -> String {
    let header = if data.is_regression() { "x1,x2,target" } else { "x1,x2,label" };
    let mut out = String::with_capacity(24 * data.points.len() + 16);
    out.push_str(header);
    out.push('\n');
    for (i, [x1, x2]) in data.points.iter().enumerate() {
        let value = if data.is_regression() { data.targets[i].to_string() } else { data.labels[i].to_string() };
        out.push_str(&format!("{x1},{x2},{value}\n"));
    }
    out
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;
    use super::*;
    use crate::spec::{DatasetKind, ExperimentSpec};

    fn rows(n: usize, third: impl Fn(usize) -> String) -> String {
        (0..n).map(|i| format!("{}.5,-{i},{}\n", i, third(i))).collect()
    }

    #[test]
    fn good_files_parse_with_or_without_a_header() {
        let plain = parse(&rows(12, |i| (i % 3).to_string())).unwrap();
        assert_eq!((plain.points.len(), plain.classes, plain.regression), (12, 3, false));
        assert_eq!(plain.points[1], [1.5, -1.0, 1.0]);
        let headed = parse(&format!("x,y,label\r\n{}\n\n", rows(12, |_| "1".into()))).unwrap();
        assert_eq!((headed.classes, headed.regression), (2, false));
        let targets = parse(&rows(10, |i| format!("{}", i as f32 * 0.1))).unwrap();
        assert!(targets.regression, "non-integer values are targets");
        let forced = parse(&format!(" X1 , x2 , Target\n{}", rows(10, |i| (i % 2).to_string()))).unwrap();
        assert!(forced.regression && forced.points[3][2] == 1.0, "the header says regression");        let mac = parse(&rows(12, |i| (i % 3).to_string()).replace('\n', "\r")).unwrap();
        assert_eq!(mac, plain, "bare carriage returns end lines too");
    }

    #[test]
    fn broken_files_name_the_line_and_column() {
        let good = rows(12, |i| (i % 2).to_string());
        let with_line = |n: usize, bad: &str| {
            let mut lines: Vec<&str> = good.lines().collect();
            lines.insert(n - 1, bad);
            lines.join("\n")
        };
        let cases = [
            (with_line(4, "1,2"), "line 4: expected 3 comma-separated values"),
            (with_line(5, "1,zwei,0"), "line 5, column 2: \"zwei\" is not a number"),
            (with_line(6, "1,2,NaN"), "line 6, column 3: values must be finite"),
            (with_line(7, "inf,2,0"), "line 7, column 1: values must be finite"),
            (with_line(3, "1e9,2,0"), "line 3, column 1: values must be finite and within"),
            (format!("x,y,label\n{}", with_line(2, "1,2,0.5")), "line 3, column 3: a label must be an integer from 0 to 7"),
            (format!("x,y,label\n{}", with_line(2, "1,2,9")), "line 3, column 3: a label"),
            (format!("a,b,c\n{good}"), "line 1: expected numbers or a header"),
            (rows(3, |_| "0".into()), "the file has 3 points; at least 10"),
            (rows(10_001, |_| "0".into()), "line 10001: the file has more than 10000 points"),
            ("0,0,0\n".repeat(200_000), "bytes; at most"),
            (String::new(), "the file has 0 points"),
            (format!("x,y,{}\n{good}", "z".repeat(5000)), "got \"x,y,zzz"),
        ];
        for (text, message) in cases {
            let err = parse(&text).unwrap_err();
            assert!(err.contains(message), "expected {message:?}, got {err:?}");
            assert!(err.len() < 200, "echoed text is clipped: {} bytes", err.len());
        }
    }

    /// Writing a set and parsing it back gives its points and labels (or targets) exactly.
    #[test]
    fn written_sets_parse_back_exactly() {
        for (kind, classes) in [(DatasetKind::Spiral, 4), (DatasetKind::GaussRegression, 2)] {
            let mut spec = ExperimentSpec::default().dataset;
            spec.kind = kind;
            spec.classes = classes;
            spec.noise = 0.3;
            let data = crate::data::build(&spec, 250);
            let table = parse(&write(&data)).unwrap();
            assert_eq!(table.regression, data.is_regression());
            assert_eq!(table.points.len(), data.len());
            for (i, row) in table.points.iter().enumerate() {
                let third = if data.is_regression() { data.targets[i] } else { data.labels[i] as f32 };
                assert_eq!(*row, [data.points[i][0], data.points[i][1], third]);
            }
            if !data.is_regression() {
                assert_eq!(table.classes, 4);
            }
        }
    }
}
