// The relevance-captured chart of the concepts panel: the share of the held-out
// samples' relevance that PRCA's and PCA's top-d subspaces hold, for d = 1..D, as two
// SVG lines (Okabe–Ito blue and vermilion, PCA dashed) with a point per d, and the
// figures as a table under a disclosure.
import { SERIES_COLORS } from '../plots/colormap.js';

const SVG = 'http://www.w3.org/2000/svg';
const W = 320;
const H = 180;
const PAD = { left: 40, right: 10, top: 10, bottom: 30 };

function el(name, attrs, text) {
  const e = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text != null) e.textContent = text;
  return e;
}

// Draws {prca, pca} (entry d − 1 for d) into `root`.
export function drawCapture(root, curve) {
  const n = curve.prca.length;
  const all = [...curve.prca, ...curve.pca, 0, 1];
  const [lo, hi] = [Math.min(...all), Math.max(...all)];
  const x = (d) => PAD.left + ((d - 1) / Math.max(1, n - 1)) * (W - PAD.left - PAD.right);
  const y = (v) => H - PAD.bottom - ((v - lo) / Math.max(1e-12, hi - lo)) * (H - PAD.top - PAD.bottom);
  const svg = el('svg', { viewBox: `0 0 ${W} ${H}`, width: W, height: H, role: 'img', class: 'capture-chart', 'aria-label': 'Relevance captured by PRCA and PCA against the subspace dimension' });
  svg.append(el('line', { x1: PAD.left, x2: W - PAD.right, y1: y(0), y2: y(0), stroke: '#999' }));
  svg.append(el('line', { x1: PAD.left, x2: W - PAD.right, y1: y(1), y2: y(1), stroke: '#ccc', 'stroke-dasharray': '2 2' }));
  svg.append(el('text', { x: PAD.left - 4, y: y(1) + 4, 'text-anchor': 'end', 'font-size': 10 }, '1'));
  svg.append(el('text', { x: PAD.left - 4, y: y(0) + 4, 'text-anchor': 'end', 'font-size': 10 }, '0'));
  svg.append(el('text', { x: (W + PAD.left) / 2, y: H - 4, 'text-anchor': 'middle', 'font-size': 10 }, `subspace dimension d (1–${n})`));
  for (const [key, colour, dash] of [['prca', SERIES_COLORS.train, ''], ['pca', SERIES_COLORS.test, '5 3']]) {
    const points = curve[key].map((v, i) => `${x(i + 1)},${y(v)}`).join(' ');
    svg.append(el('polyline', { points, fill: 'none', stroke: colour, 'stroke-width': 2, 'stroke-dasharray': dash, class: `line-${key}` }));
    curve[key].forEach((v, i) => svg.append(el('circle', { cx: x(i + 1), cy: y(v), r: 2.5, fill: colour })));
  }
  svg.append(el('text', { x: W - PAD.right, y: PAD.top + 10, 'text-anchor': 'end', 'font-size': 10, fill: SERIES_COLORS.train }, 'PRCA ——'));
  svg.append(el('text', { x: W - PAD.right, y: PAD.top + 22, 'text-anchor': 'end', 'font-size': 10, fill: SERIES_COLORS.test }, 'PCA - - -'));
  const table = document.createElement('table');
  table.className = 'capture-table';
  const head = table.insertRow();
  for (const t of ['d', 'PRCA', 'PCA']) head.insertCell().textContent = t;
  curve.prca.forEach((v, i) => {
    const row = table.insertRow();
    row.insertCell().textContent = String(i + 1);
    row.insertCell().textContent = v.toFixed(3);
    row.insertCell().textContent = curve.pca[i].toFixed(3);
  });
  const figures = document.createElement('details');
  const summary = document.createElement('summary');
  summary.textContent = 'Figures';
  figures.append(summary, table);
  root.replaceChildren(svg, figures);
}
