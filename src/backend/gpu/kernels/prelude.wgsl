// Prepended to every kernel: the flat index of elementwise kernels, and stable scalar
// helpers for the activations, gates and losses.

// Threads per workgroup of the elementwise kernels (ELEMENTWISE_GROUP in gpu/ops.rs).
const ELEMENTWISE_GROUP: u32 = 256u;

// The element a thread handles: dispatches fold into a second dimension past the
// per-dimension workgroup limit (GpuBackend::grid).
fn flat_index(gid: vec3<u32>, groups: vec3<u32>) -> u32 {
    return gid.y * groups.x * ELEMENTWISE_GROUP + gid.x;
}

fn sigmoid(x: f32) -> f32 {
    let e = exp(-abs(x));
    return select(e / (1.0 + e), 1.0 / (1.0 + e), x >= 0.0);
}

fn softplus(x: f32) -> f32 {
    return max(x, 0.0) + log(1.0 + exp(-abs(x)));
}

// Abramowitz & Stegun 7.1.26: absolute error below 1.5e-7.
fn erf(x: f32) -> f32 {
    let t = 1.0 / (1.0 + 0.3275911 * abs(x));
    let poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
    return sign(x) * (1.0 - poly * exp(-x * x));
}

fn lse2(a: f32, b: f32) -> f32 {
    let m = max(a, b);
    return m + log(exp(a - m) + exp(b - m));
}

fn lse3(a: f32, b: f32, c: f32) -> f32 {
    let m = max(a, max(b, c));
    return m + log(exp(a - m) + exp(b - m) + exp(c - m));
}
