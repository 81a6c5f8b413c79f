// x viewed as [g, a, b] → out as [g, b, a]: out[g, j, i] = x[g, i, j]; one thread per
// output element.

struct Params {
    len: u32,
    a: u32,
    b: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;

@compute @workgroup_size(ELEMENTWISE_GROUP)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let o = flat_index(gid, groups);
    if (o >= p.len) {
        return;
    }
    let block = p.a * p.b;
    let g = o / block;
    let j = (o % block) / p.a;
    let i = o % p.a;
    out[o] = x[g * block + i * p.b + j];
}
