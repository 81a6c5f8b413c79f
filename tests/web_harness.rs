//! Proves where the browser tests run: in the page by default, in a dedicated worker
//! with `--features test-in-worker` (the engine's home in the app).
#![cfg(target_arch = "wasm32")]

use wasm_bindgen_test::wasm_bindgen_test;

glassbox::web_test_harness!();

#[wasm_bindgen_test]
fn runs_in_the_context_the_harness_names() {
    let global = js_sys::global();
    let has = |name: &str| js_sys::Reflect::has(&global, &name.into()).unwrap();
    if cfg!(feature = "test-in-worker") {
        assert!(!has("document") && has("importScripts"), "expected a dedicated worker");
    } else {
        assert!(has("document"), "expected a page");
    }
}
