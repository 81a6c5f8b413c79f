//! Training: minibatch SGD on a model, with a deterministic batch order and a per-epoch
//! record of train/test loss and accuracy. An epoch is one pass over the training split.

use crate::backend::{Backend, LossOp, Real};
use crate::data::Dataset;
use crate::nn::{Mlp, Nonlinearity};
use crate::rng::{Rng, Stream};
use crate::spec::{ExperimentSpec, Loss};

/// The backend loss op for a validated spec.
fn loss_op(spec: &ExperimentSpec) -> LossOp {
    let p = &spec.training.loss_params;
    match spec.training.loss {
        Loss::SoftmaxCrossEntropy => LossOp::CrossEntropy { smoothing: p.label_smoothing, tamper: p.tamper },
        Loss::Focal => LossOp::Focal { gamma: p.focal_gamma },
        Loss::Poly1 => LossOp::Poly1 { epsilon: p.poly_epsilon },
        Loss::Encouraging => LossOp::Encouraging { log_end: p.log_end },
        Loss::Mse => LossOp::Mse,
        Loss::BinaryCrossEntropy => LossOp::BinaryCe,
        Loss::Distillation => unreachable!("validate refuses distillation until specs can name a teacher"),
    }
}

/// Loss and accuracy on both splits after `epoch` full passes.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EpochRecord {
    pub epoch: u32,
    pub train_loss: f32,
    pub test_loss: f32,
    pub train_acc: f32,
    pub test_acc: f32,
}

/// An evaluation whose scalars still live on the device.
struct PendingEval<T> {
    epoch: u32,
    train: [T; 2],
    test: [T; 2],
}

struct Split<T> {
    x: T,
    labels: T,
    len: usize,
}

pub struct Trainer<B: Backend> {
    pub be: B,
    pub model: Mlp<B>,
    train: Split<B::Tensor>,
    test: Split<B::Tensor>,
    loss: LossOp,
    batch_size: usize,
    learning_rate: f32,
    seed: u32,
    step: u64,
    order: Vec<u32>,
    pending: Vec<PendingEval<B::Tensor>>,
    history: Vec<EpochRecord>,
}

fn upload_split<B: Backend>(be: &B, data: &Dataset, rows: std::ops::Range<usize>) -> Split<B::Tensor> {
    let f = data.n_features;
    let x: Vec<B::E> = data.features[rows.start * f..rows.end * f].iter().map(|&v| B::E::from_f32(v)).collect();
    let y: Vec<B::E> = data.labels[rows.clone()].iter().map(|&l| B::E::from_f32(l as f32)).collect();
    Split { x: be.upload([rows.len(), f], &x), labels: be.upload([rows.len(), 1], &y), len: rows.len() }
}

impl<B: Backend> Trainer<B> {
    /// Builds the model and uploads the data; the spec must already be validated.
    pub fn new(be: B, spec: &ExperimentSpec, data: &Dataset) -> Self {
        let mut sizes = vec![data.n_features];
        sizes.extend(spec.model.hidden.iter().map(|&u| u as usize));
        sizes.push(data.classes);
        let nonlinearity = Nonlinearity::from_spec(spec.model.activation, spec.model.leaky_slope);
        let model = Mlp::init(&be, &sizes, nonlinearity, spec.training.seed);
        let train = upload_split(&be, data, 0..data.n_train);
        let test = upload_split(&be, data, data.n_train..data.len());
        let mut trainer = Trainer {
            model,
            train,
            test,
            loss: loss_op(spec),
            batch_size: spec.training.batch_size as usize,
            learning_rate: spec.training.learning_rate,
            seed: spec.training.seed,
            step: 0,
            order: Vec::new(),
            pending: Vec::new(),
            history: Vec::new(),
            be,
        };
        trainer.queue_evaluation(0);
        trainer
    }

    pub fn steps_per_epoch(&self) -> u64 {
        self.train.len.div_ceil(self.batch_size) as u64
    }

    pub fn step(&self) -> u64 {
        self.step
    }

    /// Completed epochs.
    pub fn epoch(&self) -> u32 {
        (self.step / self.steps_per_epoch()) as u32
    }

    /// Runs `n` optimiser steps; at each epoch boundary an evaluation is queued.
    pub fn train_steps(&mut self, n: u64) {
        let spe = self.steps_per_epoch();
        for _ in 0..n {
            let k = (self.step % spe) as usize;
            if k == 0 {
                self.order.clear();
                self.order.extend(0..self.train.len as u32);
                Rng::new(self.seed, Stream::BatchOrder).child(self.epoch()).shuffle(&mut self.order);
            }
            let end = ((k + 1) * self.batch_size).min(self.train.len);
            self.sgd_step(k * self.batch_size..end);
            self.step += 1;
            if self.step.is_multiple_of(spe) {
                self.queue_evaluation(self.epoch());
            }
        }
    }

