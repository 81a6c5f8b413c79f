//! Shared by the lab tests: a lab run at small scale, its figures' series by id and name,
//! and the check that a lab stops promptly when its progress hook says stop.
//! Include with `mod lab_runs;`.
#![allow(dead_code)] // each test binary uses its own subset

use glassbox::lab::{self, Check, Figure, LabReport, Scale, Series, CANCELLED};
use std::cell::Cell;
use std::time::Instant;

/// The lab `name` at small scale, checking that progress is monotone and ends at its total.
pub fn run_small(name: &str) -> LabReport {
    let last = Cell::new((0usize, 0usize));
    let progress = |done: usize, total: usize| {
        let (prev, prev_total) = last.get();
        assert!(done >= prev && (prev_total == 0 || total == prev_total), "progress {prev}/{prev_total} then {done}/{total}");
        last.set((done, total));
        std::future::ready(true)
    };
    let report = pollster::block_on(lab::run(name, Scale::Small, &progress)).unwrap_or_else(|e| panic!("{name}: {e}"));
    let (done, total) = last.get();
    assert_eq!(done, total, "{name} ended its progress at {done}/{total}");
    assert_eq!(report.lab, name);
    assert_eq!(report.scale, Scale::Small);
    assert_eq!(report.verdict.reproduced, report.verdict.checks.iter().all(|c| c.holds));
    report
}

pub fn figure<'a>(report: &'a LabReport, id: &str) -> &'a Figure {
    report.figures.iter().find(|f| f.id == id).unwrap_or_else(|| panic!("no figure {id}"))
}

pub fn series<'a>(report: &'a LabReport, id: &str, name: &str) -> &'a Series {
    figure(report, id).series.iter().find(|s| s.name == name).unwrap_or_else(|| panic!("no series {name} in {id}"))
}

/// The check whose claim starts with `start`.
pub fn check<'a>(report: &'a LabReport, start: &str) -> &'a Check {
    report.verdict.checks.iter().find(|c| c.claim.starts_with(start)).unwrap_or_else(|| panic!("no check {start}"))
}

/// The lab stops with `Err(CANCELLED)` at the first report that says stop, well before
/// a whole run's worth of time.
pub fn assert_cancels_promptly(name: &str) {
    let calls = Cell::new(0);
    let stop = |_: usize, _: usize| {
        calls.set(calls.get() + 1);
        std::future::ready(false)
    };
    let start = Instant::now();
    let result = pollster::block_on(lab::run(name, Scale::Small, &stop));
    assert_eq!(result.err().as_deref(), Some(CANCELLED));
    assert_eq!(calls.get(), 1, "{name} reported again after being told to stop");
    assert!(start.elapsed().as_secs_f64() < 2.0, "{name} took {:?} to stop", start.elapsed());
}
