//! Stable scalar building blocks shared by the CPU activations, gates and losses.

use crate::backend::Real;

pub fn c<E: Real>(v: f64) -> E {
    E::from_f64(v)
}

/// σ(x) without overflow for either sign.
pub fn sigmoid<E: Real>(x: E) -> E {
    if x >= E::zero() {
        E::one() / (E::one() + (-x).det_exp())
    } else {
        let e = x.det_exp();
        e / (E::one() + e)
    }
}

/// log(1 + eˣ) = max(x, 0) + log1p(e^−|x|).
pub fn softplus<E: Real>(x: E) -> E {
    x.max(E::zero()) + (-x.abs()).det_exp().det_ln1p()
}

/// log Σ eᵛ over `v`, subtracting the maximum first.
pub fn log_sum_exp<E: Real>(v: &[E]) -> E {
    let m = v.iter().fold(E::neg_infinity(), |m, &x| m.max(x));
    m + v.iter().fold(E::zero(), |s, &x| s + (x - m).det_exp()).det_ln()
}
