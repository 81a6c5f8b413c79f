//! GPU faults: the device-lost callback and the uncaptured-error handler (out of memory,
//! validation) record the first fault in a shared flag instead of panicking, so the
//! session can notice it between calls and carry on elsewhere.

use std::sync::{Arc, Mutex};

/// The first fault a device reported, shared with wgpu's callbacks.
#[derive(Clone, Default)]
pub struct FaultFlag(Arc<Mutex<Option<String>>>);

impl FaultFlag {
    /// A flag that `device`'s loss and uncaptured errors set.
    pub fn watch(device: &wgpu::Device) -> FaultFlag {
        let flag = FaultFlag::default();
        let lost = flag.clone();
        device.set_device_lost_callback(move |reason, message| {
            lost.raise(format!("the WebGPU device was lost ({reason:?}{})", detail(&message)));
        });
        let errors = flag.clone();
        device.on_uncaptured_error(Arc::new(move |error: wgpu::Error| {
            let what = match &error {
                wgpu::Error::OutOfMemory { .. } => "the GPU ran out of memory",
                wgpu::Error::Validation { .. } => "WebGPU rejected a command (validation error)",
                wgpu::Error::Internal { .. } => "WebGPU failed internally",
            };
            errors.raise(format!("{what}{}", detail(&error.to_string())));
        }));
        flag
    }

    /// Records `fault` unless an earlier one is already recorded (the first is the cause).
    pub fn raise(&self, fault: String) {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).get_or_insert(fault);
    }

    pub fn get(&self) -> Option<String> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

fn detail(message: &str) -> String {
    let first = message.lines().map(str::trim).find(|l| !l.is_empty()).unwrap_or("");
    if first.is_empty() { String::new() } else { format!(": {first}") }
}
