//! The points CSV (x1,x2,label per line): rows of hostile fields, headers and line ends.

use super::{assert_clear, config};
use glassbox::data::points_csv::parse;
use glassbox::spec::limits::{MAX_CLASSES, MAX_CUSTOM_VALUE, MAX_POINTS, MIN_POINTS};
use proptest::prelude::*;
use proptest::test_runner::TestRunner;

/// A parse result holds only what a custom dataset can: 10 to 10,000 finite points
/// within the value bound, and integer labels below `classes` (2 to 8).
pub fn check(text: &str) {
    match parse(text) {
        Ok(t) => {
            assert!((MIN_POINTS as usize..=MAX_POINTS as usize).contains(&t.points.len()));
            assert!(t.points.iter().flatten().all(|v| v.is_finite() && v.abs() <= MAX_CUSTOM_VALUE));
            if !t.regression {
                assert!((2..=MAX_CLASSES).contains(&t.classes), "{}", t.classes);
                assert!(t.points.iter().all(|p| p[2].fract() == 0.0 && p[2] >= 0.0 && (p[2] as u32) < t.classes));
            }
        }
        Err(e) => assert_clear(&e, text),
    }
}

fn field() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => (-10.0f32..10.0).prop_map(|v| v.to_string()),
        3 => (0u32..4).prop_map(|v| v.to_string()),
        1 => prop::sample::select(vec![
            "NaN", "nan", "inf", "-inf", "Infinity", "1e39", "-1e39", "1e6", "1000001", "-0", "0x10", "1,5", "", " ",
            "\"1\"", "one", "<script>", "1e-46", "340282350000000000000000000000000000000", "8", "-1", "2.5", "7",
        ])
        .prop_map(String::from),
        1 => "[ -~]{0,12}",
    ]
}

fn row() -> impl Strategy<Value = String> {
    prop::collection::vec(field(), 0..5).prop_map(|f| f.join(","))
}

fn text() -> impl Strategy<Value = String> {
    let header = prop::sample::select(vec!["", "x1,x2,label\n", "x,y,target\n", "X1, X2, Class\n", "a,b,c\n", "x1,x2\n"]);
    let end = prop::sample::select(vec!["\n", "\r\n", "\r", "\n\n"]);
    (header, prop::collection::vec(row(), 0..40), end, 0usize..8)
        .prop_map(|(h, rows, end, blow_up)| {
            // Occasionally a long file: many copies of the rows, past the point limit.
            let body = rows.join(end);
            let copies = [1, 1, 1, 1, 1, 1, 300, 3000][blow_up];
            format!("{h}{}", vec![body; copies].join(end))
        })
}

#[test]
fn hostile_points_csv() {
    let mut runner = TestRunner::new(config("points CSV"));
    runner.run(&text(), |t| {
        check(&t);
        Ok(())
    })
    .unwrap();
}
