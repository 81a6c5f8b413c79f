//! Structure-aware fuzzing of everything that reads untrusted input: share links (and
//! with them spec validation), the points CSV, IDX/PNG/CSV uploads and model files.
//!
//! Each target builds well-formed inputs and then gives them hostile values (huge and
//! negative numbers, values that become NaN or ∞, unknown enum tags, deep nesting,
//! truncation, bit flips of valid encodings). Every case must end in `Ok` with the
//! target's defining properties, or in an error with a short, non-empty message; a
//! panic fails the run. The budget is fixed (`CASES` below, over 10,000 in all) and the
//! seed is fixed, so a CI run is reproducible. The committed corpus under
//! tests/fixtures/fuzz/ is replayed first on every run (see `corpus`). Native only:
//! the parsers are the same code in wasm, and the corpus is read from disk.
#![cfg(not(target_arch = "wasm32"))]

mod corpus;
mod hostile;
mod links;
mod models;
mod points;
mod uploads;

use proptest::test_runner::{Config, RngSeed};

/// Cases per target; their sum is the run's budget (checked below).
pub const CASES: [(&str, u32); 7] = [
    ("link JSON values", 4000),
    ("link bytes", 1500),
    ("points CSV", 2000),
    ("IDX uploads", 1200),
    ("PNG uploads", 600),
    ("upload CSV", 500),
    ("model files", 1200),
];

/// The proptest configuration of target `name`: its share of the budget, a fixed seed,
/// no shrinking beyond a few steps (a failure is reported with its input anyway).
pub fn config(name: &str) -> Config {
    let cases = CASES.iter().find(|(n, _)| *n == name).unwrap_or_else(|| panic!("no budget for {name}")).1;
    Config {
        cases,
        rng_seed: RngSeed::Fixed(0x61a5_5b0c),
        failure_persistence: None,
        max_shrink_iters: 64,
        ..Config::default()
    }
}

/// An error message a person can act on: present, one paragraph, not a wall of echoed input.
pub fn assert_clear(message: &str, input: &str) {
    assert!(!message.trim().is_empty(), "an empty error message for {input:.80}");
    assert!(message.chars().count() <= 600, "an error message of {} characters for {input:.80}: {message:.200}…", message.chars().count());
}

#[test]
fn the_budget_is_at_least_ten_thousand_cases() {
    let total: u32 = CASES.iter().map(|(_, n)| n).sum();
    println!("fuzz budget: {total} cases ({CASES:?})");
    assert!(total >= 10_000, "{total}");
}
