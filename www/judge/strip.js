// The cascading randomisation map strip: per judged method, the first sample's map for
// the trained model and after each step that randomised one more layer from the top,
// on one colour scale per method (diverging when the maps have signs, viridis for
// magnitudes), so a map that does not change shows a method that ignores the model.
import { toPlane, scaleOf } from '../explain/normalise.js';
import { paintAttribution } from '../explain/paint.js';

// Captions of the strip's steps: step 0 is the trained model; step k names the layer
// (by its id in the CNN layers list) randomised last, all layers above it already random.
export const stepCaptions = (layers) => layers.map((l, k) => (k === 0 || l == null ? 'trained' : `layers ≥ ${l} random`));

// A <table> with one row per method that has a strip, or null when none has one.
export function renderStrips(board) {
  const rows = board.rows.filter((r) => r.strip.length > 1);
  if (!rows.length) return null;
  const table = document.createElement('table');
  table.className = 'judge-strips';
  const caption = document.createElement('caption');
  caption.textContent = 'Cascading randomisation, first test sample: the map as layers are randomised from the top down (one colour scale per method).';
  table.append(caption);
  for (const r of rows) {
    const tr = document.createElement('tr');
    tr.dataset.method = r.method;
    const th = document.createElement('th');
    th.scope = 'row';
    th.textContent = r.label;
    tr.append(th);
    const planes = r.strip.map((m) => toPlane(m, r.mapShape));
    const signed = planes.some((p) => p.values.some((v) => v < 0));
    const scale = Math.max(...planes.map((p) => scaleOf(p.values)));
    const captions = stepCaptions(r.curves.randomisedLayers);
    planes.forEach((plane, k) => {
      const td = document.createElement('td');
      const canvas = document.createElement('canvas');
      canvas.className = 'map';
      paintAttribution(canvas, plane, { signed, scale });
      const spearman = r.curves.spearman[k];
      const text = `${captions[k]}${Number.isFinite(spearman) ? ` · ρ ${spearman.toFixed(2)}` : ''}`;
      canvas.setAttribute('role', 'img');
      canvas.setAttribute('aria-label', `${r.label}: ${text}`);
      const label = document.createElement('div');
      label.className = 'caption';
      label.textContent = text;
      td.append(canvas, label);
      tr.append(td);
    });
    table.append(tr);
  }
  return table;
}
