//! Shapes of image ops. An image batch is stored as a [n, c·h·w] tensor: each row is one
//! sample in NCHW order (index c·H·W + h·W + w, PyTorch's flatten order), so a flatten
//! layer moves no data. `Window` describes where a convolution kernel or pooling window
//! lands; constructors validate and return a message instead of panicking.

/// One sample's channels, height and width.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct ImageShape {
    pub channels: usize,
    pub height: usize,
    pub width: usize,
}

impl ImageShape {
    pub fn new(channels: usize, height: usize, width: usize) -> Self {
        ImageShape { channels, height, width }
    }

    /// Pixels per channel.
    pub fn plane(&self) -> usize {
        self.height * self.width
    }

    /// Numbers per sample.
    pub fn len(&self) -> usize {
        self.channels * self.plane()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// How a window covers the border: `Valid` never leaves the image; `Same` pads with zeros
/// so that the output has ⌈input / stride⌉ positions, the extra row or column (if the
/// total padding is odd) going to the bottom and right, as TensorFlow does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Padding {
    Valid,
    Same,
}

/// A kernel or pooling window sliding over an input image.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Window {
    pub input: ImageShape,
    /// [height, width] of the window.
    pub kernel: [usize; 2],
    /// [vertical, horizontal] step between windows.
    pub stride: [usize; 2],
    /// Zero rows above and columns left of the input. The padding below and to the right
    /// is whatever the output size needs; positions outside the input read as zero.
    pub pad: [usize; 2],
    /// Output [height, width].
    pub out: [usize; 2],
}

impl Window {
    pub fn new(input: ImageShape, kernel: [usize; 2], stride: [usize; 2], padding: Padding) -> Result<Window, String> {
        if input.is_empty() {
            return Err(format!("the input image {}×{}×{} is empty", input.channels, input.height, input.width));
        }
        if kernel.contains(&0) || stride.contains(&0) {
            return Err(format!("kernel {kernel:?} and stride {stride:?} must be at least 1"));
        }
        let size = [input.height, input.width];
        let mut pad = [0; 2];
        let mut out = [0; 2];
        for a in 0..2 {
            match padding {
                Padding::Valid => {
                    if kernel[a] > size[a] {
                        return Err(format!(
                            "the {}×{} kernel is larger than the {}×{} input",
                            kernel[0], kernel[1], size[0], size[1]
                        ));
                    }
                    out[a] = (size[a] - kernel[a]) / stride[a] + 1;
                }
                Padding::Same => {
                    out[a] = size[a].div_ceil(stride[a]);
                    let total = ((out[a] - 1) * stride[a] + kernel[a]).saturating_sub(size[a]);
                    pad[a] = total / 2;
                }
            }
        }
        Ok(Window { input, kernel, stride, pad, out })
    }

    /// A window covering the whole image once (global pooling).
    pub fn global(input: ImageShape) -> Result<Window, String> {
        Window::new(input, [input.height, input.width], [1, 1], Padding::Valid)
    }

    /// Output positions per channel.
    pub fn out_plane(&self) -> usize {
        self.out[0] * self.out[1]
    }

    /// Numbers in one window of one channel.
    pub fn window_len(&self) -> usize {
        self.kernel[0] * self.kernel[1]
    }

    /// The window offsets k along `axis` (0: rows, 1: columns) at output position `o`
    /// whose source o·stride + k − pad lies inside the input: the taps `source` accepts,
    /// as a range (empty where the window misses the image).
    pub fn taps(&self, axis: usize, o: usize) -> std::ops::Range<usize> {
        let size = [self.input.height, self.input.width][axis];
        let at = o * self.stride[axis];
        let start = self.pad[axis].saturating_sub(at);
        let end = self.kernel[axis].min((size + self.pad[axis]).saturating_sub(at));
        start..end.max(start)
    }

    /// The input pixel (row, column) under window offset (ki, kj) at output (oi, oj), or
    /// None where the window hangs over the padding.
    pub fn source(&self, oi: usize, oj: usize, ki: usize, kj: usize) -> Option<(usize, usize)> {
        let r = (oi * self.stride[0] + ki).checked_sub(self.pad[0])?;
        let c = (oj * self.stride[1] + kj).checked_sub(self.pad[1])?;
        (r < self.input.height && c < self.input.width).then_some((r, c))
    }
}

/// The width p of each channel of an [n, c·p] tensor with `channels` = c channels (p = 1
/// for a dense layer's features, h·w for NCHW images). Backend ops call it to check their
/// inputs and panic with `op`'s name when `channels` does not divide the columns.
pub fn channel_width(op: &str, cols: usize, channels: usize) -> usize {
    assert!(channels > 0 && cols.is_multiple_of(channels), "{op}: {cols} columns do not split into {channels} channels");
    cols / channels
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;
    use super::*;

    #[test]
    fn valid_and_same_output_sizes_follow_the_frameworks() {
        let img = ImageShape::new(3, 7, 6);
        let v = Window::new(img, [3, 3], [2, 2], Padding::Valid).unwrap();
        assert_eq!((v.out, v.pad), ([3, 2], [0, 0]));
        // TF 'SAME': out = ceil(in / stride); total padding (out−1)·s + k − in, top gets half.
        let s = Window::new(img, [3, 3], [2, 2], Padding::Same).unwrap();
        assert_eq!((s.out, s.pad), ([4, 3], [1, 0]));
        let s1 = Window::new(img, [5, 4], [1, 1], Padding::Same).unwrap();
        assert_eq!((s1.out, s1.pad), ([7, 6], [2, 1]));
        let g = Window::global(img).unwrap();
        assert_eq!((g.out, g.window_len()), ([1, 1], 42));
    }

    #[test]
    fn bad_windows_are_errors_not_panics() {
        let img = ImageShape::new(1, 4, 4);
        assert!(Window::new(img, [5, 3], [1, 1], Padding::Valid).unwrap_err().contains("larger than"));
        assert!(Window::new(img, [0, 3], [1, 1], Padding::Same).is_err());
        assert!(Window::new(img, [3, 3], [0, 1], Padding::Same).is_err());
        assert!(Window::new(ImageShape::new(0, 4, 4), [1, 1], [1, 1], Padding::Same).is_err());
        // A kernel larger than the input is fine with zero padding.
        assert!(Window::new(img, [5, 5], [1, 1], Padding::Same).is_ok());
    }

    #[test]
    fn sources_skip_the_padding() {
        let w = Window::new(ImageShape::new(1, 3, 3), [3, 3], [1, 1], Padding::Same).unwrap();
        assert_eq!(w.source(0, 0, 0, 0), None);
        assert_eq!(w.source(0, 0, 1, 1), Some((0, 0)));
        assert_eq!(w.source(2, 2, 2, 2), None);
        assert_eq!(w.source(2, 2, 1, 1), Some((2, 2)));
    }
}
