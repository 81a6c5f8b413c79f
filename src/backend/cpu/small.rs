//! Products of small matrices (a W1-scale layer, a minibatch's weight gradient) in wasm,
//! without `matrixmultiply`'s packing buffers: every output is summed over k in order
//! from zero with separate multiplies and adds, exactly as its SIMD128 kernel sums it
//! (one k block, no fused multiply-add), so the bits are the same.

use crate::backend::Real;
use ndarray::{Array2, ArrayView2};

/// Largest inner dimension taken here (well below matrixmultiply's k block).
const MAX_K: usize = 64;
/// Largest m·n·k taken here.
const MAX_WORK: usize = 1 << 16;

/// Whether an [m, k]·[k, n] product is small enough to take this path.
pub fn fits(m: usize, k: usize, n: usize) -> bool {
    m > 0 && n > 0 && (1..=MAX_K).contains(&k) && m * n * k <= MAX_WORK
}

/// a·b, each output Σₖ a[i, k]·b[k, j] accumulated in order of k from zero: for each k
/// in order, a[i, k]·b[k, ·] is added to row i of the output (b is copied to rows once if
/// it is a transposed view; a is read through its strides).
pub fn matmul<E: Real>(a: ArrayView2<E>, b: ArrayView2<E>) -> Array2<E> {
    let (m, k, n) = (a.nrows(), a.ncols(), b.ncols());
    assert!(fits(m, k, n) && b.nrows() == k, "small::matmul: [{m}, {k}]·[{}, {n}] does not fit", b.nrows());
    let b = b.as_standard_layout();
    let b = b.as_slice().expect("standard layout");
    let mut c = vec![E::zero(); m * n];
    for (row, a_row) in c.chunks_exact_mut(n).zip(a.rows()) {
        for (&aik, b_row) in a_row.iter().zip(b.chunks_exact(n)) {
            row.iter_mut().zip(b_row).for_each(|(c, &b)| *c = *c + aik * b);
        }
    }
    Array2::from_shape_vec((m, n), c).expect("m × n values")
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;
    use super::*;
    use crate::rng::{Rng, Stream};

    fn random(shape: (usize, usize), salt: u32) -> Array2<f32> {
        let r = Rng::new(salt, Stream::Init);
        Array2::from_shape_fn(shape, |(i, j)| r.uniform_in((i * shape.1 + j) as u32, -2.0, 2.0))
    }

    /// Every shape the W1 network multiplies, transposed operands included.
    const SHAPES: [(usize, usize, usize); 7] = [(10, 2, 8), (10, 8, 8), (10, 8, 2), (8, 10, 2), (8, 10, 8), (256, 8, 8), (3, 64, 5)];

    #[test]
    fn sums_each_output_in_order_of_k() {
        for (s, &(m, k, n)) in SHAPES.iter().enumerate() {
            let (a, b) = (random((m, k), 2 * s as u32), random((k, n), 2 * s as u32 + 1));
            let c = matmul(a.view(), b.view());
            let ct = matmul(a.t().to_owned().t(), b.t().to_owned().t());
            // Every other row of a twice as tall matrix: not contiguous.
            let tall = Array2::from_shape_fn((2 * m, k), |(i, q)| if i % 2 == 0 { a[[i / 2, q]] } else { f32::NAN });
            let cs = matmul(tall.slice(ndarray::s![..;2, ..]), b.view());
            for i in 0..m {
                for j in 0..n {
                    let want = (0..k).fold(0.0f32, |acc, q| acc + a[[i, q]] * b[[q, j]]);
                    assert_eq!(c[[i, j]].to_bits(), want.to_bits(), "[{m}, {k}]·[{k}, {n}] at ({i}, {j})");
                    assert_eq!(ct[[i, j]].to_bits(), want.to_bits(), "transposed views at ({i}, {j})");
                    assert_eq!(cs[[i, j]].to_bits(), want.to_bits(), "a strided view at ({i}, {j})");
                }
            }
        }
    }

    /// In wasm the path must give `matrixmultiply`'s bits (natively its kernels fuse
    /// multiply-adds, and the path is not taken).
    #[cfg(target_arch = "wasm32")]
    #[test]
    fn matches_matrixmultiply_in_wasm() {
        for (s, &(m, k, n)) in SHAPES.iter().enumerate() {
            let (a, b) = (random((m, k), 2 * s as u32), random((k, n), 2 * s as u32 + 1));
            let mut want = Array2::zeros((m, n));
            ndarray::linalg::general_mat_mul(1.0, &a, &b, 0.0, &mut want);
            assert_eq!(matmul(a.view(), b.view()).mapv(f32::to_bits), want.mapv(f32::to_bits), "[{m}, {k}]·[{k}, {n}]");
        }
    }

    #[test]
    fn limits() {
        assert!(fits(10, 8, 8) && fits(1, 64, 1) && !fits(10, 65, 1) && !fits(0, 2, 2) && !fits(2, 0, 2) && !fits(1024, 64, 2));
    }
}
