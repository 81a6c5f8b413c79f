//! The compute kernels: their WGSL (kernels/*.wgsl, beside this file, each after the
//! shared prelude.wgsl, and after pool_common.wgsl, window.wgsl, rng.wgsl or
//! channel_reduce.wgsl where they use them; the templated ones filled in from templates.rs
//! or here) and one compiled pipeline per kernel, built on first use and cached.

use super::templates;
use crate::backend::{ActivationOp, GateOp};
use std::cell::RefCell;
use std::collections::HashMap;

/// Every kernel the backend dispatches. Activations and gates are one template each,
/// compiled once per kind.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Kernel {
    /// Reads storage one element at a time: any shape.
    Matmul,
    /// Reads storage as vec4s: both operands' stored row lengths divisible by 4.
    MatmulVec4,
    AddBias,
    SumRows,
    Softmax,
    Loss,
    OptimizerStep,
    SumSquares,
    Scale,
    GatherRows,
    Im2col,
    Col2im,
    TransposeBlocks,
    Prelu,
    PreluBackward,
    Activation(ActivationOp),
    ActivationBackward(ActivationOp),
    Gate(GateOp),
    GateBackward(GateOp),
    Pool,
    PoolStats,
    PoolBackward,
    Add,
    Mul,
    /// a / (b ± eps), 0 where the denominator is 0.
    StabilizedDiv,
    DropoutMask,
    ChannelMoments,
    BatchNorm,
    BatchNormBackward,
    UpdateRunningMoments,
    ChannelScale,
    ChannelScaleBackward,
}

const PRELUDE: &str = include_str!("kernels/prelude.wgsl");
/// Bindings, geometry and the window scan shared by the pooling kernels.
const POOL_COMMON: &str = include_str!("kernels/pool_common.wgsl");
/// Prepended to the kernels that draw random numbers.
const RNG: &str = include_str!("kernels/rng.wgsl");
/// Prepended to the per-channel reductions.
const CHANNEL_REDUCE: &str = include_str!("kernels/channel_reduce.wgsl");
/// The template of the elementwise binary ops.
const BINARY: &str = include_str!("kernels/binary.wgsl");
/// The window geometry shared by im2col and col2im, placed before their bodies.
const WINDOW: &str = include_str!("kernels/window.wgsl");

fn fill(template: &str, body: &str) -> String {
    template.replace("{{BODY}}", body)
}

fn matmul(loads: &str) -> String {
    include_str!("kernels/matmul.wgsl").replace("{{LOADS}}", loads)
}

impl Kernel {
    /// The cache key: the kernel and, for templates, the kind (not its parameters, which
    /// travel in the uniform block).
    fn key(self) -> (&'static str, &'static str) {
        match self {
            Kernel::Activation(op) => ("activation", op.name()),
            Kernel::ActivationBackward(op) => ("activation_backward", op.name()),
            Kernel::Gate(op) => ("gate", op.name()),
            Kernel::GateBackward(op) => ("gate_backward", op.name()),
            Kernel::Matmul => ("matmul", "scalar"),
            Kernel::MatmulVec4 => ("matmul", "vec4"),
            Kernel::AddBias => ("add_bias", ""),
            Kernel::SumRows => ("sum_rows", ""),
            Kernel::Softmax => ("softmax", ""),
            Kernel::Loss => ("loss", ""),
            Kernel::OptimizerStep => ("optimizer_step", ""),
            Kernel::SumSquares => ("sum_squares", ""),
            Kernel::Scale => ("scale", ""),
            Kernel::GatherRows => ("gather_rows", ""),
            Kernel::Im2col => ("im2col", ""),
            Kernel::Col2im => ("col2im", ""),
            Kernel::TransposeBlocks => ("transpose_blocks", ""),
            Kernel::Prelu => ("prelu", ""),
            Kernel::PreluBackward => ("prelu_backward", ""),
            Kernel::Pool => ("pool", ""),
            Kernel::PoolStats => ("pool_stats", ""),
            Kernel::PoolBackward => ("pool_backward", ""),
            Kernel::Add => ("binary", "add"),
            Kernel::Mul => ("binary", "mul"),
            Kernel::StabilizedDiv => ("binary", "stabilized_div"),
            Kernel::DropoutMask => ("dropout_mask", ""),
            Kernel::ChannelMoments => ("channel_moments", ""),
            Kernel::BatchNorm => ("batch_norm", ""),
            Kernel::BatchNormBackward => ("batch_norm_backward", ""),
            Kernel::UpdateRunningMoments => ("update_running_moments", ""),
            Kernel::ChannelScale => ("channel_scale", ""),
            Kernel::ChannelScaleBackward => ("channel_scale_backward", ""),
        }
    }

