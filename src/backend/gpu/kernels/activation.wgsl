// y = f(x) for one elementwise activation, one thread per element. pipelines.rs
// substitutes f's body per activation kind; `a` is the kind's parameter (leaky slope).

struct Params {
    len: u32,
    a: f32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> y: array<f32>;

fn f(x: f32, a: f32) -> f32 {
    {{BODY}}
}

@compute @workgroup_size(ELEMENTWISE_GROUP)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let i = flat_index(gid, groups);
    if (i >= p.len) {
        return;
    }
    y[i] = f(x[i], p.a);
}
