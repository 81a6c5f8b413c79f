//! The compute kernels: their WGSL (kernels/*.wgsl, beside this file) and one compiled
//! pipeline per kernel, built once when the backend starts.

/// Every kernel the backend dispatches.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kernel {
    Matmul,
    AddBias,
    SumRows,
    Tanh,
    TanhBackward,
    Softmax,
    CrossEntropy,
    OptimizerStep,
    SumSquares,
    Scale,
    GatherRows,
}

impl Kernel {
    const ALL: [Kernel; 11] = [
        Kernel::Matmul,
        Kernel::AddBias,
        Kernel::SumRows,
        Kernel::Tanh,
        Kernel::TanhBackward,
        Kernel::Softmax,
        Kernel::CrossEntropy,
        Kernel::OptimizerStep,
        Kernel::SumSquares,
        Kernel::Scale,
        Kernel::GatherRows,
    ];

    fn source(self) -> &'static str {
        match self {
            Kernel::Matmul => include_str!("kernels/matmul.wgsl"),
            Kernel::AddBias => include_str!("kernels/add_bias.wgsl"),
            Kernel::SumRows => include_str!("kernels/sum_rows.wgsl"),
            Kernel::Tanh => include_str!("kernels/tanh.wgsl"),
            Kernel::TanhBackward => include_str!("kernels/tanh_backward.wgsl"),
            Kernel::Softmax => include_str!("kernels/softmax.wgsl"),
            Kernel::CrossEntropy => include_str!("kernels/cross_entropy.wgsl"),
            Kernel::OptimizerStep => include_str!("kernels/optimizer_step.wgsl"),
            Kernel::SumSquares => include_str!("kernels/sum_squares.wgsl"),
            Kernel::Scale => include_str!("kernels/scale.wgsl"),
            Kernel::GatherRows => include_str!("kernels/gather_rows.wgsl"),
        }
    }
}

/// One compute pipeline and its bind-group layout per kernel, indexed by `Kernel`.
pub struct Pipelines(Vec<(wgpu::ComputePipeline, wgpu::BindGroupLayout)>);

impl Pipelines {
    pub fn new(device: &wgpu::Device) -> Self {
        Pipelines(
            Kernel::ALL
                .iter()
                .map(|&kernel| {
                    let label = format!("{kernel:?}");
                    let module = device.create_shader_module(wgpu::ShaderModuleDescriptor {
                        label: Some(&label),
                        source: wgpu::ShaderSource::Wgsl(kernel.source().into()),
                    });
                    let pipeline = device.create_compute_pipeline(&wgpu::ComputePipelineDescriptor {
                        label: Some(&label),
                        layout: None,
                        module: &module,
                        entry_point: Some("main"),
                        compilation_options: Default::default(),
                        cache: None,
                    });
                    let layout = pipeline.get_bind_group_layout(0);
                    (pipeline, layout)
                })
                .collect(),
        )
    }

    pub fn get(&self, kernel: Kernel) -> (&wgpu::ComputePipeline, &wgpu::BindGroupLayout) {
        let (pipeline, layout) = &self.0[kernel as usize];
        (pipeline, layout)
    }
}
