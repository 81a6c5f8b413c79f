#![cfg(not(target_arch = "wasm32"))]
//! The losses lab at small scale: focal loss is less overconfident than cross-entropy,
//! the encouraging loss widens the training margins, and every loss learns the task.

mod lab_runs;
use lab_runs::*;

#[test]
fn focal_tempers_confidence_and_encouraging_widens_margins() {
    let report = run_small("losses");
    let losses = &figure(&report, "ece").categories;
    assert_eq!(losses.len(), 5);
    let ece = &series(&report, "ece", "ECE").y;
    let confidence = &series(&report, "confidence", "mean confidence").y;
    assert!(ece[1] < ece[0] && confidence[1] < confidence[0], "CE vs focal: ECE {ece:?}, confidence {confidence:?}");
    assert!(check(&report, "focal loss lowers overconfidence").holds);
    assert!(check(&report, "the encouraging loss gives larger margins").holds);
    // Each margin histogram is a distribution over the training split.
    let margins = figure(&report, "margins");
    assert_eq!(margins.series.len(), 5);
    for s in &margins.series {
        assert!((s.y.iter().sum::<f64>() - 1.0).abs() < 1e-9, "{}: shares sum to {}", s.name, s.y.iter().sum::<f64>());
    }
    let accuracy = &series(&report, "accuracy", "test accuracy (%)").y;
    assert!(accuracy.iter().all(|&a| a > 60.0), "accuracy {accuracy:?} (chance is 33%)");
}

#[test]
fn losses_stops_when_cancelled() {
    assert_cancels_promptly("losses");
}
