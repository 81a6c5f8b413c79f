// The grid of maps: one row per method, one column per sample, the samples on top. Each
// cell is a painted map with the explained class, the completeness gap (Integrated
// Gradients, DeepLIFT) and LRP's per-layer relevance bars; a failed cell shows why.
// `gridImage` draws the same grid, labelled, into one canvas for the PNG export.
import { paintAttribution } from './paint.js';
import { relevanceBars } from './relevance.js';

const el = (tag, cls, text) => {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text != null) e.textContent = text;
  return e;
};

// Scientific for tiny or huge numbers, fixed otherwise.
export const short = (v) => (v === 0 ? '0' : Math.abs(v) < 1e-3 || Math.abs(v) >= 1e4 ? v.toExponential(1) : v.toPrecision(3));

// columns: [{caption, title, paint(canvas)}]; rows: [{label, title, cells: [cell]}];
// cell: {plane, signed, scale, target, gap, relevance, error} (see the panel).
export function renderGrid(root, { columns, rows, opacity }) {
  const table = el('table', 'explain-grid');
  table.setAttribute('aria-label', 'Attribution maps: one row per method, one column per sample');
  const head = el('tr');
  head.append(el('th', 'corner', 'method \\ sample'));
  for (const c of columns) {
    const th = el('th', 'sample-head');
    th.scope = 'col';
    th.title = c.title;
    const canvas = el('canvas');
    c.paint(canvas);
    th.append(canvas, el('div', 'caption', c.caption));
    head.append(th);
  }
  table.append(head);
  for (const r of rows) {
    const tr = el('tr');
    const th = el('th', 'method-head', r.label);
    th.scope = 'row';
    th.title = r.title;
    tr.append(th);
    r.cells.forEach((cell, i) => tr.append(renderCell(cell, columns[i], r.label, opacity)));
    table.append(tr);
  }
  root.replaceChildren(table);
}

function renderCell(cell, column, label, opacity) {
  const td = el('td', 'cell');
  if (cell.error) {
    td.classList.add('failed');
    td.append(el('div', 'error', cell.error));
    return td;
  }
  const canvas = el('canvas', 'map');
  paintAttribution(canvas, cell.plane, { signed: cell.signed, scale: cell.scale, base: column.base, opacity });
  canvas.setAttribute('role', 'img');
  canvas.setAttribute('aria-label', `${label} for ${column.caption}, explaining ${cell.target}; colour scale ±${short(cell.scale)}`);
  canvas.title = `${label}, ${column.caption}: explains ${cell.target}; colours span ${cell.signed ? '−' : '0 to '}${short(cell.scale)}${cell.signed ? ` to ${short(cell.scale)}` : ''}`;
  td.append(canvas, el('div', 'caption', cell.target));
  if (cell.gap != null) {
    const gap = el('div', 'gap', `gap ${short(cell.gap)}`);
    gap.title = 'Completeness gap: the sum of the map minus (S(sample) − S(baseline)); near 0 when the path integral is accurate';
    td.append(gap);
  }
  if (cell.relevance) {
    const { canvas: bars, summary } = relevanceBars(cell.relevance.layers, cell.relevance.sample, cell.relevance.input);
    td.append(bars, el('div', 'kept', summary.replace(' of the output\'s relevance reaches the input', ' kept')));
  }
  return td;
}

const CELL = 112;
const LABEL_W = 150;
const HEAD_H = 40;
const FOOT_H = 28;

// The whole grid as one labelled image (maps magnified without smoothing).
export function gridImage({ columns, rows, opacity }) {
  const out = document.createElement('canvas');
  out.width = LABEL_W + columns.length * (CELL + 8);
  out.height = HEAD_H + CELL + (rows.length) * (CELL + FOOT_H) + 8;
  const ctx = out.getContext('2d');
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, out.width, out.height);
  ctx.imageSmoothingEnabled = false;
  ctx.fillStyle = '#222';
  ctx.font = '12px sans-serif';
  const x0 = (i) => LABEL_W + i * (CELL + 8);
  columns.forEach((c, i) => {
    const canvas = document.createElement('canvas');
    c.paint(canvas);
    ctx.drawImage(canvas, x0(i), HEAD_H, CELL, CELL);
    ctx.fillText(c.caption, x0(i), HEAD_H - 8, CELL);
  });
  rows.forEach((r, j) => {
    const y = HEAD_H + CELL + j * (CELL + FOOT_H) + 4;
    ctx.fillStyle = '#222';
    ctx.fillText(r.label, 6, y + CELL / 2, LABEL_W - 12);
    r.cells.forEach((cell, i) => {
      if (cell.error) {
        ctx.fillText('—', x0(i) + CELL / 2, y + CELL / 2);
        return;
      }
      const canvas = document.createElement('canvas');
      paintAttribution(canvas, cell.plane, { signed: cell.signed, scale: cell.scale, base: columns[i].base, opacity });
      ctx.drawImage(canvas, x0(i), y, CELL, CELL);
      ctx.fillStyle = '#222';
      const note = cell.gap != null ? `${cell.target} · gap ${short(cell.gap)}` : cell.target;
      ctx.fillText(note, x0(i), y + CELL + 14, CELL);
    });
  });
  return out;
}
