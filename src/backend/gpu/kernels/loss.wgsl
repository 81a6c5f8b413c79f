// Fused losses against class indices stored as f32, in one workgroup (the prelude is
// prepended). `kind` picks the loss (the order of LossOp; a and b are its parameters);
// each thread handles rows t, t + 256, … and writes their gradient (d row loss / dz) / n;
// a tree reduction then gives the mean loss and the number of rows whose first maximal
// logit is the label. Kind 7 (MseTarget, regression) reads `labels` as real targets and
// counts nothing. `teacher` is only read by distillation (other losses bind the logits there).

struct Params {
    rows: u32,
    cols: u32,
    kind: u32,
    a: f32,
    b: f32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> z: array<f32>;
@group(0) @binding(2) var<storage, read> labels: array<f32>;
@group(0) @binding(3) var<storage, read> teacher: array<f32>;
@group(0) @binding(4) var<storage, read_write> grad: array<f32>;
@group(0) @binding(5) var<storage, read_write> loss: array<f32>;
@group(0) @binding(6) var<storage, read_write> correct: array<f32>;

const THREADS: u32 = 256u;

var<workgroup> part_loss: array<f32, THREADS>;
var<workgroup> part_correct: array<f32, THREADS>;

// Writes (p − onehot)·factor · inv_n: the gradient of every loss of the form f(p_t) − log p_t.
fn scaled_ce(base: u32, label: u32, best: f32, sum: f32, factor: f32, inv_n: f32) {
    for (var c = 0u; c < p.cols; c++) {
        let onehot = select(0.0, 1.0, c == label);
        grad[base + c] = (exp(z[base + c] - best) / sum - onehot) * factor * inv_n;
    }
}

// The loss of row r; writes its gradient scaled by inv_n.
fn row_loss(r: u32, best: f32, sum: f32, inv_n: f32) -> f32 {
    let base = r * p.cols;
    let label = u32(labels[r]);
    let k = f32(p.cols);
    let lse = best + log(sum);
    let nll = lse - z[base + label];
    let pt = exp(z[base + label] - best) / sum;
    var others = 0.0;
    for (var c = 0u; c < p.cols; c++) {
        if (c != label) {
            others += exp(z[base + c] - best) / sum;
        }
    }
    switch p.kind {
        case 0u: { // cross entropy
            // a = smoothing, b = tampering power: the gradient uses softmax(b·z).
            var total = 0.0;
            var tsum = 0.0;
            for (var c = 0u; c < p.cols; c++) {
                total += lse - z[base + c];
                tsum += exp(p.b * (z[base + c] - best));
            }
            for (var c = 0u; c < p.cols; c++) {
                let soft_y = (1.0 - p.a) * select(0.0, 1.0, c == label) + p.a / k;
                grad[base + c] = (exp(p.b * (z[base + c] - best)) / tsum - soft_y) * inv_n;
            }
            return (1.0 - p.a) * nll + p.a / k * total;
        }
        case 1u: { // focal
            let g = p.a;
            var weight = 1.0;
            var slope = 0.0;
            if (g != 0.0) {
                weight = select(0.0, pow(others, g), others > 0.0);
                slope = select(0.0, g * pow(others, g - 1.0) * pt * -nll, others > 0.0);
            }
            scaled_ce(base, label, best, sum, weight - slope, inv_n);
            return weight * nll;
        }
        case 2u: { // poly1
            scaled_ce(base, label, best, sum, 1.0 + p.a * pt, inv_n);
            return nll + p.a * others;
        }
        case 3u: { // encouraging
            let end = p.a;
            var bonus = log(1e-5);
            var dbonus = 0.0;
            if (pt > end) {
                bonus = (pt - end) / (end - 1.0) + log(1.0 - end);
                dbonus = 1.0 / (end - 1.0);
            } else if (others > 1e-5) {
                bonus = log(others);
                dbonus = -1.0 / others;
            }
            scaled_ce(base, label, best, sum, 1.0 - dbonus * pt, inv_n);
            return nll + bonus;
        }
        case 4u: { // mse
            var total = 0.0;
            for (var c = 0u; c < p.cols; c++) {
                let d = z[base + c] - select(0.0, 1.0, c == label);
                total += d * d;
                grad[base + c] = 2.0 * d / k * inv_n;
            }
            return total / k;
        }
        case 5u: { // binary ce
            var total = 0.0;
            for (var c = 0u; c < p.cols; c++) {
                let v = z[base + c];
                let y = select(0.0, 1.0, c == label);
                total += softplus(v) - v * y;
                grad[base + c] = (sigmoid(v) - y) / k * inv_n;
            }
            return total / k;
        }
        default: {
            // Distillation: a = β, b = T.
            let t = p.b;
            var tbest = teacher[base];
            for (var c = 1u; c < p.cols; c++) {
                tbest = max(tbest, teacher[base + c]);
            }
            var ssum = 0.0;
            var tsum = 0.0;
            for (var c = 0u; c < p.cols; c++) {
                ssum += exp((z[base + c] - best) / t);
                tsum += exp((teacher[base + c] - tbest) / t);
            }
            var kl = 0.0;
            for (var c = 0u; c < p.cols; c++) {
                let log_qs = (z[base + c] - best) / t - log(ssum);
                let log_qt = (teacher[base + c] - tbest) / t - log(tsum);
                let qt = exp(log_qt);
                kl += qt * (log_qt - log_qs);
                let ce = exp(z[base + c] - best) / sum - select(0.0, 1.0, c == label);
                grad[base + c] = ((1.0 - p.a) * ce + p.a * t * (exp(log_qs) - qt)) * inv_n;
            }
            return (1.0 - p.a) * nll + p.a * t * t * kl;
        }
    }
}

// Regression: the mean over outputs of (z − target)² for row r; writes its gradient scaled by inv_n.
fn target_row_loss(r: u32, inv_n: f32) -> f32 {
    let base = r * p.cols;
    let k = f32(p.cols);
    var total = 0.0;
    for (var c = 0u; c < p.cols; c++) {
        let d = z[base + c] - labels[r];
        total += d * d;
        grad[base + c] = 2.0 * d / k * inv_n;
    }
    return total / k;
}

@compute @workgroup_size(256)
fn main(@builtin(local_invocation_index) t: u32) {
    let inv_n = 1.0 / f32(p.rows);
    var my_loss = 0.0;
    var my_correct = 0.0;
    for (var r = t; r < p.rows; r += THREADS) {
        if (p.kind == 7u) {
            my_loss += target_row_loss(r, inv_n);
            continue;
        }
        let base = r * p.cols;
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
        my_loss += row_loss(r, best, sum, inv_n);
        if (best_i == u32(labels[r])) {
            my_correct += 1.0;
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
