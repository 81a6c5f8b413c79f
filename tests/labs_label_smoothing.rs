#![cfg(not(target_arch = "wasm32"))]
//! The label-smoothing lab at small scale: smoothing lowers ECE and tightens the class
//! clusters on the overconfident setup, and the distillation verdict follows the
//! students' accuracies whichever way they come out.

mod lab_runs;
use lab_runs::*;

#[test]
fn label_smoothing_calibrates_and_tightens_clusters_and_reports_distillation_as_measured() {
    let report = run_small("label-smoothing");
    let ece = series(&report, "ece", "ECE");
    assert_eq!(ece.x, vec![0.0, 0.05, 0.1, 0.2]);
    assert!(ece.y[2] < ece.y[0] && ece.y[3] < ece.y[0], "ECE over α: {:?}", ece.y);
    assert!(check(&report, "label smoothing lowers ECE").holds);
    let spread = series(&report, "spread-ratio", "within / between");
    assert!(spread.y[2] < spread.y[0] && spread.y[3] < spread.y[0], "spread over α: {:?}", spread.y);
    assert!(check(&report, "label smoothing tightens").holds);
    // Every α has a reliability diagram and a projection with the three classes.
    for a in ["a000", "a005", "a010", "a020"] {
        assert!(!series(&report, &format!("reliability-{a}"), "model").x.is_empty());
        let projection = figure(&report, &format!("projection-{a}"));
        assert_eq!(projection.series.len(), 3);
        assert_eq!(projection.series.iter().map(|s| s.x.len()).sum::<usize>(), 300);
    }
    // The distillation check is computed from the students' accuracies, not fixed.
    let students = series(&report, "distillation", "student");
    assert_eq!(check(&report, "a teacher trained with label smoothing").holds, students.y[1] < students.y[0]);
    assert!(students.y.iter().all(|&a| a > 50.0), "students learned nothing: {:?}", students.y);
}

#[test]
fn label_smoothing_stops_when_cancelled() {
    assert_cancels_promptly("label-smoothing");
}
