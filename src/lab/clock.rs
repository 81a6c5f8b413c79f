//! Wall-clock milliseconds for timing lab runs: std's monotonic clock from a fixed start
//! natively, the JS high-resolution clock in wasm (which a page and a worker both have).

/// Milliseconds since some fixed start; only differences mean anything.
#[cfg(not(target_arch = "wasm32"))]
pub fn now_ms() -> f64 {
    use std::sync::OnceLock;
    use std::time::Instant;
    static START: OnceLock<Instant> = OnceLock::new();
    START.get_or_init(Instant::now).elapsed().as_secs_f64() * 1e3
}

/// `performance.now()` of the global scope (a window or a worker): sub-millisecond, from
/// the page's or worker's start; `Date.now()` where there is no `performance`.
#[cfg(target_arch = "wasm32")]
pub fn now_ms() -> f64 {
    use wasm_bindgen::JsCast;
    let performance = js_sys::Reflect::get(&js_sys::global(), &"performance".into()).ok().filter(|p| p.is_object());
    performance
        .and_then(|p| {
            let now = js_sys::Reflect::get(&p, &"now".into()).ok()?.dyn_into::<js_sys::Function>().ok()?;
            now.call0(&p).ok()?.as_f64()
        })
        .unwrap_or_else(js_sys::Date::now)
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
