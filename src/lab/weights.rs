//! A model's parameters as one flat vector, for labs that move or rewrite the weights
//! themselves (sharpness probes, pruning, quantisation, PRANC): read and write the vector,
//! its layout by parameter, and the full-batch loss, gradient and accuracy at the weights
//! the model holds.

use crate::backend::{Backend, LossOp, Real};
use crate::data::Dataset;
use crate::nn::{BackwardOptions, Mode, Net, ParamRole};

/// Rows of a dataset on the device with their class labels.
pub struct Batch<B: Backend> {
    pub x: B::Tensor,
    pub labels: B::Tensor,
    pub rows: usize,
}

impl<B: Backend> Batch<B> {
    /// Rows `range` of `data`.
    pub fn of(be: &B, data: &Dataset, range: std::ops::Range<usize>) -> Self {
        let f = data.n_features;
        let x: Vec<B::E> = data.features[range.start * f..range.end * f].iter().map(|&v| B::E::from_f32(v)).collect();
        let y: Vec<B::E> = data.labels[range.clone()].iter().map(|&l| B::E::from_f32(l as f32)).collect();
        let rows = range.len();
        Batch { x: be.upload([rows, f], &x), labels: be.upload([rows, 1], &y), rows }
    }

    pub fn train(be: &B, data: &Dataset) -> Self {
        Self::of(be, data, 0..data.n_train)
    }

    pub fn test(be: &B, data: &Dataset) -> Self {
        Self::of(be, data, data.n_train..data.len())
    }
}

/// One parameter's place in the flat vector.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Slice {
    pub role: ParamRole,
    pub start: usize,
    pub len: usize,
}

impl Slice {
    pub fn range(&self) -> std::ops::Range<usize> {
        self.start..self.start + self.len
    }
}

/// Every parameter's role and place, in `visit_params` order.
pub fn layout<B: Backend>(be: &B, net: &Net<B>) -> Vec<Slice> {
    let mut out = Vec::new();
    let mut start = 0;
    net.visit_params(&mut |p| {
        let [r, c] = be.shape(&p.value);
        out.push(Slice { role: p.role, start, len: r * c });
        start += r * c;
    });
    out
}

/// Every parameter, concatenated in `visit_params` order.
pub async fn read<B: Backend>(be: &B, net: &Net<B>) -> Vec<f32> {
    let mut tensors = Vec::new();
    net.visit_params(&mut |p| tensors.push(&p.value));
    let mut out = Vec::new();
    for t in tensors {
        out.extend(be.read(t).await.into_iter().map(|v| v.to_f64() as f32));
    }
    out
}

/// Replaces every parameter with the values of a `read` vector of the same model.
pub fn write<B: Backend>(be: &B, net: &mut Net<B>, values: &[f32]) {
    let mut at = 0;
    net.visit_params_mut(&mut |p| {
        let shape = be.shape(&p.value);
        let n = shape[0] * shape[1];
        let v: Vec<B::E> = values[at..at + n].iter().map(|&x| B::E::from_f32(x)).collect();
        p.value = be.upload(shape, &v);
        at += n;
    });
    assert_eq!(at, values.len(), "the vector holds {} numbers, the model {at}", values.len());
}

/// The mean cross-entropy over `batch` and its gradient with respect to every parameter
/// (flat, `read` order), at the weights `net` holds.
pub async fn loss_and_gradient<B: Backend>(be: &B, net: &Net<B>, batch: &Batch<B>) -> (f64, Vec<f64>) {
    let trace = net.forward(be, &batch.x, Mode::Eval);
    let out = be.loss(LossOp::CROSS_ENTROPY, trace.logits(&batch.x), &batch.labels, None);
    let grads = net.backward(be, &batch.x, &trace, out.grad, BackwardOptions::training());
    let loss = be.read(&out.loss).await[0].to_f64();
    let mut flat = Vec::new();
    for g in &grads.params {
        flat.extend(be.read(g).await.into_iter().map(|v| v.to_f64()));
    }
    (loss, flat)
}

/// The share of `batch` whose arg-max logit is the label, at the weights `net` holds.
pub async fn accuracy<B: Backend>(be: &B, net: &Net<B>, batch: &Batch<B>) -> f64 {
    let out = be.loss(LossOp::CROSS_ENTROPY, &net.predict(be, &batch.x), &batch.labels, None);
    be.read(&out.correct).await[0].to_f64() / batch.rows.max(1) as f64
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;
    use super::*;
    use crate::backend::cpu::CpuBackend;
    use crate::nn::Features;
    use crate::spec::ExperimentSpec;

    #[test]
    fn write_then_read_round_trips_and_the_gradient_matches_finite_differences() {
        let be = CpuBackend::<f64>::new();
        let spec = ExperimentSpec::default();
        let data = crate::data::build(&spec.dataset, spec.train_points());
        let mut net = Net::build(&be, Features::Flat(2), &spec.model, 2, 3).unwrap();
        let slices = layout(&be, &net);
        let theta = pollster::block_on(read(&be, &net));
        assert_eq!(slices.last().map(|s| s.start + s.len), Some(theta.len()));
        assert_eq!(slices[0].role, ParamRole::Weight);
        let batch = Batch::of(&be, &data, 0..40);
        let (loss, grad) = pollster::block_on(loss_and_gradient(&be, &net, &batch));
        let h = 1e-3f32;
        for i in [0, 7, theta.len() - 1] {
            let mut moved = theta.clone();
            moved[i] += h;
            write(&be, &mut net, &moved);
            let up = pollster::block_on(loss_and_gradient(&be, &net, &batch)).0;
            moved[i] -= 2.0 * h;
            write(&be, &mut net, &moved);
            let down = pollster::block_on(loss_and_gradient(&be, &net, &batch)).0;
            let numeric = (up - down) / (2.0 * h as f64);
            assert!((numeric - grad[i]).abs() < 1e-4 * (1.0 + grad[i].abs()), "parameter {i}: {numeric} vs {}", grad[i]);
        }
        write(&be, &mut net, &theta);
        assert_eq!(pollster::block_on(read(&be, &net)), theta);
        assert_eq!(pollster::block_on(loss_and_gradient(&be, &net, &batch)).0, loss);
        let acc = pollster::block_on(accuracy(&be, &net, &batch));
        assert!((0.0..=1.0).contains(&acc));
    }
}
