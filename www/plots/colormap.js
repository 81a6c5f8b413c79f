// Colour-blind-safe colours: a blue–orange diverging map for class probability and
// the Okabe–Ito blue and orange for the two classes and the two loss curves.
export const CLASS_COLORS = ['#0072B2', '#E69F00'];
export const SERIES_COLORS = { train: '#0072B2', test: '#D55E00' };

const BLUE = [120, 170, 212];
const MID = [247, 247, 247];
const ORANGE = [245, 183, 105];

// p in [0, 1] (probability of class 1) → [r, g, b]; pale ends, so the saturated class
// colours of the points stay visible on top.
export function diverging(p) {
  const t = Math.min(1, Math.max(0, p));
  const [a, b, u] = t < 0.5 ? [BLUE, MID, t * 2] : [MID, ORANGE, (t - 0.5) * 2];
  return [0, 1, 2].map((i) => Math.round(a[i] + (b[i] - a[i]) * u));
}
