// y = tanh(x); one thread per element. The input is clamped to ±10 first (tanh(±10)
// rounds to ±1 in f32) because some drivers compute tanh through exp and return NaN
// for large |x|.

struct Params {
    len: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> y: array<f32>;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let i = gid.y * groups.x * 256u + gid.x;
    if (i >= p.len) {
        return;
    }
    y[i] = tanh(clamp(x[i], -10.0, 10.0));
}
