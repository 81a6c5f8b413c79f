//! What the native runner (and any other caller holding JSON) asks for: a method name
//! with `key=value` parameters, an inputs file, and the attribution file it gets back.
//!
//! Inputs: `{"inputs": [[...], ...], "labels": [...]?, "baseline": [...]?, "noise": [[...], ...]?}`;
//! each input is one sample in the model's input order (NCHW for images); `labels` are
//! needed for `target=true`, `baseline` for `baseline=custom`, and `noise` gives
//! SmoothGrad's noise rows explicitly. Output: see `AttributionFile`.

use super::*;
use crate::backend::Backend;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub const FORMAT: &str = "glassbox-attribution";
pub const VERSION: u32 = 1;
/// Every method name `Request::parse` accepts.
pub const METHODS: &str = "gradient, gradientXInput, integratedGradients, deepLift, smoothGrad, smoothGradSq, varGrad, guidedBackprop, deconvnet, occlusion, rise, shapley, lrp, gradCam, gradCamPlusPlus, guidedGradCam";

#[derive(Deserialize, Clone, Debug, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct InputsFile {
    pub inputs: Vec<Vec<f64>>,
    #[serde(default)]
    pub labels: Option<Vec<u32>>,
    #[serde(default)]
    pub baseline: Option<Vec<f64>>,
    #[serde(default)]
    pub noise: Option<Vec<Vec<f64>>>,
}

impl InputsFile {
    /// Parses and checks the file against an input of `features` numbers.
    pub fn parse(json: &str, features: usize) -> Result<InputsFile, String> {
        let file: InputsFile = serde_json::from_str(json).map_err(|e| format!("not an inputs file: {e}"))?;
        file.check(features)
    }

    /// Checks samples given directly against an input of `features` numbers.
    pub fn check(self, features: usize) -> Result<InputsFile, String> {
        let file = self;
        if file.inputs.is_empty() {
            return Err("inputs: there are no samples".into());
        }
        let rows = file.inputs.iter().map(|r| ("inputs", r)).chain(file.noise.iter().flatten().map(|r| ("noise", r)));
        for (i, (what, row)) in rows.chain(file.baseline.iter().map(|r| ("baseline", r))).enumerate() {
            if row.len() != features {
                return Err(format!("{what}: row {i} has {} numbers, the model reads {features}", row.len()));
            }
            if row.iter().any(|v| !v.is_finite()) {
                return Err(format!("{what}: row {i} holds a number that is not finite"));
            }
        }
        if let Some(labels) = &file.labels {
            if labels.len() != file.inputs.len() {
                return Err(format!("labels: {} labels for {} inputs", labels.len(), file.inputs.len()));
            }
        }
        Ok(file)
    }

    pub(crate) fn flat(&self) -> Vec<f64> {
        self.inputs.concat()
    }
}

/// A method with its options.
#[derive(Clone, Debug, PartialEq)]
pub enum Method {
    Gradient(SaliencyMode),
    GradientXInput,
    IntegratedGradients(IgOptions),
    DeepLift(Baseline),
    SmoothGrad(Noise, Aggregate),
    Guided(GuidedRule),
    Occlusion(OcclusionOptions),
    Rise(RiseOptions),
    Shapley(ShapleyOptions),
    Lrp(Composite),
    Cam(CamOptions),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Request {
    pub name: String,
    pub method: Method,
    pub target: Target,
    /// Rows per forward or backward pass.
    pub batch: usize,
    pub params: BTreeMap<String, String>,
}

/// `key=value` parameters; a key may be read more than once (several per-layer LRP
/// rules share ε or γ); keys never read are errors.
struct Params<'a> {
    method: &'a str,
    given: BTreeMap<String, String>,
    used: std::collections::BTreeSet<String>,
}

impl Params<'_> {
    fn text(&mut self, key: &str) -> Option<String> {
        self.used.insert(key.to_string());
        self.given.get(key).cloned()
    }

    fn number<T: std::str::FromStr>(&mut self, key: &str, default: T, valid: impl Fn(&T) -> bool, range: &str) -> Result<T, String> {
        match self.text(key) {
            None => Ok(default),
            Some(v) => v.parse().ok().filter(|x| valid(x)).ok_or_else(|| format!("{}: {key} must be {range}, not \"{v}\"", self.method)),
        }
    }

    fn finish(self) -> Result<(), String> {
        match self.given.keys().find(|k| !self.used.contains(*k)) {
            Some(k) => Err(format!("{}: unknown parameter \"{k}\"", self.method)),
            None => Ok(()),
        }
    }
}

