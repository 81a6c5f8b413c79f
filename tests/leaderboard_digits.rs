//! The leaderboard on the digits LeNet after a short native training run: the
//! attribution methods that follow the model delete the evidence faster than random
//! deletion, and the board prints as CSV (the table quoted in reports).
#![cfg(all(feature = "native", not(target_arch = "wasm32")))]

use glassbox::session::{LeaderboardRequest, Session};
use glassbox::spec::ExperimentSpec;

#[test]
fn on_the_trained_digits_cnn_integrated_gradients_beats_random_deletion() {
    let mut spec: ExperimentSpec = serde_json::from_str(include_str!("../examples/digits-lenet.json")).unwrap();
    spec.dataset.points = 1000;
    let mut s = Session::new(spec).unwrap();
    s.train_steps(4 * s.steps_per_epoch());
    let request = LeaderboardRequest::from_json(
        r#"{"methods": [
            {"method": "gradient"}, {"method": "gradientXInput"},
            {"method": "integratedGradients", "params": {"steps": 16}},
            {"method": "smoothGrad", "params": {"n": 8}}, {"method": "guidedBackprop"},
            {"method": "lrp", "params": {"composite": "epsilonPlus"}}, {"method": "gradCam"},
            {"method": "occlusion", "params": {"patch": 4, "stride": 4}}
        ], "steps": 16, "patch": 4, "perturbations": 4, "radius": 0.05, "masks": "object"}"#,
    )
    .unwrap();
    let test_rows: Vec<usize> = (800..816).collect();
    let board = pollster::block_on(s.leaderboard(&request, &test_rows, None)).unwrap();
    println!("{}", board.csv());
    let column = |name: &str| board.columns.iter().position(|c| c == name).unwrap();
    let ig = board.rows.iter().find(|r| r.method == "integratedGradients").unwrap();
    let (deletion, random) = (ig.values[column("deletionAuc")].unwrap(), ig.values[column("randomDeletionAuc")].unwrap());
    assert!(deletion < random, "IG deletion AUC {deletion} vs random {random}");
    let (morf, lerf) = (ig.values[column("morfAuc")].unwrap(), ig.values[column("lerfAuc")].unwrap());
    assert!(morf < lerf, "IG MoRF {morf} vs LeRF {lerf}");
    let gradient = &board.rows[0];
    let end = gradient.values[column("randomisationSpearman")].unwrap();
    assert!(end < 0.9, "the gradient's maps move once every layer is randomised: {end}");
}
