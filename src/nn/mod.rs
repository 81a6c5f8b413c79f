//! Layers and networks, generic over the backend. `nn` knows layers, not explanation
//! methods: those hand in backward rules. Layouts follow PyTorch (dense weight [out, in]
//! with y = x·Wᵀ + b; conv weight [out, in, kh, kw]; images NCHW), so reference
//! libraries can load the same numbers.

pub mod abc;
mod build;
pub mod features;
pub mod format;
pub mod init;
pub mod layers;
mod net;
pub mod param;

pub use build::layer_list;
pub use features::Features;
pub use layers::{Layer, Node, Nonlinearity, PRELU_INIT};
pub use net::{BackwardOptions, BackwardRule, Gradients, Mode, Net, Trace};
pub use param::{Param, ParamRole};
