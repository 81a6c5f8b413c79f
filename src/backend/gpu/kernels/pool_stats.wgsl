// Pooling backward, first pass, one thread per output window (pool_common.wgsl is
// prepended): the statistics the dx gather needs, stats[2w] = the argmax's in-plane
// index (MAX) or the maximum (LOG_AVG_EXP) and stats[2w + 1] = the window's size (AVG)
// or Σ exp((x − max)/t) (LOG_AVG_EXP); and for LOG_AVG_EXP the window's dlog_t term
// terms[w] = dy·(y − Σ softmax·x), with zeros past the last window filling the rows of
// the fixed-order sum.

@group(0) @binding(3) var<storage, read> y: array<f32>;
@group(0) @binding(4) var<storage, read> dy: array<f32>;
@group(0) @binding(5) var<storage, read_write> stats: array<f32>;
@group(0) @binding(6) var<storage, read_write> terms: array<f32>;

@compute @workgroup_size(ELEMENTWISE_GROUP)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let w = flat_index(gid, groups);
    if (w >= p.len) {
        return;
    }
    if (w >= p.windows) {
        terms[w] = 0.0;
        return;
    }
    let t = temperature();
    let s = scan(span(w), t);
    let lae = p.op == LOG_AVG_EXP;
    stats[2u * w] = select(s.max, f32(s.arg), p.op == MAX);
    stats[2u * w + 1u] = select(s.count, s.total, lae);
    if (lae) {
        // t·∂y/∂t, shifted by the max for accuracy.
        terms[w] = dy[w] * ((y[w] - s.max) - s.moment / s.total);
    }
}
