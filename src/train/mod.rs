//! Training: minibatch optimisation of a model, with a deterministic batch order and
//! records of train/test loss and accuracy by epoch (every epoch, or the epochs a caller
//! asks for: see `Evaluation`). An epoch is one pass over the training split. The
//! training spec can be replaced between steps.

mod edit;
mod fault;
mod guidance;
pub mod optimizer;
pub mod schedule;

use crate::backend::{Backend, BackendKind, LossOp, Real};

/// Rows per block of `Trainer::predict` on the CPU.
const PREDICT_BLOCK_ROWS: usize = 256;
use crate::data::Dataset;
use crate::nn::{BackwardOptions, Features, Mode, Net};
use crate::rng::{Rng, Stream};
use crate::spec::{ExperimentSpec, Loss, TrainingSpec};
use guidance::Guide;
pub(crate) use guidance::check as check_guidance;
use optimizer::Optimizer;

/// The features a dataset's samples are: an image or a flat vector.
pub(crate) fn input_features(data: &Dataset) -> Features {
    match data.image {
        Some([c, h, w]) => Features::Image(crate::backend::ImageShape::new(c, h, w)),
        None => Features::Flat(data.n_features),
    }
}

/// The backend loss op for validated training settings; distillation falls back to
/// plain cross-entropy until a teacher is set. Regression (validated to use MSE) compares
/// the outputs with real targets.
fn loss_op(training: &TrainingSpec, has_teacher: bool, regression: bool) -> LossOp {
    let p = &training.loss_params;
    match training.loss {
        _ if regression => LossOp::MseTarget,
        Loss::SoftmaxCrossEntropy => LossOp::CrossEntropy { smoothing: p.label_smoothing, tamper: p.tamper },
        Loss::Focal => LossOp::Focal { gamma: p.focal_gamma },
        Loss::Poly1 => LossOp::Poly1 { epsilon: p.poly_epsilon },
        Loss::Encouraging => LossOp::Encouraging { log_end: p.log_end },
        Loss::Mse => LossOp::Mse,
        Loss::BinaryCrossEntropy => LossOp::BinaryCe,
        Loss::Distillation if has_teacher => LossOp::Distillation { beta: p.distill_beta, temperature: p.distill_temperature },
        Loss::Distillation => LossOp::CROSS_ENTROPY,
    }
}

/// Loss and accuracy on both splits after `epoch` full passes (accuracy is NaN for regression).
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EpochRecord {
    pub epoch: u32,
    pub train_loss: f32,
    pub test_loss: f32,
    pub train_acc: f32,
    pub test_acc: f32,
}

/// When the trainer evaluates both splits. The training trajectory does not depend on
/// it, only which epochs the history holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Evaluation {
    /// At every epoch boundary (the default): the history holds every epoch.
    EveryEpoch,
    /// Only when `evaluate_now` asks (a page playing fast evaluates the epochs it shows).
    OnDemand,
}

/// An evaluation whose scalars still live on the device.
struct PendingEval<T> {
    epoch: u32,
    train: [T; 2],
    test: [T; 2],
}

struct Split<T> {
    x: T,
    /// Class indices, or the targets of a regression set.
    labels: T,
    len: usize,
}

pub struct Trainer<B: Backend> {
    pub be: B,
    pub model: Net<B>,
    /// Distillation's teacher, run in evaluation mode on every batch.
    teacher: Option<Net<B>>,
    /// The data has real targets: one output, MSE, no accuracy.
    regression: bool,
    train: Split<B::Tensor>,
    test: Split<B::Tensor>,
    training: TrainingSpec,
    optimizer: Optimizer<B>,
    step: u64,
    epoch: u32,
    /// Rows of the current epoch's order already used.
    pos: usize,
    order: Vec<u32>,
    evaluation: Evaluation,
    /// The epoch of the latest queued evaluation.
    evaluated: Option<u32>,
    pending: Vec<PendingEval<B::Tensor>>,
    history: Vec<EpochRecord>,
    /// Explanation-guided learning's masks and weight, when the training spec asks for it.
    guide: Option<Guide<B::Tensor>>,
}

