// Shared by im2col and col2im (placed after the prelude): the window's geometry in the
// uniform block (conv::window_params in gpu/conv.rs fills it) and the image index helpers.

struct Params {
    len: u32,
    channels: u32,
    height: u32,
    width: u32,
    kernel_h: u32,
    kernel_w: u32,
    stride_h: u32,
    stride_w: u32,
    pad_h: u32,
    pad_w: u32,
    out_h: u32,
    out_w: u32,
}

@group(0) @binding(0) var<uniform> p: Params;

// Columns of im2col's output: one per (channel, ki, kj).
fn cols_len() -> u32 {
    return p.channels * p.kernel_h * p.kernel_w;
}

// Numbers per input sample.
fn image_len() -> u32 {
    return p.channels * p.height * p.width;
}
