// dx = dy · f'(x) for one elementwise activation, given x and y = f(x); one thread per
// element. pipelines.rs substitutes df's body per activation kind.

struct Params {
    len: u32,
    a: f32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> y: array<f32>;
@group(0) @binding(3) var<storage, read> dy: array<f32>;
@group(0) @binding(4) var<storage, read_write> dx: array<f32>;

fn df(x: f32, y: f32, a: f32) -> f32 {
    {{BODY}}
}

@compute @workgroup_size(ELEMENTWISE_GROUP)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let i = flat_index(gid, groups);
    if (i >= p.len) {
        return;
    }
    dx[i] = dy[i] * df(x[i], y[i], p.a);
}
