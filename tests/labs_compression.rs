//! The compression lab at small scale: pruning half the spiral MLP's weights keeps test
//! accuracy within 2 points, uniform quantisation accuracy rises with bits to the float
//! model's, the PRANC check follows its numbers, and a cancelled run stops.
#![cfg(not(target_arch = "wasm32"))]

use glassbox::lab::{self, LabReport, Scale, CANCELLED};
use std::cell::Cell;

fn series<'a>(r: &'a LabReport, figure: &str, name: &str) -> &'a glassbox::lab::Series {
    let f = r.figures.iter().find(|f| f.id == figure).unwrap_or_else(|| panic!("no figure {figure}"));
    f.series.iter().find(|s| s.name == name).unwrap_or_else(|| panic!("no series {name} in {figure}"))
}

#[test]
fn pruning_half_keeps_accuracy_and_quantisation_rises_with_bits() {
    let start = std::time::Instant::now();
    let r = pollster::block_on(lab::run("compression", Scale::Small, &|_, _| async { true })).unwrap();
    println!("compression small: {:.1} s; {}", start.elapsed().as_secs_f64(), r.verdict.line);
    let global = series(&r, "pruning-accuracy", "global");
    let dense = global.y[0];
    let half = global.x.iter().position(|&x| x == 50.0).unwrap();
    assert!(dense >= 90.0, "the dense spiral MLP is trained: {dense}");
    assert!(dense - global.y[half] <= 2.0, "dense {dense} → {} at 50%", global.y[half]);
    // At 0% sparsity the saliency map is the dense map itself.
    assert!((series(&r, "pruning-saliency", "global").y[0] - 1.0).abs() < 1e-9);
    let uniform = series(&r, "quantisation", "uniform");
    let float = series(&r, "quantisation", "float32").y[0];
    assert_eq!(float, dense);
    assert!(uniform.y.last().unwrap() >= &uniform.y[0], "{:?}", uniform.y);
    assert!((uniform.y.last().unwrap() - float).abs() <= 1.0, "{:?} vs {float}", uniform.y);
    let check = |claim: &str| r.verdict.checks.iter().find(|c| c.claim.contains(claim)).unwrap_or_else(|| panic!("no check {claim}"));
    assert!(check("pruning half").holds && check("uniform quantisation").holds);
    // The PRANC check is computed from its curve and the model's size.
    let pranc = *series(&r, "pranc", "PRANC").y.last().unwrap();
    let bytes = series(&r, "model-bytes", "bytes").y[1];
    let link = (bytes / 3.0).ceil() * 4.0;
    assert_eq!(check("PRANC").holds, pranc >= (50.0 + dense) / 2.0 && link <= 2048.0, "{pranc} {bytes}");
    assert_eq!(r.verdict.reproduced, r.verdict.checks.iter().all(|c| c.holds));
}

#[test]
fn cancelling_stops_the_run() {
    let calls = Cell::new(0);
    let result = pollster::block_on(lab::run("compression", Scale::Small, &|done, _| {
        calls.set(calls.get() + 1);
        let go = done < 2;
        async move { go }
    }));
    assert_eq!(result.unwrap_err(), CANCELLED);
    assert_eq!(calls.get(), 2, "reports at 1 and 2 done, then stops");
}
