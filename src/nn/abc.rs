//! The abc-parametrisation (Yang & Hu, *Feature learning in infinite-width networks*,
//! arXiv 2011.14522): layer l computes with W_l = n^(−a_l)·w_l, draws w_l ~ N(0, n^(−2b_l))
//! and learns at η·n^(−c_l). Here n is a layer's width relative to `baseWidth`, so at the
//! base width every preset has multiplier 1 and learning rate η; the init keeps
//! 1/fan_in at the base width as its O(1) constant.
//!
//! The width of the input layer is its fan-out, of every other layer its fan-in. Biases
//! are not width-scaled (multiplier 1, init from the spec's rule, learning rate η), as in
//! *Tensor Programs V* Table 3 for Adam.

use crate::spec::Parametrization;

/// Where a dense layer sits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    Input,
    Hidden,
    Output,
}

/// One layer's exponents; `c` differs between SGD-like and Adam-like optimisers.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Exponents {
    pub a: f64,
    pub b: f64,
    pub c_sgd: f64,
    pub c_adam: f64,
}

const fn e(a: f64, b: f64, c_sgd: f64, c_adam: f64) -> Exponents {
    Exponents { a, b, c_sgd, c_adam }
}

/// The presets' exponents, or `None` for `plain` (no width scaling).
///
/// Sources, cross-checked against each other:
/// - a and b for SP, NTK and mean-field: Yang & Hu (2011.14522) §3, whose muP is
///   a = (−½, 0, ½), b = ½, c_SGD = 0 and mean-field a = (0, ½, 1), b = 0, c_SGD = −1.
/// - Per-layer c for SGD and Adam: Everett et al., *Scaling exponents across
///   parameterizations and optimizers* (arXiv 2407.05872) Table 1, "full alignment":
///   SP c_SGD = (−½, ½, 1), c_Adam = (0, 1, 1); NTK c_SGD = (−½, −½, 0), c_Adam = (0, ½, ½);
///   muP c_SGD = 0, c_Adam = (½, 1, ½); mean-field c_SGD = −1, c_Adam = (0, ½, 0).
/// - muP is written in the equivalent form of *Tensor Programs V* (arXiv 2203.03466)
///   Table 3 and microsoft/mup (MuReadout divides the logits by the width multiplier;
///   MuAdam divides only the hidden learning rate by it, MuSGD multiplies the input and
///   output ones): shifting (a, b, c) by (θ, −θ, −2θ) for SGD or (θ, −θ, −θ) for Adam
///   changes nothing in the dynamics (Yang & Hu §3.1; Everett §2), and θ = ½ on the
///   input and output layers turns the table's muP into this one, with an output
///   multiplier ∝ 1/width.
pub fn exponents(p: Parametrization, role: Role) -> Option<Exponents> {
    use Role::*;
    Some(match (p, role) {
        (Parametrization::Plain, _) => return None,
        (Parametrization::Sp, Input) => e(0.0, 0.0, -0.5, 0.0),
        (Parametrization::Sp, Hidden) => e(0.0, 0.5, 0.5, 1.0),
        (Parametrization::Sp, Output) => e(0.0, 0.5, 1.0, 1.0),
        (Parametrization::Ntk, Input) => e(0.0, 0.0, -0.5, 0.0),
        (Parametrization::Ntk, Hidden) => e(0.5, 0.0, -0.5, 0.5),
        (Parametrization::Ntk, Output) => e(0.5, 0.0, 0.0, 0.5),
        (Parametrization::MuP, Input) => e(0.0, 0.0, -1.0, 0.0),
        (Parametrization::MuP, Hidden) => e(0.0, 0.5, 0.0, 1.0),
        (Parametrization::MuP, Output) => e(1.0, 0.0, -1.0, 0.0),
        (Parametrization::MeanField, Input) => e(0.0, 0.0, -1.0, 0.0),
        (Parametrization::MeanField, Hidden) => e(0.5, 0.0, -1.0, 0.5),
        (Parametrization::MeanField, Output) => e(1.0, 0.0, -1.0, 0.0),
    })
}

/// A layer's place and width, from which every preset's numbers follow.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LayerWidth {
    pub role: Role,
    /// n / baseWidth.
    pub ratio: f64,
    /// The fan-in at the base width: the input dimension for the input layer.
    pub base_fan_in: f64,
}

impl LayerWidth {
    /// Every dense layer of an MLP with `sizes` = [inputs, hidden…, outputs]. A network
    /// without hidden layers has one layer, treated as the output layer.
    #[cfg(test)]
    pub fn of_mlp(sizes: &[usize], base_width: u32) -> Vec<LayerWidth> {
        let fans: Vec<(usize, usize)> = sizes.windows(2).map(|pair| (pair[0], pair[1])).collect();
        Self::of_layers(&fans, base_width)
    }

