//! The geometry lab at small scale: random labels of digits are memorised (train ≥ 95 %)
//! while test accuracy stays at chance, region counts are positive and change over
//! training, the forgetting and k-NN figures hold what they claim, and a cancelled run
//! stops.
#![cfg(not(target_arch = "wasm32"))]

mod lab_runs;
use lab_runs::*;

#[test]
fn random_labels_are_memorised_and_regions_change() {
    let start = std::time::Instant::now();
    let r = run_small("geometry");
    println!("geometry small: {:.1} s; {}", start.elapsed().as_secs_f64(), r.verdict.line);
    let last = |name: &str| *series(&r, "random-labels", name).y.last().unwrap();
    let (train, test) = (last("random labels, train"), last("random labels, test"));
    assert!(train >= 95.0, "random labels memorised to only {train}% on train");
    assert!((test - 10.0).abs() <= 5.0, "test {test}% on random labels (chance 10%)");
    assert!(check(&r, "random labels are memorised").holds);
    assert!(check(&r, "the region count").holds);
    let regions = &figure(&r, "region-count").series[0].y;
    assert!(regions.iter().all(|&c| c > 0.0), "{regions:?}");
    assert!(regions.iter().any(|&c| c != regions[0]), "{regions:?}");
    // Points per region account for every training point (200 of the 400).
    let per = &figure(&r, "points-per-region").series[0];
    assert_eq!(per.x.iter().zip(&per.y).map(|(k, n)| k * n).sum::<f64>(), 200.0);
    // Forgetting counts cover every training point too.
    assert_eq!(figure(&r, "forgetting-counts").series[0].y.iter().sum::<f64>(), 200.0);
    let knn = &figure(&r, "knn").series[0].y;
    assert!(knn.iter().all(|a| (0.0..=100.0).contains(a)), "{knn:?}");
}

#[test]
fn geometry_stops_when_cancelled() {
    assert_cancels_promptly("geometry");
}
