// y = γ·(x − mean)/√(var + eps) + β, one thread per element of x [n, c·w]; element i
// belongs to channel (i / w) mod c.

struct Params {
    len: u32,
    channels: u32,
    width: u32,
    eps: f32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> moments: array<f32>;
@group(0) @binding(3) var<storage, read> gamma: array<f32>;
@group(0) @binding(4) var<storage, read> beta: array<f32>;
@group(0) @binding(5) var<storage, read_write> y: array<f32>;

@compute @workgroup_size(ELEMENTWISE_GROUP)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let i = flat_index(gid, groups);
    if (i >= p.len) {
        return;
    }
    let j = (i / p.width) % p.channels;
    let inv = 1.0 / sqrt(moments[p.channels + j] + p.eps);
    y[i] = gamma[j] * (x[i] - moments[j]) * inv + beta[j];
}
