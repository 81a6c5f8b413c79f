//! Counter-based random numbers: a 32-bit PCG hash of (seed, stream, index).
//!
//! There is no hidden state: the n-th number of a stream is a pure function of its
//! coordinates, so data, init, batch order and noise are reproducible regardless of
//! call order, and the same code can be written in WGSL (which has no u64).

/// One round of the PCG-RXS-M-XS hash (Jarzynski & Olano, 2020).
#[inline]
pub fn pcg_hash(v: u32) -> u32 {
    let state = v.wrapping_mul(747_796_405).wrapping_add(2_891_336_453);
    let word = ((state >> ((state >> 28) + 4)) ^ state).wrapping_mul(277_803_737);
    (word >> 22) ^ word
}

/// Named streams, so that two consumers of the same seed never share numbers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u32)]
pub enum Stream {
    DataNoise = 1,
    DataSplit = 2,
    Init = 3,
    BatchOrder = 4,
    Dropout = 5,
    /// Which samples carry which decoy (`data::decoy`).
    Decoy = 6,
    /// Explanation methods' noise, baselines and masks.
    Explain = 7,
}

/// A stream of random numbers addressed by index.
#[derive(Clone, Copy, Debug)]
pub struct Rng {
    key: u32,
}

impl Rng {
    pub fn new(seed: u32, stream: Stream) -> Self {
        Self::from_parts(seed, stream as u32)
    }

    /// A stream keyed by an arbitrary pair, e.g. (seed, layer) or (seed, epoch).
    pub fn from_parts(seed: u32, stream: u32) -> Self {
        Rng { key: pcg_hash(stream.wrapping_add(pcg_hash(seed))) }
    }

    /// A derived stream, e.g. one per layer or per epoch.
    pub fn child(self, sub: u32) -> Self {
        Rng { key: pcg_hash(sub ^ pcg_hash(self.key)) }
    }

    /// The stream's key, for kernels that compute `bits` on the device (the GPU's dropout).
    pub fn key(self) -> u32 {
        self.key
    }

    pub fn bits(self, index: u32) -> u32 {
        pcg_hash(index.wrapping_add(self.key))
    }

    /// Uniform in [0, 1) with 24 bits: the conversion is exact, so WGSL gets the same value.
    pub fn uniform(self, index: u32) -> f32 {
        (self.bits(index) >> 8) as f32 * (1.0 / 16_777_216.0)
    }

    /// Uniform in [lo, hi).
    pub fn uniform_in(self, index: u32, lo: f32, hi: f32) -> f32 {
        lo + (hi - lo) * self.uniform(index)
    }

    /// A standard normal draw at `index` by Box–Muller (cosine branch) on two uniforms, with
    /// libm's transcendentals. 1 − u ∈ (0, 1], so the logarithm is finite.
    pub fn normal(self, index: u32) -> f64 {
        let u1 = self.uniform(index.wrapping_mul(2)) as f64;
        let u2 = self.uniform(index.wrapping_mul(2).wrapping_add(1)) as f64;
        libm::sqrt(-2.0 * libm::log(1.0 - u1)) * libm::cos(2.0 * std::f64::consts::PI * u2)
    }

    /// Uniform integer in [0, n) (n > 0), by multiply-shift.
    pub fn below(self, index: u32, n: u32) -> u32 {
        ((self.bits(index) as u64 * n as u64) >> 32) as u32
    }

    /// In-place Fisher–Yates shuffle driven by this stream.
    pub fn shuffle<T>(self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = self.below(i as u32, i as u32 + 1) as usize;
            items.swap(i, j);
        }
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;
    use super::*;

    #[test]
    fn hash_is_a_fixed_function() {
        // Pinned values: a change here breaks every shared link.
        assert_eq!(pcg_hash(0), 129_708_002);
        assert_eq!(pcg_hash(1), 2_831_084_092);
        let r = Rng::new(1, Stream::Init);
        assert_eq!(r.bits(7), Rng::new(1, Stream::Init).bits(7));
        assert_ne!(r.bits(7), Rng::new(2, Stream::Init).bits(7));
        assert_ne!(r.bits(7), Rng::new(1, Stream::DataNoise).bits(7));
        // The key is all a kernel needs to reproduce the stream.
        assert_eq!(r.bits(7), pcg_hash(7u32.wrapping_add(r.key())));
    }

    #[test]
    fn uniform_is_in_range_with_mean_near_half() {
        let r = Rng::new(3, Stream::DataNoise);
        let n = 100_000;
        let mut sum = 0.0f64;
        for i in 0..n {
            let u = r.uniform(i);
            assert!((0.0..1.0).contains(&u));
            sum += u as f64;
        }
        assert!((sum / n as f64 - 0.5).abs() < 0.005, "mean {}", sum / n as f64);
    }

    #[test]
    fn shuffle_is_a_permutation_and_depends_on_seed() {
        let mut a: Vec<u32> = (0..50).collect();
        Rng::new(1, Stream::BatchOrder).shuffle(&mut a);
        let mut sorted = a.clone();
        sorted.sort();
        assert_eq!(sorted, (0..50).collect::<Vec<_>>());
        assert_ne!(a, (0..50).collect::<Vec<_>>());
        let mut b: Vec<u32> = (0..50).collect();
        Rng::new(2, Stream::BatchOrder).shuffle(&mut b);
        assert_ne!(a, b);
    }
}
