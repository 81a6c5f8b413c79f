//! The parametrisation lab at small scale: NTK feature movement falls with width, muP's
//! stays roughly flat, the learning-rate transfer check is computed from the heatmaps,
//! and a cancelled run stops.
#![cfg(not(target_arch = "wasm32"))]

use glassbox::lab::{self, LabReport, Scale, CANCELLED};
use std::cell::Cell;

fn small() -> LabReport {
    let start = std::time::Instant::now();
    let r = pollster::block_on(lab::run("parametrization", Scale::Small, &|_, _| async { true })).unwrap();
    println!("parametrization small: {:.1} s; {}", start.elapsed().as_secs_f64(), r.verdict.line);
    r
}

fn series<'a>(r: &'a LabReport, figure: &str, name: &str) -> &'a [f64] {
    let f = r.figures.iter().find(|f| f.id == figure).unwrap_or_else(|| panic!("no figure {figure}"));
    &f.series.iter().find(|s| s.name == name).unwrap_or_else(|| panic!("no series {name} in {figure}")).y
}

#[test]
fn feature_movement_falls_under_ntk_stays_flat_under_mup_and_transfer_is_computed() {
    let r = small();
    let ntk = series(&r, "feature-movement", "NTK");
    let mup = series(&r, "feature-movement", "muP");
    assert!(ntk.windows(2).all(|w| w[1] < w[0]), "NTK movement {ntk:?}");
    let spread = |v: &[f64]| v.iter().copied().fold(f64::MIN, f64::max) / v.iter().copied().fold(f64::MAX, f64::min);
    assert!(spread(mup) * 2.0 <= spread(ntk), "muP {mup:?} vs NTK {ntk:?}");
    let check = |claim: &str| r.verdict.checks.iter().find(|c| c.claim.contains(claim)).unwrap_or_else(|| panic!("no check {claim}"));
    assert!(check("NTK feature movement falls").holds);
    assert!(check("muP feature movement").holds);
    // The transfer check follows the muP heatmap: the best rate of each width, read back.
    let heat = r.figures.iter().find(|f| f.id == "loss-mup").unwrap();
    let best: Vec<usize> = heat.series.iter().map(|s| (0..s.y.len()).filter(|&i| s.y[i].is_finite()).min_by(|&a, &b| s.y[a].total_cmp(&s.y[b])).unwrap()).collect();
    let shift = best.iter().max().unwrap() - best.iter().min().unwrap();
    assert_eq!(check("transfers").holds, shift <= 1, "best rate indices {best:?}");
    assert_eq!(r.verdict.reproduced, r.verdict.checks.iter().all(|c| c.holds));
    // The sharpness curve is finite and positive once training is under way.
    let sharp = series(&r, "sharpness", "λ_max");
    assert!(sharp.iter().all(|v| v.is_finite()) && sharp.last().unwrap() > &0.0, "{sharp:?}");
    // The NTK Gram matrix is a Gram matrix: symmetric with non-negative eigenvalues.
    let gram = r.figures.iter().find(|f| f.id == "ntk-gram").unwrap();
    for (i, row) in gram.series.iter().enumerate() {
        for (j, v) in row.y.iter().enumerate() {
            assert!((v - gram.series[j].y[i]).abs() <= 1e-6 * (1.0 + v.abs()));
        }
    }
    let eig = series(&r, "ntk-spectrum", "NTK");
    assert!(eig[0] > 0.0 && eig.iter().all(|&l| l >= -1e-6 * eig[0]), "{eig:?}");
}

#[test]
fn cancelling_stops_the_run() {
    let calls = Cell::new(0);
    let result = pollster::block_on(lab::run("parametrization", Scale::Small, &|done, _| {
        calls.set(calls.get() + 1);
        let go = done < 3;
        async move { go }
    }));
    assert_eq!(result.unwrap_err(), CANCELLED);
    assert_eq!(calls.get(), 3, "reports at 1, 2 and 3 done, then stops");
}
