//! The WebGPU backend on wgpu: tensors live in pooled device buffers, ops record compute
//! dispatches into one pending command encoder, and `flush` submits it (the trainer
//! flushes once per step). Nothing comes back to the CPU unless `read` is awaited.
//!
//! `ops` (with `pool_ops`, `norm_ops` and `conv` for the image ops) implements the
//! `Backend` trait on top of the `dispatch` primitive below; `pool` is the buffer pool.

mod conv;
mod device;
mod fault;
mod norm_ops;
mod ops;
mod pipelines;
mod pool;
mod pool_ops;
mod readback;
mod templates;

pub use device::{AdapterSummary, GpuError};

use fault::FaultFlag;
use pipelines::{Kernel, Pipelines};
use pool::{BufferPool, PooledBuffer};
use std::cell::{Cell, RefCell};

/// Size of the uniform block every kernel gets, in 32-bit words.
const PARAM_WORDS: usize = 16;

/// Bindings a dispatch can make: the uniform block and up to 11 buffers.
const MAX_BINDINGS: usize = 12;

/// A row-major f32 matrix resident on the device.
pub struct GpuTensor {
    buffer: PooledBuffer,
    shape: [usize; 2],
}

impl GpuTensor {
    fn len(&self) -> usize {
        self.shape[0] * self.shape[1]
    }

    fn buffer(&self) -> &wgpu::Buffer {
        self.buffer.buffer()
    }
}

pub struct GpuBackend {
    device: wgpu::Device,
    queue: wgpu::Queue,
    summary: AdapterSummary,
    max_groups: u32,
    pipelines: Pipelines,
    pool: BufferPool,
    encoder: RefCell<Option<wgpu::CommandEncoder>>,
    submissions: Cell<u64>,
    fault: FaultFlag,
}

impl GpuBackend {
    /// Opens the default adapter; kernels compile on first use.
    pub async fn new() -> Result<GpuBackend, GpuError> {
        let (adapter, device, queue) = device::open().await?;
        Ok(GpuBackend {
            summary: AdapterSummary::new(&adapter.get_info()),
            max_groups: device.limits().max_compute_workgroups_per_dimension,
            pipelines: Pipelines::new(device.clone()),
            pool: BufferPool::new(device.clone()),
            encoder: RefCell::new(None),
            submissions: Cell::new(0),
            fault: FaultFlag::watch(&device),
            device,
            queue,
        })
    }

    pub fn adapter_info(&self) -> AdapterSummary {
        self.summary.clone()
    }

    /// The first fault the device reported (lost, out of memory, validation error), if
    /// any. After one, results read back are meaningless and the backend should be
    /// dropped.
    pub fn fault(&self) -> Option<String> {
        self.fault.get()
    }

    /// Destroys the device, as a driver reset would (the test hook for device loss).
    pub fn destroy_device(&self) {
        self.device.destroy();
    }

    /// Command buffers submitted so far (one per flush that had work).
    pub fn submissions(&self) -> u64 {
        self.submissions.get()
    }

    /// A tensor with unspecified contents.
    fn alloc(&self, shape: [usize; 2]) -> GpuTensor {
        let bytes = (shape[0] * shape[1] * 4) as u64;
        let usage = wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_SRC | wgpu::BufferUsages::COPY_DST;
        GpuTensor { buffer: self.pool.take(bytes, usage), shape }
    }

    /// Runs `f` on the pending encoder, starting one if there is none.
    fn record(&self, f: impl FnOnce(&mut wgpu::CommandEncoder)) {
        let mut pending = self.encoder.borrow_mut();
        f(pending.get_or_insert_with(|| self.device.create_command_encoder(&Default::default())));
    }

    /// Submits the pending encoder, if any, and makes buffers freed since the last
    /// submission reusable.
    fn submit(&self) {
        if let Some(encoder) = self.encoder.borrow_mut().take() {
            self.queue.submit([encoder.finish()]);
            self.submissions.set(self.submissions.get() + 1);
        }
        self.pool.recycle();
    }

    /// Workgroup counts for `items` work items, `size` per workgroup, folded into a
    /// second dimension past the per-dimension limit.
    fn grid(&self, items: usize, size: u32) -> [u32; 2] {
        let groups = (items as u64).div_ceil(size as u64);
        let x = groups.clamp(1, self.max_groups as u64);
        let y = groups.div_ceil(x);
        assert!(y <= self.max_groups as u64, "{items} work items exceed the device's dispatch limits");
        [x as u32, y as u32]
    }

    /// Records one kernel launch. `params` fills the kernel's uniform block (binding 0;
    /// f32 values as their bits); `buffers` bind at 1, 2, … in order.
    fn dispatch(&self, kernel: Kernel, params: &[u32], buffers: &[&wgpu::Buffer], groups: [u32; 2]) {
        let mut words = [0u32; PARAM_WORDS];
        words[..params.len()].copy_from_slice(params);
        let uniform =
            self.pool.take((PARAM_WORDS * 4) as u64, wgpu::BufferUsages::UNIFORM | wgpu::BufferUsages::COPY_DST);
        // Each dispatch has its own uniform buffer: writes land before the submission,
        // so dispatches in one encoder cannot share one.
        self.queue.write_buffer(uniform.buffer(), 0, bytemuck::cast_slice(&words));
        assert!(buffers.len() < MAX_BINDINGS, "{kernel:?}: more bindings than dispatch has room for");
        // On the stack: the slots past the kernel's bindings are never handed to wgpu.
        let bound = |i: usize| if i == 0 { uniform.buffer() } else { buffers.get(i - 1).copied().unwrap_or(uniform.buffer()) };
        let entries: [wgpu::BindGroupEntry; MAX_BINDINGS] =
            std::array::from_fn(|i| wgpu::BindGroupEntry { binding: i as u32, resource: bound(i).as_entire_binding() });
        let (pipeline, layout) = self.pipelines.get(kernel);
        let bind_group = self.device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: None,
            layout: &layout,
            entries: &entries[..=buffers.len()],
        });
        self.record(|encoder| {
            let mut pass = encoder.begin_compute_pass(&Default::default());
            pass.set_pipeline(&pipeline);
            pass.set_bind_group(0, &bind_group, &[]);
            pass.dispatch_workgroups(groups[0], groups[1], 1);
        });
    }
}
