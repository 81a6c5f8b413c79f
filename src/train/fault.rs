//! Training faults: host copies of every tensor a network holds (to roll back to),
//! finding where non-finite numbers first appear when a run diverges, and the largest
//! activation of every layer (to flag activations that explode before they overflow).

use super::Trainer;
use crate::backend::{Backend, Real};
use crate::nn::Mode;

impl<B: Backend> Trainer<B> {
    /// Every tensor of the model (parameters and running statistics) in the model
    /// file's order, read back to the host.
    pub async fn state(&self) -> Vec<f32> {
        let mut tensors = Vec::new();
        self.model.visit_state(&mut |t| tensors.push(t));
        let mut out = Vec::new();
        for t in tensors {
            out.extend(self.be.read(t).await.into_iter().map(|v| v.to_f64() as f32));
        }
        out
    }

    /// Puts back a `state()` copy and clears the optimiser's moments (they may hold the
    /// numbers that diverged). The step counter carries on; the history gains a record
    /// of the restored weights at the current epoch.
    pub fn restore(&mut self, state: &[f32]) -> Result<(), String> {
        let mut shapes = Vec::new();
        self.model.visit_state(&mut |t| shapes.push(self.be.shape(t)));
        let total: usize = shapes.iter().map(|s| s[0] * s[1]).sum();
        if total != state.len() {
            return Err(format!("the saved weights hold {} numbers, this model {total}", state.len()));
        }
        let mut at = 0;
        let be = &self.be;
        self.model.visit_state_mut(&mut |t| {
            let shape = be.shape(t);
            let n = shape[0] * shape[1];
            let v: Vec<B::E> = state[at..at + n].iter().map(|&x| B::E::from_f32(x)).collect();
            *t = be.upload(shape, &v);
            at += n;
        });
        self.optimizer.clear(&self.be);
        self.queue_evaluation(self.epoch);
        Ok(())
    }

    /// Where the model first holds or produces a non-finite number: the first layer
    /// whose parameters are not all finite, else the first layer whose output on the
    /// training data is not; None when everything is finite.
    pub async fn locate_non_finite(&self) -> Option<String> {
        let mut nodes = Vec::new();
        self.model.visit_nodes(&mut |n| nodes.push(n));
        for node in &nodes {
            let mut tensors = Vec::new();
            node.layer.visit_state(&mut |t| tensors.push(t));
            for t in tensors {
                if self.be.read(t).await.iter().any(|v| !v.to_f64().is_finite()) {
                    return Some(format!("the parameters of layer {} ({})", node.id + 1, node.layer.kind()));
                }
            }
        }
        let trace = self.model.forward(&self.be, &self.train.x, Mode::Eval);
        for node in &nodes {
            if self.be.read(trace.output(&self.train.x, node.id)).await.iter().any(|v| !v.to_f64().is_finite()) {
                return Some(format!("the output of layer {} ({})", node.id + 1, node.layer.kind()));
            }
        }
        None
    }

    /// The largest |value| each layer outputs on the first `samples` training samples
    /// (eval mode), in `visit_nodes` order, with the layer's kind. NaN counts as infinite.
    pub async fn activation_peaks(&self, samples: usize) -> Vec<(usize, &'static str, f32)> {
        let n = samples.min(self.train.len) as u32;
        let x = self.be.gather_rows(&self.train.x, &(0..n).collect::<Vec<_>>());
        let trace = self.model.forward(&self.be, &x, Mode::Eval);
        let mut nodes = Vec::new();
        self.model.visit_nodes(&mut |node| nodes.push(node));
        let mut peaks = Vec::with_capacity(nodes.len());
        for node in nodes {
            let values = self.be.read(trace.output(&x, node.id)).await;
            let peak = values.iter().map(|v| v.to_f64().abs() as f32).fold(0.0f32, |m, v| if v.is_nan() { f32::INFINITY } else { m.max(v) });
            peaks.push((node.id + 1, node.layer.kind(), peak));
        }
        peaks
    }
}
