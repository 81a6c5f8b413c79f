//! The per-kind WGSL bodies substituted into the templated kernels
//! (kernels/activation*.wgsl, kernels/gate*.wgsl). They mirror the CPU formulas in
//! backend/cpu/{activation,gate}.rs; the helpers come from kernels/prelude.wgsl.

use crate::backend::{ActivationOp, GateOp};

/// (body of f(x, a), body of f'(x, y, a)).
pub fn activation(op: ActivationOp) -> (&'static str, &'static str) {
    match op {
        ActivationOp::Linear => ("return x;", "return 1.0;"),
        ActivationOp::Relu => ("return max(x, 0.0);", "return select(0.0, 1.0, x > 0.0);"),
        ActivationOp::LeakyRelu { .. } => ("return select(a * x, x, x > 0.0);", "return select(a, 1.0, x > 0.0);"),
        ActivationOp::Elu => ("return select(exp(x) - 1.0, x, x > 0.0);", "return select(exp(x), 1.0, x > 0.0);"),
        ActivationOp::Gelu => (
            "return 0.5 * x * (1.0 + erf(x * 0.70710678));",
            "return 0.5 * (1.0 + erf(x * 0.70710678)) + x * exp(-0.5 * x * x) * 0.39894228;",
        ),
        ActivationOp::Silu => ("return x * sigmoid(x);", "let s = sigmoid(x); return s * (1.0 + x * (1.0 - s));"),
        // Clamped because some drivers compute tanh through exp and return NaN for large
        // |x|; tanh(±10) rounds to ±1 in f32.
        ActivationOp::Tanh => ("return tanh(clamp(x, -10.0, 10.0));", "return 1.0 - y * y;"),
        ActivationOp::Sigmoid => ("return sigmoid(x);", "return y * (1.0 - y);"),
        ActivationOp::Softplus => ("return softplus(x);", "return sigmoid(x);"),
        ActivationOp::Abs => ("return abs(x);", "return sign(x);"),
    }
}

/// (body of g(x, y), body returning vec2(∂g/∂x, ∂g/∂y)).
pub fn gate(op: GateOp) -> (&'static str, &'static str) {
    match op {
        GateOp::Maxout => ("return max(x, y);", "return select(vec2(0.0, 1.0), vec2(1.0, 0.0), x >= y);"),
        GateOp::AndAil => (
            "return select(min(x, y), x + y, x < 0.0 && y < 0.0);",
            "if (x < 0.0 && y < 0.0) { return vec2(1.0, 1.0); }
    return select(vec2(0.0, 1.0), vec2(1.0, 0.0), x <= y);",
        ),
        GateOp::OrAil => (
            "return select(max(x, y), x + y, x > 0.0 && y > 0.0);",
            "if (x > 0.0 && y > 0.0) { return vec2(1.0, 1.0); }
    return select(vec2(0.0, 1.0), vec2(1.0, 0.0), x >= y);",
        ),
        GateOp::XnorAil => (
            "let m = min(abs(x), abs(y)); return select(-m, m, (x < 0.0) == (y < 0.0));",
            "let sx = select(1.0, -1.0, x < 0.0);
    let sy = select(1.0, -1.0, y < 0.0);
    return select(vec2(0.0, sx), vec2(sy, 0.0), abs(x) <= abs(y));",
        ),
        GateOp::And => (
            "return x + y - lse3(0.0, x, y);",
            "let l = lse3(0.0, x, y); return vec2(1.0 - exp(x - l), 1.0 - exp(y - l));",
        ),
        GateOp::Or => (
            "return lse3(x, y, x + y);",
            "let l = lse3(x, y, x + y);
    let both = exp(x + y - l);
    return vec2(exp(x - l) + both, exp(y - l) + both);",
        ),
        GateOp::Xnor => (
            "return softplus(x + y) - lse2(x, y);",
            "let s = sigmoid(x + y); return vec2(s - sigmoid(x - y), s - sigmoid(y - x));",
        ),
    }
}