fn upload_split<B: Backend>(be: &B, data: &Dataset, rows: std::ops::Range<usize>) -> Split<B::Tensor> {
    let f = data.n_features;
    let x: Vec<B::E> = data.features[rows.start * f..rows.end * f].iter().map(|&v| B::E::from_f32(v)).collect();
    let y: Vec<B::E> = if data.is_regression() {
        data.targets[rows.clone()].iter().map(|&t| B::E::from_f32(t)).collect()
    } else {
        data.labels[rows.clone()].iter().map(|&l| B::E::from_f32(l as f32)).collect()
    };
    Split { x: be.upload([rows.len(), f], &x), labels: be.upload([rows.len(), 1], &y), len: rows.len() }
}

impl<B: Backend> Trainer<B> {
    /// Builds the model and uploads the data; the spec must already be validated. Fails
    /// with a message when the layers do not fit the data.
    pub fn new(be: B, spec: &ExperimentSpec, data: &Dataset) -> Result<Self, String> {
        let model = Net::build(&be, input_features(data), &spec.model, data.classes, spec.training.seed)?;
        let train = upload_split(&be, data, 0..data.n_train);
        let test = upload_split(&be, data, data.n_train..data.len());
        let optimizer = Optimizer::new(&be, &model, &spec.training);
        let guide = spec.training.guidance.as_ref().map(|g| Guide::new(&be, g, data)).transpose()?;
        let mut trainer = Trainer {
            model,
            teacher: None,
            regression: data.is_regression(),
            train,
            test,
            training: spec.training.clone(),
            optimizer,
            step: 0,
            epoch: 0,
            pos: 0,
            order: Vec::new(),
            evaluation: Evaluation::EveryEpoch,
            evaluated: None,
            pending: Vec::new(),
            history: Vec::new(),
            guide,
            be,
        };
        trainer.queue_evaluation(0);
        Ok(trainer)
    }

    /// Distils from `teacher` (which must map the same inputs to the same classes) when
    /// the loss is distillation.
    pub fn set_teacher(&mut self, teacher: Net<B>) -> Result<(), String> {
        if teacher.input != self.model.input || teacher.output != self.model.output {
            return Err(format!(
                "the teacher maps {} to {}, the student {} to {}",
                teacher.input.describe(),
                teacher.output.describe(),
                self.model.input.describe(),
                self.model.output.describe()
            ));
        }
        self.teacher = Some(teacher);
        Ok(())
    }

    /// Steps per epoch at the current batch size.
    pub fn steps_per_epoch(&self) -> u64 {
        self.train.len.div_ceil(self.training.batch_size as usize) as u64
    }

