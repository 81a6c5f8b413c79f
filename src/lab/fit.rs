//! Training for labs: a spec trained epoch by epoch on the CPU with progress after every
//! epoch, and the trained model's logits and penultimate activations on either split.

use super::{Progress, CANCELLED};
use crate::backend::cpu::CpuBackend;
use crate::backend::Backend;
use crate::data::{self, Dataset};
use crate::nn::Mode;
use crate::spec::ExperimentSpec;
use crate::train::{Evaluation, Trainer};

/// Counts units of work against a total fixed up front and reports them.
pub struct Ticker<'a> {
    progress: &'a dyn Progress,
    done: usize,
    total: usize,
}

impl<'a> Ticker<'a> {
    pub fn new(progress: &'a dyn Progress, total: usize) -> Self {
        Ticker { progress, done: 0, total }
    }

    /// Counts `n` more units done; `Err(CANCELLED)` when the hook says stop.
    pub async fn tick(&mut self, n: usize) -> Result<(), String> {
        self.done = (self.done + n).min(self.total);
        if self.progress.report(self.done, self.total).await {
            Ok(())
        } else {
            Err(CANCELLED.to_string())
        }
    }
}

/// Which rows of the dataset.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Split {
    Train,
    Test,
}

/// A model being trained on its dataset.
pub struct Fit {
    pub trainer: Trainer<CpuBackend<f32>>,
    pub data: Dataset,
}

impl Fit {
    /// Validates `spec`, builds its data and model.
    pub fn new(spec: &ExperimentSpec) -> Result<Fit, String> {
        spec.validate().map_err(|e| e.0)?;
        Fit::on(spec, data::build(&spec.dataset, spec.train_points()))
    }

    /// The model of a validated `spec` on `data` (its own data, changed: e.g. relabelled).
    pub fn on(spec: &ExperimentSpec, data: Dataset) -> Result<Fit, String> {
        let mut trainer = Trainer::new(CpuBackend::new(), spec, &data)?;
        trainer.set_evaluation(Evaluation::OnDemand);
        Ok(Fit { trainer, data })
    }

    /// Trains `epochs` more epochs, ticking once per epoch; answers the milliseconds
    /// spent training (progress reports left out).
    pub async fn train(&mut self, epochs: usize, ticker: &mut Ticker<'_>) -> Result<f64, String> {
        let mut ms = 0.0;
        for _ in 0..epochs {
            let start = super::clock::now_ms();
            let steps = self.trainer.steps_left_in_epoch();
            self.trainer.train_steps(steps);
            ms += super::clock::now_ms() - start;
            ticker.tick(1).await?;
        }
        Ok(ms)
    }

    /// The split's class labels.
    pub fn labels(&self, split: Split) -> &[u32] {
        let n = self.data.n_train;
        match split {
            Split::Train => &self.data.labels[..n],
            Split::Test => &self.data.labels[n..],
        }
    }

    fn inputs(&self, split: Split) -> <CpuBackend<f32> as Backend>::Tensor {
        let (f, n) = (self.data.n_features, self.data.n_train);
        let rows = match split {
            Split::Train => 0..n,
            Split::Test => n..self.data.len(),
        };
        self.trainer.be.upload([rows.len(), f], &self.data.features[rows.start * f..rows.end * f])
    }

    /// Logits of the split's rows in evaluation mode, row-major [rows, classes].
    pub async fn logits(&self, split: Split) -> Vec<f32> {
        let be = &self.trainer.be;
        be.read(&self.trainer.model.predict(be, &self.inputs(split))).await
    }

    /// The input of the last layer (the penultimate activations) of the split's rows,
    /// row-major, and its width.
    pub async fn penultimate(&self, split: Split) -> (Vec<f32>, usize) {
        let be = &self.trainer.be;
        let x = self.inputs(split);
        let model = &self.trainer.model;
        let trace = model.forward(be, &x, Mode::Eval);
        let h = trace.input(&x, model.layer_count - 1);
        (be.read(h).await, be.shape(h)[1])
    }

    /// Accuracy of the current weights on a split.
    pub async fn accuracy(&self, split: Split) -> f64 {
        let logits = self.logits(split).await;
        super::calibration::accuracy(&logits, self.labels(split))
    }

    /// Test accuracy of the current weights.
    pub async fn test_accuracy(&self) -> f64 {
        self.accuracy(Split::Test).await
    }
}

impl Fit {
    /// The last layer's weight rows (the class templates), row-major [classes, width],
    /// with its multiplier applied; None when the network does not end in a dense layer.
    pub async fn templates(&self) -> Option<Vec<f32>> {
        let dense = match &self.trainer.model.nodes.last()?.layer {
            crate::nn::Layer::Dense(d) => d,
            _ => return None,
        };
        let w = self.trainer.be.read(&dense.weight.value).await;
        Some(w.into_iter().map(|v| v * dense.multiplier).collect())
    }
}

impl Fit {
    /// The learned temperatures t = exp(log t) of the logAvgExp pooling layers, in order.
    pub async fn temperatures(&self) -> Vec<f64> {
        let mut logs = Vec::new();
        self.trainer.model.visit_params(&mut |p| {
            if p.role == crate::nn::param::ParamRole::LogTemperature {
                logs.push(&p.value);
            }
        });
        let mut out = Vec::new();
        for t in logs {
            out.push((self.trainer.be.read(t).await[0] as f64).exp());
        }
        out
    }
}
