#![cfg(not(target_arch = "wasm32"))]
//! The activations lab at small scale: the AIL gates' largest error is ln 3 at the origin
//! for AND and OR, logAvgExp reaches max and mean at its limits, and the XOR, pooling and
//! all-conv figures hold real runs.

mod lab_runs;
use lab_runs::*;

#[test]
fn ail_gates_err_most_at_the_origin_and_logavgexp_spans_max_to_mean() {
    let report = run_small("activations");
    let ln3 = 3f64.ln();
    let max_error = &series(&report, "gate-max-error", "max error").y;
    assert!((max_error[0] - ln3).abs() < 1e-3 && (max_error[1] - ln3).abs() < 1e-3, "AND, OR errors {max_error:?}");
    // The error heatmaps peak at the origin (the middle cell of the middle row).
    for gate in ["and", "or"] {
        let error = figure(&report, &format!("{gate}-error"));
        let mid = error.series.len() / 2;
        assert_eq!(error.series[mid].name, "y = 0.0");
        assert_eq!(error.series[mid].x[mid], 0.0);
        let at_origin = error.series[mid].y[mid].abs();
        assert!((at_origin - ln3).abs() < 1e-3, "{gate}: {at_origin} at the origin");
        let peak = error.series.iter().flat_map(|s| &s.y).fold(0.0f64, |m, v| m.max(v.abs()));
        assert_eq!(peak, at_origin, "{gate} peaks elsewhere");
    }
    assert!(check(&report, "the AIL gates' largest error").holds);
    // logAvgExp: near max at small t, near mean at large t, and moving monotonically.
    let to_max = series(&report, "lae-limits", "|LAE − max|");
    let to_mean = series(&report, "lae-limits", "|LAE − mean|");
    assert!(to_max.y[0] < 0.02 && to_mean.y[to_mean.y.len() - 1] < 0.002, "{:?} {:?}", to_max.y, to_mean.y);
    assert!(to_max.y.windows(2).all(|w| w[0] <= w[1]) && to_mean.y.windows(2).all(|w| w[0] >= w[1]));
    assert!(check(&report, "logAvgExp approaches").holds);
    // Every XOR activation and pooling variant ran: timings positive, accuracies above chance.
    assert!(series(&report, "xor-speed", "ms per epoch").y.iter().all(|&ms| ms > 0.0));
    assert!(series(&report, "xor-accuracy", "test accuracy (%)").y.iter().all(|&a| a > 50.0));
    let learned = &figure(&report, "learned-t").series;
    assert_eq!(learned.len(), 2);
    assert!(learned.iter().all(|s| s.y[0] == 1.0 && s.y[s.y.len() - 1] != 1.0), "t did not move");
    let allconv = &series(&report, "allconv", "test accuracy (%)").y;
    assert!(allconv.iter().all(|&a| a > 40.0), "CNN accuracies {allconv:?} (chance is 25%)");
}

#[test]
fn activations_stops_when_cancelled() {
    assert_cancels_promptly("activations");
}