    /// Steps until the current epoch ends at the current batch size.
    pub fn steps_left_in_epoch(&self) -> u64 {
        (self.train.len - self.pos).div_ceil(self.training.batch_size as usize) as u64
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
    /// epoch's order; the schedule keeps counting from the current step. A changed
    /// guidance re-reads its masks from `data` (the data the trainer was built on).
    pub fn set_training(&mut self, training: &TrainingSpec, data: &Dataset) -> Result<(), String> {
        if training.guidance != self.training.guidance {
            self.guide = training.guidance.as_ref().map(|g| Guide::new(&self.be, g, data)).transpose()?;
        }
        self.optimizer.reconfigure(&self.be, training);
        self.training = training.clone();
        Ok(())
    }

    /// Chooses when evaluations are queued from now on.
    pub fn set_evaluation(&mut self, evaluation: Evaluation) {
        self.evaluation = evaluation;
    }

    /// Queues an evaluation of the current weights at the current epoch unless that
    /// epoch already has one (with `Evaluation::EveryEpoch` throughout, every epoch has).
    /// Called mid-epoch, the record is of the weights then, under the completed epochs.
    pub fn evaluate_now(&mut self) {
        if self.evaluated != Some(self.epoch) {
            self.queue_evaluation(self.epoch);
        }
    }

    /// Runs `n` optimiser steps; with `Evaluation::EveryEpoch` an evaluation is queued at
    /// each epoch boundary.
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
                if self.evaluation == Evaluation::EveryEpoch {
                    self.queue_evaluation(self.epoch);
                }
            }
        }
    }

    fn optimizer_step(&mut self, batch: std::ops::Range<usize>) {
        let be = &self.be;
        let rows = &self.order[batch];
        let x = be.gather_rows(&self.train.x, rows);
        let labels = be.gather_rows(&self.train.labels, rows);
        let mode = Mode::Train { rng: Rng::new(self.training.seed, Stream::Dropout).child(self.step as u32) };
        let trace = self.model.forward(be, &x, mode);
        let teacher = self.teacher.as_ref().map(|t| t.predict(be, &x));
        let out = be.loss(self.loss_op(), trace.logits(&x), &labels, teacher.as_ref());
        let mut grads = self.model.backward(be, &x, &trace, out.grad, BackwardOptions::training());
        if let Some(guide) = &self.guide {
            guide.add_gradient(be, &self.model, guidance::Batch { x: &x, trace: &trace, rows, mode }, &mut grads.params);
        }
        self.model.update_running_stats(be, &trace);
        let lr = schedule::learning_rate(&self.training, self.step);
        self.optimizer.step(be, &mut self.model, &grads.params, &self.training, lr);
        be.flush();
    }

    /// The loss op of the current settings (distillation only with a teacher).
    fn loss_op(&self) -> LossOp {
        loss_op(&self.training, self.teacher.is_some(), self.regression)
    }

    fn queue_evaluation(&mut self, epoch: u32) {
        let loss = self.loss_op();
        let eval = |split: &Split<B::Tensor>| {
            let teacher = self.teacher.as_ref().map(|t| t.predict(&self.be, &split.x));
            let out = self.be.loss(loss, &self.model.predict(&self.be, &split.x), &split.labels, teacher.as_ref());
            [out.loss, out.correct]
        };
        let (train, test) = (eval(&self.train), eval(&self.test));
        self.pending.push(PendingEval { epoch, train, test });
        self.evaluated = Some(epoch);
    }

    /// Reads queued evaluations back into the history.
    pub async fn sync_history(&mut self) {
        for p in std::mem::take(&mut self.pending) {
            let scalar = |v: Vec<B::E>| v[0].to_f64() as f32;
            let train_loss = scalar(self.be.read(&p.train[0]).await);
            let train_correct = scalar(self.be.read(&p.train[1]).await);
            let test_loss = scalar(self.be.read(&p.test[0]).await);
            let test_correct = scalar(self.be.read(&p.test[1]).await);
            let accuracy = |correct: f32, len: usize| if self.regression { f32::NAN } else { correct / len.max(1) as f32 };
            self.history.push(EpochRecord {
                epoch: p.epoch,
                train_loss,
                test_loss,
                train_acc: accuracy(train_correct, self.train.len),
                test_acc: accuracy(test_correct, self.test.len),
            });
        }
    }

    /// Every synced record in epoch order, epoch 0 first.
    pub fn history(&self) -> &[EpochRecord] {
        &self.history
    }

    /// Class probabilities for arbitrary inputs, row-major [n, classes]; for regression
    /// the network's output, one value per row.
    /// The CPU runs blocks of `PREDICT_BLOCK_ROWS` rows, whose intermediates stay in
    /// cache (rows are independent in evaluation, so the numbers are the same).
    pub async fn predict(&self, inputs: &[f32], n_features: usize) -> Vec<f32> {
        let block = match self.be.kind() {
            BackendKind::Cpu => PREDICT_BLOCK_ROWS,
            _ => inputs.len() / n_features.max(1),
        };
        let mut out = Vec::new();
        for chunk in inputs.chunks((block * n_features).max(1)) {
            let x: Vec<B::E> = chunk.iter().map(|&v| B::E::from_f32(v)).collect();
            let x = self.be.upload([chunk.len() / n_features, n_features], &x);
            let y = self.model.predict(&self.be, &x);
            let y = if self.regression { y } else { self.be.softmax(&y) };
            out.extend(self.be.read(&y).await.into_iter().map(|v| v.to_f64() as f32));
        }
        out
    }

    /// All parameters in the network's order, for hashing and comparison.
    pub async fn parameters(&self) -> Vec<f32> {
        let mut out = Vec::new();
        let mut tensors = Vec::with_capacity(self.model.param_count);
        self.model.visit_params(&mut |p| tensors.push(&p.value));
        for t in tensors {
            out.extend(self.be.read(t).await.into_iter().map(|v| v.to_f64() as f32));
        }
        out
    }
}
