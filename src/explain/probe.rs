//! The batching helper: many copies of inputs (interpolations, noisy or masked copies)
//! pushed through a network `batch` rows at a time, returning logits, explained scores
//! or input gradients on the host. Between batches it tells an optional `Progress` hook
//! how many rows are done; once the hook says stop, the passes return zeros of the right
//! size without touching the network, and the caller reports the explanation cancelled.

use super::Progress;
use crate::backend::{Backend, Real};
use crate::nn::{BackwardOptions, BackwardRule, Mode, Net};
use std::cell::Cell;

/// Rows per pass unless told otherwise.
pub const DEFAULT_BATCH: usize = 64;

pub struct Probe<'a, B: Backend> {
    pub be: &'a B,
    pub net: &'a Net<B>,
    /// Rows per forward or backward pass.
    pub batch: usize,
    progress: Option<&'a dyn Progress>,
    /// Rows pushed through so far, and the rows the whole explanation will push.
    done: Cell<usize>,
    total: Cell<usize>,
    stopped: Cell<bool>,
}

impl<'a, B: Backend> Probe<'a, B> {
    pub fn new(be: &'a B, net: &'a Net<B>) -> Self {
        Probe { be, net, batch: DEFAULT_BATCH, progress: None, done: Cell::new(0), total: Cell::new(0), stopped: Cell::new(false) }
    }

    pub fn with_batch(self, batch: usize) -> Self {
        Probe { batch: batch.max(1), ..self }
    }

    /// Reports to `hook` after every batch, out of `total` rows.
    pub fn with_progress(self, hook: &'a dyn Progress, total: usize) -> Self {
        self.total.set(total);
        Probe { progress: Some(hook), ..self }
    }

    /// Rows pushed through the network so far.
    pub fn done(&self) -> usize {
        self.done.get()
    }

    /// Whether the hook has said stop.
    pub fn stopped(&self) -> bool {
        self.stopped.get()
    }

    /// Counts `rows` as done and asks the hook whether to go on.
    pub async fn advance(&self, rows: usize) {
        self.done.set(self.done.get() + rows);
        if let Some(hook) = self.progress {
            if !self.stopped() && !hook.report(self.done.get(), self.total.get()).await {
                self.stopped.set(true);
            }
        }
    }

    /// Shows the hook the maps so far of a method that refines them.
    pub fn partial(&self, shape: &[usize], maps: &[Vec<f64>]) {
        if let Some(hook) = self.progress.filter(|_| !self.stopped()) {
            hook.partial(shape, maps);
        }
    }

    /// Numbers per input row.
    pub fn features(&self) -> usize {
        self.net.input.len()
    }

    pub fn classes(&self) -> usize {
        self.net.output.len()
    }

    pub fn upload(&self, rows: &[f64], width: usize) -> B::Tensor {
        let v: Vec<B::E> = rows.iter().map(|&x| B::E::from_f64(x)).collect();
        self.be.upload([rows.len() / width, width], &v)
    }

    pub async fn download(&self, t: &B::Tensor) -> Vec<f64> {
        self.be.read(t).await.into_iter().map(Real::to_f64).collect()
    }

    /// The logits of every row of `x` (row-major, `features()` wide).
    pub async fn logits(&self, x: &[f64]) -> Vec<f64> {
        let f = self.features();
        let mut out = Vec::with_capacity(x.len() / f * self.classes());
        for chunk in x.chunks(self.batch * f) {
            if self.stopped() {
                out.resize(out.len() + chunk.len() / f * self.classes(), 0.0);
                continue;
            }
            let z = self.net.predict(self.be, &self.upload(chunk, f));
            out.extend(self.download(&z).await);
            self.advance(chunk.len() / f).await;
        }
        out
    }

    /// seeds[r]·logits(x[r]) for every row.
    pub async fn scores(&self, x: &[f64], seeds: &[f64]) -> Vec<f64> {
        let k = self.classes();
        let z = self.logits(x).await;
        z.chunks(k).zip(seeds.chunks(k)).map(|(z, s)| z.iter().zip(s).map(|(a, b)| a * b).sum()).collect()
    }

    /// d(seeds[r]·logits(x[r]))/dx[r] for every row, with an optional backward rule.
    pub async fn gradients(&self, x: &[f64], seeds: &[f64], rule: Option<&dyn BackwardRule<B>>) -> Vec<f64> {
        let (f, k) = (self.features(), self.classes());
        let mut out = Vec::with_capacity(x.len());
        for (chunk, seed) in x.chunks(self.batch * f).zip(seeds.chunks(self.batch * k)) {
            if self.stopped() {
                out.resize(out.len() + chunk.len(), 0.0);
                continue;
            }
            let g = self.net.input_gradient(self.be, &self.upload(chunk, f), self.upload(seed, k), rule);
            out.extend(self.download(&g).await);
            self.advance(chunk.len() / f).await;
        }
        out
    }

    /// The output of layer `id` and the gradient of the seeds' scores arriving there,
    /// for every row; None when that layer passes its input through unchanged. (One
    /// pass over the samples themselves: it runs even after a stop.)
    pub async fn layer(&self, x: &[f64], seeds: &[f64], id: usize) -> Option<(Vec<f64>, Vec<f64>)> {
        let (f, k) = (self.features(), self.classes());
        let (mut acts, mut grads) = (Vec::new(), Vec::new());
        for (chunk, seed) in x.chunks(self.batch * f).zip(seeds.chunks(self.batch * k)) {
            let x = self.upload(chunk, f);
            let trace = self.net.forward(self.be, &x, Mode::Eval);
            let options = BackwardOptions { input: false, params: false, layer_grads: true, rule: None };
            let g = self.net.backward(self.be, &x, &trace, self.upload(seed, k), options);
            acts.extend(self.download(trace.output(&x, id)).await);
            grads.extend(self.download(g.layers.get(id)?.as_ref()?).await);
            self.advance(chunk.len() / f).await;
        }
        Some((acts, grads))
    }
}

/// `row` repeated `times` times.
pub fn repeat(row: &[f64], times: usize) -> Vec<f64> {
    let mut out = Vec::with_capacity(row.len() * times);
    for _ in 0..times {
        out.extend_from_slice(row);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::explain::testing::*;
    use crate::nn::Features;

    #[test]
    fn batched_passes_equal_one_big_pass() {
        let be = Be::new();
        let net = net(r#"[{"type":"dense","units":5},{"type":"activation","function":"tanh"},{"type":"dense","units":3}]"#, Features::Flat(4), 2, 0.8, 0.0);
        let x = inputs(7, 4, 1, -1.0, 1.0);
        let seeds: Vec<f64> = (0..21).map(|i| (i % 4) as f64 - 1.0).collect();
        let whole = Probe::new(&be, &net).with_batch(100);
        let split = Probe::new(&be, &net).with_batch(3);
        assert_eq!(whole.logits(&x).await_now(), split.logits(&x).await_now());
        assert_eq!(whole.gradients(&x, &seeds, None).await_now(), split.gradients(&x, &seeds, None).await_now());
        let scores = split.scores(&x, &seeds).await_now();
        let z = whole.logits(&x).await_now();
        assert_eq!(scores.len(), 7);
        assert!((scores[2] - (z[6] * seeds[6] + z[7] * seeds[7] + z[8] * seeds[8])).abs() < 1e-15);
    }
}
