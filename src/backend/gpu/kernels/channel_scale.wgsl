// y[r, j·w + q] = x[r, j·w + q]·s[r, j], one thread per element of x [n, c·w]: element i
// is scaled by s[i / w], as s [n, c] is laid out in the same (row, channel) order.

struct Params {
    len: u32,
    width: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> s: array<f32>;
@group(0) @binding(3) var<storage, read_write> y: array<f32>;

@compute @workgroup_size(ELEMENTWISE_GROUP)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let i = flat_index(gid, groups);
    if (i >= p.len) {
        return;
    }
    y[i] = x[i] * s[i / p.width];
}
