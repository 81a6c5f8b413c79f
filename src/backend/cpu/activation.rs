//! The reference formulas of the elementwise activations and their derivatives.

use super::scalar::{c, sigmoid, softplus};
use crate::backend::{ActivationOp, Real};

/// f(x).
pub fn forward<E: Real>(op: ActivationOp, x: E) -> E {
    let zero = E::zero();
    match op {
        ActivationOp::Linear => x,
        ActivationOp::Relu => x.max(zero),
        ActivationOp::LeakyRelu { slope } => {
            if x > zero {
                x
            } else {
                E::from_f32(slope) * x
            }
        }
        ActivationOp::Elu => {
            if x > zero {
                x
            } else {
                x.det_expm1()
            }
        }
        ActivationOp::Gelu => c::<E>(0.5) * x * (E::one() + (x * c(std::f64::consts::FRAC_1_SQRT_2)).det_erf()),
        ActivationOp::Silu => x * sigmoid(x),
        ActivationOp::Tanh => x.det_tanh(),
        ActivationOp::Sigmoid => sigmoid(x),
        ActivationOp::Softplus => softplus(x),
        ActivationOp::Abs => x.abs(),
    }
}

/// f(x) of every value, in place (tanh through `Real::det_tanh_in_place`).
pub fn forward_in_place<E: Real>(op: ActivationOp, xs: &mut [E]) {
    match op {
        ActivationOp::Tanh => E::det_tanh_in_place(xs),
        _ => xs.iter_mut().for_each(|v| *v = forward(op, *v)),
    }
}

/// f'(x), given x and y = f(x).
pub fn derivative<E: Real>(op: ActivationOp, x: E, y: E) -> E {
    let (zero, one) = (E::zero(), E::one());
    let step = |below: E| if x > zero { one } else { below };
    match op {
        ActivationOp::Linear => one,
        ActivationOp::Relu => step(zero),
        ActivationOp::LeakyRelu { slope } => step(E::from_f32(slope)),
        ActivationOp::Elu => step(x.det_exp()),
        ActivationOp::Gelu => {
            let cdf = c::<E>(0.5) * (one + (x * c(std::f64::consts::FRAC_1_SQRT_2)).det_erf());
            let pdf = (c::<E>(-0.5) * x * x).det_exp() * c(0.398_942_280_401_432_7);
            cdf + x * pdf
        }
        ActivationOp::Silu => {
            let s = sigmoid(x);
            s * (one + x * (one - s))
        }
        ActivationOp::Tanh => one - y * y,
        ActivationOp::Sigmoid => y * (one - y),
        ActivationOp::Softplus => sigmoid(x),
        ActivationOp::Abs => {
            if x > zero {
                one
            } else if x < zero {
                -one
            } else {
                zero
            }
        }
    }
}

/// dx = dy·f'(x, y) over contiguous buffers, by `derivative`: ReLU's op is fixed before
/// the loop so that its loop is a branch-free select the compiler vectorises.
pub fn backward_into<E: Real>(op: ActivationOp, x: &[E], y: &[E], dy: &[E], dx: &mut [E]) {
    fn each<E: Real>(x: &[E], y: &[E], dy: &[E], dx: &mut [E], f: impl Fn(E, E) -> E) {
        for (((d, &x), &y), &g) in dx.iter_mut().zip(x).zip(y).zip(dy) {
            *d = g * f(x, y);
        }
    }
    match op {
        ActivationOp::Relu => each(x, y, dy, dx, |x, y| derivative(ActivationOp::Relu, x, y)),
        op => each(x, y, dy, dx, |x, y| derivative(op, x, y)),
    }
}

/// PReLU: max(0, x) + a·min(0, x).
pub fn prelu<E: Real>(x: E, a: E) -> E {
    x.max(E::zero()) + a * x.min(E::zero())
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;
    use super::*;

    /// Points away from the kinks at 0 (relu, leaky relu, elu's second derivative, abs).
    const POINTS: [f64; 12] = [-7.3, -3.1, -1.7, -0.9, -0.31, -0.05, 0.07, 0.4, 1.2, 2.6, 5.5, 9.0];

    fn central_difference(f: impl Fn(f64) -> f64, x: f64) -> f64 {
        let h = 1e-6;
        (f(x + h) - f(x - h)) / (2.0 * h)
    }

    #[test]
    fn every_derivative_matches_central_differences() {
        let mut report = Vec::new();
        for op in ActivationOp::ALL {
            let mut worst = 0.0f64;
            for x in POINTS {
                let numeric = central_difference(|v| forward(op, v), x);
                let analytic = derivative(op, x, forward(op, x));
                worst = worst.max((analytic - numeric).abs() / (1.0 + numeric.abs()));
            }
            report.push(format!("{}: {worst:.1e}", op.name()));
            assert!(worst < 1e-8, "{}: worst error {worst:e}", op.name());
        }
        println!("activation gradient checks: {}", report.join(", "));
    }

    #[test]
    fn prelu_gradients_in_x_and_slope_match_central_differences() {
        let mut worst = 0.0f64;
        for a in [-0.3, 0.25, 1.7] {
            for x in POINTS {
                let dx = if x > 0.0 { 1.0 } else { a };
                let da = x.min(0.0);
                worst = worst.max((dx - central_difference(|v| prelu(v, a), x)).abs());
                worst = worst.max((da - central_difference(|s| prelu(x, s), a)).abs());
            }
        }
        println!("prelu gradient check: {worst:.1e}");
        assert!(worst < 1e-8, "worst error {worst:e}");
    }

    #[test]
    fn values_match_the_definitions() {
        let close = |a: f64, b: f64| assert!((a - b).abs() < 1e-12 * (1.0 + b.abs()), "{a} vs {b}");
        // GELU(1) = Φ(1) with Φ(1) = 0.841344746068543 (normal table).
        close(forward(ActivationOp::Gelu, 1.0), 0.841_344_746_068_542_9);
        close(forward(ActivationOp::Gelu, -1.0), 0.841_344_746_068_542_9 - 1.0);
        close(forward(ActivationOp::Silu, 2.0), 2.0 / (1.0 + (-2.0f64).exp()));
        close(forward(ActivationOp::Elu, -1.0), (-1.0f64).exp() - 1.0);
        close(forward(ActivationOp::LeakyRelu { slope: 0.2 }, -3.0), -0.6000000089406967);
        close(forward(ActivationOp::Softplus, 0.0), 2.0f64.ln());
        // Stable far from 0: no overflow, and the small tail is kept.
        close(forward(ActivationOp::Softplus, 800.0), 800.0);
        close(forward(ActivationOp::Softplus, -800.0), 0.0);
        assert!(forward(ActivationOp::Softplus, -40.0) > 0.0);
        close(forward(ActivationOp::Sigmoid, -800.0), 0.0);
        close(forward(ActivationOp::Sigmoid, 800.0), 1.0);
        close(forward(ActivationOp::Abs, -2.5), 2.5);
        close(forward(ActivationOp::Relu, -2.5), 0.0);
        close(prelu(-2.0, 0.25), -0.5);
    }
}
