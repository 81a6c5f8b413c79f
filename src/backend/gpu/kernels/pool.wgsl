// Pooling forward, one thread per output window: y = the window's max, mean or
// log-average-exp (pool_common.wgsl is prepended).

@group(0) @binding(3) var<storage, read_write> y: array<f32>;

@compute @workgroup_size(ELEMENTWISE_GROUP)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let w = flat_index(gid, groups);
    if (w >= p.len) {
        return;
    }
    let t = temperature();
    y[w] = value(scan(span(w), t), t);
}
