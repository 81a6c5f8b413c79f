//! The reference formulas of the pair gates (maxout and the logit-space AND/OR/XNOR,
//! exact and AIL) and their partial derivatives.

use super::scalar::{log_sum_exp, sigmoid, softplus};
use crate::backend::{GateOp, Real};

/// gate(x, y).
pub fn forward<E: Real>(op: GateOp, x: E, y: E) -> E {
    let zero = E::zero();
    match op {
        GateOp::Maxout => x.max(y),
        GateOp::AndAil => {
            if x < zero && y < zero {
                x + y
            } else {
                x.min(y)
            }
        }
        GateOp::OrAil => {
            if x > zero && y > zero {
                x + y
            } else {
                x.max(y)
            }
        }
        GateOp::XnorAil => {
            let m = x.abs().min(y.abs());
            if (x < zero) == (y < zero) {
                m
            } else {
                -m
            }
        }
        GateOp::And => x + y - log_sum_exp(&[zero, x, y]),
        GateOp::Or => log_sum_exp(&[x, y, x + y]),
        GateOp::Xnor => softplus(x + y) - log_sum_exp(&[x, y]),
    }
}

/// (∂gate/∂x, ∂gate/∂y). Ties and zeros go to x, as in `forward`.
pub fn partials<E: Real>(op: GateOp, x: E, y: E) -> (E, E) {
    let (zero, one) = (E::zero(), E::one());
    let pick_x = |take_x: bool| if take_x { (one, zero) } else { (zero, one) };
    match op {
        GateOp::Maxout => pick_x(x >= y),
        GateOp::AndAil => {
            if x < zero && y < zero {
                (one, one)
            } else {
                pick_x(x <= y)
            }
        }
        GateOp::OrAil => {
            if x > zero && y > zero {
                (one, one)
            } else {
                pick_x(x >= y)
            }
        }
        GateOp::XnorAil => {
            let sign = |v: E| if v < zero { -one } else { one };
            if x.abs() <= y.abs() {
                (sign(y), zero)
            } else {
                (zero, sign(x))
            }
        }
        GateOp::And => {
            // 1 − softmax(0, x, y) at x (resp. y).
            let l = log_sum_exp(&[zero, x, y]);
            (one - (x - l).det_exp(), one - (y - l).det_exp())
        }
        GateOp::Or => {
            // softmax(x, y, x + y) summed over the terms that contain x (resp. y).
            let l = log_sum_exp(&[x, y, x + y]);
            let both = (x + y - l).det_exp();
            ((x - l).det_exp() + both, (y - l).det_exp() + both)
        }
        GateOp::Xnor => {
            let s = sigmoid(x + y);
            (s - sigmoid(x - y), s - sigmoid(y - x))
        }
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;
    use super::*;

    fn logit(p: f64) -> f64 {
        (p / (1.0 - p)).ln()
    }

    fn s(v: f64) -> f64 {
        1.0 / (1.0 + (-v).exp())
    }

    /// Pairs away from the kinks x = y, x = 0, y = 0 and |x| = |y|.
    fn pairs() -> Vec<(f64, f64)> {
        let v = [-4.3, -1.9, -0.7, -0.21, 0.13, 0.55, 1.4, 3.8];
        let mut out = Vec::new();
        for (i, &x) in v.iter().enumerate() {
            for &y in &v[..i] {
                out.push((x, y * 1.07));
                out.push((y * 0.93, x));
            }
        }
        out
    }

    #[test]
    fn partials_match_central_differences() {
        let h = 1e-6;
        let mut report = Vec::new();
        for op in GateOp::ALL {
            let mut worst = 0.0f64;
            for (x, y) in pairs() {
                let (dx, dy) = partials(op, x, y);
                let nx = (forward(op, x + h, y) - forward(op, x - h, y)) / (2.0 * h);
                let ny = (forward(op, x, y + h) - forward(op, x, y - h)) / (2.0 * h);
                worst = worst.max((dx - nx).abs()).max((dy - ny).abs());
            }
            report.push(format!("{}: {worst:.1e}", op.name()));
            assert!(worst < 1e-8, "{}: worst error {worst:e}", op.name());
        }
        println!("gate gradient checks: {}", report.join(", "));
    }

    #[test]
    fn exact_gates_match_their_logit_definitions() {
        for (x, y) in pairs() {
            let want_and = logit(s(x) * s(y));
            let want_or = logit(1.0 - s(-x) * s(-y));
            let want_xnor = logit(s(x) * s(y) + s(-x) * s(-y));
            for (got, want) in
                [(forward(GateOp::And, x, y), want_and), (forward(GateOp::Or, x, y), want_or), (forward(GateOp::Xnor, x, y), want_xnor)]
            {
                assert!((got - want).abs() < 1e-9 * (1.0 + want.abs()), "({x}, {y}): {got} vs {want}");
            }
        }
    }

    #[test]
    fn ail_errors_match_the_paper() {
        let ln3 = 3.0f64.ln();
        assert!(((forward(GateOp::AndAil, 0.0, 0.0) - forward(GateOp::And, 0.0, 0.0)) - ln3).abs() < 1e-15);
        assert!(((forward(GateOp::Or, 0.0, 0.0) - forward(GateOp::OrAil, 0.0, 0.0)) - ln3).abs() < 1e-15);
        // XNOR's error tends to ln 2 along the diagonal.
        let t = 30.0;
        let err = forward(GateOp::XnorAil, t, t) - forward(GateOp::Xnor, t, t);
        assert!((err - 2.0f64.ln()).abs() < 1e-12, "{err}");
        // The AIL forms: sums in the saturated quadrant, min/max elsewhere.
        assert_eq!(forward(GateOp::AndAil, -1.0, -2.0), -3.0);
        assert_eq!(forward(GateOp::AndAil, 1.0, -2.0), -2.0);
        assert_eq!(forward(GateOp::OrAil, 1.0, 2.0), 3.0);
        assert_eq!(forward(GateOp::OrAil, -1.0, 2.0), 2.0);
        assert_eq!(forward(GateOp::XnorAil, -1.0, 2.0), -1.0);
        assert_eq!(forward(GateOp::XnorAil, -3.0, -2.0), 2.0);
    }

    #[test]
    fn exact_gates_are_stable_for_huge_inputs() {
        for (x, y) in [(800.0f64, 700.0), (-800.0, -700.0), (800.0, -700.0), (-800.0, 700.0)] {
            for op in [GateOp::And, GateOp::Or, GateOp::Xnor] {
                let v = forward(op, x, y);
                let (dx, dy) = partials(op, x, y);
                assert!(v.is_finite() && dx.is_finite() && dy.is_finite(), "{op:?}({x}, {y})");
            }
        }
        // AND of two confident trues is about the weaker one; OR of two falses likewise.
        assert!((forward(GateOp::And, 800.0f64, 700.0) - 700.0).abs() < 1e-9);
        assert!((forward(GateOp::Or, -800.0f64, -700.0) + 700.0).abs() < 1e-9);
    }
}
