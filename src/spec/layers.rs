//! A model as a list of layers (the spec's `model.layers`), for networks that are more
//! than an MLP: convolutions, pooling, normalisation, dropout, residual blocks and
//! squeeze-and-excitation. Plain data: `nn` turns it into a network and checks shapes.

use super::Activation;
use serde::{Deserialize, Serialize};

/// How a convolution or pooling window covers the border.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, Default, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub enum PaddingSpec {
    /// Zero padding so that the output has ⌈input / stride⌉ positions (TensorFlow's 'same').
    #[default]
    Same,
    /// No padding: windows stay inside the input.
    Valid,
}

/// What a pooling layer computes over each window.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub enum PoolKind {
    Max,
    Avg,
    /// t·log(mean(exp(x/t))): max as t → 0, mean as t → ∞.
    LogAvgExp,
}

fn is_false(v: &bool) -> bool {
    !*v
}

fn is_one(v: &u32) -> bool {
    *v == 1
}

fn one() -> u32 {
    1
}

fn one_f32() -> f32 {
    1.0
}

fn is_one_f32(v: &f32) -> bool {
    *v == 1.0
}

fn bn_momentum() -> f32 {
    0.1
}

fn is_bn_momentum(v: &f32) -> bool {
    *v == 0.1
}

fn bn_epsilon() -> f32 {
    1e-5
}

fn is_bn_epsilon(v: &f32) -> bool {
    *v == 1e-5
}

fn se_reduction() -> u32 {
    4
}

fn is_se_reduction(v: &u32) -> bool {
    *v == 4
}

/// One layer. Images flow as channels × height × width; a dense layer reads them in
/// PyTorch's flatten order, so `flatten` only documents the change of view.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(tag = "type", rename_all = "camelCase", deny_unknown_fields)]
pub enum LayerSpec {
    /// y = x·Wᵀ + b with `units` outputs.
    Dense { units: u32 },
    /// A 2-D cross-correlation with `filters` output channels and a square kernel.
    Conv2d {
        filters: u32,
        kernel: u32,
        #[serde(default = "one", skip_serializing_if = "is_one")]
        stride: u32,
        #[serde(default, skip_serializing_if = "is_default_padding")]
        padding: PaddingSpec,
    },
    Flatten,
    /// The model's `leakySlope` applies to leakyRelu; gates pair adjacent units or channels.
    Activation { function: Activation },
    /// A square window pool, or a global one when `size` is absent.
    #[serde(rename_all = "camelCase")]
    Pool {
        op: PoolKind,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        size: Option<u32>,
        /// Defaults to the window size.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        stride: Option<u32>,
        #[serde(default, skip_serializing_if = "is_default_padding_valid")]
        padding: Option<PaddingSpec>,
        /// logAvgExp's (initial) temperature t > 0.
        #[serde(default = "one_f32", skip_serializing_if = "is_one_f32")]
        temperature: f32,
        /// Learn log t by gradient descent.
        #[serde(default, skip_serializing_if = "is_false")]
        learn_temperature: bool,
    },
    /// Inverted dropout: zeroes each value with probability `rate` while training.
    Dropout { rate: f32 },
    /// Per-feature (dense) or per-channel (image) normalisation with running statistics.
    BatchNorm {
        #[serde(default = "bn_momentum", skip_serializing_if = "is_bn_momentum")]
        momentum: f32,
        #[serde(default = "bn_epsilon", skip_serializing_if = "is_bn_epsilon")]
        epsilon: f32,
    },
    /// x + body(x); the body must keep the shape.
    Residual { layers: Vec<LayerSpec> },
    /// Channel gates s = σ(W₂·relu(W₁·GAP(x))) with C / reduction hidden units.
    SqueezeExcite {
        #[serde(default = "se_reduction", skip_serializing_if = "is_se_reduction")]
        reduction: u32,
    },
}

fn is_default_padding(p: &PaddingSpec) -> bool {
    *p == PaddingSpec::Same
}

fn is_default_padding_valid(p: &Option<PaddingSpec>) -> bool {
    p.is_none()
}

/// Hard limits on a layer list, so that a link cannot ask for more than a tab can hold.
pub mod limits {
    pub const MAX_LAYERS: usize = 64;
    pub const MAX_NESTING: usize = 4;
    pub const MAX_UNITS: u32 = 4096;
    pub const MAX_FILTERS: u32 = 512;
    pub const MAX_KERNEL: u32 = 15;
    pub const MAX_STRIDE: u32 = 8;
}

