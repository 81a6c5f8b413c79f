//! Wall-clock milliseconds for timing lab runs: std's monotonic clock from a fixed start
//! natively, the JS clock in wasm (which a page and a worker both have).

/// Milliseconds since some fixed start; only differences mean anything.
#[cfg(not(target_arch = "wasm32"))]
pub fn now_ms() -> f64 {
    use std::sync::OnceLock;
    use std::time::Instant;
    static START: OnceLock<Instant> = OnceLock::new();
    START.get_or_init(Instant::now).elapsed().as_secs_f64() * 1e3
}

/// Milliseconds since the Unix epoch; only differences mean anything.
#[cfg(target_arch = "wasm32")]
pub fn now_ms() -> f64 {
    js_sys::Date::now()
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_clock_never_runs_backwards() {
        let a = super::now_ms();
        let b = super::now_ms();
        assert!(b >= a, "{a} then {b}");
    }
}
