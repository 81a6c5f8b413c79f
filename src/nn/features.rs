//! What flows between layers: a flat feature vector or an image (channels × height ×
//! width), both stored as one row per sample.

use crate::backend::ImageShape;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Features {
    Flat(usize),
    Image(ImageShape),
}

impl Features {
    /// Numbers per sample.
    pub fn len(self) -> usize {
        match self {
            Features::Flat(n) => n,
            Features::Image(s) => s.len(),
        }
    }

    pub fn is_empty(self) -> bool {
        self.len() == 0
    }

    /// Channels for per-channel ops (batch norm, PReLU, gates): every feature of a flat
    /// vector is its own channel.
    pub fn channels(self) -> usize {
        match self {
            Features::Flat(n) => n,
            Features::Image(s) => s.channels,
        }
    }

    /// Numbers per channel per sample.
    pub fn plane(self) -> usize {
        match self {
            Features::Flat(_) => 1,
            Features::Image(s) => s.plane(),
        }
    }

    /// The same layout with `channels` channels.
    pub fn with_channels(self, channels: usize) -> Features {
        match self {
            Features::Flat(_) => Features::Flat(channels),
            Features::Image(s) => Features::Image(ImageShape { channels, ..s }),
        }
    }

    pub fn describe(self) -> String {
        match self {
            Features::Flat(n) => format!("{n} features"),
            Features::Image(s) => format!("{}×{}×{} image", s.channels, s.height, s.width),
        }
    }
}