const MAX_SAMPLES: usize = 100_000;

impl Request {
    /// A method by name with `params`; `inputs` supplies custom baselines and noise.
    pub fn parse(name: &str, params: &[(String, String)], inputs: &InputsFile) -> Result<Request, String> {
        let mut p = Params { method: name, given: BTreeMap::new(), used: Default::default() };
        for (k, v) in params {
            if p.given.insert(k.clone(), v.clone()).is_some() {
                return Err(format!("{name}: parameter \"{k}\" is given twice"));
            }
        }
        let given = p.given.clone();
        let target = Target::parse(&p.text("target").unwrap_or_else(|| "predicted".into()))?;
        let batch = p.number("batch", super::probe::DEFAULT_BATCH, |b| (1..=4096).contains(b), "a whole number from 1 to 4096")?;
        let method = match name {
            "gradient" => Method::Gradient(match p.text("mode").as_deref() {
                Some("signed") => SaliencyMode::Signed,
                None | Some("abs") => SaliencyMode::Absolute,
                Some("channelMax") => SaliencyMode::ChannelMax,
                Some(m) => return Err(format!("gradient: mode must be abs, signed or channelMax, not \"{m}\"")),
            }),
            "gradientXInput" => Method::GradientXInput,
            "integratedGradients" => {
                let steps = p.number("steps", 50, |s| (1..=MAX_SAMPLES).contains(s), "a whole number from 1 to 100000")?;
                let rule = Quadrature::parse(&p.text("rule").unwrap_or_else(|| "gaussLegendre".into()))?;
                let baseline = baseline(&mut p, inputs)?;
                Method::IntegratedGradients(IgOptions { baseline, steps, rule })
            }
            "deepLift" => Method::DeepLift(baseline(&mut p, inputs)?),
            "smoothGrad" | "smoothGradSq" | "varGrad" => {
                let aggregate = match name {
                    "smoothGrad" => Aggregate::Mean,
                    "smoothGradSq" => Aggregate::MeanSquare,
                    _ => Aggregate::Variance,
                };
                let noise = match &inputs.noise {
                    Some(rows) if !p.given.contains_key("sigma") && !p.given.contains_key("n") => Noise::Given(rows.concat()),
                    Some(_) => return Err(format!("{name}: the inputs file gives the noise, so sigma and n do not apply")),
                    None => Noise::Gaussian {
                        sigma: p.number("sigma", 0.15, |s: &f64| s.is_finite() && *s >= 0.0, "a number ≥ 0")?,
                        samples: p.number("n", 25, |n| (1..=MAX_SAMPLES).contains(n), "a whole number from 1 to 100000")?,
                        seed: p.number("seed", 0, |_| true, "a whole number")?,
                    },
                };
                Method::SmoothGrad(noise, aggregate)
            }
            "guidedBackprop" => Method::Guided(GuidedRule::GuidedBackprop),
            "deconvnet" => Method::Guided(GuidedRule::Deconvnet),
            "occlusion" => Method::Occlusion(OcclusionOptions {
                patch: p.number("patch", 3, |n| *n >= 1, "a whole number ≥ 1")?,
                stride: p.number("stride", 1, |n| *n >= 1, "a whole number ≥ 1")?,
                fill: p.number("fill", 0.0, |x: &f64| x.is_finite(), "a number")?,
            }),
            "rise" => Method::Rise(RiseOptions {
                masks: p.number("masks", 2000, |n| (1..=MAX_SAMPLES).contains(n), "a whole number from 1 to 100000")?,
                resolution: p.number("resolution", 7, |n| (1..=256).contains(n), "a whole number from 1 to 256")?,
                keep: p.number("keep", 0.5, |x: &f64| *x > 0.0 && *x <= 1.0, "a number in (0, 1]")?,
                seed: p.number("seed", 0, |_| true, "a whole number")?,
            }),
            "shapley" => Method::Shapley(ShapleyOptions {
                samples: p.number("samples", 25, |n| (1..=MAX_SAMPLES).contains(n), "a whole number from 1 to 100000")?,
                cell: p.number("cell", 4, |n| *n >= 1, "a whole number ≥ 1")?,
                fill: p.number("fill", 0.0, |x: &f64| x.is_finite(), "a number")?,
                seed: p.number("seed", 0, |_| true, "a whole number")?,
            }),
            "lrp" => Method::Lrp(lrp_composite(&mut p)?),
            "gradCam" | "gradCamPlusPlus" | "guidedGradCam" => {
                let variant = match name {
                    "gradCam" => CamVariant::GradCam,
                    "gradCamPlusPlus" => CamVariant::GradCamPlusPlus,
                    _ => CamVariant::GuidedGradCam,
                };
                let layer = match p.text("layer") {
                    None => None,
                    Some(v) => Some(v.parse().map_err(|_| format!("{name}: layer must be a layer id (a whole number), not \"{v}\""))?),
                };
                let relu = match p.text("relu").as_deref() {
                    None => variant != CamVariant::GradCam,
                    Some("true") => true,
                    Some("false") => false,
                    Some(v) => return Err(format!("{name}: relu must be true or false, not \"{v}\"")),
                };
                Method::Cam(CamOptions { variant, layer, relu })
            }
            _ => return Err(format!("unknown method \"{name}\"; the methods are {METHODS}")),
        };
        p.finish()?;
        Ok(Request { name: name.into(), method, target, batch, params: given })
    }
}

