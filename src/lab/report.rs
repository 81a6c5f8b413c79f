//! What a lab hands back: the claim it tests, its figures' data (series of points, heatmap
//! rows, thumbnails) and a verdict computed from the run's numbers; and the figures as CSV.

use super::About;
use serde::Serialize;

/// How big a run is: `Small` is the CI-sized run (seconds natively, under a minute in the
/// browser); `Full` is the browser's default (a few minutes on two cores at most).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Scale {
    Small,
    Full,
}

/// One lab run's outcome.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LabReport {
    /// The lab's name as the runner and links spell it, e.g. "label-smoothing".
    pub lab: String,
    pub title: String,
    /// The claim under test, in a sentence or two.
    pub claim: String,
    /// The paper(s) behind it: authors, year, title.
    pub paper: String,
    /// What to look at in the figures.
    pub look_at: String,
    pub scale: Scale,
    pub figures: Vec<Figure>,
    pub verdict: Verdict,
}

impl LabReport {
    /// The report of the lab `about` describes.
    pub fn new(about: &About, scale: Scale, figures: Vec<Figure>, verdict: Verdict) -> LabReport {
        LabReport {
            lab: about.name.into(),
            title: about.title.into(),
            claim: about.claim.into(),
            paper: about.paper.into(),
            look_at: about.look_at.into(),
            scale,
            figures,
            verdict,
        }
    }
}

/// A figure's data. `Lines` and `Scatter` plot each series' (x, y) points; `Bars` plots
/// each series' y against its x as categories (`categories` names them); `Heatmap` draws
/// one row per series (y = the cells, x = the column values); `Gallery` shows `thumbs`,
/// in rows of one thumbnail per category (headed by `categories`) when there are any.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum FigureKind {
    Lines,
    Scatter,
    Bars,
    Heatmap,
    Gallery,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Figure {
    /// Short, file-name safe: the CSV is written as `<id>.csv`.
    pub id: String,
    pub title: String,
    pub kind: FigureKind,
    pub x_label: String,
    pub y_label: String,
    /// Names of the x values when they are categories (bars, heatmap columns); else empty.
    pub categories: Vec<String>,
    /// Log scale on x (learning-rate grids, widths).
    pub log_x: bool,
    pub series: Vec<Series>,
    pub thumbs: Vec<Thumb>,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Series {
    pub name: String,
    pub x: Vec<f64>,
    pub y: Vec<f64>,
}

/// A small greyscale or RGB image for a gallery: `pixels` row-major, channels last,
/// values in [0, 1]; or, when `viridis`, a one-channel map of magnitudes in [0, 1] drawn
/// in the viridis colour map.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Thumb {
    pub caption: String,
    pub width: usize,
    pub height: usize,
    pub channels: usize,
    pub pixels: Vec<f32>,
    pub viridis: bool,
}

/// The lab's answer: each check is one measurable part of the claim; the lab reproduced
/// when every check holds. `line` is what the runner prints and the page shows.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Verdict {
    pub reproduced: bool,
    pub line: String,
    pub checks: Vec<Check>,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Check {
    /// What is checked, e.g. "label smoothing lowers ECE".
    pub claim: String,
    pub holds: bool,
    /// The numbers behind it, e.g. "ECE 0.081 (α = 0) → 0.032 (α = 0.1)".
    pub detail: String,
}

impl Verdict {
    /// The verdict of a set of checks: "reproduced: …" when all hold, else "not
    /// reproduced at this scale: …" naming the failing checks first.
    pub fn from_checks(checks: Vec<Check>) -> Verdict {
        let reproduced = checks.iter().all(|c| c.holds);
        let failing: Vec<&Check> = checks.iter().filter(|c| !c.holds).collect();
        let shown: Vec<String> = if reproduced { checks.iter().collect::<Vec<_>>() } else { failing }
            .iter()
            .map(|c| format!("{} ({})", c.claim, c.detail))
            .collect();
        let head = if reproduced { "reproduced" } else { "not reproduced at this scale" };
        Verdict { reproduced, line: format!("{head}: {}", shown.join("; ")), checks }
    }
}

impl Figure {
    /// A figure of `kind` with no categories, linear axes and no thumbnails.
    pub fn new(id: &str, title: &str, kind: FigureKind, x_label: &str, y_label: &str, series: Vec<Series>) -> Figure {
        Figure {
            id: id.into(),
            title: title.into(),
            kind,
            x_label: x_label.into(),
            y_label: y_label.into(),
            categories: Vec::new(),
            log_x: false,
            series,
            thumbs: Vec::new(),
        }
    }

    /// The figure's data as CSV: `series,x,y` rows (x as its category name when the figure
    /// has categories), or `caption,width,height,channels` rows for a gallery.
    pub fn csv(&self) -> String {
        let mut out = String::new();
        if self.kind == FigureKind::Gallery {
            out.push_str("caption,width,height,channels\n");
            for t in &self.thumbs {
                out.push_str(&format!("{},{},{},{}\n", csv_field(&t.caption), t.width, t.height, t.channels));
            }
            return out;
        }
        out.push_str(&format!("series,{},{}\n", csv_field(&self.x_label), csv_field(&self.y_label)));
        for s in &self.series {
            for (&x, &y) in s.x.iter().zip(&s.y) {
                let x = match self.categories.get(x as usize) {
                    Some(name) if x >= 0.0 && x.fract() == 0.0 => csv_field(name),
                    _ => x.to_string(),
                };
                out.push_str(&format!("{},{x},{y}\n", csv_field(&s.name)));
            }
        }
        out
    }
}

/// Quotes a CSV field when it holds a comma, quote or line break.
fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(claim: &str, holds: bool) -> Check {
        Check { claim: claim.into(), holds, detail: "x 1 → 2".into() }
    }

    #[test]
    fn a_verdict_reproduces_only_when_every_check_holds_and_names_the_failures() {
        let all = Verdict::from_checks(vec![check("a", true), check("b", true)]);
        assert!(all.reproduced);
        assert_eq!(all.line, "reproduced: a (x 1 → 2); b (x 1 → 2)");
        let one_fails = Verdict::from_checks(vec![check("a", true), check("b", false)]);
        assert!(!one_fails.reproduced);
        assert_eq!(one_fails.line, "not reproduced at this scale: b (x 1 → 2)");
    }

    #[test]
    fn csv_names_categories_and_quotes_awkward_fields() {
        let mut f = Figure::new("acc", "Accuracy", FigureKind::Bars, "loss", "accuracy, %", vec![Series { name: "seed \"1\"".into(), x: vec![0.0, 1.0], y: vec![90.5, 91.0] }]);
        f.categories = vec!["CE".into(), "focal".into()];
        assert_eq!(f.csv(), "series,loss,\"accuracy, %\"\n\"seed \"\"1\"\"\",CE,90.5\n\"seed \"\"1\"\"\",focal,91\n");
    }
}
