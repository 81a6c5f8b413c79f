//! The f32 matrix product C = A·B of the CPU backend in the browser: A and B are read
//! through strides (so any transpose costs nothing extra), packed into panels, and
//! multiplied by a register-blocked MR×NR microkernel on f32x4 lanes (SIMD128 on wasm32,
//! a portable twin elsewhere so that native tests run the same blocking and packing).
//!
//! Deterministic: every product is a multiply then an add (never fused), each output's
//! sum runs over k in order within blocks of KC, and the blocks' partial sums are added
//! to C in order; nothing depends on timing or threads.

/// Rows of A and columns of B per microkernel call: 4 × 2 f32x4 accumulators, which with
/// two B vectors and one broadcast fit in the 16 vector registers V8 has on x86-64.
const MR: usize = 4;
const NR: usize = 8;
/// The reduction block (a packed B panel of KC×NR stays in L1).
const KC: usize = 256;
/// Rows of A packed at a time (MC×KC floats stay in L2).
const MC: usize = 64;

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod lanes {
    use core::arch::wasm32::{f32x4, f32x4_add, f32x4_extract_lane, f32x4_mul, f32x4_splat, v128};

    /// Four f32 lanes.
    #[derive(Clone, Copy)]
    pub struct V4(v128);

    impl V4 {
        #[inline(always)]
        pub fn zero() -> Self {
            V4(f32x4_splat(0.0))
        }
        #[inline(always)]
        pub fn load(s: &[f32; 4]) -> Self {
            V4(f32x4(s[0], s[1], s[2], s[3]))
        }
        #[inline(always)]
        pub fn splat(x: f32) -> Self {
            V4(f32x4_splat(x))
        }
        /// self + a·b, rounded after the multiply and after the add.
        #[inline(always)]
        pub fn add_mul(self, a: V4, b: V4) -> Self {
            V4(f32x4_add(self.0, f32x4_mul(a.0, b.0)))
        }
        #[inline(always)]
        pub fn to_array(self) -> [f32; 4] {
            let v = self.0;
            [f32x4_extract_lane::<0>(v), f32x4_extract_lane::<1>(v), f32x4_extract_lane::<2>(v), f32x4_extract_lane::<3>(v)]
        }
    }
}

#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
mod lanes {
    /// Four f32 lanes, with the wasm type's lane-wise semantics.
    #[derive(Clone, Copy)]
    pub struct V4([f32; 4]);

    impl V4 {
        #[inline(always)]
        pub fn zero() -> Self {
            V4([0.0; 4])
        }
        #[inline(always)]
        pub fn load(s: &[f32; 4]) -> Self {
            V4(*s)
        }
        #[inline(always)]
        pub fn splat(x: f32) -> Self {
            V4([x; 4])
        }
        #[inline(always)]
        pub fn add_mul(self, a: V4, b: V4) -> Self {
            V4(std::array::from_fn(|i| self.0[i] + a.0[i] * b.0[i]))
        }
        #[inline(always)]
        pub fn to_array(self) -> [f32; 4] {
            self.0
        }
    }
}

use crate::backend::Real;
use lanes::V4;
use ndarray::Array2;
use std::any::Any;

/// A matrix operand read through strides: element (i, j) is `data[i·rows + j·cols]`.
#[derive(Clone, Copy)]
pub struct Strided<'a> {
    pub data: &'a [f32],
    pub rows: usize,
    pub cols: usize,
}

impl Strided<'_> {
    #[inline]
    fn at(&self, i: usize, j: usize) -> f32 {
        self.data[i * self.rows + j * self.cols]
    }
}

/// `x` (transposed when `trans`) as a strided f32 operand, when the backend computes in
/// f32 and `x` is one contiguous block with non-negative strides.
fn operand<E: Real>(x: &Array2<E>, trans: bool) -> Option<Strided<'_>> {
    let x = (x as &dyn Any).downcast_ref::<Array2<f32>>()?;
    let [rows, cols] = [x.strides()[0], x.strides()[1]].map(|s| usize::try_from(s).ok());
    let (rows, cols) = (rows?, cols?);
    let data = x.as_slice_memory_order()?;
    Some(if trans { Strided { data, rows: cols, cols: rows } } else { Strided { data, rows, cols } })
}

/// Products with a shorter reduction stay on the general path: there the cost of packing
/// and writing each tile of C is spread over too few multiply-adds (the one-channel
/// convolution's im2col product has k = 9).
const MIN_K: usize = 32;

