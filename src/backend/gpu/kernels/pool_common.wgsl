// Shared by the pooling kernels (pool.wgsl, pool_stats.wgsl, pool_backward.wgsl): the
// uniform block, the input bindings, the window geometry and the scan of one window,
// mirroring backend/cpu/pool.rs.

struct Params {
    // Work items of this dispatch.
    len: u32,
    // MAX, AVG or LOG_AVG_EXP.
    op: u32,
    // Output windows over the batch, n·c·oh·ow.
    windows: u32,
    in_h: u32,
    in_w: u32,
    out_h: u32,
    out_w: u32,
    k_h: u32,
    k_w: u32,
    s_h: u32,
    s_w: u32,
    pad_h: u32,
    pad_w: u32,
}

const MAX: u32 = 0u;
const AVG: u32 = 1u;
const LOG_AVG_EXP: u32 = 2u;

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
// The [1, 1] log-temperature for LOG_AVG_EXP; any buffer fills the slot for the others.
@group(0) @binding(2) var<storage, read> log_t: array<f32>;

fn temperature() -> f32 {
    if (p.op == LOG_AVG_EXP) {
        return exp(log_t[0]);
    }
    return 1.0;
}

// Window w's pixels: rows [r0, r1) and columns [c0, c1) of the image plane starting at
// x[base], the padding clipped away (every window keeps at least one pixel).
struct Span {
    base: u32,
    r0: u32,
    r1: u32,
    c0: u32,
    c1: u32,
}

fn span(w: u32) -> Span {
    let per_plane = p.out_h * p.out_w;
    let o = w % per_plane;
    // The window's corner in padded coordinates.
    let top = (o / p.out_w) * p.s_h;
    let left = (o % p.out_w) * p.s_w;
    return Span(
        (w / per_plane) * p.in_h * p.in_w,
        max(top, p.pad_h) - p.pad_h,
        min(top + p.k_h, p.pad_h + p.in_h) - p.pad_h,
        max(left, p.pad_w) - p.pad_w,
        min(left + p.k_w, p.pad_w + p.in_w) - p.pad_w,
    );
}

struct Scan {
    // The maximum, and the in-plane index (r·W + c) of its first occurrence.
    max: f32,
    arg: u32,
    count: f32,
    // Σ x for AVG; Σ e with e = exp((x − max)/t) for LOG_AVG_EXP; zero for MAX.
    total: f32,
    // Σ e·(x − max) for LOG_AVG_EXP; zero otherwise.
    moment: f32,
}

// Scans the window in row-major order, as the CPU does.
fn scan(s: Span, t: f32) -> Scan {
    var m = x[s.base + s.r0 * p.in_w + s.c0];
    var arg = s.r0 * p.in_w + s.c0;
    for (var r = s.r0; r < s.r1; r++) {
        for (var c = s.c0; c < s.c1; c++) {
            let i = r * p.in_w + c;
            let v = x[s.base + i];
            if (v > m) {
                m = v;
                arg = i;
            }
        }
    }
    var total = 0.0;
    var moment = 0.0;
    if (p.op != MAX) {
        for (var r = s.r0; r < s.r1; r++) {
            for (var c = s.c0; c < s.c1; c++) {
                let v = x[s.base + r * p.in_w + c];
                if (p.op == AVG) {
                    total += v;
                } else {
                    let e = exp((v - m) / t);
                    total += e;
                    moment += e * (v - m);
                }
            }
        }
    }
    return Scan(m, arg, f32((s.r1 - s.r0) * (s.c1 - s.c0)), total, moment);
}

// The pooled value of a scanned window.
fn value(s: Scan, t: f32) -> f32 {
    if (p.op == MAX) {
        return s.max;
    }
    if (p.op == AVG) {
        return s.total / s.count;
    }
    return s.max + t * log(s.total / s.count);
}
