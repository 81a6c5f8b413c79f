//! The overconfident setup the calibration labs share: an over-parametrised ReLU MLP
//! trained with Adam to memorise a three-armed spiral whose points are noisy enough
//! that the arms overlap, so the test split sees confident mistakes.

use super::Scale;
use crate::spec::{Activation, DatasetKind, ExperimentSpec, Loss, LossParams, Optimizer};

/// Epochs the setup trains for at `scale`.
pub fn epochs(scale: Scale) -> usize {
    match scale {
        Scale::Small => 200,
        Scale::Full => 300,
    }
}

/// The setup at `scale`, trained with `loss` and `params`.
pub fn spec(scale: Scale, loss: Loss, params: LossParams) -> ExperimentSpec {
    let mut spec = ExperimentSpec::default();
    spec.dataset.kind = DatasetKind::Spiral;
    spec.dataset.classes = 3;
    spec.dataset.noise = 0.5;
    spec.dataset.points = match scale {
        Scale::Small => 600,
        Scale::Full => 1200,
    };
    spec.dataset.train_fraction = 0.5;
    spec.model.activation = Activation::Relu;
    spec.model.hidden = vec![64, 64];
    spec.training.loss = loss;
    spec.training.loss_params = params;
    spec.training.optimizer = Optimizer::Adam;
    spec.training.learning_rate = 0.01;
    spec.training.batch_size = 32;
    spec
}
