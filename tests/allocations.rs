//! Heap allocations per training step of the default experiment, natively on the CPU
//! and GPU backends, counted by a global allocator on the test's own thread. The count
//! per step must not grow with the number of steps (windows of 10 and 50 steps).
#![cfg(not(target_arch = "wasm32"))]

use glassbox::backend::gpu::GpuBackend;
use glassbox::session::Session;
use glassbox::spec::ExperimentSpec;
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

struct Counting;

thread_local! {
    static ALLOCATIONS: Cell<u64> = const { Cell::new(0) };
}

// SAFETY: forwards to the system allocator; the counter is a const-initialised
// thread-local Cell, which never allocates.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.with(|n| n.set(n.get() + 1));
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.with(|n| n.set(n.get() + 1));
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static COUNTING: Counting = Counting;

fn allocations() -> u64 {
    ALLOCATIONS.with(Cell::get)
}

/// Allocations of each of `steps` training steps, after a warm-up of two epochs and an
/// evaluation sync (pipelines compiled, pools filled), with whether the step ended an epoch.
fn per_step(mut session: Session, steps: usize) -> Vec<(u64, bool)> {
    let spe = session.steps_per_epoch();
    session.train_steps(2 * spe);
    pollster::block_on(session.metrics());
    let mut counts = Vec::with_capacity(steps);
    for i in 1..=steps as u64 {
        let before = allocations();
        session.train_steps(1);
        counts.push((allocations() - before, (2 * spe + i).is_multiple_of(spe)));
    }
    counts
}

fn mean(xs: impl Iterator<Item = u64>) -> f64 {
    let (sum, n) = xs.fold((0, 0), |(s, n), x| (s + x, n + 1));
    sum as f64 / n as f64
}

/// Ordinary steps cost the same over the first 10 and over all 50 steps, and every
/// epoch-end step (which also queues the evaluation) costs the same.
fn check(name: &str, session: Session) {
    let counts = per_step(session, 50);
    let ordinary = |n: usize| mean(counts[..n].iter().filter(|c| !c.1).map(|c| c.0));
    let ends: Vec<u64> = counts.iter().filter(|c| c.1).map(|c| c.0).collect();
    let (short, long) = (ordinary(10), ordinary(50));
    println!("{name}: {short:.1} allocations per step over 10 steps, {long:.1} over 50; epoch-end steps {ends:?}");
    assert!(counts[..10].iter().all(|c| !c.1) && ends.len() == 2, "{name}: the windows should hold 0 and 2 epoch ends");
    assert!((long - short).abs() <= 0.02 * short, "{name}: allocations per step grow with the steps");
    let (lo, hi) = (ends[0].min(ends[1]) as f64, ends[0].max(ends[1]) as f64);
    assert!(hi - lo <= 2.0 + 0.02 * lo, "{name}: epoch-end steps grow: {ends:?}");
}

#[test]
fn allocations_per_step_do_not_grow() {
    check("cpu", Session::new(ExperimentSpec::default()).unwrap());
    let gpu = pollster::block_on(GpuBackend::new()).expect("no GPU adapter: natively install mesa-vulkan-drivers (lavapipe)");
    check("gpu", Session::on_gpu(ExperimentSpec::default(), gpu).unwrap());
}