/// Checks the numbers a layer list carries (shapes are checked when the network is built).
pub fn validate(layers: &[LayerSpec], path: &str, depth: usize) -> Result<(), String> {
    use limits::*;
    if depth > MAX_NESTING {
        return Err(format!("{path}: residual blocks may nest at most {MAX_NESTING} deep"));
    }
    if layers.len() > MAX_LAYERS {
        return Err(format!("{path} may have at most {MAX_LAYERS} layers, got {}", layers.len()));
    }
    for (i, layer) in layers.iter().enumerate() {
        let at = format!("{path}[{i}]");
        let range = |what: &str, v: u32, lo: u32, hi: u32| {
            if (lo..=hi).contains(&v) {
                Ok(())
            } else {
                Err(format!("{at}.{what} must be between {lo} and {hi}, got {v}"))
            }
        };
        match layer {
            LayerSpec::Dense { units } => range("units", *units, 1, MAX_UNITS)?,
            LayerSpec::Conv2d { filters, kernel, stride, .. } => {
                range("filters", *filters, 1, MAX_FILTERS)?;
                range("kernel", *kernel, 1, MAX_KERNEL)?;
                range("stride", *stride, 1, MAX_STRIDE)?;
            }
            LayerSpec::Pool { size, stride, temperature, op, learn_temperature, .. } => {
                if let Some(s) = size {
                    range("size", *s, 1, MAX_KERNEL)?;
                }
                if let Some(s) = stride {
                    range("stride", *s, 1, MAX_STRIDE)?;
                }
                if !(temperature.is_finite() && *temperature >= 1e-3 && *temperature <= 1e3) {
                    return Err(format!("{at}.temperature must be between 0.001 and 1000, got {temperature}"));
                }
                if *learn_temperature && *op != PoolKind::LogAvgExp {
                    return Err(format!("{at}.learnTemperature applies to logAvgExp pooling only"));
                }
            }
            LayerSpec::Dropout { rate } => {
                if !(rate.is_finite() && (0.0..0.95).contains(rate)) {
                    return Err(format!("{at}.rate must be in [0, 0.95), got {rate}"));
                }
            }
            LayerSpec::BatchNorm { momentum, epsilon } => {
                if !(momentum.is_finite() && *momentum > 0.0 && *momentum <= 1.0) {
                    return Err(format!("{at}.momentum must be in (0, 1], got {momentum}"));
                }
                if !(epsilon.is_finite() && *epsilon > 0.0 && *epsilon <= 1.0) {
                    return Err(format!("{at}.epsilon must be in (0, 1], got {epsilon}"));
                }
            }
            LayerSpec::Residual { layers } => validate(layers, &format!("{at}.layers"), depth + 1)?,
            LayerSpec::SqueezeExcite { reduction } => range("reduction", *reduction, 1, MAX_FILTERS)?,
            LayerSpec::Flatten | LayerSpec::Activation { .. } => {}
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;
    use super::*;

    #[test]
    fn layers_read_and_write_compact_json() {
        let json = r#"[{"type":"conv2d","filters":8,"kernel":3},{"type":"activation","function":"relu"},
            {"type":"pool","op":"max","size":2},{"type":"residual","layers":[{"type":"batchNorm"}]},
            {"type":"squeezeExcite"},{"type":"pool","op":"logAvgExp","temperature":0.5,"learnTemperature":true},
            {"type":"dropout","rate":0.25},{"type":"flatten"},{"type":"dense","units":4}]"#;
        let layers: Vec<LayerSpec> = serde_json::from_str(json).unwrap();
        assert_eq!(layers[0], LayerSpec::Conv2d { filters: 8, kernel: 3, stride: 1, padding: PaddingSpec::Same });
        validate(&layers, "model.layers", 0).unwrap();
        let back: Vec<LayerSpec> = serde_json::from_str(&serde_json::to_string(&layers).unwrap()).unwrap();
        assert_eq!(back, layers);
        assert!(!serde_json::to_string(&layers).unwrap().contains("momentum"), "defaults stay out of links");
    }

    #[test]
    fn bad_numbers_are_named() {
        let cases = [
            (r#"[{"type":"dense","units":0}]"#, "model.layers[0].units"),
            (r#"[{"type":"conv2d","filters":4,"kernel":99}]"#, "kernel"),
            (r#"[{"type":"dropout","rate":1.5}]"#, "rate"),
            (r#"[{"type":"pool","op":"max","learnTemperature":true}]"#, "logAvgExp"),
            (r#"[{"type":"pool","op":"logAvgExp","temperature":0}]"#, "temperature"),
            (r#"[{"type":"residual","layers":[{"type":"batchNorm","momentum":2}]}]"#, "model.layers[0].layers[0].momentum"),
        ];
        for (json, needle) in cases {
            let layers: Vec<LayerSpec> = serde_json::from_str(json).unwrap();
            let e = validate(&layers, "model.layers", 0).unwrap_err();
            assert!(e.contains(needle), "{json}: {e}");
        }
        assert!(serde_json::from_str::<Vec<LayerSpec>>(r#"[{"type":"dense","units":3,"x":1}]"#).is_err());
    }
}
