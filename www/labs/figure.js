// Draws one lab figure (see src/lab/report.rs) on a canvas: lines, scatter and bars on
// axes with ticks and a legend, a heatmap in viridis with its colour bar, or a gallery of
// thumbnails. Series differ by Okabe–Ito colour and also by dash (lines) or marker shape
// (scatter), so they stay apart without colour vision. Each figure has PNG and CSV export
// (the CSV comes with the figure from the engine, as the native runner writes it).
import { CLASS_COLORS } from '../plots/colormap.js';
import { viridis } from '../plots/viridis.js';
import { saveBlob, saveText } from '../ui/download.js';

const W = 440;
const H = 280;
const PAD = { left: 58, right: 14, top: 12, bottom: 44 };
const DASHES = [[], [6, 3], [2, 3], [8, 3, 2, 3], [1, 2], [10, 4]];
const FONT = '11px system-ui, sans-serif';

const colour = (i) => CLASS_COLORS[i % CLASS_COLORS.length];
const finite = (v) => Number.isFinite(v);

// Up to ~6 round tick values covering [lo, hi].
export function niceTicks(lo, hi, count = 5) {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const ticks = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi + step * 1e-9; t += step) ticks.push(Math.abs(t) < step * 1e-9 ? 0 : t);
  return ticks;
}

const label = (v) => {
  if (v === 0) return '0';
  const a = Math.abs(v);
  return a >= 1e4 || a < 1e-3 ? v.toExponential(1) : String(Number(v.toPrecision(3)));
};

// The data range of every series, padded; a log axis works on log10 of positive values.
function extent(values, log) {
  const xs = values.filter((v) => finite(v) && (!log || v > 0)).map((v) => (log ? Math.log10(v) : v));
  if (!xs.length) return [0, 1];
  let lo = Math.min(...xs);
  let hi = Math.max(...xs);
  if (lo === hi) [lo, hi] = [lo - 0.5, hi + 0.5];
  const pad = (hi - lo) * 0.04;
  return [lo - pad, hi + pad];
}

function axes(ctx, fig, [x0, x1], [y0, y1], logX) {
  const px = (x) => PAD.left + ((x - x0) / (x1 - x0)) * (W - PAD.left - PAD.right);
  const py = (y) => H - PAD.bottom - ((y - y0) / (y1 - y0)) * (H - PAD.top - PAD.bottom);
  ctx.strokeStyle = '#888';
  ctx.fillStyle = '#333';
  ctx.font = FONT;
  ctx.lineWidth = 1;
  ctx.beginPath();
  ctx.moveTo(PAD.left, PAD.top);
  ctx.lineTo(PAD.left, H - PAD.bottom);
  ctx.lineTo(W - PAD.right, H - PAD.bottom);
  ctx.stroke();
  ctx.textAlign = 'right';
  ctx.textBaseline = 'middle';
  for (const t of niceTicks(y0, y1)) {
    ctx.fillText(label(t), PAD.left - 5, py(t));
    ctx.strokeStyle = '#eee';
    ctx.beginPath();
    ctx.moveTo(PAD.left + 1, py(t));
    ctx.lineTo(W - PAD.right, py(t));
    ctx.stroke();
  }
  ctx.textAlign = 'center';
  ctx.textBaseline = 'top';
  if (fig.categories.length && fig.kind === 'bars') {
    fig.categories.forEach((name, i) => ctx.fillText(name.slice(0, 14), px(i), H - PAD.bottom + 4));
  } else {
    for (const t of niceTicks(x0, x1)) ctx.fillText(logX ? label(10 ** t) : label(t), px(t), H - PAD.bottom + 4);
  }
  ctx.fillText(fig.xLabel + (logX ? ' (log scale)' : ''), (PAD.left + W - PAD.right) / 2, H - 16);
  ctx.save();
  ctx.translate(12, (PAD.top + H - PAD.bottom) / 2);
  ctx.rotate(-Math.PI / 2);
  ctx.fillText(fig.yLabel, 0, -6);
  ctx.restore();
  return { px, py };
}

function marker(ctx, shape, x, y, r = 3) {
  ctx.beginPath();
  if (shape === 0) ctx.arc(x, y, r, 0, 2 * Math.PI);
  else if (shape === 1) ctx.rect(x - r, y - r, 2 * r, 2 * r);
  else if (shape === 2) {
    ctx.moveTo(x, y - r - 1);
    ctx.lineTo(x + r + 1, y + r);
    ctx.lineTo(x - r - 1, y + r);
    ctx.closePath();
  } else {
    ctx.moveTo(x, y - r - 1);
    ctx.lineTo(x + r + 1, y);
    ctx.lineTo(x, y + r + 1);
    ctx.lineTo(x - r - 1, y);
    ctx.closePath();
  }
  ctx.fill();
}