/// The attribution file: one map per input, in `shape`, with the explained class (or
/// the two contrasted classes) and score S = seed·logits of every input.
#[derive(Serialize, Clone, Debug, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct AttributionFile {
    pub format: String,
    pub version: u32,
    pub method: String,
    pub params: BTreeMap<String, String>,
    pub shape: Vec<usize>,
    pub targets: Vec<Vec<u32>>,
    pub scores: Vec<f64>,
    pub attributions: Vec<Vec<f64>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub completeness_gap: Option<Vec<f64>>,
    /// LRP: the relevance summed at each computing layer's output, per input.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub layer_relevance: Option<Vec<LayerRelevance>>,
}

/// `baseline=zero|mean|blur|noise|custom` and its parameters (Integrated Gradients, DeepLIFT).
fn baseline(p: &mut Params<'_>, inputs: &InputsFile) -> Result<Baseline, String> {
    let positive = |x: &f64| x.is_finite() && *x > 0.0;
    Ok(match p.text("baseline").as_deref() {
        None | Some("zero") => Baseline::Zero,
        Some("mean") => {
            let n = inputs.inputs.len() as f64;
            let mean = (0..inputs.inputs[0].len()).map(|i| inputs.inputs.iter().map(|r| r[i]).sum::<f64>() / n).collect();
            Baseline::Mean(mean)
        }
        Some("blur") => Baseline::Blur { sigma: p.number("sigma", 1.0, positive, "a positive number")? },
        Some("noise") => {
            let low = p.number("low", 0.0, |x: &f64| x.is_finite(), "a number")?;
            let high = p.number("high", 1.0, |x: &f64| x.is_finite() && *x > low, "a number above low")?;
            Baseline::UniformNoise { low, high, seed: p.number("seed", 0, |_| true, "a whole number")? }
        }
        Some("custom") => {
            Baseline::Custom(inputs.baseline.clone().ok_or_else(|| format!("{}: baseline=custom needs \"baseline\" in the inputs file", p.method))?)
        }
        Some(b) => return Err(format!("{}: baseline must be zero, mean, blur, noise or custom, not \"{b}\"", p.method)),
    })
}

