// running ← (1 − momentum)·running + momentum·m over [2, c], in place, one thread per
// element; m is the batch moments with the variance row (i ≥ c) times count/(count − 1).

struct Params {
    len: u32,
    channels: u32,
    momentum: f32,
    correction: f32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read_write> running: array<f32>;
@group(0) @binding(2) var<storage, read> moments: array<f32>;

@compute @workgroup_size(ELEMENTWISE_GROUP)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let i = flat_index(gid, groups);
    if (i >= p.len) {
        return;
    }
    let m = moments[i] * select(1.0, p.correction, i >= p.channels);
    running[i] = (1.0 - p.momentum) * running[i] + p.momentum * m;
}
