//! `libm::tanhf` on eight lanes at once, bit for bit: the same f32 operations in the same
//! order, every branch computed and the lane's own chosen by selects, so the compiler can
//! vectorise it (SIMD128 in wasm, SSE/AVX natively). f32 arithmetic is IEEE on every
//! target and nothing here may fuse a multiply and an add, so the lanes repeat the scalar
//! bits exactly (pinned against `libm::tanhf` in the tests).
//!
//! tanhf reduces |x| to expm1f(±2|x|) in three ranges; for those arguments expm1f takes
//! k ∈ {−1, 0, 1, …, 29} in its argument reduction (|2x| ≤ 20), which is all that the
//! lanes implement; outside, |x| > 10 gives ±1 and subnormals pass through.

const LANES: usize = 8;
type V = [f32; LANES];

// libm's constants, by their bits.
const LN2_HI: f32 = f32::from_bits(0x3f31_7180);
const LN2_LO: f32 = f32::from_bits(0x3717_f7d1);
const INV_LN2: f32 = f32::from_bits(0x3fb8_aa3b);
const Q1: f32 = f32::from_bits(0xbd08_8868);
const Q2: f32 = f32::from_bits(0x3acf_3010);

fn tanh8(x: V) -> V {
    let mut out = [0.0; LANES];
    // Plain per-lane loops over straight-line code: each one vectorises.
    for i in 0..LANES {
        let ix = x[i].to_bits();
        let w = ix & 0x7fff_ffff;
        let a = f32::from_bits(w);
        // expm1f's argument: 2|x| above log(5/3)/2, −2|x| below.
        let y = if w > 0x3e82_c578 { 2.0 * a } else { -2.0 * a };
        let hy = y.to_bits() & 0x7fff_ffff;
        let negative = y.to_bits() >> 31 != 0;
        // expm1f's argument reduction: y = k·ln2 + (xr − c) when |y| > ln2/2.
        let reduced = hy > 0x3eb1_7218;
        // k = (INV_LN2·y ± 0.5) as i32, taken as a float (|k| ≤ 29 where it is used) and
        // made an integer by the 1.5·2²³ trick: cheap on every lane.
        let k_far = (INV_LN2 * y + if negative { -0.5 } else { 0.5 }).trunc();
        let k_near = if negative { -1.0 } else { 1.0 };
        let tk = if !reduced { 0.0 } else if hy < 0x3f85_1592 { k_near } else { k_far };
        let k = ((tk + 12_582_912.0f32).to_bits() as i32).wrapping_sub(0x4b40_0000);
        let hi = y - tk * LN2_HI;
        let lo = tk * LN2_LO;
        let xr_reduced = hi - lo;
        let c_reduced = (hi - xr_reduced) - lo;
        let xr = if reduced { xr_reduced } else { y };
        let c = if reduced { c_reduced } else { 0.0 };
        // The primary range.
        let hfx = 0.5 * xr;
        let hxs = xr * hfx;
        let r1 = 1.0 + hxs * (Q1 + hxs * Q2);
        let t = 3.0 - r1 * hfx;
        let e0 = hxs * ((r1 - t) / (6.0 - xr * t));
        let k0 = xr - (xr * e0 - hxs);
        let e = (xr * (e0 - c) - c) - hxs;
        let k_minus1 = 0.5 * (xr - e) - 0.5;
        let k1 = if xr < -0.25 { -2.0 * (e - (xr + 0.5)) } else { 1.0 + 2.0 * (xr - e) };
        let two_pk = f32::from_bits((0x7f_i32.wrapping_add(k) as u32).wrapping_shl(23));
        let uf = f32::from_bits((0x7f_i32.wrapping_sub(k) as u32).wrapping_shl(23));
        let k_big = if k < 23 { (xr - e + (1.0 - uf)) * two_pk } else { (xr - (e + uf) + 1.0) * two_pk };
        let em1 = if !reduced && hy < 0x3300_0000 {
            y
        } else {
            match k {
                0 => k0,
                -1 => k_minus1,
                1 => k1,
                _ => k_big,
            }
        };
        // tanhf's three quotients share their denominator: one division per lane.
        let far = w > 0x3f0c_9f54;
        let numerator = if far { 2.0 } else if w > 0x3e82_c578 { em1 } else { -em1 };
        let q = numerator / (em1 + 2.0);
        // |x| > 10 gives 1 + 0/|x|: 1, or NaN for NaN.
        let tt = if w > 0x4120_0000 {
            if a.is_nan() { a } else { 1.0 }
        } else if far {
            1.0 - q
        } else if w >= 0x0080_0000 {
            q
        } else {
            a
        };
        out[i] = if ix >> 31 != 0 { -tt } else { tt };
    }
    out
}

/// Replaces every value by its `libm::tanhf`.
pub fn tanh_in_place(xs: &mut [f32]) {
    let mut chunks = xs.chunks_exact_mut(LANES);
    for chunk in &mut chunks {
        let y = tanh8(chunk.try_into().expect("chunks of LANES"));
        chunk.copy_from_slice(&y);
    }
    let rest = chunks.into_remainder();
    let mut lanes = [0.0; LANES];
    lanes[..rest.len()].copy_from_slice(rest);
    let y = tanh8(lanes);
    rest.copy_from_slice(&y[..rest.len()]);
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;
    use super::*;

    fn check(bits: impl Iterator<Item = u32>) -> usize {
        let xs: Vec<f32> = bits.map(f32::from_bits).collect();
        let mut ys = xs.clone();
        tanh_in_place(&mut ys);
        for (x, y) in xs.iter().zip(&ys) {
            let want = libm::tanhf(*x);
            assert!(y.to_bits() == want.to_bits() || (y.is_nan() && want.is_nan()), "tanh({x:e}) = {y:e}, libm {want:e}");
        }
        xs.len()
    }

    /// Every branch boundary of tanhf and expm1f (as |x|) with 4096 neighbours each side.
    const EDGES: [u32; 9] = [0x0080_0000, 0x3e82_c578, 0x3f0c_9f54, 0x4120_0000, 0x3300_0000 - (1 << 23), 0x3e31_7218, 0x3f05_1592, 0x3eb1_7218, 0x7f80_0000];

    #[test]
    fn lanes_repeat_libm_bit_for_bit() {
        // A stride through every bit pattern (both signs, NaN, infinities, subnormals).
        let stride = if cfg!(target_arch = "wasm32") { 40_009 } else { 997 };
        let mut n = check((0..=u32::MAX).step_by(stride));
        for edge in EDGES {
            let near = edge.saturating_sub(4096)..edge.saturating_add(4096).min(0x7f80_0001);
            n += check(near.clone().chain(near.map(|b| b | 0x8000_0000)));
        }
        // Dense where the network's pre-activations live: every 7th value in ±[0, 12].
        let stride = if cfg!(target_arch = "wasm32") { 4001 } else { 7 };
        let dense = (0..0x4140_0000u32).step_by(stride);
        n += check(dense.clone().chain(dense.map(|b| b | 0x8000_0000)));
        println!("{n} values match libm::tanhf");
    }

    #[test]
    fn every_length_is_covered() {
        for len in 0..20 {
            let xs: Vec<f32> = (0..len).map(|i| i as f32 * 0.37 - 3.0).collect();
            let mut ys = xs.clone();
            tanh_in_place(&mut ys);
            assert!(xs.iter().zip(&ys).all(|(x, y)| y.to_bits() == libm::tanhf(*x).to_bits()), "length {len}");
        }
    }
}
