//! Reading a device buffer back: copy into a mappable staging buffer, submit, map it
//! asynchronously and await the map callback through a oneshot channel.

use super::GpuBackend;
use futures_channel::oneshot;

impl GpuBackend {
    /// The first `len` f32 values of `src`, after all work recorded so far.
    pub(super) async fn read_buffer(&self, src: &wgpu::Buffer, len: usize) -> Vec<f32> {
        if len == 0 {
            self.submit();
            return Vec::new();
        }
        let bytes = (len * 4) as u64;
        let staging = self.pool.take(bytes, wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST);
        self.record(|encoder| encoder.copy_buffer_to_buffer(src, 0, staging.buffer(), 0, bytes));
        self.submit();

        let slice = staging.buffer().slice(..bytes);
        let (sender, receiver) = oneshot::channel();
        slice.map_async(wgpu::MapMode::Read, move |result| {
            // The receiver only goes away if the reading future was dropped.
            let _ = sender.send(result);
        });
        let _unmap = Unmap(staging.buffer());
        // Natively this blocks until the GPU is done and runs the callback above. In the
        // browser it returns at once and the callback comes from the event loop.
        self.device.poll(wgpu::PollType::wait_indefinitely()).expect("waiting for the GPU failed");
        receiver.await.expect("wgpu dropped the map callback").expect("mapping the staging buffer failed");

        let view = slice.get_mapped_range().expect("the staging buffer is mapped");
        let data = bytemuck::pod_collect_to_vec(&view);
        drop(view); // before `_unmap` runs
        data
    }
}

/// Unmaps the staging buffer before it goes back to the pool, also when the reading
/// future is dropped while the mapping is still pending.
struct Unmap<'a>(&'a wgpu::Buffer);

impl Drop for Unmap<'_> {
    fn drop(&mut self) {
        self.0.unmap();
    }
}
