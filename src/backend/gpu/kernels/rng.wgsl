// The WGSL port of crate::rng (prepended to kernels that draw random numbers): the same
// PCG hash in wrapping u32 arithmetic, so a stream's numbers match the CPU's bit for bit.

// One round of the PCG-RXS-M-XS hash (rng::pcg_hash).
fn pcg_hash(v: u32) -> u32 {
    let state = v * 747796405u + 2891336453u;
    let word = ((state >> ((state >> 28u) + 4u)) ^ state) * 277803737u;
    return (word >> 22u) ^ word;
}

// Rng::bits of the stream with this key.
fn rng_bits(key: u32, index: u32) -> u32 {
    return pcg_hash(index + key);
}

// Rng::uniform: 24 bits scaled by 2⁻²⁴, exact in f32.
fn rng_uniform(key: u32, index: u32) -> f32 {
    return f32(rng_bits(key, index) >> 8u) * (1.0 / 16777216.0);
}
