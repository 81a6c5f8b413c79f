//! The geometry lab at small scale: the memorisation verdict follows the shuffled-label
//! run's numbers (at this scale train accuracy does not reach ~100%, and the lab says
//! so), test accuracy on shuffled labels stays at chance, region counts are positive and
//! change over training, the forgetting and k-NN figures hold what they claim, and a
//! cancelled run stops.
#![cfg(not(target_arch = "wasm32"))]

use glassbox::lab::{self, LabReport, Scale, CANCELLED};
use std::cell::Cell;

fn figure<'a>(r: &'a LabReport, id: &str) -> &'a glassbox::lab::Figure {
    r.figures.iter().find(|f| f.id == id).unwrap_or_else(|| panic!("no figure {id}"))
}

#[test]
fn random_labels_are_memorised_and_regions_change() {
    let start = std::time::Instant::now();
    let r = pollster::block_on(lab::run("geometry", Scale::Small, &|_, _| async { true })).unwrap();
    println!("geometry small: {:.1} s; {}", start.elapsed().as_secs_f64(), r.verdict.line);
    let random = figure(&r, "random-labels");
    let last = |name: &str| *random.series.iter().find(|s| s.name == name).unwrap().y.last().unwrap();
    let (train, test) = (last("random labels, train"), last("random labels, test"));
    assert!((test - 50.0).abs() <= 10.0, "test {test}");
    let check = |claim: &str| r.verdict.checks.iter().find(|c| c.claim.contains(claim)).unwrap_or_else(|| panic!("no check {claim}"));
    assert_eq!(check("random labels are memorised").holds, train >= 95.0 && (test - 50.0).abs() <= 10.0, "train {train}, test {test}");
    assert!(check("region count").holds);
    let regions = &figure(&r, "region-count").series[0].y;
    assert!(regions.iter().all(|&c| c > 0.0), "{regions:?}");
    assert!(regions.iter().any(|&c| c != regions[0]), "{regions:?}");
    assert_eq!(r.verdict.reproduced, r.verdict.checks.iter().all(|c| c.holds));
    // Points per region account for every training point (200 of the 400).
    let per = &figure(&r, "points-per-region").series[0];
    assert_eq!(per.x.iter().zip(&per.y).map(|(k, n)| k * n).sum::<f64>(), 200.0);
    // Forgetting counts cover every training point too.
    assert_eq!(figure(&r, "forgetting-counts").series[0].y.iter().sum::<f64>(), 200.0);
    let knn = &figure(&r, "knn").series[0].y;
    assert!(knn.iter().all(|a| (0.0..=100.0).contains(a)), "{knn:?}");
}

#[test]
fn cancelling_stops_the_run() {
    let calls = Cell::new(0);
    let result = pollster::block_on(lab::run("geometry", Scale::Small, &|done, _| {
        calls.set(calls.get() + 1);
        let go = done < 2;
        async move { go }
    }));
    assert_eq!(result.unwrap_err(), CANCELLED);
    assert_eq!(calls.get(), 2, "reports at 1 and 2 done, then stops");
}
