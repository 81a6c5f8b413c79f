// Per-feature attribution bars for samples that are flat feature vectors (the 2-D
// playground's points, an uploaded table's rows): labelled rows of signed bars around a
// centre line (the diverging colours) or magnitude bars from the left (viridis), each with
// its number, and the dataset average (mean signed and mean |attribution| per feature)
// computed in parts of at most MAX_ROWS_PER_CALL rows.
import { colourOf } from './paint.js';

export const MAX_ROWS_PER_CALL = 4096; // the engine's MAX_EXPLAIN_SAMPLES

// The largest |value| of the lists: a chart's scale, so every bar and number is shown whole.
export const largest = (lists) => Math.max(0, ...lists.flatMap((l) => Array.from(l, Math.abs).filter(Number.isFinite)));
const fmt = (v) => (Number.isFinite(v) ? (v >= 0 ? '+' : '') + v.toPrecision(3) : '–');

// Fills `list` with one row per label; all rows of one chart share `scale`.
export function renderBars(list, labels, values, scale, magnitude) {
  list.replaceChildren(...labels.map((name, j) => {
    const v = values[j];
    const row = document.createElement('li');
    const label = document.createElement('span');
    label.className = 'bar-label';
    label.textContent = name;
    label.title = name;
    const track = document.createElement('span');
    track.className = magnitude ? 'bar-track magnitude' : 'bar-track';
    const bar = document.createElement('span');
    bar.className = 'bar';
    const share = scale > 0 && Number.isFinite(v) ? Math.min(1, Math.abs(v) / scale) : 0;
    bar.style.left = magnitude ? '0' : `${v < 0 ? 50 - 50 * share : 50}%`;
    bar.style.width = `${(magnitude ? 100 : 50) * share}%`;
    bar.style.background = `rgb(${colourOf(v, scale, !magnitude).join(',')})`;
    track.append(bar);
    const value = document.createElement('span');
    value.className = 'bar-value';
    value.textContent = fmt(v);
    row.append(label, track, value);
    row.setAttribute('aria-label', `${name}: ${fmt(v)}`);
    return row;
  }));
}

// An empty captioned chart: {figure, caption, list}.
export function chart(title) {
  const figure = document.createElement('figure');
  figure.className = 'bar-chart';
  const caption = document.createElement('figcaption');
  caption.textContent = title;
  const list = document.createElement('ol');
  figure.append(caption, list);
  return { figure, caption, list };
}

// Mean signed and mean |attribution| per feature over rows [from, to). `explainPart(indices,
// start)` resolves to {names, maps} (maps: one array of the part's values per feature) or
// to {stop: message} to end early; the result is {names, signed, absolute} or {stop}.
export async function averageAttribution(from, to, explainPart) {
  let sums = null;
  for (let start = from; start < to; start += MAX_ROWS_PER_CALL) {
    const indices = Array.from({ length: Math.min(to, start + MAX_ROWS_PER_CALL) - start }, (_, i) => start + i);
    const part = await explainPart(indices, start);
    if (part.stop != null) return { stop: part.stop };
    sums ??= { names: part.names, signed: part.names.map(() => 0), absolute: part.names.map(() => 0) };
    part.maps.forEach((m, j) => {
      for (const v of m) {
        sums.signed[j] += v;
        sums.absolute[j] += Math.abs(v);
      }
    });
  }
  const n = to - from;
  return { names: sums.names, signed: sums.signed.map((v) => v / n), absolute: sums.absolute.map((v) => v / n) };
}
