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
        if let Err(e) = self.device.poll(wgpu::PollType::wait_indefinitely()) {
            self.fault.raise(format!("waiting for the GPU failed: {e}"));
        }
        match receiver.await {
            Ok(Ok(())) if self.fault.get().is_none() => {}
            // A lost device: the flag says so, and the caller drops this backend. NaN,
            // not zeros, so that nothing read now can pass for a result.
            Ok(Err(e)) => return self.failed_read(len, format!("reading from the GPU failed: {e}")),
            Err(_) => return self.failed_read(len, "wgpu dropped a read from the GPU".into()),
            Ok(Ok(())) => return vec![f32::NAN; len],
        }

        let view = slice.get_mapped_range().expect("the staging buffer is mapped");
        let data = bytemuck::pod_collect_to_vec(&view);
        drop(view); // before `_unmap` runs
        data
    }
}

impl GpuBackend {
    fn failed_read(&self, len: usize, fault: String) -> Vec<f32> {
        self.fault.raise(fault);
        vec![f32::NAN; len]
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
