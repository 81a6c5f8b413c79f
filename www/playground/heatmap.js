// A cheap heatmap painter: one small canvas (res×res pixels, scaled up by CSS or by
// drawImage) whose ImageData is reused from frame to frame; colours come from lookup
// tables, so repainting allocates nothing.
import { CLASS_RGB, DIVERGING_LUT, signedIndex } from '../plots/colormap.js';

const PALE = 0.55; // how far class colours are mixed towards white under the points

// Region colours: hues a golden angle apart, so neighbouring region ids differ clearly.
const REGION_COLORS = 97;
const REGION_LUT = new Uint8ClampedArray(REGION_COLORS * 3);
for (let id = 0; id < REGION_COLORS; id++) {
  const h = ((id * 137.508) % 360) / 60;
  const x = 1 - Math.abs((h % 2) - 1);
  const rgb = [[1, x, 0], [x, 1, 0], [0, 1, x], [0, x, 1], [x, 0, 1], [1, 0, x]][Math.floor(h)];
  for (let c = 0; c < 3; c++) REGION_LUT[id * 3 + c] = 50 + 170 * rgb[c];
}

export function createHeatmap(canvas) {
  const ctx = canvas.getContext('2d');
  let image = null;

  function pixels(res) {
    if (canvas.width !== res || canvas.height !== res) {
      canvas.width = res;
      canvas.height = res;
    }
    if (!image || image.width !== res) image = ctx.createImageData(res, res);
    return image.data;
  }

  const put = () => ctx.putImageData(image, 0, 0);

  return {
    canvas,
    // values[offset .. offset + res²] on the diverging map: centre ± scale at the ends.
    signed(values, offset, res, scale, centre = 0) {
      const px = pixels(res);
      for (let i = 0; i < res * res; i++) {
        const k = signedIndex(values[offset + i] - centre, scale) * 3;
        px[4 * i] = DIVERGING_LUT[k];
        px[4 * i + 1] = DIVERGING_LUT[k + 1];
        px[4 * i + 2] = DIVERGING_LUT[k + 2];
        px[4 * i + 3] = 255;
      }
      put();
    },
    // grid: res²·classes probabilities. Two classes: the diverging map of p(class 1);
    // more: the class colours mixed by probability. Discretised: the likeliest class only.
    classes(grid, res, classes, discretize) {
      const px = pixels(res);
      for (let i = 0; i < res * res; i++) {
        const base = i * classes;
        if (classes === 2 && !discretize) {
          const k = signedIndex(grid[base + 1] - 0.5, 0.5) * 3;
          px[4 * i] = DIVERGING_LUT[k];
          px[4 * i + 1] = DIVERGING_LUT[k + 1];
          px[4 * i + 2] = DIVERGING_LUT[k + 2];
        } else {
          let r = 0;
          let g = 0;
          let b = 0;
          let best = 0;
          for (let c = 0; c < classes; c++) {
            const p = grid[base + c];
            if (discretize) {
              if (p > grid[base + best]) best = c;
            } else {
              r += p * CLASS_RGB[c][0];
              g += p * CLASS_RGB[c][1];
              b += p * CLASS_RGB[c][2];
            }
          }
          if (discretize) [r, g, b] = CLASS_RGB[best];
          px[4 * i] = r + (255 - r) * PALE;
          px[4 * i + 1] = g + (255 - g) * PALE;
          px[4 * i + 2] = b + (255 - b) * PALE;
        }
        px[4 * i + 3] = 255;
      }
      put();
    },
    // ids: a region id per cell; neighbouring ids get well-separated hues (golden angle),
    // drawn translucent so the heatmap shows through.
    regions(ids, res) {
      const px = pixels(res);
      for (let i = 0; i < res * res; i++) {
        const k = (ids[i] % REGION_COLORS) * 3;
        px[4 * i] = REGION_LUT[k];
        px[4 * i + 1] = REGION_LUT[k + 1];
        px[4 * i + 2] = REGION_LUT[k + 2];
        px[4 * i + 3] = 110;
      }
      put();
    },
  };
}
