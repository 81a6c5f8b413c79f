//! `Real`: the float types the engine computes in, with transcendental functions taken
//! from `libm` so that every platform (and every browser running the wasm) gets the
//! same bits.

use std::fmt::Debug;

pub trait Real: num_traits::Float + ndarray::LinalgScalar + Debug + Send + Sync + 'static {
    fn from_f32(v: f32) -> Self;
    fn from_f64(v: f64) -> Self;
    fn to_f64(self) -> f64;
    fn det_tanh(self) -> Self;
    /// `det_tanh` of every value, in place (f32 runs eight lanes at once, same bits).
    fn det_tanh_in_place(xs: &mut [Self]) {
        xs.iter_mut().for_each(|v| *v = v.det_tanh());
    }
    fn det_exp(self) -> Self;
    fn det_ln(self) -> Self;
    fn det_expm1(self) -> Self;
    fn det_ln1p(self) -> Self;
    fn det_erf(self) -> Self;
    fn det_powf(self, e: Self) -> Self;
}

impl Real for f32 {
    fn from_f32(v: f32) -> Self {
        v
    }
    fn from_f64(v: f64) -> Self {
        v as f32
    }
    fn to_f64(self) -> f64 {
        self as f64
    }
    fn det_tanh(self) -> Self {
        libm::tanhf(self)
    }
    fn det_tanh_in_place(xs: &mut [Self]) {
        super::tanh_lanes::tanh_in_place(xs)
    }
    fn det_exp(self) -> Self {
        libm::expf(self)
    }
    fn det_ln(self) -> Self {
        libm::logf(self)
    }
    fn det_expm1(self) -> Self {
        libm::expm1f(self)
    }
    fn det_ln1p(self) -> Self {
        libm::log1pf(self)
    }
    fn det_erf(self) -> Self {
        libm::erff(self)
    }
    fn det_powf(self, e: Self) -> Self {
        libm::powf(self, e)
    }
}

impl Real for f64 {
    fn from_f32(v: f32) -> Self {
        v as f64
    }
    fn from_f64(v: f64) -> Self {
        v
    }
    fn to_f64(self) -> f64 {
        self
    }
    fn det_tanh(self) -> Self {
        libm::tanh(self)
    }
    fn det_exp(self) -> Self {
        libm::exp(self)
    }
    fn det_ln(self) -> Self {
        libm::log(self)
    }
    fn det_expm1(self) -> Self {
        libm::expm1(self)
    }
    fn det_ln1p(self) -> Self {
        libm::log1p(self)
    }
    fn det_erf(self) -> Self {
        libm::erf(self)
    }
    fn det_powf(self, e: Self) -> Self {
        libm::pow(self, e)
    }
}