function drawXY(ctx, fig) {
  const logX = fig.logX;
  const xs = fig.kind === 'bars' && fig.categories.length ? [-0.6, fig.categories.length - 0.4] : fig.series.flatMap((s) => s.x);
  const ys = fig.series.flatMap((s) => s.y);
  const xr = fig.kind === 'bars' && fig.categories.length ? xs : extent(xs, logX);
  const yr = fig.kind === 'bars' ? extent([0, ...ys], false) : extent(ys, false);
  const { px, py } = axes(ctx, fig, xr, yr, logX);
  const X = (x) => px(logX ? Math.log10(x) : x);
  const n = fig.series.length;
  fig.series.forEach((s, i) => {
    ctx.strokeStyle = ctx.fillStyle = colour(i);
    if (fig.kind === 'bars') {
      const span = (px(1) - px(0)) * 0.8;
      const bw = span / n;
      s.x.forEach((x, k) => {
        if (!finite(s.y[k])) return;
        const left = px(x) - span / 2 + i * bw;
        const top = py(Math.max(0, s.y[k]));
        ctx.fillRect(left, top, Math.max(1, bw - 1), Math.abs(py(s.y[k]) - py(0)));
      });
    } else if (fig.kind === 'scatter') {
      ctx.globalAlpha = 0.75;
      s.x.forEach((x, k) => finite(x) && finite(s.y[k]) && (!logX || x > 0) && marker(ctx, i % 4, X(x), py(s.y[k])));
      ctx.globalAlpha = 1;
    } else {
      ctx.lineWidth = 2;
      ctx.setLineDash(DASHES[i % DASHES.length]);
      ctx.beginPath();
      let pen = false;
      s.x.forEach((x, k) => {
        if (!finite(x) || !finite(s.y[k]) || (logX && x <= 0)) return (pen = false);
        if (pen) ctx.lineTo(X(x), py(s.y[k]));
        else ctx.moveTo(X(x), py(s.y[k]));
        pen = true;
      });
      ctx.stroke();
      ctx.setLineDash([]);
      if (s.x.length <= 24) s.x.forEach((x, k) => finite(s.y[k]) && (!logX || x > 0) && marker(ctx, i % 4, X(x), py(s.y[k]), 2.5));
    }
  });
}

// One row per series; cells coloured by value on a shared viridis scale, with a colour bar.
function drawHeatmap(ctx, fig) {
  const rows = fig.series;
  const cols = Math.max(0, ...rows.map((s) => s.y.length));
  const values = rows.flatMap((s) => s.y).filter(finite);
  const lo = values.length ? Math.min(...values) : 0;
  const hi = values.length ? Math.max(...values) : 1;
  const left = 70;
  const right = W - 60;
  const top = PAD.top;
  const bottom = H - PAD.bottom;
  const cw = (right - left) / Math.max(1, cols);
  const ch = (bottom - top) / Math.max(1, rows.length);
  ctx.font = FONT;
  rows.forEach((s, r) => {
    s.y.forEach((v, c) => {
      if (finite(v)) {
        const [R, G, B] = viridis(hi > lo ? (v - lo) / (hi - lo) : 0.5);
        ctx.fillStyle = `rgb(${R},${G},${B})`;
      } else ctx.fillStyle = '#ccc';
      ctx.fillRect(left + c * cw, top + r * ch, Math.ceil(cw), Math.ceil(ch));
    });
    ctx.fillStyle = '#333';
    ctx.textAlign = 'right';
    ctx.textBaseline = 'middle';
    ctx.fillText(s.name.slice(0, 11), left - 4, top + (r + 0.5) * ch);
  });
  ctx.textAlign = 'center';
  ctx.textBaseline = 'top';
  const names = fig.categories.length ? fig.categories : (rows[0]?.x ?? []).map(label);
  const every = Math.max(1, Math.ceil(names.length / 8));
  names.forEach((name, c) => c % every === 0 && ctx.fillText(String(name).slice(0, 8), left + (c + 0.5) * cw, bottom + 4));
  ctx.fillText(fig.xLabel, (left + right) / 2, H - 16);
  for (let k = 0; k < 100; k++) {
    const [R, G, B] = viridis(k / 99);
    ctx.fillStyle = `rgb(${R},${G},${B})`;
    ctx.fillRect(right + 12, bottom - ((k + 1) / 100) * (bottom - top), 12, (bottom - top) / 100 + 1);
  }
  ctx.fillStyle = '#333';
  ctx.textAlign = 'left';
  ctx.textBaseline = 'middle';
  ctx.fillText(label(hi), right + 27, top + 4);
  ctx.fillText(label(lo), right + 27, bottom - 4);
  ctx.save();
  ctx.translate(right + 50, (top + bottom) / 2);
  ctx.rotate(Math.PI / 2);
  ctx.textAlign = 'center';
  ctx.fillText(fig.yLabel, 0, 0);
  ctx.restore();
}

