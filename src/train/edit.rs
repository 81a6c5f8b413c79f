//! Edits to a trainer between steps: one parameter entry set to a value (a weight or bias
//! edit), and resuming from saved weights at a later step (a link with trained weights).

use super::Trainer;
use crate::backend::{Backend, Real};

impl<B: Backend> Trainer<B> {
    /// Sets entry `index` (row-major) of parameter `param` (in `visit_params` order) to
    /// `value`, without a read-back: t·keep + put, where keep is 1 except 0 at the entry
    /// and put is 0 except `value` there. Other entries and the optimiser state stay.
    pub fn set_parameter_entry(&mut self, param: usize, index: usize, value: f32) -> Result<(), String> {
        let be = &self.be;
        let mut k = 0;
        let mut result = Err(format!("the model has no parameter {param}"));
        self.model.visit_params_mut(&mut |p| {
            if k == param {
                let shape = be.shape(&p.value);
                let n = shape[0] * shape[1];
                if index >= n {
                    result = Err(format!("parameter {param} has {n} entries, not {}", index + 1));
                } else {
                    let mut keep = vec![B::E::from_f32(1.0); n];
                    let mut put = vec![B::E::from_f32(0.0); n];
                    keep[index] = B::E::from_f32(0.0);
                    put[index] = B::E::from_f32(value);
                    let kept = be.mul(&p.value, &be.upload(shape, &keep));
                    p.value = be.add(&kept, &be.upload(shape, &put));
                    result = Ok(());
                }
            }
            k += 1;
        });
        result
    }

    /// Puts back a `state()` copy taken at `step` and carries on from there: the step
    /// counter and epoch continue from it (the next epoch's order starts fresh), the
    /// history starts with an evaluation of these weights and the optimiser moments are
    /// clear.
    pub fn resume_at(&mut self, state: &[f32], step: u64) -> Result<(), String> {
        self.step = step;
        self.epoch = u32::try_from(step / self.steps_per_epoch()).unwrap_or(u32::MAX);
        self.pos = 0;
        self.pending.clear();
        self.history.clear();
        self.restore(state)
    }
}