    /// The kernel's WGSL, after the shared prelude.
    fn source(self) -> String {
        format!("{PRELUDE}\n{}", self.body())
    }

    fn body(self) -> String {
        match self {
            Kernel::Matmul => matmul(include_str!("kernels/matmul_scalar.wgsl")),
            Kernel::MatmulVec4 => matmul(include_str!("kernels/matmul_vec4.wgsl")),
            Kernel::AddBias => include_str!("kernels/add_bias.wgsl").into(),
            Kernel::SumRows => include_str!("kernels/sum_rows.wgsl").into(),
            Kernel::Softmax => include_str!("kernels/softmax.wgsl").into(),
            Kernel::Loss => include_str!("kernels/loss.wgsl").into(),
            Kernel::OptimizerStep => include_str!("kernels/optimizer_step.wgsl").into(),
            Kernel::SumSquares => include_str!("kernels/sum_squares.wgsl").into(),
            Kernel::Scale => include_str!("kernels/scale.wgsl").into(),
            Kernel::GatherRows => include_str!("kernels/gather_rows.wgsl").into(),
            Kernel::Im2col => format!("{WINDOW}\n{}", include_str!("kernels/im2col.wgsl")),
            Kernel::Col2im => format!("{WINDOW}\n{}", include_str!("kernels/col2im.wgsl")),
            Kernel::TransposeBlocks => include_str!("kernels/transpose_blocks.wgsl").into(),
            Kernel::Prelu => include_str!("kernels/prelu.wgsl").into(),
            Kernel::PreluBackward => include_str!("kernels/prelu_backward.wgsl").into(),
            Kernel::Activation(op) => fill(include_str!("kernels/activation.wgsl"), templates::activation(op).0),
            Kernel::ActivationBackward(op) => {
                fill(include_str!("kernels/activation_backward.wgsl"), templates::activation(op).1)
            }
            Kernel::Gate(op) => fill(include_str!("kernels/gate.wgsl"), templates::gate(op).0),
            Kernel::GateBackward(op) => fill(include_str!("kernels/gate_backward.wgsl"), templates::gate(op).1),
            Kernel::Pool => format!("{POOL_COMMON}\n{}", include_str!("kernels/pool.wgsl")),
            Kernel::PoolStats => format!("{POOL_COMMON}\n{}", include_str!("kernels/pool_stats.wgsl")),
            Kernel::PoolBackward => format!("{POOL_COMMON}\n{}", include_str!("kernels/pool_backward.wgsl")),
            Kernel::Add => fill(BINARY, "a + b"),
            Kernel::Mul => fill(BINARY, "a * b"),
            Kernel::StabilizedDiv => fill(BINARY, "stabilized_div(a, b)"),
            Kernel::DropoutMask => format!("{RNG}\n{}", include_str!("kernels/dropout_mask.wgsl")),
            Kernel::ChannelMoments => format!("{CHANNEL_REDUCE}\n{}", include_str!("kernels/channel_moments.wgsl")),
            Kernel::BatchNorm => include_str!("kernels/batch_norm.wgsl").into(),
            Kernel::BatchNormBackward => {
                format!("{CHANNEL_REDUCE}\n{}", include_str!("kernels/batch_norm_backward.wgsl"))
            }
            Kernel::UpdateRunningMoments => include_str!("kernels/update_running_moments.wgsl").into(),
            Kernel::ChannelScale => include_str!("kernels/channel_scale.wgsl").into(),
            Kernel::ChannelScaleBackward => include_str!("kernels/channel_scale_backward.wgsl").into(),
        }
    }
}

type Compiled = (wgpu::ComputePipeline, wgpu::BindGroupLayout);

/// Compiled pipelines and their bind-group layouts, built on first use.
pub struct Pipelines {
    device: wgpu::Device,
    cache: RefCell<HashMap<(&'static str, &'static str), Compiled>>,
}

impl Pipelines {
    pub fn new(device: wgpu::Device) -> Self {
        Pipelines { device, cache: RefCell::new(HashMap::new()) }
    }

    /// The kernel's pipeline and layout (cheap handles), compiling it the first time.
    pub fn get(&self, kernel: Kernel) -> Compiled {
        self.cache
            .borrow_mut()
            .entry(kernel.key())
            .or_insert_with(|| {
                let label = format!("{kernel:?}");
                let module = self.device.create_shader_module(wgpu::ShaderModuleDescriptor {
                    label: Some(&label),
                    source: wgpu::ShaderSource::Wgsl(kernel.source().into()),
                });
                let pipeline = self.device.create_compute_pipeline(&wgpu::ComputePipelineDescriptor {
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
            .clone()
    }
}
