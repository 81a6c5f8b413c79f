// Per-feature attributions as one array per feature, and their "grouped to x₁ / x₂"
// approximation: each derived feature's attribution is credited to the raw coordinate it
// is computed from (x₁², sin x₁ → x₁; x₂², sin x₂ → x₂; x₁x₂ half to each). This is a
// bookkeeping convention, not an attribution method: it keeps the sum over features but
// says nothing about how a derived feature's share would split in a model of x₁, x₂ alone.
import { FEATURES } from './network.js';

const LABELS = new Map(FEATURES);
// The raw coordinates each plane feature comes from, with the share each one gets.
const SOURCES = {
  x1: [['x1', 1]], x2: [['x2', 1]],
  x1Squared: [['x1', 1]], x2Squared: [['x2', 1]],
  sinX1: [['x1', 1]], sinX2: [['x2', 1]],
  x1x2: [['x1', 0.5], ['x2', 0.5]],
};

export const featureLabel = (name) => LABELS.get(name) ?? name;

// attr.maps holds n samples × names.length values (sample-major): one Float32Array of n
// values per feature.
export function splitByFeature(maps, names) {
  const f = names.length;
  const n = maps.length / f;
  const out = names.map(() => new Float32Array(n));
  for (let i = 0; i < n; i++) for (let j = 0; j < f; j++) out[j][i] = maps[i * f + j];
  return out;
}

// {names: ['x1', 'x2'], maps}: the per-feature arrays summed into the coordinates.
export function groupToCoordinates(names, maps) {
  const n = maps[0]?.length ?? 0;
  const grouped = { x1: new Float32Array(n), x2: new Float32Array(n) };
  names.forEach((name, j) => {
    for (const [to, share] of SOURCES[name]) {
      const sum = grouped[to];
      const from = maps[j];
      for (let i = 0; i < n; i++) sum[i] += share * from[i];
    }
  });
  return { names: ['x1', 'x2'], maps: [grouped.x1, grouped.x2] };
}
