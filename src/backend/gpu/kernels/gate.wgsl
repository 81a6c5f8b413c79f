// out[i] = g(x[2i], x[2i + 1]): a pair gate [n, 2k] → [n, k] (row-major, so output i
// reads the adjacent input pair 2i, 2i + 1). pipelines.rs substitutes g's body.

struct Params {
    len: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;

fn g(x: f32, y: f32) -> f32 {
    {{BODY}}
}

@compute @workgroup_size(ELEMENTWISE_GROUP)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let i = flat_index(gid, groups);
    if (i >= p.len) {
        return;
    }
    out[i] = g(x[2u * i], x[2u * i + 1u]);
}
