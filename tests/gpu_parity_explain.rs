//! GPU parity of every explanation method: the same small CNN (and an MLP for the flat
//! path) explained through `explain::request` on the GPU and on the CPU.

use glassbox::backend::cpu::CpuBackend;
use glassbox::backend::{Backend, ImageShape};
use glassbox::explain::request::{explain, InputsFile, Request};
use glassbox::nn::{Features, Net};
use glassbox::spec::{ExperimentSpec, ModelSpec};
use std::collections::BTreeMap;

glassbox::web_test_harness!();

#[macro_use]
mod common;
use common::*;

const CNN: &str = r#"[{"type":"conv2d","filters":4,"kernel":3},{"type":"activation","function":"relu"},{"type":"pool","op":"max","size":2},
    {"type":"conv2d","filters":5,"kernel":3},{"type":"activation","function":"relu"},{"type":"flatten"},{"type":"dense","units":3}]"#;
const MLP: &str = r#"[{"type":"dense","units":8},{"type":"activation","function":"relu"},{"type":"dense","units":3}]"#;

/// Every method with parameters that exercise its options.
const METHODS: &[(&str, &[(&str, &str)])] = &[
    ("gradient", &[("mode", "channelMax")]),
    ("gradient", &[]),
    ("gradientXInput", &[("target", "0-2")]),
    ("integratedGradients", &[("steps", "16"), ("baseline", "blur"), ("sigma", "1")]),
    ("integratedGradients", &[("steps", "9"), ("rule", "trapezoid"), ("baseline", "noise")]),
    ("integratedGradients", &[("steps", "5"), ("rule", "riemannTrapezoid"), ("target", "1")]),
    ("deepLift", &[("baseline", "noise"), ("low", "-0.2"), ("high", "0.2")]),
    ("smoothGrad", &[("sigma", "0.3"), ("n", "6")]),
    ("smoothGradSq", &[("sigma", "0.3"), ("n", "6"), ("target", "0-1")]),
    ("varGrad", &[("sigma", "0.3"), ("n", "6"), ("target", "1")]),
    ("guidedBackprop", &[]),
    ("deconvnet", &[]),
    ("occlusion", &[("patch", "2"), ("stride", "1"), ("fill", "0.5")]),
    ("occlusion", &[("patch", "3"), ("stride", "2")]),
    ("rise", &[("masks", "40"), ("resolution", "3"), ("keep", "0.4")]),
    ("shapley", &[("samples", "3"), ("cell", "3"), ("fill", "0.2")]),
    ("lrp", &[("composite", "epsilonGammaBox"), ("low", "-1")]),
    ("lrp", &[("rule", "alpha2beta1"), ("layers", "0:flat")]),
    ("lrp", &[("rule", "zPlus"), ("layers", "0:wSquare")]),
    ("lrp", &[("composite", "epsilonPlus")]),
    ("lrp", &[("composite", "epsilonPlusFlat"), ("target", "2")]),
    ("lrp", &[("rule", "gamma"), ("gamma", "0.5")]),
    ("lrp", &[("rule", "gammaPaper"), ("layers", "0:wSquarePaper")]),
    ("lrp", &[("rule", "alpha1beta0"), ("layers", "0:zBox"), ("low", "-1")]),
    ("lrp", &[("rule", "epsilon"), ("epsilon", "0.1")]),
    ("gradCam", &[("layer", "3")]),
    ("gradCam", &[("relu", "true"), ("target", "0-1")]),
    ("gradCamPlusPlus", &[]),
    ("guidedGradCam", &[]),
];

async fn maps<B: Backend<E = f32>>(be: &B, layers: &str, input: Features, method: &str, params: &[(&str, &str)]) -> Result<Outputs, String> {
    let model = ModelSpec { layers: serde_json::from_str(layers).unwrap(), ..ExperimentSpec::default().model };
    let net = Net::build(be, input, &model, 3, 5).unwrap();
    let inputs = InputsFile { inputs: (0..3).map(|r| random(input.len(), 40 + r, 1.0).into_iter().map(f64::from).collect()).collect(), labels: None, baseline: None, noise: None };
    let params: Vec<(String, String)> = params.iter().map(|(k, v)| (k.to_string(), v.to_string())).chain([("batch".into(), "7".into())]).collect();
    let request = Request::parse(method, &params, &inputs)?;
    let out = explain(be, &net, &inputs, &request).await?;
    let f32s = |v: &[f64]| v.iter().map(|&x| x as f32).collect::<Vec<f32>>();
    let mut outputs = vec![("maps", f32s(&out.attributions.concat())), ("scores", f32s(&out.scores))];
    if let Some(gap) = out.completeness_gap {
        outputs.push(("gap", f32s(&gap)));
    }
    for layer in out.layer_relevance.iter().flatten() {
        outputs.push(("layer relevance", f32s(&layer.sums)));
    }
    Ok(outputs)
}

gpu_test! {
    async fn every_method_matches_cpu() {
        let gpu = gpu().await;
        let cpu = CpuBackend::<f32>::new();
        let image = Features::Image(ImageShape::new(2, 8, 7));
        let mut worst = BTreeMap::new();
        for (method, params) in METHODS {
            for (net, layers, input) in [("cnn", CNN, image), ("mlp", MLP, Features::Flat(5))] {
                let (g, c) = (maps(&gpu, layers, input, method, params).await, maps(&cpu, layers, input, method, params).await);
                match (g, c) {
                    (Ok(g), Ok(c)) => compare(&format!("{method} on the {net}"), g, c, &mut worst),
                    // Grad-CAM, RISE and blur need images: both backends refuse the MLP alike.
                    (Err(g), Err(c)) if net == "mlp" => assert_eq!(g, c),
                    (g, c) => panic!("{method} on the {net}: gpu {:?}, cpu {:?}", g.err(), c.err()),
                }
            }
        }
        report(&worst);
    }
}
