//! Retraining for the sanity checks that train again (ROAR, randomised labels): a fresh
//! CPU session of the current spec (without embedded weights) on altered data, trained
//! for a given number of steps in chunks, telling a progress count between chunks.

use super::Session;
use crate::data::Dataset;
use crate::explain::{Progress, CANCELLED};
use crate::spec::ExperimentSpec;

/// Training steps between progress reports (and chances to cancel).
const TRAIN_CHUNK: u64 = 25;

/// Counts work units done against a fixed total and asks `progress` to go on.
pub(super) struct Counter<'a> {
    pub done: usize,
    pub total: usize,
    pub progress: Option<&'a dyn Progress>,
}

impl Counter<'_> {
    /// Adds `n` units; fails with "cancelled" when the hook says stop.
    pub async fn add(&mut self, n: usize) -> Result<(), String> {
        self.done += n;
        match self.progress {
            Some(p) if !p.report(self.done, self.total).await => Err(CANCELLED.into()),
            _ => Ok(()),
        }
    }
}

impl Session {
    /// A fresh model of this spec trained on `data` for `steps` steps (one unit each).
    pub(super) async fn retrained(&self, data: Dataset, steps: u64, counter: &mut Counter<'_>) -> Result<Session, String> {
        let spec = ExperimentSpec { weights: None, ..self.spec.clone() };
        let mut fresh = Session::on_cpu_with(spec, data).map_err(|e| e.0)?;
        let mut trained = 0;
        while trained < steps {
            let n = TRAIN_CHUNK.min(steps - trained);
            fresh.train_steps(n);
            trained += n;
            counter.add(n as usize).await?;
        }
        Ok(fresh)
    }
}
