// The fused optimiser update, in place, one thread per element: the global-norm clip
// scale, L1/L2 terms, then the rule picked by `mode` (the order of
// backend::UpdateRule; its CPU twin is ElementRule::apply in backend/optim.rs).

struct Params {
    len: u32,
    mode: u32,
    clip: u32, // 1 when `clip_norm` and `norm_sq` are live
    pad: u32,
    lr: f32,
    momentum: f32,
    beta1: f32,
    beta2: f32,
    epsilon: f32,
    bc1: f32,
    bc2: f32,
    decay: f32,
    l1: f32,
    l2: f32,
    clip_norm: f32,
    pad2: f32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read_write> param: array<f32>;
@group(0) @binding(2) var<storage, read> grad: array<f32>;
@group(0) @binding(3) var<storage, read_write> m: array<f32>;
@group(0) @binding(4) var<storage, read_write> v: array<f32>;
@group(0) @binding(5) var<storage, read> norm_sq: array<f32>;

const SGD: u32 = 0u;
const MOMENTUM: u32 = 1u;
const NESTEROV: u32 = 2u;
const ADAMW: u32 = 4u;

@compute @workgroup_size(ELEMENTWISE_GROUP)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let i = flat_index(gid, groups);
    if (i >= p.len) {
        return;
    }
    var scale = 1.0;
    if (p.clip == 1u) {
        scale = min(p.clip_norm / (sqrt(norm_sq[0]) + 1e-6), 1.0);
    }
    var w = param[i];
    let g = grad[i] * scale + p.l2 * w + p.l1 * sign(w);
    if (p.mode == SGD) {
        w -= p.lr * g;
    } else if (p.mode == MOMENTUM || p.mode == NESTEROV) {
        let vel = p.momentum * m[i] + g;
        m[i] = vel;
        if (p.mode == NESTEROV) {
            w -= p.lr * (g + p.momentum * vel);
        } else {
            w -= p.lr * vel;
        }
    } else {
        if (p.mode == ADAMW) {
            w *= 1.0 - p.lr * p.decay;
        }
        let m1 = p.beta1 * m[i] + (1.0 - p.beta1) * g;
        let v1 = p.beta2 * v[i] + (1.0 - p.beta2) * g * g;
        m[i] = m1;
        v[i] = v1;
        w -= p.lr * (m1 / p.bc1) / (sqrt(v1 / p.bc2) + p.epsilon);
    }
    param[i] = w;
}
