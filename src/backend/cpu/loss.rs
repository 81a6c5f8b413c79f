//! The reference formulas of the fused losses: one row's loss and its gradient with
//! respect to that row's logits (the caller averages over rows).

use super::scalar::{c, log_sum_exp, sigmoid, softplus};
use crate::backend::{LossOp, Real};

/// One row of logits with what every loss needs precomputed.
pub struct Row<'a, E> {
    pub z: &'a [E],
    /// softmax(z).
    pub p: &'a [E],
    /// max(z).
    pub max: E,
    /// log Σ exp(z).
    pub lse: E,
    pub label: usize,
    /// The teacher's logits, for distillation.
    pub teacher: Option<&'a [E]>,
}

/// `MseTarget`'s row: mean over outputs of (z − target)²; writes d(loss)/dz into `grad`.
pub fn mse_target<E: Real>(z: &[E], target: E, grad: &mut [E]) -> E {
    let k = E::from_f64(z.len() as f64);
    let mut sum = E::zero();
    for (g, &v) in grad.iter_mut().zip(z) {
        let d = v - target;
        sum = sum + d * d;
        *g = c::<E>(2.0) * d / k;
    }
    sum / k
}

/// The row's loss; writes d(loss)/dz into `grad`.
pub fn row<E: Real>(op: LossOp, r: &Row<E>, grad: &mut [E]) -> E {
    let (zero, one) = (E::zero(), E::one());
    let k = E::from_f64(r.z.len() as f64);
    let l = r.label;
    let onehot = |i: usize| if i == l { one } else { zero };
    let nll = r.lse - r.z[l];
    let pt = r.p[l];
    // 1 − p_t as a sum of the other probabilities: exact even when p_t rounds to 1.
    let others = r.p.iter().enumerate().filter(|&(i, _)| i != l).fold(zero, |s, (_, &v)| s + v);
    // For losses f(p_t) − log p_t: dL/dz_i = (p_i − δ_i)·(1 − f'(p_t)·p_t).
    let scaled_ce = |grad: &mut [E], factor: E| {
        for (i, g) in grad.iter_mut().enumerate() {
            *g = (r.p[i] - onehot(i)) * factor;
        }
    };
    match op {
        LossOp::CrossEntropy { smoothing, tamper } => {
            let a = E::from_f32(smoothing);
            let uniform = a / k;
            let total = r.z.iter().fold(zero, |s, &v| s + (r.lse - v));
            if tamper == 1.0 {
                for (i, g) in grad.iter_mut().enumerate() {
                    *g = r.p[i] - ((one - a) * onehot(i) + uniform);
                }
            } else {
                // p^τ / Σ p^τ = softmax(τ·z).
                let t = E::from_f32(tamper);
                let sum = r.z.iter().fold(zero, |s, &v| s + (t * (v - r.max)).det_exp());
                for (i, g) in grad.iter_mut().enumerate() {
                    *g = (t * (r.z[i] - r.max)).det_exp() / sum - ((one - a) * onehot(i) + uniform);
                }
            }
            (one - a) * nll + uniform * total
        }
        LossOp::Focal { gamma } => {
            let g = E::from_f32(gamma);
            let weight = others.det_powf(g);
            // γ·(1 − p_t)^(γ−1)·p_t·log p_t, which tends to 0 as p_t → 1.
            let slope = if gamma == 0.0 || others <= zero {
                zero
            } else {
                g * others.det_powf(g - one) * pt * (-nll)
            };
            for (i, gr) in grad.iter_mut().enumerate() {
                *gr = (slope - weight) * (onehot(i) - r.p[i]);
            }
            weight * nll
        }
        LossOp::Poly1 { epsilon } => {
            let e = E::from_f32(epsilon);
            scaled_ce(grad, one + e * pt);
            nll + e * others
        }
        LossOp::Encouraging { log_end } => {
            let end = E::from_f32(log_end);
            let (bonus, dbonus) = if pt > end {
                ((pt - end) / (end - one) + (one - end).det_ln(), one / (end - one))
            } else {
                let floor = c::<E>(1e-5);
                if others > floor {
                    (others.det_ln(), -one / others)
                } else {
                    (floor.det_ln(), zero)
                }
            };
            scaled_ce(grad, one - dbonus * pt);
            nll + bonus
        }
        LossOp::Mse => {
            let mut sum = zero;
            for (i, g) in grad.iter_mut().enumerate() {
                let d = r.z[i] - onehot(i);
                sum = sum + d * d;
                *g = c::<E>(2.0) * d / k;
            }
            sum / k
        }
        LossOp::BinaryCe => {
            let mut sum = zero;
            for (i, g) in grad.iter_mut().enumerate() {
                sum = sum + softplus(r.z[i]) - r.z[i] * onehot(i);
                *g = (sigmoid(r.z[i]) - onehot(i)) / k;
            }
            sum / k
        }
        LossOp::Distillation { beta, temperature } => {
            let teacher = r.teacher.expect("distillation needs teacher logits");
            let (b, t) = (E::from_f32(beta), E::from_f32(temperature));
            let student: Vec<E> = r.z.iter().map(|&v| v / t).collect();
            let soft: Vec<E> = teacher.iter().map(|&v| v / t).collect();
            let (lse_s, lse_t) = (log_sum_exp(&student), log_sum_exp(&soft));
            let mut kl = zero;
            for (i, g) in grad.iter_mut().enumerate() {
                let (log_qs, log_qt) = (student[i] - lse_s, soft[i] - lse_t);
                let qt = log_qt.det_exp();
                kl = kl + qt * (log_qt - log_qs);
                *g = (one - b) * (r.p[i] - onehot(i)) + b * t * (log_qs.det_exp() - qt);
            }
            (one - b) * nll + b * t * t * kl
        }
        LossOp::MseTarget => unreachable!("regression rows have a target, not a label: see mse_target"),
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;
    use crate::backend::cpu::CpuBackend;
    use crate::backend::{Backend, LossOp};
    use crate::rng::{Rng, Stream};
    use ndarray::Array2;

    type Be = CpuBackend<f64>;

    fn random(shape: [usize; 2], salt: u32, scale: f32) -> Array2<f64> {
        let r = Rng::new(salt, Stream::Init);
        Array2::from_shape_fn(shape, |(i, j)| r.uniform_in((i * shape[1] + j) as u32, -scale, scale) as f64)
    }

    fn labels(rows: usize, classes: usize) -> Array2<f64> {
        Array2::from_shape_fn((rows, 1), |(i, _)| ((i * 7 + 3) % classes) as f64)
    }

    const OPS: [LossOp; 13] = [
        LossOp::CROSS_ENTROPY,
        LossOp::CrossEntropy { smoothing: 0.1, tamper: 1.0 },
        LossOp::Focal { gamma: 0.0 },
        LossOp::Focal { gamma: 2.0 },
        LossOp::Focal { gamma: 0.5 },
        LossOp::Poly1 { epsilon: 1.0 },
        LossOp::Encouraging { log_end: 0.75 },
        LossOp::Encouraging { log_end: 1.0 },
        LossOp::Mse,
        LossOp::BinaryCe,
        LossOp::Distillation { beta: 0.5, temperature: 2.0 },
        LossOp::Distillation { beta: 0.3, temperature: 0.7 },
        LossOp::MseTarget,
    ];

    fn teacher_for(op: LossOp, shape: [usize; 2]) -> Option<Array2<f64>> {
        matches!(op, LossOp::Distillation { .. }).then(|| random(shape, 99, 3.0))
    }

    /// Central differences of the mean loss against the fused gradient, for every loss,
    /// on logits wide enough that some rows have p_t above the encouraging loss's log_end.
    #[test]
    fn every_gradient_matches_central_differences() {
        let be = Be::new();
        let mut report = Vec::new();
        for op in OPS {
            let shape = [9, 5];
            let mut z = random(shape, 1, 4.0);
            let y = labels(9, 5);
            for r in 0..3 {
                z[[r, (r * 7 + 3) % 5]] += 6.0; // confident and correct: p_t > 0.75
            }
            let teacher = teacher_for(op, shape);
            let grad = be.loss(op, &z, &y, teacher.as_ref()).grad;
            let h = 1e-6;
            let mut worst = 0.0f64;
            for idx in 0..z.len() {
                let (r, col) = (idx / 5, idx % 5);
                let orig = z[[r, col]];
                z[[r, col]] = orig + h;
                let plus = be.loss(op, &z, &y, teacher.as_ref()).loss[[0, 0]];
                z[[r, col]] = orig - h;
                let minus = be.loss(op, &z, &y, teacher.as_ref()).loss[[0, 0]];
                z[[r, col]] = orig;
                let numeric = (plus - minus) / (2.0 * h);
                worst = worst.max((grad[[r, col]] - numeric).abs());
            }
            report.push(format!("{op:?}: {worst:.1e}"));
            assert!(worst < 1e-8, "{op:?}: worst error {worst:e}");
        }
        println!("loss gradient checks:\n  {}", report.join("\n  "));
    }

    fn close(a: &Array2<f64>, b: &Array2<f64>, tol: f64) {
        for (x, y) in a.iter().zip(b) {
            assert!((x - y).abs() <= tol, "{x} vs {y}");
        }
    }

    #[test]
    fn special_cases_reduce_to_cross_entropy() {
        let be = Be::new();
        let (z, y) = (random([6, 4], 2, 3.0), labels(6, 4));
        let ce = be.softmax_cross_entropy(&z, &y);
        for op in [
            LossOp::CrossEntropy { smoothing: 0.0, tamper: 1.0 },
            LossOp::Focal { gamma: 0.0 },
            LossOp::Poly1 { epsilon: 0.0 },
            LossOp::Distillation { beta: 0.0, temperature: 3.0 },
        ] {
            let out = be.loss(op, &z, &y, teacher_for(op, [6, 4]).as_ref());
            close(&out.loss, &ce.loss, 1e-14);
            close(&out.grad, &ce.grad, 1e-15);
            assert_eq!(out.correct, ce.correct);
        }
        // Tampering leaves the loss alone; at power 1 (here the next f32 above 1, so
        // that the tampering path runs) it leaves the gradient alone too.
        let t1 = be.loss(LossOp::CrossEntropy { smoothing: 0.0, tamper: 1.0 + f32::EPSILON }, &z, &y, None);
        close(&t1.loss, &ce.loss, 0.0);
        close(&t1.grad, &ce.grad, 1e-7);
        // At power τ the gradient is softmax(τ·z) − onehot, averaged over rows.
        let t2 = be.loss(LossOp::CrossEntropy { smoothing: 0.0, tamper: 0.5 }, &z, &y, None);
        close(&t2.loss, &ce.loss, 0.0);
        let mut want = be.softmax(&(&z * 0.5));
        for r in 0..6 {
            want[[r, y[[r, 0]] as usize]] -= 1.0;
        }
        close(&t2.grad, &(want / 6.0), 1e-15);
        // Distilling from a teacher identical to the student leaves only the CE part.
        let d = be.loss(LossOp::Distillation { beta: 0.25, temperature: 2.0 }, &z, &y, Some(&z));
        close(&d.loss, &(&ce.loss * 0.75), 1e-14);
        close(&d.grad, &(&ce.grad * 0.75), 1e-15);
    }

    /// Each loss against its definition written out with explicit probabilities.
    #[test]
    fn values_match_the_definitions() {
        let be = Be::new();
        let (z, y) = (random([5, 3], 3, 3.0), labels(5, 3));
        let mut z = z;
        z[[0, y[[0, 0]] as usize]] += 8.0; // p_t > 0.75 in row 0
        let p = be.softmax(&z);
        let mean = |f: &dyn Fn(usize, usize) -> f64| (0..5).map(|r| f(r, y[[r, 0]] as usize)).sum::<f64>() / 5.0;
        let value = |op: LossOp| be.loss(op, &z, &y, None).loss[[0, 0]];
        let eq = |a: f64, b: f64| assert!((a - b).abs() < 1e-12, "{a} vs {b}");

        let alpha = 0.2;
        eq(
            value(LossOp::CrossEntropy { smoothing: alpha as f32, tamper: 1.0 }),
            mean(&|r, l| {
                -(0..3)
                    .map(|c| ((1.0 - alpha as f32 as f64) * (c == l) as u8 as f64 + alpha as f32 as f64 / 3.0) * p[[r, c]].ln())
                    .sum::<f64>()
            }),
        );
        eq(value(LossOp::Focal { gamma: 2.0 }), mean(&|r, l| -(1.0 - p[[r, l]]).powi(2) * p[[r, l]].ln()));
        eq(value(LossOp::Poly1 { epsilon: 2.0 }), mean(&|r, l| -p[[r, l]].ln() + 2.0 * (1.0 - p[[r, l]])));
        let end = 0.75f64;
        let bonus = |pt: f64| if pt > end { (pt - end) / (end - 1.0) + (1.0 - end).ln() } else { (1.0 - pt).max(1e-5).ln() };
        assert!(p[[0, y[[0, 0]] as usize]] > end);
        eq(value(LossOp::Encouraging { log_end: 0.75 }), mean(&|r, l| -p[[r, l]].ln() + bonus(p[[r, l]])));
        eq(
            value(LossOp::Mse),
            mean(&|r, l| (0..3).map(|c| (z[[r, c]] - (c == l) as u8 as f64).powi(2)).sum::<f64>() / 3.0),
        );
        eq(
            value(LossOp::BinaryCe),
            mean(&|r, l| {
                (0..3)
                    .map(|c| {
                        let s = 1.0 / (1.0 + (-z[[r, c]]).exp());
                        if c == l { -s.ln() } else { -(1.0 - s).ln() }
                    })
                    .sum::<f64>()
                    / 3.0
            }),
        );
        let teacher = random([5, 3], 4, 3.0);
        let (t, b) = (2.0, 0.25);
        let qs = be.softmax(&(&z / t));
        let qt = be.softmax(&(&teacher / t));
        eq(
            be.loss(LossOp::Distillation { beta: b as f32, temperature: t as f32 }, &z, &y, Some(&teacher)).loss[[0, 0]],
            mean(&|r, l| {
                let kl: f64 = (0..3).map(|c| qt[[r, c]] * (qt[[r, c]] / qs[[r, c]]).ln()).sum();
                -(1.0 - b) * p[[r, l]].ln() + b * t * t * kl
            }),
        );
    }

    #[test]
    fn regression_targets_are_compared_with_every_output() {
        let be = Be::new();
        let z = Array2::from_shape_vec((3, 2), vec![1.0, 2.0, -0.5, 0.0, 3.0, 3.0]).unwrap();
        let t = Array2::from_shape_vec((3, 1), vec![0.5, -0.25, 3.0]).unwrap();
        let out = be.loss(LossOp::MseTarget, &z, &t, None);
        let want = ((0.25 + 2.25) / 2.0 + (0.0625 + 0.0625) / 2.0 + 0.0) / 3.0;
        assert!((out.loss[[0, 0]] - want).abs() < 1e-15);
        assert_eq!(out.correct[[0, 0]], 0.0);
        close(&out.grad, &Array2::from_shape_vec((3, 2), vec![0.5, 1.5, -0.25, 0.25, 0.0, 0.0]).unwrap().mapv(|v| v / 3.0), 1e-15);
    }

    #[test]
    fn losses_stay_finite_for_huge_logits() {
        let be = CpuBackend::<f32>::new();
        let z = Array2::from_shape_vec((2, 3), vec![1000.0f32, 999.0, -1000.0, -1000.0, 0.0, 1000.0]).unwrap();
        let y = Array2::from_shape_vec((2, 1), vec![0.0f32, 2.0]).unwrap();
        for op in OPS {
            let teacher = matches!(op, LossOp::Distillation { .. }).then(|| z.clone());
            let out = be.loss(op, &z, &y, teacher.as_ref());
            assert!(out.loss[[0, 0]].is_finite() && out.grad.iter().all(|g| g.is_finite()), "{op:?}");
        }
    }
}
