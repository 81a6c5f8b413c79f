// Pooling backward, second pass, one thread per input pixel (pool_common.wgsl is
// prepended): dx gathers dy from every window covering the pixel, in (oi, oj) order,
// using the statistics of pool_stats.wgsl. MAX passes dy to the window's first argmax,
// AVG spreads it evenly, LOG_AVG_EXP weighs it by softmax((x − max)/t). No atomics, so
// the sums repeat bit for bit.

@group(0) @binding(3) var<storage, read> dy: array<f32>;
@group(0) @binding(4) var<storage, read> stats: array<f32>;
@group(0) @binding(5) var<storage, read_write> dx: array<f32>;

// The output positions [lo, hi) along one axis whose windows cover input position `at`.
fn covering(at: u32, pad: u32, k: u32, s: u32, out: u32) -> vec2<u32> {
    let a = at + pad;
    var lo = 0u;
    if (a + 1u > k) {
        lo = (a + 1u - k + s - 1u) / s;
    }
    return vec2(lo, min(a / s + 1u, out));
}

@compute @workgroup_size(ELEMENTWISE_GROUP)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let i = flat_index(gid, groups);
    if (i >= p.len) {
        return;
    }
    let plane = p.in_h * p.in_w;
    let q = i / plane;
    let pix = i % plane;
    let rows = covering(pix / p.in_w, p.pad_h, p.k_h, p.s_h, p.out_h);
    let cols = covering(pix % p.in_w, p.pad_w, p.k_w, p.s_w, p.out_w);
    let t = temperature();
    let v = x[i];
    var g = 0.0;
    for (var oi = rows.x; oi < rows.y; oi++) {
        for (var oj = cols.x; oj < cols.y; oj++) {
            let w = (q * p.out_h + oi) * p.out_w + oj;
            let pivot = stats[2u * w];
            let norm = stats[2u * w + 1u];
            if (p.op == MAX) {
                if (pivot == f32(pix)) {
                    g += dy[w];
                }
            } else if (p.op == AVG) {
                g += dy[w] / norm;
            } else {
                g += dy[w] * exp((v - pivot) / t) / norm;
            }
        }
    }
    dx[i] = g;
}
