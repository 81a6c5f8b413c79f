// Colour-blind-safe colours: the Okabe–Ito palette for up to 8 classes and the two
// loss curves, and a blue–orange diverging map for probabilities and signed values
// (as a 256-entry lookup table, so heatmaps pick colours without allocating).
export const CLASS_COLORS = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00', '#F0E442', '#000000'];
export const SERIES_COLORS = { train: '#0072B2', test: '#D55E00' };

const hexRgb = (hex) => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
export const CLASS_RGB = CLASS_COLORS.map(hexRgb);

// Pale ends, so the saturated class colours of the points stay visible on top.
const BLUE = [120, 170, 212];
const MID = [247, 247, 247];
const ORANGE = [245, 183, 105];
// Saturated ends for thin marks (links in the network diagram).
const STRONG_BLUE = [0, 114, 178];
const STRONG_ORANGE = [230, 159, 0];

function ramp(lo, mid, hi) {
  const lut = new Uint8ClampedArray(256 * 3);
  for (let k = 0; k < 256; k++) {
    const t = k / 255;
    const [a, b, u] = t < 0.5 ? [lo, mid, t * 2] : [mid, hi, (t - 0.5) * 2];
    for (let c = 0; c < 3; c++) lut[k * 3 + c] = Math.round(a[c] + (b[c] - a[c]) * u);
  }
  return lut;
}

// DIVERGING_LUT[3k..3k+3] is the colour of t = k/255 (0 = blue, ½ = white, 1 = orange).
export const DIVERGING_LUT = ramp(BLUE, MID, ORANGE);
const STRONG_LUT = ramp(STRONG_BLUE, [200, 200, 200], STRONG_ORANGE);

// Index into a 256-entry table for a signed value v in [−scale, scale].
export function signedIndex(v, scale) {
  const t = scale > 0 ? 0.5 + 0.5 * (v / scale) : 0.5;
  return Number.isFinite(t) ? Math.round(Math.min(1, Math.max(0, t)) * 255) : 128;
}

// CSS colour of a signed value for lines and text: blue negative, orange positive.
export function signedCss(v, scale) {
  const k = signedIndex(v, scale) * 3;
  return `rgb(${STRONG_LUT[k]},${STRONG_LUT[k + 1]},${STRONG_LUT[k + 2]})`;
}

// The ends of a regression set's colour scale: its largest |target| (at least 1).
export function targetScale(points) {
  let scale = 1;
  for (const t of points?.targets ?? []) scale = Math.max(scale, Math.abs(t));
  return scale;
}

// The colour of point i: its class, or for regression its target on the diverging map.
export function pointColor(points, i, scale) {
  return points.targets?.length ? signedCss(points.targets[i], scale) : CLASS_COLORS[points.labels[i]];
}