// Thumbnails in a grid: one column per category (headed by its name) when the figure
// names categories, else as square as fits. Maps flagged `viridis` are coloured.
function drawGallery(ctx, fig) {
  const n = fig.thumbs.length;
  const columns = fig.categories.length;
  const perRow = columns || Math.max(1, Math.min(8, Math.ceil(Math.sqrt(n * 1.6))));
  const head = columns ? 14 : 0;
  const cell = Math.min((W - 8) / perRow, (H - 8 - head) / Math.max(1, Math.ceil(n / perRow)));
  ctx.font = '10px system-ui, sans-serif';
  ctx.textAlign = 'center';
  ctx.textBaseline = 'top';
  ctx.fillStyle = '#333';
  fig.categories.forEach((name, i) => ctx.fillText(name.slice(0, 24), 4 + (i + 0.5) * cell, 2));
  fig.thumbs.forEach((t, i) => {
    const x = 4 + (i % perRow) * cell;
    const y = 4 + head + Math.floor(i / perRow) * cell;
    const size = cell - 16;
    const img = new ImageData(t.width, t.height);
    for (let p = 0; p < t.width * t.height; p++) {
      const rgb = t.viridis ? viridis(t.pixels[p]) : [0, 1, 2].map((c) => Math.round(255 * t.pixels[p * t.channels + (t.channels === 3 ? c : 0)]));
      img.data.set([...rgb, 255], p * 4);
    }
    const tmp = document.createElement('canvas');
    tmp.width = t.width;
    tmp.height = t.height;
    tmp.getContext('2d').putImageData(img, 0, 0);
    ctx.imageSmoothingEnabled = false;
    ctx.drawImage(tmp, x + 4, y, size, size);
    ctx.fillStyle = '#333';
    ctx.fillText(t.caption.slice(0, 16), x + cell / 2, y + size + 2);
  });
}

function legend(fig) {
  if (fig.kind === 'heatmap' || fig.kind === 'gallery' || fig.series.length < 2) return null;
  const list = document.createElement('ul');
  list.className = 'lab-legend';
  fig.series.forEach((s, i) => {
    const item = document.createElement('li');
    const key = document.createElement('canvas');
    key.width = 22;
    key.height = 10;
    const k = key.getContext('2d');
    k.strokeStyle = k.fillStyle = colour(i);
    if (fig.kind === 'lines') {
      k.lineWidth = 2;
      k.setLineDash(DASHES[i % DASHES.length]);
      k.beginPath();
      k.moveTo(0, 5);
      k.lineTo(22, 5);
      k.stroke();
    } else if (fig.kind === 'scatter') marker(k, i % 4, 11, 5);
    else k.fillRect(3, 1, 16, 8);
    item.append(key, ` ${s.name}`);
    list.append(item);
  });
  return list;
}

// A `<figure>` for `fig` with its canvas, legend and export buttons; `prefix` names files.
export function renderFigure(fig, prefix) {
  const figure = document.createElement('figure');
  figure.className = 'lab-figure';
  figure.dataset.id = fig.id;
  const caption = document.createElement('figcaption');
  caption.textContent = fig.title;
  const canvas = document.createElement('canvas');
  canvas.width = W;
  canvas.height = H;
  canvas.setAttribute('role', 'img');
  const points = fig.kind === 'gallery' ? `${fig.thumbs.length} images` : `${fig.series.length} series`;
  canvas.setAttribute('aria-label', `${fig.title}: ${fig.kind}, ${points}; ${fig.yLabel} against ${fig.xLabel}. The CSV button saves the numbers.`);
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, W, H);
  if (fig.kind === 'heatmap') drawHeatmap(ctx, fig);
  else if (fig.kind === 'gallery') drawGallery(ctx, fig);
  else drawXY(ctx, fig);
  const buttons = document.createElement('div');
  buttons.className = 'lab-figure-buttons';
  const button = (text, title, onClick) => {
    const b = document.createElement('button');
    b.type = 'button';
    b.className = 'mini';
    b.textContent = text;
    b.title = title;
    b.addEventListener('click', onClick);
    buttons.append(b);
  };
  button('PNG', `Save "${fig.title}" as a PNG image`, () => canvas.toBlob((blob) => blob && saveBlob(blob, `${prefix}-${fig.id}.png`), 'image/png'));
  button('CSV', `Save the numbers of "${fig.title}" as CSV`, () => saveText(fig.csv, `${prefix}-${fig.id}.csv`, 'text/csv'));
  figure.append(caption, canvas, ...[legend(fig)].filter(Boolean), buttons);
  return figure;
}