    fn sgd_step(&mut self, batch: std::ops::Range<usize>) {
        let be = &self.be;
        let rows = &self.order[batch];
        let x = be.gather_rows(&self.train.x, rows);
        let labels = be.gather_rows(&self.train.labels, rows);
        let fwd = self.model.forward(be, &x);
        let out = be.loss(self.loss, &fwd.logits, &labels, None);
        let grads = self.model.backward(be, &x, &fwd, out.grad);
        for (layer, g) in self.model.layers.iter_mut().zip(&grads.layers) {
            be.sgd_update(&mut layer.weight, &g.weight, self.learning_rate);
            be.sgd_update(&mut layer.bias, &g.bias, self.learning_rate);
        }
        for (slope, g) in self.model.slopes.iter_mut().zip(&grads.slopes) {
            be.sgd_update(slope, g, self.learning_rate);
        }
        be.flush();
    }

    fn queue_evaluation(&mut self, epoch: u32) {
        let eval = |split: &Split<B::Tensor>| {
            let out = self.be.loss(self.loss, &self.model.forward(&self.be, &split.x).logits, &split.labels, None);
            [out.loss, out.correct]
        };
        let (train, test) = (eval(&self.train), eval(&self.test));
        self.pending.push(PendingEval { epoch, train, test });
    }

    /// Reads queued evaluations back into the history.
    pub async fn sync_history(&mut self) {
        for p in std::mem::take(&mut self.pending) {
            let scalar = |v: Vec<B::E>| v[0].to_f64() as f32;
            let train_loss = scalar(self.be.read(&p.train[0]).await);
            let train_correct = scalar(self.be.read(&p.train[1]).await);
            let test_loss = scalar(self.be.read(&p.test[0]).await);
            let test_correct = scalar(self.be.read(&p.test[1]).await);
            self.history.push(EpochRecord {
                epoch: p.epoch,
                train_loss,
                test_loss,
                train_acc: train_correct / self.train.len as f32,
                test_acc: test_correct / self.test.len.max(1) as f32,
            });
        }
    }

    /// Every synced record, epoch 0 first.
    pub fn history(&self) -> &[EpochRecord] {
        &self.history
    }

    /// Class probabilities for arbitrary points, row-major [n, classes].
    pub async fn predict(&self, points: &[f32], n_features: usize) -> Vec<f32> {
        let x: Vec<B::E> = points.iter().map(|&v| B::E::from_f32(v)).collect();
        let x = self.be.upload([points.len() / n_features, n_features], &x);
        let probs = self.be.softmax(&self.model.forward(&self.be, &x).logits);
        self.be.read(&probs).await.into_iter().map(|v| v.to_f64() as f32).collect()
    }

    /// All parameters, layer by layer (weight then bias), then any PReLU slopes, for
    /// hashing and comparison.
    pub async fn parameters(&self) -> Vec<f32> {
        let mut out = Vec::new();
        let tensors = self.model.layers.iter().flat_map(|l| [&l.weight, &l.bias]).chain(&self.model.slopes);
        for t in tensors {
            out.extend(self.be.read(t).await.into_iter().map(|v| v.to_f64() as f32));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;
    use super::*;
    use crate::backend::cpu::CpuBackend;
    use crate::spec::Activation;

    /// Trains for `epochs` on the CPU and returns the final (train, test) accuracy.
    fn accuracy_after(spec: &ExperimentSpec, data: &Dataset, epochs: u64) -> (f32, f32) {
        spec.validate().unwrap();
        let mut t = Trainer::new(CpuBackend::<f32>::new(), spec, data);
        t.train_steps(epochs * t.steps_per_epoch());
        pollster::block_on(t.sync_history());
        let last = t.history().last().unwrap();
        (last.train_acc, last.test_acc)
    }

    /// XOR: the label is whether x and y share a sign, points uniform in [−1, 1]².
    fn xor(points: usize, seed: u32) -> Dataset {
        let rng = Rng::new(seed, Stream::DataNoise);
        let features: Vec<f32> = (0..2 * points as u32).map(|i| rng.uniform_in(i, -1.0, 1.0)).collect();
        let labels = features.chunks(2).map(|p| (p[0] * p[1] > 0.0) as u32).collect();
        Dataset { features, labels, n_features: 2, classes: 2, n_train: points / 2 }
    }

    #[test]
    fn spiral_trains_with_relu() {
        let mut spec = ExperimentSpec::default();
        spec.model.activation = Activation::Relu;
        spec.model.hidden = vec![16, 16];
        spec.training.learning_rate = 0.1;
        let data = crate::data::build(&spec.dataset, spec.train_points());
        let (train, test) = accuracy_after(&spec, &data, 300);
        println!("spiral, relu: train {train}, test {test}");
        assert!(train >= 0.95 && test >= 0.9, "train {train}, test {test}");
    }

    #[test]
    fn xor_trains_with_ail_gates() {
        let data = xor(400, 3);
        for activation in [Activation::XnorAil, Activation::AndAil, Activation::OrAil] {
            let mut spec = ExperimentSpec::default();
            spec.model.activation = activation;
            spec.model.hidden = vec![4];
            spec.training.learning_rate = 0.1;
            let (train, test) = accuracy_after(&spec, &data, 100);
            println!("xor, {activation:?}: train {train}, test {test}");
            assert!(train >= 0.95 && test >= 0.93, "{activation:?}: train {train}, test {test}");
        }
    }
}
