//! The learning rate at a step: linear warm-up, then a constant, step or cosine schedule.
//! A pure function of the spec and the step index, evaluated on the CPU once per step.

use crate::spec::{Schedule, TrainingSpec};

/// The learning rate for 0-based step `t`. During warm-up (t < W) it is lr·(t+1)/W; the
/// schedule then runs on the steps after warm-up.
pub fn learning_rate(spec: &TrainingSpec, t: u64) -> f32 {
    let lr = spec.learning_rate;
    let warm = spec.warmup_steps as u64;
    if t < warm {
        return (lr as f64 * (t + 1) as f64 / warm as f64) as f32;
    }
    let t = t - warm;
    match spec.schedule {
        Schedule::Constant => lr,
        Schedule::Step { every, gamma } => (lr as f64 * libm::pow(gamma as f64, (t / every as u64) as f64)) as f32,
        Schedule::Cosine { steps, min_lr } => {
            let progress = t.min(steps as u64) as f64 / steps as f64;
            let (lr, min_lr) = (lr as f64, min_lr as f64);
            (min_lr + (lr - min_lr) * 0.5 * (1.0 + libm::cos(std::f64::consts::PI * progress))) as f32
        }
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;
    use super::*;
    use crate::spec::ExperimentSpec;

    fn spec(schedule: Schedule, warmup_steps: u32) -> TrainingSpec {
        TrainingSpec { learning_rate: 0.1, schedule, warmup_steps, ..ExperimentSpec::default().training }
    }

    fn close(a: f32, b: f64) -> bool {
        (a as f64 - b).abs() < 1e-7
    }

    #[test]
    fn constant_is_the_learning_rate_bit_for_bit() {
        let s = spec(Schedule::Constant, 0);
        for t in [0, 1, 1000, u64::MAX] {
            assert_eq!(learning_rate(&s, t).to_bits(), 0.1f32.to_bits());
        }
    }

    #[test]
    fn step_decays_every_n_steps() {
        let s = spec(Schedule::Step { every: 10, gamma: 0.5 }, 0);
        let want = [(0, 0.1), (9, 0.1), (10, 0.05), (19, 0.05), (20, 0.025), (35, 0.0125)];
        for (t, lr) in want {
            assert!(close(learning_rate(&s, t), lr), "step {t}: {}", learning_rate(&s, t));
        }
    }

    #[test]
    fn cosine_runs_from_lr_to_the_minimum() {
        let s = spec(Schedule::Cosine { steps: 100, min_lr: 0.01 }, 0);
        let want = [(0, 0.1), (50, 0.055), (100, 0.01), (500, 0.01)];
        for (t, lr) in want {
            assert!(close(learning_rate(&s, t), lr), "step {t}: {}", learning_rate(&s, t));
        }
        // A quarter of the way: min + (lr − min)·(1 + cos(π/4))/2.
        let quarter = 0.01 + 0.09 * 0.5 * (1.0 + std::f64::consts::FRAC_1_SQRT_2);
        assert!(close(learning_rate(&s, 25), quarter));
    }

    #[test]
    fn warmup_ramps_linearly_then_hands_over() {
        let s = spec(Schedule::Step { every: 10, gamma: 0.5 }, 4);
        let want = [(0, 0.025), (1, 0.05), (3, 0.1), (4, 0.1), (13, 0.1), (14, 0.05)];
        for (t, lr) in want {
            assert!(close(learning_rate(&s, t), lr), "step {t}: {}", learning_rate(&s, t));
        }
        let c = spec(Schedule::Cosine { steps: 10, min_lr: 0.0 }, 5);
        assert!(close(learning_rate(&c, 4), 0.1));
        assert!(close(learning_rate(&c, 10), 0.05));
        assert!(close(learning_rate(&c, 15), 0.0));
    }
}
