// Turning attribution maps into displayable values: a sign mode (all, positive,
// negative, absolute), the reduction of an input-shaped map to one plane, and the
// colour scale, per map or shared by a group of maps. Signed values use the diverging
// table around 0; magnitudes (≥ 0) use viridis from 0.

export const SIGN_MODES = [
  ['all', 'all (signed)', 'Positive evidence orange, negative blue, on one scale around 0'],
  ['positive', 'positive', 'Only the evidence for the explained class, as a magnitude'],
  ['negative', 'negative', 'Only the evidence against it, as a magnitude'],
  ['absolute', 'absolute', 'How much each pixel matters either way'],
];

export const SCALE_GROUPS = [
  ['map', 'per map', 'Each map uses its own colour scale'],
  ['method', 'per method', 'Maps of one method share a scale, so samples compare'],
  ['grid', 'whole grid', 'Every map shares one scale'],
];

// The share of the largest |values| clipped when choosing a scale (Captum's
// visualisation clips the top 2%), so a few extreme pixels do not wash out the map.
export const OUTLIER_SHARE = 0.01;

// One map of `shape` ([c, h, w], [h, w] or [n]) as a plane {values, h, w}: channels
// summed (as Captum's visualisation does), flat maps as one row.
export function toPlane(map, shape) {
  if (shape.length === 1) return { values: Float32Array.from(map), h: 1, w: shape[0] };
  if (shape.length === 2) return { values: Float32Array.from(map), h: shape[0], w: shape[1] };
  const [c, h, w] = shape;
  const plane = h * w;
  const values = new Float32Array(plane);
  for (let k = 0; k < c; k += 1) for (let p = 0; p < plane; p += 1) values[p] += map[k * plane + p];
  return { values, h, w };
}

// Applies a sign mode; `magnitude` maps are ≥ 0 already. Returns {values, signed}.
export function applySign(values, mode, magnitude = false) {
  if (magnitude) return { values, signed: false };
  const out = new Float32Array(values.length);
  const f = { all: (v) => v, positive: (v) => Math.max(v, 0), negative: (v) => Math.max(-v, 0), absolute: Math.abs }[mode];
  if (!f) throw new Error(`sign mode must be all, positive, negative or absolute, not ${mode}`);
  for (let i = 0; i < values.length; i += 1) out[i] = f(values[i]);
  return { values: out, signed: mode === 'all' };
}

// The colour scale of one map: the (1 − OUTLIER_SHARE) quantile of |v|, or the largest
// |v| when that quantile is 0 (sparse maps); 0 for an all-zero map.
export function scaleOf(values) {
  const abs = Float32Array.from(values, Math.abs).sort();
  if (!abs.length) return 0;
  const q = abs[Math.min(abs.length - 1, Math.floor((1 - OUTLIER_SHARE) * abs.length))];
  return q > 0 ? q : abs[abs.length - 1];
}

// Colour scales for cells [{values, key}] grouped by `group` (map | method | grid):
// each cell's own scale, or the largest scale in its group (cells of one method share
// `key`).
export function sharedScales(cells, group) {
  const own = cells.map((c) => scaleOf(c.values));
  if (group === 'map') return own;
  const keyOf = (c) => (group === 'grid' ? '' : c.key);
  const largest = new Map();
  cells.forEach((c, i) => largest.set(keyOf(c), Math.max(largest.get(keyOf(c)) ?? 0, own[i])));
  return cells.map((c) => largest.get(keyOf(c)));
}
