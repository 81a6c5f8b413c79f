// col2im, the adjoint of im2col, as a gather: one thread per input pixel sums the column
// entries that read it, taps from the last to the first (= output positions in order, the
// CPU's order), so no two threads write one element and the sum is deterministic.
// Placed after window.wgsl.

@group(0) @binding(1) var<storage, read> cols: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;

// The output position whose window has tap k at input coordinate `at` (padded by `pad`),
// or -1 if there is none.
fn position(at: u32, pad: u32, k: u32, stride: u32, count: u32) -> i32 {
    let a = i32(at + pad) - i32(k);
    if (a < 0 || a % i32(stride) != 0 || a / i32(stride) >= i32(count)) {
        return -1;
    }
    return a / i32(stride);
}

@compute @workgroup_size(ELEMENTWISE_GROUP)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let t = flat_index(gid, groups);
    if (t >= p.len) {
        return;
    }
    let q = t % p.width;
    let r = (t / p.width) % p.height;
    let c = (t / (p.width * p.height)) % p.channels;
    let s = t / image_len();
    var sum = 0.0;
    for (var ki = p.kernel_h; ki > 0u; ki--) {
        let i = position(r, p.pad_h, ki - 1u, p.stride_h, p.out_h);
        if (i < 0) {
            continue;
        }
        for (var kj = p.kernel_w; kj > 0u; kj--) {
            let j = position(q, p.pad_w, kj - 1u, p.stride_w, p.out_w);
            if (j < 0) {
                continue;
            }
            let row = (s * p.out_h + u32(i)) * p.out_w + u32(j);
            sum += cols[row * cols_len() + (c * p.kernel_h + ki - 1u) * p.kernel_w + kj - 1u];
        }
    }
    out[t] = sum;
}