/// One LRP rule from `rule` and its parameters.
fn lrp_rule(p: &mut Params<'_>, name: &str) -> Result<LrpRule, String> {
    let finite = |x: &f32| x.is_finite();
    Ok(match name {
        "zero" => LrpRule::Epsilon(0.0),
        "epsilon" => LrpRule::Epsilon(p.number("epsilon", 1e-6, |x: &f32| x.is_finite() && *x >= 0.0, "a number ≥ 0")?),
        "gamma" | "gammaPaper" => {
            let gamma = p.number("gamma", 0.25, |x: &f32| x.is_finite() && *x >= 0.0, "a number ≥ 0")?;
            if name == "gamma" { LrpRule::Gamma(gamma) } else { LrpRule::GammaPaper(gamma) }
        }
        "zPlus" => LrpRule::ZPlus,
        "alpha1beta0" => LrpRule::AlphaBeta { alpha: 1.0, beta: 0.0 },
        "alpha2beta1" => LrpRule::AlphaBeta { alpha: 2.0, beta: 1.0 },
        "alphaBeta" => {
            let beta = p.number("beta", 1.0, |x: &f32| x.is_finite() && *x >= 0.0, "a number ≥ 0")?;
            LrpRule::AlphaBeta { alpha: beta + 1.0, beta }
        }
        "zBox" => {
            let low = p.number("low", 0.0, finite, "a number")?;
            LrpRule::ZBox { low, high: p.number("high", 1.0, |x: &f32| x.is_finite() && *x > low, "a number above low")? }
        }
        "flat" => LrpRule::Flat,
        "wSquare" => LrpRule::WSquare,
        "wSquarePaper" => LrpRule::WSquarePaper,
        _ => return Err(format!("lrp: rule \"{name}\" is not zero, epsilon, gamma, gammaPaper, zPlus, alphaBeta, alpha1beta0, alpha2beta1, zBox, flat, wSquare or wSquarePaper")),
    })
}

/// `composite=epsilonPlus|epsilonGammaBox|epsilonPlusFlat`, or `rule=<name>` (default
/// epsilon) optionally overridden per layer by `layers=<id>:<rule>,...`.
fn lrp_composite(p: &mut Params<'_>) -> Result<Composite, String> {
    if let Some(name) = p.text("composite") {
        return Ok(match name.as_str() {
            "epsilonPlus" => Composite::EpsilonPlus,
            "epsilonPlusFlat" => Composite::EpsilonPlusFlat,
            "epsilonGammaBox" => {
                let low = p.number("low", 0.0, |x: &f32| x.is_finite(), "a number")?;
                Composite::EpsilonGammaBox { low, high: p.number("high", 1.0, |x: &f32| x.is_finite() && *x > low, "a number above low")? }
            }
            _ => return Err(format!("lrp: composite \"{name}\" is not epsilonPlus, epsilonGammaBox or epsilonPlusFlat")),
        });
    }
    let name = p.text("rule").unwrap_or_else(|| "epsilon".into());
    let default = lrp_rule(p, &name)?;
    let Some(list) = p.text("layers") else {
        return Ok(Composite::Uniform(default));
    };
    let mut layers = BTreeMap::new();
    for item in list.split(',') {
        let (id, rule) = item.split_once(':').ok_or_else(|| format!("lrp: layers takes id:rule pairs, not \"{item}\""))?;
        let id = id.trim().parse().map_err(|_| format!("lrp: \"{id}\" is not a layer id"))?;
        layers.insert(id, lrp_rule(p, rule.trim())?);
    }
    Ok(Composite::Custom { default, layers })
}

/// Runs `request` on every input.
pub async fn explain<B: Backend>(be: &B, net: &crate::nn::Net<B>, inputs: &InputsFile, request: &Request) -> Result<AttributionFile, String> {
    explain_with(be, net, inputs, request, None).await
}

/// `explain`, telling `progress` how many rows have gone through the network between
/// batches; fails with `CANCELLED` when the hook says stop.
pub async fn explain_with<B: Backend>(
    be: &B,
    net: &crate::nn::Net<B>,
    inputs: &InputsFile,
    request: &Request,
    progress: Option<&dyn Progress>,
) -> Result<AttributionFile, String> {
    let mut probe = Probe::new(be, net).with_batch(request.batch);
    if let Some(hook) = progress {
        let n = inputs.inputs.len();
        probe = probe.with_progress(hook, n + request.method.rows(n, net.input));
    }
    let x = inputs.flat();
    let k = probe.classes();
    let logits = probe.logits(&x).await;
    let seeds = request.target.seeds(&logits, k, inputs.labels.as_deref())?;
    let (a, layer_relevance) = attribute(&probe, &x, &seeds, &request.method).await?;
    if probe.stopped() {
        return Err(CANCELLED.into());
    }
    let targets = seeds
        .chunks(k)
        .map(|s| {
            let up = s.iter().position(|v| *v > 0.0).unwrap_or(0) as u32;
            match s.iter().position(|v| *v < 0.0) {
                Some(down) => vec![up, down as u32],
                None => vec![up],
            }
        })
        .collect();
    let scores = logits.chunks(k).zip(seeds.chunks(k)).map(|(z, s)| z.iter().zip(s).map(|(a, b)| a * b).sum()).collect();
    Ok(AttributionFile {
        format: FORMAT.into(),
        version: VERSION,
        method: request.name.clone(),
        params: request.params.clone(),
        shape: a.shape,
        targets,
        scores,
        attributions: a.maps,
        completeness_gap: a.completeness_gap,
        layer_relevance,
    })
}

