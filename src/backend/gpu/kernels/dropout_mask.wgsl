// An inverted-dropout mask, one thread per element: 0 where the stream's uniform at the
// element's row-major index is below p, `keep` = 1/(1 − p) (rounded on the CPU) elsewhere.

struct Params {
    len: u32,
    key: u32,
    p: f32,
    keep: f32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read_write> mask: array<f32>;

@compute @workgroup_size(ELEMENTWISE_GROUP)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let i = flat_index(gid, groups);
    if (i >= p.len) {
        return;
    }
    mask[i] = select(p.keep, 0.0, rng_uniform(p.key, i) < p.p);
}
