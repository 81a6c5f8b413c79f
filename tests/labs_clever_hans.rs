#![cfg(not(target_arch = "wasm32"))]
//! The Clever Hans lab at small scale: the patch decoy costs test accuracy and draws the
//! plain model's saliency; guidance recovers test accuracy and moves the maps off the
//! patch (the three-seed comparison on shapes is tests/decoys.rs).

mod lab_runs;
use lab_runs::*;

#[test]
fn the_decoy_is_learned_plainly_and_unlearned_with_guidance() {
    let report = run_small("clever-hans");
    for c in &report.verdict.checks {
        println!("{}: {} ({})", c.claim, c.holds, c.detail);
    }
    let curves = &figure(&report, "test-accuracy").series;
    assert_eq!(curves.len(), 3);
    assert!(curves.iter().all(|s| s.y.iter().all(|a| (0.0..=1.0).contains(a))));
    let shares = &series(&report, "decoy-share", "share").y;
    assert!(shares.iter().all(|s| (0.0..=1.0).contains(s)), "shares {shares:?}");
    // Rows of digit, plain map, guided map; maps scaled to a peak of 1.
    let gallery = figure(&report, "maps");
    assert_eq!(gallery.thumbs.len() % 3, 0);
    for row in gallery.thumbs.chunks(3) {
        assert!(!row[0].viridis && row[1].viridis && row[2].viridis);
        for map in &row[1..] {
            let top = map.pixels.iter().cloned().fold(0.0f32, f32::max);
            assert!((top - 1.0).abs() < 1e-6, "{}: peak {top}", map.caption);
        }
    }
    assert!(check(&report, "the decoy costs test accuracy").holds);
    let last = |i: usize| *curves[i].y.last().unwrap();
    assert_eq!(check(&report, "guidance recovers test accuracy").holds, last(2) > last(1));
    assert!(last(2) >= last(1) + 0.1, "plain {} → guided {}", last(1), last(2));
    assert!(check(&report, "guided maps move off the patch").holds);
}

#[test]
fn clever_hans_stops_when_cancelled() {
    assert_cancels_promptly("clever-hans");
}