/// op(a)·op(b) through `sgemm` when the element type is f32, the reduction has at least
/// MIN_K terms and both operands are contiguous; None otherwise (the caller takes the
/// general path).
pub fn product<E: Real>(a: &Array2<E>, b: &Array2<E>, trans_a: bool, trans_b: bool) -> Option<Array2<E>> {
    let [m, k] = if trans_a { [a.ncols(), a.nrows()] } else { [a.nrows(), a.ncols()] };
    if k < MIN_K {
        return None;
    }
    let (sa, sb) = (operand(a, trans_a)?, operand(b, trans_b)?);
    let n = if trans_b { b.nrows() } else { b.ncols() };
    let mut c = vec![0.0f32; m * n];
    sgemm(m, k, n, sa, sb, &mut c);
    let c: Box<dyn Any> = Box::new(Array2::from_shape_vec((m, n), c).expect("m×n values"));
    c.downcast::<Array2<E>>().ok().map(|c| *c)
}

/// C = A·B for A m×k and B k×n; `c` is m×n row-major and is overwritten.
pub fn sgemm(m: usize, k: usize, n: usize, a: Strided<'_>, b: Strided<'_>, c: &mut [f32]) {
    assert_eq!(c.len(), m * n, "sgemm: C must hold m×n values");
    if k == 0 {
        c.fill(0.0);
        return;
    }
    let n_panels = n.div_ceil(NR);
    let mut bpack = vec![0.0f32; n_panels * NR * KC.min(k)];
    let mut apack = vec![0.0f32; MC.min(m).div_ceil(MR) * MR * KC.min(k)];
    for pc in (0..k).step_by(KC) {
        let kc = KC.min(k - pc);
        pack_b(b, pc, kc, n, &mut bpack);
        for ic in (0..m).step_by(MC) {
            let mc = MC.min(m - ic);
            pack_a(a, ic, mc, pc, kc, &mut apack);
            for jp in 0..n_panels {
                let bpanel = &bpack[jp * NR * kc..(jp + 1) * NR * kc];
                for ip in 0..mc.div_ceil(MR) {
                    let acc = kernel(&apack[ip * MR * kc..(ip + 1) * MR * kc], bpanel);
                    write_tile(c, n, ic + ip * MR, jp * NR, m, &acc, pc > 0);
                }
            }
        }
    }
}

/// Rows pc..pc+kc of B as panels of NR columns, each kc×NR row-major, zero-padded past n.
fn pack_b(b: Strided<'_>, pc: usize, kc: usize, n: usize, out: &mut [f32]) {
    for (jp, panel) in out.chunks_exact_mut(NR * kc).take(n.div_ceil(NR)).enumerate() {
        for (p, row) in panel.chunks_exact_mut(NR).enumerate() {
            for (c, v) in row.iter_mut().enumerate() {
                let j = jp * NR + c;
                *v = if j < n { b.at(pc + p, j) } else { 0.0 };
            }
        }
    }
}

/// Rows ic..ic+mc, columns pc..pc+kc of A as panels of MR rows, each kc×MR (one column
/// of the panel after another), zero-padded past mc.
fn pack_a(a: Strided<'_>, ic: usize, mc: usize, pc: usize, kc: usize, out: &mut [f32]) {
    for (ip, panel) in out.chunks_exact_mut(MR * kc).take(mc.div_ceil(MR)).enumerate() {
        for (p, col) in panel.chunks_exact_mut(MR).enumerate() {
            for (r, v) in col.iter_mut().enumerate() {
                let i = ip * MR + r;
                *v = if i < mc { a.at(ic + i, pc + p) } else { 0.0 };
            }
        }
    }
}

/// The MR×NR block of one A panel times one B panel, summed over k in order.
#[inline(always)]
fn kernel(a: &[f32], b: &[f32]) -> [[V4; 2]; MR] {
    let mut acc = [[V4::zero(); 2]; MR];
    for (a, b) in a.chunks_exact(MR).zip(b.chunks_exact(NR)) {
        let (b0, b1) = b.split_at(4);
        let (b0, b1) = (V4::load(b0.try_into().expect("4 lanes")), V4::load(b1.try_into().expect("4 lanes")));
        for (acc, &x) in acc.iter_mut().zip(a) {
            let x = V4::splat(x);
            acc[0] = acc[0].add_mul(x, b0);
            acc[1] = acc[1].add_mul(x, b1);
        }
    }
    acc
}

