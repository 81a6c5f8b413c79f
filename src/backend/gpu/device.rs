//! Finding a GPU: the adapter and device request (with the adapter's own limits), the
//! error when there is none, and a plain description of the adapter for badges and logs.

use std::fmt;

/// Why no GPU backend could be made.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GpuError(pub String);

impl fmt::Display for GpuError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for GpuError {}

/// What the backend runs on.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AdapterSummary {
    pub name: String,
    /// The native API under wgpu (Vulkan, Metal, Dx12, BrowserWebGpu…).
    pub backend: String,
    /// DiscreteGpu, IntegratedGpu, VirtualGpu, Cpu or Other.
    pub device_type: String,
    /// True for software rasterisers (lavapipe, llvmpipe, SwiftShader), which are slow.
    pub is_software: bool,
}

impl AdapterSummary {
    pub fn new(info: &wgpu::AdapterInfo) -> Self {
        let software_name = ["SwiftShader", "llvmpipe", "lavapipe"]
            .iter()
            .any(|s| info.name.to_lowercase().contains(&s.to_lowercase()));
        AdapterSummary {
            name: info.name.clone(),
            backend: info.backend.to_string(),
            device_type: format!("{:?}", info.device_type),
            is_software: info.device_type == wgpu::DeviceType::Cpu || software_name,
        }
    }
}

/// The default adapter and a device that may use everything the adapter offers.
pub async fn open() -> Result<(wgpu::Adapter, wgpu::Device, wgpu::Queue), GpuError> {
    let instance = wgpu::Instance::new(wgpu::InstanceDescriptor::new_without_display_handle());
    let adapter = instance
        .request_adapter(&wgpu::RequestAdapterOptions::default())
        .await
        .map_err(|e| GpuError(format!("no WebGPU adapter available: {e}")))?;
    let (device, queue) = adapter
        .request_device(&wgpu::DeviceDescriptor {
            label: Some("glassbox"),
            required_limits: adapter.limits(),
            ..Default::default()
        })
        .await
        .map_err(|e| GpuError(format!("the adapter {:?} refused a device: {e}", adapter.get_info().name)))?;
    Ok((adapter, device, queue))
}
