// out = a ∘ b for one elementwise binary op (equal shapes), one thread per element.
// pipelines.rs substitutes the op's expression in `a` and `b`; `p.s` is the op's scalar
// (the stabiliser of stabilized_div).

struct Params {
    len: u32,
    s: f32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> lhs: array<f32>;
@group(0) @binding(2) var<storage, read> rhs: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;

// a / (b + s·sign(b)) with sign(0) = +1; 0 where that denominator is 0.
fn stabilized_div(a: f32, b: f32) -> f32 {
    let d = b + select(-p.s, p.s, b >= 0.0);
    return select(a / d, 0.0, d == 0.0);
}

fn f(a: f32, b: f32) -> f32 {
    return {{BODY}};
}

@compute @workgroup_size(ELEMENTWISE_GROUP)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let i = flat_index(gid, groups);
    if (i >= p.len) {
        return;
    }
    out[i] = f(lhs[i], rhs[i]);
}
