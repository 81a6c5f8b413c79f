// Row-wise softmax, stable: exp(z − max) / Σ exp(z − max); one thread per row.

struct Params {
    rows: u32,
    cols: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> z: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let r = gid.y * groups.x * 64u + gid.x;
    if (r >= p.rows) {
        return;
    }
    let base = r * p.cols;
    var best = z[base];
    for (var c = 1u; c < p.cols; c++) {
        best = max(best, z[base + c]);
    }
    var sum = 0.0;
    for (var c = 0u; c < p.cols; c++) {
        let e = exp(z[base + c] - best);
        out[base + c] = e;
        sum += e;
    }
    for (var c = 0u; c < p.cols; c++) {
        out[base + c] /= sum;
    }
}
