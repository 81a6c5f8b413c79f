// im2col: out[(s·oh + i)·ow + j, (c·kh + ki)·kw + kj] = x[s, c·h·w + r·w + q] with
// (r, q) = (i·sh + ki − ph, j·sw + kj − pw), or 0 over the padding; one thread per output
// element. Placed after window.wgsl.

@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;

@compute @workgroup_size(ELEMENTWISE_GROUP)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let o = flat_index(gid, groups);
    if (o >= p.len) {
        return;
    }
    let row = o / cols_len();
    let col = o % cols_len();
    let j = row % p.out_w;
    let i = (row / p.out_w) % p.out_h;
    let s = row / (p.out_w * p.out_h);
    let kj = col % p.kernel_w;
    let ki = (col / p.kernel_w) % p.kernel_h;
    let c = col / (p.kernel_w * p.kernel_h);
    let r = i32(i * p.stride_h + ki) - i32(p.pad_h);
    let q = i32(j * p.stride_w + kj) - i32(p.pad_w);
    var v = 0.0;
    if (r >= 0 && r < i32(p.height) && q >= 0 && q < i32(p.width)) {
        v = x[s * image_len() + (c * p.height + u32(r)) * p.width + u32(q)];
    }
    out[o] = v;
}
