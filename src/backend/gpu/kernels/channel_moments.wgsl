// Per-channel mean and biased variance of x [n, c·w] into out [2, c] (means, then
// variances), one workgroup per channel: the mean first, then the mean squared deviation.

struct Params {
    rows: u32,
    channels: u32,
    width: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;

@compute @workgroup_size(CHANNEL_GROUP)
fn main(
    @builtin(local_invocation_index) t: u32,
    @builtin(workgroup_id) wid: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
) {
    let j = channel_of(wid, groups);
    if (j >= p.channels) {
        return;
    }
    let count = p.rows * p.width;
    var s = 0.0;
    for (var k = t; k < count; k += CHANNEL_GROUP) {
        s += x[channel_index(k, j, p.channels, p.width)];
    }
    let mean = workgroup_sum(t, vec2(s, 0.0)).x / f32(count);
    var d = 0.0;
    for (var k = t; k < count; k += CHANNEL_GROUP) {
        let v = x[channel_index(k, j, p.channels, p.width)] - mean;
        d += v * v;
    }
    let variance = workgroup_sum(t, vec2(d, 0.0)).x / f32(count);
    if (t == 0u) {
        out[j] = mean;
        out[p.channels + j] = variance;
    }
}
