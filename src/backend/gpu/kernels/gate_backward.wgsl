// dx[2i], dx[2i + 1] = dy[i] · (∂g/∂x, ∂g/∂y) at the pair (x[2i], x[2i + 1]); one thread
// per output. pipelines.rs substitutes the body that returns both partials.

struct Params {
    len: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> dy: array<f32>;
@group(0) @binding(3) var<storage, read_write> dx: array<f32>;

fn partials(x: f32, y: f32) -> vec2<f32> {
    {{BODY}}
}

@compute @workgroup_size(ELEMENTWISE_GROUP)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let i = flat_index(gid, groups);
    if (i >= p.len) {
        return;
    }
    let d = dy[i] * partials(x[2u * i], x[2u * i + 1u]);
    dx[2u * i] = d.x;
    dx[2u * i + 1u] = d.y;
}
