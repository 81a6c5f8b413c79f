// PReLU backward, one thread per column walking the rows in order: dx = dy where x > 0
// and dy·slope elsewhere; dslope[c] = Σ_r dy·x over the rows where x ≤ 0.

struct Params {
    rows: u32,
    cols: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> slope: array<f32>;
@group(0) @binding(3) var<storage, read> dy: array<f32>;
@group(0) @binding(4) var<storage, read_write> dx: array<f32>;
@group(0) @binding(5) var<storage, read_write> dslope: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let c = gid.y * groups.x * 64u + gid.x;
    if (c >= p.cols) {
        return;
    }
    let a = slope[c];
    var sum = 0.0;
    for (var r = 0u; r < p.rows; r++) {
        let i = r * p.cols + c;
        let v = x[i];
        if (v > 0.0) {
            dx[i] = dy[i];
        } else {
            dx[i] = dy[i] * a;
            sum += dy[i] * v;
        }
    }
    dslope[c] = sum;
}