/// The maps of `method` for the rows of `x` explaining `seeds`, and LRP's relevance per
/// layer; the caller checks `probe.stopped()`.
pub async fn attribute<B: Backend>(probe: &Probe<'_, B>, x: &[f64], seeds: &[f64], method: &Method) -> Result<(Attribution, Option<Vec<LayerRelevance>>), String> {
    Ok(match method {
        Method::Gradient(mode) => (saliency(probe, x, seeds, *mode).await, None),
        Method::GradientXInput => (gradient_x_input(probe, x, seeds).await, None),
        Method::IntegratedGradients(o) => (integrated_gradients(probe, x, seeds, o).await?, None),
        Method::DeepLift(b) => (deeplift(probe, x, seeds, b).await?, None),
        Method::SmoothGrad(noise, aggregate) => (smooth_grad(probe, x, seeds, noise, *aggregate).await?, None),
        Method::Guided(rule) => (guided_backprop(probe, x, seeds, *rule).await, None),
        Method::Occlusion(o) => (occlusion(probe, x, seeds, o).await?, None),
        Method::Rise(o) => (rise(probe, x, seeds, o).await?, None),
        Method::Shapley(o) => (shapley_sampling(probe, x, seeds, o).await?, None),
        Method::Lrp(composite) => {
            let (a, layers) = lrp(probe, x, seeds, composite).await?;
            (a, Some(layers))
        }
        Method::Cam(o) => (grad_cam(probe, x, seeds, o).await?, None),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::explain::testing::*;
    use crate::nn::Features;

    fn params(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn requests_parse_with_defaults_and_refuse_bad_parameters() {
        let inputs = InputsFile::parse(r#"{"inputs": [[1, 2], [3, 4]], "labels": [1, 0]}"#, 2).unwrap();
        let ig = Request::parse("integratedGradients", &params(&[("baseline", "mean"), ("steps", "8"), ("rule", "left")]), &inputs).unwrap();
        assert_eq!(ig.method, Method::IntegratedGradients(IgOptions { baseline: Baseline::Mean(vec![2.0, 3.0]), steps: 8, rule: Quadrature::Left }));
        assert_eq!(ig.target, Target::Predicted);
        let cam = Request::parse("gradCamPlusPlus", &params(&[("target", "1-0")]), &inputs).unwrap();
        assert_eq!(cam.method, Method::Cam(CamOptions { variant: CamVariant::GradCamPlusPlus, layer: None, relu: true }));
        assert_eq!(cam.target, Target::Contrast(1, 0));
        let lrp = |list: &[(&str, &str)]| match Request::parse("lrp", &params(list), &inputs).unwrap().method {
            Method::Lrp(c) => c,
            other => panic!("{other:?}"),
        };
        assert_eq!(lrp(&[]), Composite::Uniform(LrpRule::Epsilon(1e-6)));
        assert_eq!(lrp(&[("rule", "gammaPaper"), ("gamma", "0.5")]), Composite::Uniform(LrpRule::GammaPaper(0.5)));
        assert_eq!(lrp(&[("rule", "wSquarePaper")]), Composite::Uniform(LrpRule::WSquarePaper));
        match Request::parse("gradient", &[], &inputs).unwrap().method {
            Method::Gradient(mode) => assert_eq!(mode, SaliencyMode::Absolute, "Captum's Saliency default"),
            other => panic!("{other:?}"),
        }
        assert_eq!(lrp(&[("composite", "epsilonGammaBox"), ("low", "-1")]), Composite::EpsilonGammaBox { low: -1.0, high: 1.0 });
        assert_eq!(
            lrp(&[("rule", "zPlus"), ("layers", "0:zBox,4:gamma"), ("gamma", "0.5")]),
            Composite::Custom { default: LrpRule::ZPlus, layers: BTreeMap::from([(0, LrpRule::ZBox { low: 0.0, high: 1.0 }), (4, LrpRule::Gamma(0.5))]) }
        );
        let bad = |name: &str, list: &[(&str, &str)]| Request::parse(name, &params(list), &inputs).unwrap_err();
        // Every rule that reads a parameter gets the given value, not just the first.
        assert_eq!(
            lrp(&[("rule", "epsilon"), ("epsilon", "0.1"), ("layers", "3:epsilon,5:gamma,6:gamma"), ("gamma", "0.5")]),
            Composite::Custom {
                default: LrpRule::Epsilon(0.1),
                layers: BTreeMap::from([(3, LrpRule::Epsilon(0.1)), (5, LrpRule::Gamma(0.5)), (6, LrpRule::Gamma(0.5))])
            }
        );
        assert!(bad("lrp", &[("rule", "zPlus"), ("gamma", "0.5")]).contains("unknown parameter \"gamma\""));
        assert!(bad("lime", &[]).contains("unknown method \"lime\""));
        assert!(bad("gradient", &[("steps", "3")]).contains("unknown parameter \"steps\""));
        assert!(bad("integratedGradients", &[("steps", "0")]).contains("steps must be"));
        assert!(bad("integratedGradients", &[("baseline", "custom")]).contains("needs \"baseline\""));
        assert!(bad("occlusion", &[("fill", "NaN")]).contains("fill must be a number"));
        assert!(bad("gradient", &[("mode", "x"), ("mode", "y")]).contains("twice"));
        assert!(bad("lrp", &[("rule", "alpha3")]).contains("rule \"alpha3\""));
        assert!(bad("lrp", &[("layers", "x:flat")]).contains("not a layer id"));
        assert!(InputsFile::parse(r#"{"inputs": [[1, 2, 3]]}"#, 2).unwrap_err().contains("row 0 has 3 numbers"));
        assert!(InputsFile::parse(r#"{"inputs": [[1, 2]], "labels": []}"#, 2).unwrap_err().contains("0 labels for 1"));
        assert!(InputsFile::parse(r#"{"inputs": []}"#, 2).unwrap_err().contains("no samples"));
        assert!(InputsFile::parse("[1]", 2).unwrap_err().contains("not an inputs file"));
    }

    #[test]
    fn explain_reports_targets_scores_and_maps() {
        let be = Be::new();
        let net = net(r#"[{"type":"dense","units":3}]"#, Features::Flat(2), 2, 1.0, 0.0);
        let inputs = InputsFile::parse(r#"{"inputs": [[1, 2], [3, -4]], "labels": [2, 0]}"#, 2).unwrap();
        let request = Request::parse("gradientXInput", &params(&[("target", "true")]), &inputs).unwrap();
        let out = explain(&be, &net, &inputs, &request).await_now().unwrap();
        assert_eq!((out.targets.clone(), out.shape.clone()), (vec![vec![2], vec![0]], vec![2]));
        // A linear model: Σ w·x = score − bias.
        let bias = match &net.nodes[0].layer {
            crate::nn::Layer::Dense(d) => d.bias.value.clone(),
            _ => unreachable!(),
        };
        assert!((out.attributions[0].iter().sum::<f64>() - (out.scores[0] - bias[[0, 2]])).abs() < 1e-12);
        let json = serde_json::to_string(&out).unwrap();
        assert!(json.starts_with(r#"{"format":"glassbox-attribution","version":1,"method":"gradientXInput","params":{"target":"true"}"#), "{json}");
        assert!(!json.contains("completenessGap"));
        let contrast = Request::parse("gradient", &params(&[("target", "0-1")]), &inputs).unwrap();
        assert_eq!(explain(&be, &net, &inputs, &contrast).await_now().unwrap().targets, vec![vec![0, 1], vec![0, 1]]);
    }
}
