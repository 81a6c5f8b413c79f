// Attribution maps onto canvases: the blue–orange diverging table around 0 for signed
// maps, viridis from 0 for magnitudes, optionally laid over the sample (grayscale) with
// an adjustable opacity; coarser maps (class activation maps) are resampled bilinearly
// to the sample's size. Also a colour bar for the legend.
import { DIVERGING_LUT, signedIndex } from '../plots/colormap.js';
import { viridis } from '../plots/viridis.js';

// The colour [r, g, b] of v on a scale: diverging around 0, or viridis over [0, scale].
export function colourOf(v, scale, signed) {
  if (signed) {
    const k = signedIndex(v, scale) * 3;
    return [DIVERGING_LUT[k], DIVERGING_LUT[k + 1], DIVERGING_LUT[k + 2]];
  }
  return viridis(scale > 0 ? v / scale : 0);
}

// Bilinear resampling of an h×w plane to th×tw (half-pixel centres, edges clamped).
export function resample(values, h, w, th, tw) {
  if (h === th && w === tw) return values;
  const out = new Float32Array(th * tw);
  const source = (d, from, to) => {
    const c = Math.min(from - 1, Math.max(0, ((d + 0.5) * from) / to - 0.5));
    const lo = Math.floor(c);
    return [lo, Math.min(from - 1, lo + 1), c - lo];
  };
  for (let i = 0; i < th; i += 1) {
    const [r0, r1, fr] = source(i, h, th);
    for (let j = 0; j < tw; j += 1) {
      const [c0, c1, fc] = source(j, w, tw);
      const top = values[r0 * w + c0] * (1 - fc) + values[r0 * w + c1] * fc;
      const bottom = values[r1 * w + c0] * (1 - fc) + values[r1 * w + c1] * fc;
      out[i * tw + j] = top * (1 - fr) + bottom * fr;
    }
  }
  return out;
}

// A sample's features ([c, h, w] image) as a grayscale plane in [0, 1].
export function grayscale(features, image) {
  const [c, h, w] = image;
  const plane = h * w;
  const out = new Float32Array(plane);
  for (let k = 0; k < c; k += 1) for (let p = 0; p < plane; p += 1) out[p] += features[k * plane + p] / c;
  return out;
}

// Paints plane {values, h, w} at the base's size (or its own): colour blended over the
// grayscale base with `opacity` (1: the map alone).
export function paintAttribution(canvas, plane, { signed, scale, base = null, opacity = 1 }) {
  const [h, w] = base ? [base.h, base.w] : [plane.h, plane.w];
  const values = resample(plane.values, plane.h, plane.w, h, w);
  canvas.width = w;
  canvas.height = h;
  const ctx = canvas.getContext('2d');
  const img = ctx.createImageData(w, h);
  const alpha = base ? Math.min(1, Math.max(0, opacity)) : 1;
  for (let p = 0; p < w * h; p += 1) {
    const rgb = colourOf(values[p], scale, signed);
    const gray = base ? 255 * Math.min(1, Math.max(0, base.values[p])) : 0;
    for (let c = 0; c < 3; c += 1) img.data[p * 4 + c] = Math.round(alpha * rgb[c] + (1 - alpha) * gray);
    img.data[p * 4 + 3] = 255;
  }
  ctx.putImageData(img, 0, 0);
}

// A horizontal colour bar: −scale…scale when signed, 0…scale otherwise.
export function paintColourBar(canvas, signed, width = 128, height = 10) {
  canvas.width = width;
  canvas.height = height;
  const ctx = canvas.getContext('2d');
  for (let x = 0; x < width; x += 1) {
    const t = x / (width - 1);
    const [r, g, b] = colourOf(signed ? 2 * t - 1 : t, 1, signed);
    ctx.fillStyle = `rgb(${r},${g},${b})`;
    ctx.fillRect(x, 0, 1, height);
  }
}
