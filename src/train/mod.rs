//! Training: minibatch optimisation of a model, with a deterministic batch order and a
//! per-epoch record of train/test loss and accuracy. An epoch is one pass over the
//! training split. The training spec can be replaced between steps.

pub mod optimizer;
pub mod schedule;

use crate::backend::{Backend, LossOp, Real};
use crate::data::Dataset;
use crate::nn::Mlp;
use crate::rng::{Rng, Stream};
use crate::spec::{ExperimentSpec, Loss, ModelSpec, TrainingSpec};
use optimizer::Optimizer;

/// The backend loss op for validated training settings.
fn loss_op(training: &TrainingSpec) -> LossOp {
    let p = &training.loss_params;
    match training.loss {
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
    model_spec: ModelSpec,
    sizes: Vec<usize>,
    training: TrainingSpec,
    optimizer: Optimizer<B>,
    step: u64,
    epoch: u32,
    /// Rows of the current epoch's order already used.
    pos: usize,
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
        let model = Mlp::from_spec(&be, &sizes, &spec.model, spec.training.seed);
        let train = upload_split(&be, data, 0..data.n_train);
        let test = upload_split(&be, data, data.n_train..data.len());
        let optimizer = Optimizer::new(&be, &model, &spec.model, &sizes, &spec.training);
        let mut trainer = Trainer {
            model,
            train,
            test,
            model_spec: spec.model.clone(),
            sizes,
            training: spec.training.clone(),
            optimizer,
            step: 0,
            epoch: 0,
            pos: 0,
            order: Vec::new(),
            pending: Vec::new(),
            history: Vec::new(),
            be,
        };
        trainer.queue_evaluation(0);
        trainer
    }

    /// Steps per epoch at the current batch size.
    pub fn steps_per_epoch(&self) -> u64 {
        self.train.len.div_ceil(self.training.batch_size as usize) as u64
    }

    pub fn step(&self) -> u64 {
        self.step
    }

    /// Completed epochs.
    pub fn epoch(&self) -> u32 {
        self.epoch
    }

    pub fn training(&self) -> &TrainingSpec {
        &self.training
    }

    /// Replaces the training hyperparameters between steps (the spec must already be
    /// validated). Weights stay; the optimiser state stays unless the optimiser kind
    /// changes. A new batch size applies from the next batch, a new seed from the next
    /// epoch's order; the schedule keeps counting from the current step.
    pub fn set_training(&mut self, training: &TrainingSpec) {
        self.optimizer.reconfigure(&self.be, &self.model_spec, &self.sizes, training);
        self.training = training.clone();
    }

    /// Runs `n` optimiser steps; at each epoch boundary an evaluation is queued.
    pub fn train_steps(&mut self, n: u64) {
        for _ in 0..n {
            if self.pos == 0 {
                self.order.clear();
                self.order.extend(0..self.train.len as u32);
                Rng::new(self.training.seed, Stream::BatchOrder).child(self.epoch).shuffle(&mut self.order);
            }
            let end = (self.pos + self.training.batch_size as usize).min(self.train.len);
            self.optimizer_step(self.pos..end);
            self.step += 1;
            self.pos = end;
            if end == self.train.len {
                self.pos = 0;
                self.epoch += 1;
                self.queue_evaluation(self.epoch);
            }
        }
    }

    fn optimizer_step(&mut self, batch: std::ops::Range<usize>) {
        let be = &self.be;
        let rows = &self.order[batch];
        let x = be.gather_rows(&self.train.x, rows);
        let labels = be.gather_rows(&self.train.labels, rows);
        let fwd = self.model.forward(be, &x);
        let out = be.loss(loss_op(&self.training), &fwd.logits, &labels, None);
        let grads = self.model.backward(be, &x, &fwd, out.grad);
        let lr = schedule::learning_rate(&self.training, self.step);
        self.optimizer.step(be, &mut self.model, &grads, &self.training, lr);
        be.flush();
    }

    fn queue_evaluation(&mut self, epoch: u32) {
        let loss = loss_op(&self.training);
        let eval = |split: &Split<B::Tensor>| {
            let out = self.be.loss(loss, &self.model.forward(&self.be, &split.x).logits, &split.labels, None);
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
