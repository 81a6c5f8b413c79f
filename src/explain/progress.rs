//! Progress and cancellation of an explanation: a hook the batched passes (`Probe`) call
//! between batches with the rows done and the rows the whole method will push through
//! the network, and the count of those rows for each method (`Method::rows`).

use super::request::Method;
use crate::nn::Features;
use std::future::Future;
use std::pin::Pin;

/// Told how far an explanation has got; may await (in the browser it yields to the event
/// loop) and answers whether to go on. After a `false`, no more rows go through the
/// network and `request::explain_with` returns `Err("cancelled")`.
pub trait Progress {
    fn report(&self, done: usize, total: usize) -> Pin<Box<dyn Future<Output = bool> + '_>>;

    /// A method that refines its maps as it goes (RISE) shows them so far: one map per
    /// sample in `shape`, scaled as the finished maps will be. Ignored unless overridden.
    fn partial(&self, _shape: &[usize], _maps: &[Vec<f64>]) {}
}

/// Any `Fn(done, total) -> future of bool` is a hook.
impl<F, Fut> Progress for F
where
    F: Fn(usize, usize) -> Fut,
    Fut: Future<Output = bool> + 'static,
{
    fn report(&self, done: usize, total: usize) -> Pin<Box<dyn Future<Output = bool> + '_>> {
        Box::pin(self(done, total))
    }
}

/// The message a cancelled explanation fails with.
pub const CANCELLED: &str = "cancelled";

impl Method {
    /// Rows the method pushes through the network for `samples` samples of `input`
    /// (forward or forward-and-backward passes alike), besides the one pass that finds
    /// the targets.
    pub fn rows(&self, samples: usize, input: Features) -> usize {
        let n = samples;
        match self {
            Method::Gradient(_) | Method::GradientXInput | Method::Guided(_) | Method::Lrp(_) => n,
            // The path, then the scores at both ends.
            Method::IntegratedGradients(o) => n * o.steps + 2 * n,
            // The multipliers, then the scores at both ends.
            Method::DeepLift(_) => 3 * n,
            Method::SmoothGrad(noise, _) => match noise {
                super::Noise::Gaussian { samples, .. } => n * samples,
                super::Noise::Given(v) => n * (v.len() / input.len().max(1)),
            },
            Method::Occlusion(o) => {
                let (h, w, ph) = match input {
                    Features::Flat(f) => (1, f, 1),
                    Features::Image(s) => (s.height, s.width, o.patch),
                };
                // The patch positions along each axis (none when the method refuses them).
                let along = |size: usize, p: usize| if o.stride == 0 || p == 0 || p > size { 0 } else { super::occlusion::starts(size, p, o.stride).count() };
                n * (along(h, ph) * along(w, o.patch) + 1)
            }
            Method::Rise(o) => n * o.masks,
            Method::Shapley(o) => n * o.samples * (super::shapley::group_count(input, o.cell) + 1),
            Method::Cam(o) => match o.variant {
                super::CamVariant::GuidedGradCam => 2 * n,
                _ => n,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::explain::request::{explain_with, InputsFile, Request, METHODS};
    use crate::explain::testing::*;
    use std::cell::RefCell;

    const CNN: &str = r#"[{"type":"conv2d","filters":3,"kernel":3},{"type":"activation","function":"relu"},{"type":"pool","op":"max","size":2},{"type":"flatten"},{"type":"dense","units":3}]"#;
    const MLP: &str = r#"[{"type":"dense","units":5},{"type":"activation","function":"relu"},{"type":"dense","units":3}]"#;

    /// Small parameters so every method runs in a few batches of 4 rows.
    fn params(method: &str) -> Vec<(String, String)> {
        let extra: &[(&str, &str)] = match method {
            "integratedGradients" => &[("steps", "6")],
            "smoothGrad" | "smoothGradSq" | "varGrad" => &[("n", "5")],
            "occlusion" => &[("patch", "3"), ("stride", "2")],
            "rise" => &[("masks", "9"), ("resolution", "2")],
            "shapley" => &[("samples", "3"), ("cell", "3")],
            _ => &[],
        };
        extra.iter().chain(&[("batch", "4")]).map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    /// Every method reports after each batch with the rows done so far, rising to the
    /// total it announced; the flat model skips the image-only methods.
    #[test]
    fn every_method_reports_rows_up_to_its_total() {
        let be = Be::new();
        for (layers, input) in [(CNN, image(1, 7, 5)), (MLP, crate::nn::Features::Flat(4))] {
            let net = net(layers, input, 3, 0.8, 0.0);
            let inputs = InputsFile { inputs: inputs(3, input.len(), 2, 0.0, 1.0).chunks(input.len()).map(<[f64]>::to_vec).collect(), labels: None, baseline: None, noise: None };
            for method in METHODS.split(", ") {
                let reports = RefCell::new(Vec::new());
                let hook = |done, total| {
                    reports.borrow_mut().push((done, total));
                    std::future::ready(true)
                };
                let request = Request::parse(method, &params(method), &inputs).unwrap();
                let result = explain_with(&be, &net, &inputs, &request, Some(&hook)).await_now();
                if matches!(input, crate::nn::Features::Flat(_)) && ["rise", "gradCam", "gradCamPlusPlus", "guidedGradCam"].contains(&method) {
                    assert!(result.is_err(), "{method} on a flat input");
                    continue;
                }
                result.unwrap_or_else(|e| panic!("{method}: {e}"));
                let reports = reports.into_inner();
                let total = reports[0].1;
                assert!(reports.len() >= 2, "{method}: {reports:?}");
                assert!(reports.windows(2).all(|w| w[0].0 < w[1].0 && w[1].1 == total), "{method}: {reports:?}");
                assert_eq!(reports.last().unwrap().0, total, "{method} ends at its total");
            }
        }
    }

    /// A hook that says stop at the first report: the explanation fails with
    /// "cancelled" and nothing more goes through the network.
    #[test]
    fn a_hook_that_says_stop_cancels_after_the_first_batch() {
        let be = Be::new();
        let net = net(CNN, image(1, 7, 5), 3, 0.8, 0.0);
        let inputs = InputsFile { inputs: inputs(2, 35, 2, 0.0, 1.0).chunks(35).map(<[f64]>::to_vec).collect(), labels: None, baseline: None, noise: None };
        for method in ["integratedGradients", "rise", "lrp", "deepLift", "shapley"] {
            let calls = RefCell::new(Vec::new());
            let hook = |done, total| {
                calls.borrow_mut().push((done, total));
                std::future::ready(false)
            };
            let request = Request::parse(method, &params(method), &inputs).unwrap();
            let n = 2 + request.method.rows(2, net.input);
            assert_eq!(explain_with(&be, &net, &inputs, &request, Some(&hook)).await_now().unwrap_err(), CANCELLED, "{method}");
            assert_eq!(calls.into_inner(), [(2, n)], "{method}: one report, after the targets' batch");
        }
    }
}
