// Fused softmax cross-entropy against class indices stored as f32, in one workgroup:
// each thread handles rows t, t + 256, … and writes their gradient (p − onehot) / n;
// a tree reduction then gives the mean loss and the number of rows whose first
// maximal logit is the label.

struct Params {
    rows: u32,
    cols: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> z: array<f32>;
@group(0) @binding(2) var<storage, read> labels: array<f32>;
@group(0) @binding(3) var<storage, read_write> grad: array<f32>;
@group(0) @binding(4) var<storage, read_write> loss: array<f32>;
@group(0) @binding(5) var<storage, read_write> correct: array<f32>;

const THREADS: u32 = 256u;

var<workgroup> part_loss: array<f32, THREADS>;
var<workgroup> part_correct: array<f32, THREADS>;

@compute @workgroup_size(256)
fn main(@builtin(local_invocation_index) t: u32) {
    let inv_n = 1.0 / f32(p.rows);
    var my_loss = 0.0;
    var my_correct = 0.0;
    for (var r = t; r < p.rows; r += THREADS) {
        let base = r * p.cols;
        let label = u32(labels[r]);
        var best = z[base];
        var best_i = 0u;
        for (var c = 1u; c < p.cols; c++) {
            if (z[base + c] > best) {
                best = z[base + c];
                best_i = c;
            }
        }
        var sum = 0.0;
        for (var c = 0u; c < p.cols; c++) {
            sum += exp(z[base + c] - best);
        }
        my_loss += best + log(sum) - z[base + label];
        if (best_i == label) {
            my_correct += 1.0;
        }
        for (var c = 0u; c < p.cols; c++) {
            let onehot = select(0.0, 1.0, c == label);
            grad[base + c] = (exp(z[base + c] - best) / sum - onehot) * inv_n;
        }
    }
    part_loss[t] = my_loss;
    part_correct[t] = my_correct;
    workgroupBarrier();
    for (var width = THREADS / 2u; width > 0u; width /= 2u) {
        if (t < width) {
            part_loss[t] += part_loss[t + width];
            part_correct[t] += part_correct[t + width];
        }
        workgroupBarrier();
    }
    if (t == 0u) {
        loss[0] = part_loss[0] * inv_n;
        correct[0] = part_correct[0];
    }
}
