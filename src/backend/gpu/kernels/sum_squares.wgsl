// acc[0] = Σ x² (+ acc[0] when accumulating): one workgroup, each thread summing a
// stride of the tensor, then a tree reduction in workgroup memory.

struct Params {
    len: u32,
    accumulate: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> acc: array<f32>;

var<workgroup> partial: array<f32, 256>;

@compute @workgroup_size(256)
fn main(@builtin(local_invocation_index) t: u32) {
    var s = 0.0;
    for (var i = t; i < p.len; i += 256u) {
        let v = x[i];
        s += v * v;
    }
    partial[t] = s;
    workgroupBarrier();
    for (var stride = 128u; stride > 0u; stride >>= 1u) {
        if (t < stride) {
            partial[t] += partial[t + stride];
        }
        workgroupBarrier();
    }
    if (t == 0u) {
        var start = 0.0;
        if (p.accumulate == 1u) {
            start = acc[0];
        }
        acc[0] = start + partial[0];
    }
}
