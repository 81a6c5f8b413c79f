// Pixels onto canvases: dataset images (grayscale or RGB), 1-D signals as a trace, and
// maps in colour-blind-safe colours (viridis for magnitudes, blue–orange for signed).
import { DIVERGING_LUT, signedIndex } from '../plots/colormap.js';
import { viridis } from '../plots/viridis.js';

// The blue–orange colour of a signed value v in [−scale, scale] → [r, g, b].
function diverging(v, scale) {
  const k = signedIndex(v, scale) * 3;
  return [DIVERGING_LUT[k], DIVERGING_LUT[k + 1], DIVERGING_LUT[k + 2]];
}

function put(canvas, width, height, rgbAt) {
  canvas.width = width;
  canvas.height = height;
  const ctx = canvas.getContext('2d');
  const img = ctx.createImageData(width, height);
  for (let p = 0; p < width * height; p += 1) {
    const [r, g, b] = rgbAt(p);
    img.data.set([r, g, b, 255], p * 4);
  }
  ctx.putImageData(img, 0, 0);
}

// One sample's features: an image [c, h, w] (c = 1 or 3), or a signal when image is null.
export function paintSample(canvas, values, image) {
  if (!image) return paintSignal(canvas, values);
  const [c, h, w] = image;
  const plane = h * w;
  const byte = (v) => Math.round(255 * Math.min(1, Math.max(0, v)));
  put(canvas, w, h, (p) => (c === 3 ? [0, 1, 2].map((k) => byte(values[k * plane + p])) : Array(3).fill(byte(values[p]))));
}

function paintSignal(canvas, values) {
  canvas.width = 96;
  canvas.height = 48;
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, 96, 48);
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  ctx.strokeStyle = '#0072B2';
  ctx.beginPath();
  values.forEach((v, i) => {
    const x = (i / (values.length - 1)) * 95;
    const y = 46 - ((v - lo) / (hi - lo || 1)) * 44;
    if (i === 0) ctx.moveTo(x, y);
    else ctx.lineTo(x, y);
  });
  ctx.stroke();
}

// A map of h×w values: viridis over [min, max], or blue–orange around 0 when signed.
export function paintMap(canvas, values, h, w, { signed = false } = {}) {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  const scale = Math.max(Math.abs(lo), Math.abs(hi)) || 1;
  put(canvas, w, h, (p) => (signed ? diverging(values[p], scale) : viridis((values[p] - lo) / (hi - lo || 1))));
}

// A labelled canvas in a figure, for galleries.
export function figure(caption, title) {
  const fig = document.createElement('figure');
  const canvas = document.createElement('canvas');
  const cap = document.createElement('figcaption');
  cap.textContent = caption;
  fig.title = title;
  fig.append(canvas, cap);
  return { fig, canvas };
}
