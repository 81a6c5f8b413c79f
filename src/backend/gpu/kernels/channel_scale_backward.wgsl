// Channel-scale backward, one thread per (row, channel) cell m of s [n, c], walking its w
// values in order: dx = dy·s[m], ds[m] = Σ_q dy·x.

struct Params {
    cells: u32,
    width: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> s: array<f32>;
@group(0) @binding(3) var<storage, read> dy: array<f32>;
@group(0) @binding(4) var<storage, read_write> dx: array<f32>;
@group(0) @binding(5) var<storage, read_write> ds: array<f32>;

@compute @workgroup_size(ELEMENTWISE_GROUP)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let m = flat_index(gid, groups);
    if (m >= p.cells) {
        return;
    }
    let scale = s[m];
    var sum = 0.0;
    for (var q = 0u; q < p.width; q++) {
        let i = m * p.width + q;
        dx[i] = dy[i] * scale;
        sum += dy[i] * x[i];
    }
    ds[m] = sum;
}
