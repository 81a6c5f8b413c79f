// Shared by the per-channel reductions (prepended after the prelude): one workgroup per
// channel j of an [n, c·w] tensor, each thread striding over the channel's n·w values,
// partial sums combined by a fixed-order tree in workgroup memory, so results repeat bit
// for bit.

const CHANNEL_GROUP: u32 = 64u;

var<workgroup> partial: array<vec2<f32>, CHANNEL_GROUP>;

// The channel a workgroup reduces (dispatches fold past the per-dimension limit).
fn channel_of(wid: vec3<u32>, groups: vec3<u32>) -> u32 {
    return wid.y * groups.x + wid.x;
}

// The flat index of the k-th value (row-major) of channel j, with `channels` channels of
// `width` values per row.
fn channel_index(k: u32, j: u32, channels: u32, width: u32) -> u32 {
    let r = k / width;
    return (r * channels + j) * width + (k - r * width);
}

// The workgroup's total of every thread's v, returned to every thread. Call it in uniform
// control flow.
fn workgroup_sum(t: u32, v: vec2<f32>) -> vec2<f32> {
    partial[t] = v;
    workgroupBarrier();
    for (var stride = CHANNEL_GROUP / 2u; stride > 0u; stride >>= 1u) {
        if (t < stride) {
            partial[t] += partial[t + stride];
        }
        workgroupBarrier();
    }
    let total = partial[0];
    workgroupBarrier();
    return total;
}