/// Stores (or, for a later k block, adds) the valid part of a tile at (i0, j0).
fn write_tile(c: &mut [f32], n: usize, i0: usize, j0: usize, m: usize, acc: &[[V4; 2]; MR], add: bool) {
    for (r, lanes) in acc.iter().enumerate().take(m.saturating_sub(i0)) {
        let [lo, hi] = [lanes[0].to_array(), lanes[1].to_array()];
        let row = &mut c[(i0 + r) * n..(i0 + r + 1) * n];
        for (v, &x) in row[j0..].iter_mut().zip(lo.iter().chain(&hi)) {
            *v = if add { *v + x } else { x };
        }
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;
    use super::*;
    use crate::rng::{Rng, Stream};

    fn random(len: usize, salt: u32) -> Vec<f32> {
        let r = Rng::new(salt, Stream::Init);
        (0..len).map(|i| r.uniform_in(i as u32, -2.0, 2.0)).collect()
    }

    /// Products of odd shapes (edges in every direction, k across several KC blocks, m
    /// across MC blocks) with each operand stored plainly or transposed, against a naive
    /// triple loop in f64, to f32 accuracy for sums of k terms.
    #[test]
    fn matches_naive_loops_on_odd_shapes_and_every_transpose() {
        for &(m, k, n) in &[(1, 1, 1), (3, 5, 7), (65, 130, 9), (9, 300, 17), (130, 2, 65), (4, 8, 8), (2, 0, 3)] {
            let (av, bv) = (random(m * k, 1), random(k * n, 2));
            let want: Vec<f64> = (0..m * n)
                .map(|ij| (0..k).map(|p| av[ij / n * k + p] as f64 * bv[p * n + ij % n] as f64).sum())
                .collect();
            // The same values stored transposed: (i, j) at j·rows + i.
            let at: Vec<f32> = (0..m * k).map(|x| av[(x % m) * k + x / m]).collect();
            let bt: Vec<f32> = (0..k * n).map(|x| bv[(x % k) * n + x / k]).collect();
            let a_forms = [Strided { data: &av, rows: k, cols: 1 }, Strided { data: &at, rows: 1, cols: m }];
            let b_forms = [Strided { data: &bv, rows: n, cols: 1 }, Strided { data: &bt, rows: 1, cols: k }];
            for a in a_forms {
                for b in b_forms {
                    let mut c = vec![f32::NAN; m * n];
                    sgemm(m, k, n, a, b, &mut c);
                    for (got, want) in c.iter().zip(&want) {
                        let tol = 1e-6 * (k as f64 + 1.0) * 4.0;
                        assert!((*got as f64 - want).abs() <= tol, "{m}×{k}·{k}×{n}: {got} vs {want}");
                    }
                }
            }
        }
    }

    /// The backend's entry point: f32 arrays in any transpose go through `sgemm` (same
    /// bits as calling it directly on the stored data); f64 arrays and short reductions are
    /// left to the caller.
    #[test]
    fn product_takes_f32_arrays_and_leaves_f64_alone() {
        let (m, k, n) = (5, MIN_K + 3, 3);
        let (av, bv) = (random(m * k, 5), random(k * n, 6));
        let a = Array2::from_shape_vec((m, k), av.clone()).unwrap();
        let bt = Array2::from_shape_vec((n, k), (0..n * k).map(|x| bv[(x % k) * n + x / k]).collect()).unwrap();
        let mut want = vec![0.0; m * n];
        sgemm(m, k, n, Strided { data: &av, rows: k, cols: 1 }, Strided { data: &bv, rows: n, cols: 1 }, &mut want);
        let got = product(&a, &bt, false, true).expect("f32 goes through sgemm");
        assert_eq!(got.shape(), &[m, n]);
        assert!(got.iter().zip(&want).all(|(x, y)| x.to_bits() == y.to_bits()));
        let at = a.t().to_owned();
        let got = product(&at, &bt, true, true).expect("both transposed");
        assert!(got.iter().zip(&want).all(|(x, y)| x.to_bits() == y.to_bits()));
        assert!(product(&a.mapv(f64::from), &bt.mapv(f64::from), false, true).is_none());
        let short = a.slice(ndarray::s![.., ..MIN_K - 1]).to_owned();
        assert!(product(&short, &bt.slice(ndarray::s![.., ..MIN_K - 1]).to_owned(), false, true).is_none());
    }

    /// Same inputs, same bits: run twice, and the transposed storage of an operand (which
    /// only changes the packing) gives the identical result.
    #[test]
    fn is_deterministic_and_independent_of_storage() {
        let (m, k, n) = (37, 600, 29);
        let (av, bv) = (random(m * k, 3), random(k * n, 4));
        let at: Vec<f32> = (0..m * k).map(|x| av[(x % m) * k + x / m]).collect();
        let mut c1 = vec![0.0; m * n];
        let mut c2 = vec![0.0; m * n];
        sgemm(m, k, n, Strided { data: &av, rows: k, cols: 1 }, Strided { data: &bv, rows: n, cols: 1 }, &mut c1);
        sgemm(m, k, n, Strided { data: &at, rows: 1, cols: m }, Strided { data: &bv, rows: n, cols: 1 }, &mut c2);
        assert!(c1.iter().zip(&c2).all(|(x, y)| x.to_bits() == y.to_bits()));
    }
}
