//! Which score a map explains: the predicted class, the true class, a chosen class, or
//! the contrast between two classes. Each becomes a seed row s with S = s·logits.

/// The explained score of one sample.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    /// The logit of the arg-max class (the first on ties).
    Predicted,
    /// The logit of the sample's label.
    True,
    Class(u32),
    /// logit[a] − logit[b]: why a rather than b.
    Contrast(u32, u32),
}

impl Target {
    /// `predicted`, `true`, a class number, or `a-b` for a contrast.
    pub fn parse(text: &str) -> Result<Target, String> {
        let class = |t: &str| t.trim().parse::<u32>().map_err(|_| format!("target: \"{text}\" is not predicted, true, a class number or a-b"));
        match text.trim() {
            "predicted" => Ok(Target::Predicted),
            "true" => Ok(Target::True),
            t => match t.split_once('-') {
                Some((a, b)) => Ok(Target::Contrast(class(a)?, class(b)?)),
                None => Ok(Target::Class(class(t)?)),
            },
        }
    }

    /// The seed rows [rows, classes] for samples whose logits are `logits` (row-major)
    /// and whose labels, when known, are `labels`.
    pub fn seeds(self, logits: &[f64], classes: usize, labels: Option<&[u32]>) -> Result<Vec<f64>, String> {
        let rows = logits.len() / classes;
        let check = |c: u32| {
            if (c as usize) < classes {
                Ok(c as usize)
            } else {
                Err(format!("target: class {c} is out of range (the model has {classes} classes, 0 to {})", classes - 1))
            }
        };
        let mut seeds = vec![0.0; rows * classes];
        for r in 0..rows {
            let seed = &mut seeds[r * classes..(r + 1) * classes];
            match self {
                Target::Predicted => {
                    let z = &logits[r * classes..(r + 1) * classes];
                    let top = (0..classes).fold(0, |best, c| if z[c] > z[best] { c } else { best });
                    seed[top] = 1.0;
                }
                Target::True => {
                    let labels = labels.ok_or("target: \"true\" needs the samples' labels")?;
                    let label = *labels.get(r).ok_or_else(|| format!("target: sample {r} has no label"))?;
                    seed[check(label)?] = 1.0;
                }
                Target::Class(c) => seed[check(c)?] = 1.0,
                Target::Contrast(a, b) => {
                    if a == b {
                        return Err(format!("target: a contrast needs two different classes, not {a}-{b}"));
                    }
                    seed[check(a)?] = 1.0;
                    seed[check(b)?] = -1.0;
                }
            }
        }
        Ok(seeds)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_parse_and_select_their_classes() {
        let logits = [0.1, 2.0, -1.0, 3.0, 3.0, 0.0];
        assert_eq!(Target::parse("predicted").unwrap().seeds(&logits, 3, None).unwrap(), [0., 1., 0., 1., 0., 0.]);
        assert_eq!(Target::parse("true").unwrap().seeds(&logits, 3, Some(&[2, 1])).unwrap(), [0., 0., 1., 0., 1., 0.]);
        assert_eq!(Target::parse("2").unwrap().seeds(&logits, 3, None).unwrap(), [0., 0., 1., 0., 0., 1.]);
        assert_eq!(Target::parse("0-2").unwrap().seeds(&logits, 3, None).unwrap(), [1., 0., -1., 1., 0., -1.]);
        assert!(Target::parse("true").unwrap().seeds(&logits, 3, None).unwrap_err().contains("labels"));
        assert!(Target::parse("3").unwrap().seeds(&logits, 3, None).unwrap_err().contains("out of range"));
        assert!(Target::parse("1-1").unwrap().seeds(&logits, 3, None).unwrap_err().contains("two different"));
        assert!(Target::parse("cat").unwrap_err().contains("cat"));
    }
}