    /// Every weight layer (dense or convolution) of a network in order, given each one's
    /// (fan-in, fan-out): the first is the input layer, the last the output layer.
    pub fn of_layers(fans: &[(usize, usize)], base_width: u32) -> Vec<LayerWidth> {
        let n0 = base_width as f64;
        let last = fans.len().saturating_sub(1);
        fans.iter()
            .enumerate()
            .map(|(l, &(fan_in, fan_out))| {
                let (fan_in, fan_out) = (fan_in as f64, fan_out as f64);
                if l == 0 && last > 0 {
                    LayerWidth { role: Role::Input, ratio: fan_out / n0, base_fan_in: fan_in }
                } else {
                    let role = if l == last { Role::Output } else { Role::Hidden };
                    LayerWidth { role, ratio: fan_in / n0, base_fan_in: n0 }
                }
            })
            .collect()
    }

    /// The forward multiplier n^(−a).
    pub fn multiplier(&self, p: Parametrization) -> f32 {
        exponents(p, self.role).map_or(1.0, |x| libm::pow(self.ratio, -x.a) as f32)
    }

    /// The standard deviation of w: √(n^(−2b) / base fan-in); `None` under `plain`.
    pub fn init_std(&self, p: Parametrization) -> Option<f64> {
        exponents(p, self.role).map(|x| libm::sqrt(libm::pow(self.ratio, -2.0 * x.b) / self.base_fan_in))
    }

    /// The learning-rate factor n^(−c) for the weight.
    pub fn lr_factor(&self, p: Parametrization, adaptive: bool) -> f32 {
        exponents(p, self.role).map_or(1.0, |x| {
            let c = if adaptive { x.c_adam } else { x.c_sgd };
            libm::pow(self.ratio, -c) as f32
        })
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;
    use super::*;
    use Parametrization::*;
    use Role::*;

    #[test]
    fn preset_table() {
        // (preset, role, a, b, c_sgd, c_adam)
        let table = [
            (Sp, Input, 0.0, 0.0, -0.5, 0.0),
            (Sp, Hidden, 0.0, 0.5, 0.5, 1.0),
            (Sp, Output, 0.0, 0.5, 1.0, 1.0),
            (Ntk, Input, 0.0, 0.0, -0.5, 0.0),
            (Ntk, Hidden, 0.5, 0.0, -0.5, 0.5),
            (Ntk, Output, 0.5, 0.0, 0.0, 0.5),
            (MuP, Input, 0.0, 0.0, -1.0, 0.0),
            (MuP, Hidden, 0.0, 0.5, 0.0, 1.0),
            (MuP, Output, 1.0, 0.0, -1.0, 0.0),
            (MeanField, Input, 0.0, 0.0, -1.0, 0.0),
            (MeanField, Hidden, 0.5, 0.0, -1.0, 0.5),
            (MeanField, Output, 1.0, 0.0, -1.0, 0.0),
        ];
        for (p, role, a, b, c_sgd, c_adam) in table {
            assert_eq!(exponents(p, role), Some(Exponents { a, b, c_sgd, c_adam }), "{p:?} {role:?}");
        }
        for role in [Input, Hidden, Output] {
            assert_eq!(exponents(Plain, role), None);
        }
    }

    /// Yang & Hu's muP (a = (−½, 0, ½), b = ½, c = 0 for SGD; Everett's c_Adam = (½, 1, ½))
    /// is the same parametrisation as ours after the θ = ½ shift on input and output.
    #[test]
    fn mup_is_the_papers_mup_up_to_the_symmetry() {
        let paper = [(Input, -0.5, 0.5, 0.0, 0.5), (Hidden, 0.0, 0.5, 0.0, 1.0), (Output, 0.5, 0.5, 0.0, 0.5)];
        for (role, a, b, c_sgd, c_adam) in paper {
            let ours = exponents(MuP, role).unwrap();
            let theta = ours.a - a;
            assert_eq!(ours.b, b - theta);
            assert_eq!(ours.c_sgd, c_sgd - 2.0 * theta);
            assert_eq!(ours.c_adam, c_adam - theta);
            // Stability (a + b = ½ in the hidden layers, 1 at the output) is invariant.
            assert_eq!(ours.a + ours.b, a + b);
        }
    }

    #[test]
    fn mup_output_multiplier_scales_as_one_over_width() {
        for width in [16usize, 32, 64, 128] {
            let layers = LayerWidth::of_mlp(&[2, width, width, 3], 16);
            let out = layers[2];
            assert_eq!(out.role, Output);
            assert!((out.multiplier(MuP) as f64 - 16.0 / width as f64).abs() < 1e-7);
            // Hidden Adam learning rate ∝ 1/width; input and output unchanged.
            assert!((layers[1].lr_factor(MuP, true) as f64 - 16.0 / width as f64).abs() < 1e-7);
            assert_eq!(layers[0].lr_factor(MuP, true), 1.0);
            assert_eq!(layers[2].lr_factor(MuP, true), 1.0);
            // Hidden init std = 1/√fan_in, as in SP.
            assert!((layers[1].init_std(MuP).unwrap() - 1.0 / (width as f64).sqrt()).abs() < 1e-12);
        }
        // At the base width every multiplier is 1.
        for l in LayerWidth::of_mlp(&[2, 16, 16, 3], 16) {
            assert_eq!(l.multiplier(MuP), 1.0);
            assert_eq!(l.multiplier(Plain), 1.0);
        }
    }
}
