//! A size-bucketed buffer pool. Buffers are handed out as `PooledBuffer`s whose `Drop`
//! gives them back. A returned buffer may still be named by commands that have not been
//! submitted, so it waits on a "retired" list until the next submission (`recycle`);
//! only then can it be reused, which keeps `queue.write_buffer` into a reused buffer
//! from overtaking the commands that read its old contents.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

/// The smallest bucket; also keeps every buffer non-empty so it can be bound.
const MIN_BUCKET: u64 = 256;

type Key = (u32, u64); // (usage bits, bucket size in bytes)

#[derive(Default)]
struct Shelves {
    free: HashMap<Key, Vec<wgpu::Buffer>>,
    retired: Vec<(Key, wgpu::Buffer)>,
}

pub struct BufferPool {
    device: wgpu::Device,
    shelves: Rc<RefCell<Shelves>>,
}

/// A buffer on loan from the pool; at least as large as asked for.
pub struct PooledBuffer {
    buffer: wgpu::Buffer,
    key: Key,
    shelves: Rc<RefCell<Shelves>>,
}

impl PooledBuffer {
    pub fn buffer(&self) -> &wgpu::Buffer {
        &self.buffer
    }
}

impl Drop for PooledBuffer {
    fn drop(&mut self) {
        self.shelves.borrow_mut().retired.push((self.key, self.buffer.clone()));
    }
}

impl BufferPool {
    pub fn new(device: wgpu::Device) -> Self {
        BufferPool { device, shelves: Rc::default() }
    }

    /// A buffer of at least `bytes` bytes with exactly `usage`, reused when one is free.
    pub fn take(&self, bytes: u64, usage: wgpu::BufferUsages) -> PooledBuffer {
        let key = (usage.bits(), bytes.max(MIN_BUCKET).next_power_of_two());
        let reused = self.shelves.borrow_mut().free.get_mut(&key).and_then(Vec::pop);
        let buffer = reused.unwrap_or_else(|| {
            self.device.create_buffer(&wgpu::BufferDescriptor {
                label: Some("glassbox pool"),
                size: key.1,
                usage,
                mapped_at_creation: false,
            })
        });
        PooledBuffer { buffer, key, shelves: self.shelves.clone() }
    }

    /// Makes every returned buffer reusable; call right after a submission.
    pub fn recycle(&self) {
        let mut shelves = self.shelves.borrow_mut();
        let retired = std::mem::take(&mut shelves.retired);
        for (key, buffer) in retired {
            shelves.free.entry(key).or_default().push(buffer);
        }
    }
}
