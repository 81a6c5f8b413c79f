// Batch-norm backward, one workgroup per channel: dbeta = Σ dy and dgamma = Σ dy·x̂ over
// the channel, then dx = γ/√(var + eps)·(dy − dbeta/count − x̂·dgamma/count) with batch
// statistics (training), or γ/√(var + eps)·dy with fixed ones (eval).

struct Params {
    rows: u32,
    channels: u32,
    width: u32,
    batch_stats: u32,
    eps: f32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> moments: array<f32>;
@group(0) @binding(3) var<storage, read> gamma: array<f32>;
@group(0) @binding(4) var<storage, read> dy: array<f32>;
@group(0) @binding(5) var<storage, read_write> dx: array<f32>;
@group(0) @binding(6) var<storage, read_write> dgamma: array<f32>;
@group(0) @binding(7) var<storage, read_write> dbeta: array<f32>;

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
    let mean = moments[j];
    let inv = 1.0 / sqrt(moments[p.channels + j] + p.eps);
    var s = vec2(0.0);
    for (var k = t; k < count; k += CHANNEL_GROUP) {
        let i = channel_index(k, j, p.channels, p.width);
        s += vec2(dy[i], dy[i] * (x[i] - mean) * inv);
    }
    let sums = workgroup_sum(t, s);
    if (t == 0u) {
        dbeta[j] = sums.x;
        dgamma[j] = sums.y;
    }
    let scale = gamma[j] * inv;
    let n = f32(count);
    for (var k = t; k < count; k += CHANNEL_GROUP) {
        let i = channel_index(k, j, p.channels, p.width);
        if (p.batch_stats == 1u) {
            dx[i] = scale * (dy[i] - sums.x / n - (x[i] - mean) * inv * (sums.y / n));
        } else {
            dx[i] = scale * dy[i];
        }
    }
}
