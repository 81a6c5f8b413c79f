// The decision-boundary view: the network's output over the input plane [−6, 6]² as a
// heatmap (class probabilities, the likeliest class when discretised, or the regression
// value), an optional linear-regions overlay, and the data points on top: train filled,
// test ringed (when shown), plus the points being drawn and the point selected for its
// attribution bars (a dark ring).
import { CLASS_COLORS, pointColor, targetScale } from './colormap.js';
import { createHeatmap } from '../playground/heatmap.js';

export const EXTENT = 6; // the plane shown is [-EXTENT, EXTENT]², as in the engine's grid

export function createBoundaryPlot(canvas) {
  const ctx = canvas.getContext('2d');
  const heat = createHeatmap(document.createElement('canvas'));
  const overlay = createHeatmap(document.createElement('canvas'));
  const options = { showTest: true, discretize: false, regions: false, regression: false };
  let points = null;
  let scale = 1;
  let sketch = [];
  let erased = new Set();
  let cursor = null;
  let selected = null; // the point whose attributions are shown, ringed

  const toPixel = (x, y) => [((x + EXTENT) / (2 * EXTENT)) * canvas.width, ((EXTENT - y) / (2 * EXTENT)) * canvas.height];

  function dot(x, y, fill, ring, radius = 3.5) {
    const [px, py] = toPixel(x, y);
    ctx.beginPath();
    ctx.arc(px, py, radius, 0, 2 * Math.PI);
    ctx.fillStyle = fill;
    ctx.fill();
    ctx.strokeStyle = ring;
    ctx.lineWidth = fill === '#fff' ? 2 : 1;
    ctx.stroke();
  }

  function drawPoints() {
    if (points) {
      const n = points.features.length / 2;
      const shown = options.showTest ? n : points.nTrain;
      for (let i = 0; i < shown; i++) {
        if (erased.has(i)) continue;
        const color = pointColor(points, i, scale);
        if (i < points.nTrain) dot(points.features[2 * i], points.features[2 * i + 1], color, '#fff');
        else dot(points.features[2 * i], points.features[2 * i + 1], '#fff', color);
      }
    }
    if (points && selected != null && selected < (options.showTest ? points.labels.length : points.nTrain)) {
      const [px, py] = toPixel(points.features[2 * selected], points.features[2 * selected + 1]);
      ctx.beginPath();
      ctx.arc(px, py, 8, 0, 2 * Math.PI);
      ctx.strokeStyle = '#1d2330';
      ctx.lineWidth = 2.5;
      ctx.stroke();
    }
    for (const [x, y, label] of sketch) dot(x, y, CLASS_COLORS[label], '#1d2330', 4.5);
    if (cursor) {
      const [px, py] = toPixel(cursor[0], cursor[1]);
      ctx.strokeStyle = '#1d2330';
      ctx.lineWidth = 1.5;
      ctx.strokeRect(px - 7, py - 7, 14, 14);
    }
  }

  let lastGrid = null;
  let lastRes = 0;
  let regions = null;
  // grid: res²·classes probabilities (one value per cell for regression), top row first;
  // without arguments, the last grid again (after an option changed).
  function draw(grid = lastGrid, res = lastRes) {
    lastGrid = grid;
    lastRes = res;
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    if (grid) {
      if (options.regression) heat.signed(grid, 0, res, scale);
      else heat.classes(grid, res, grid.length / (res * res), options.discretize);
      ctx.imageSmoothingEnabled = !options.discretize;
      ctx.drawImage(heat.canvas, 0, 0, canvas.width, canvas.height);
      if (options.regions && regions) {
        overlay.regions(regions.ids, regions.resolution);
        ctx.imageSmoothingEnabled = false;
        ctx.drawImage(overlay.canvas, 0, 0, canvas.width, canvas.height);
      }
    }
    drawPoints();
  }

  return {
    options,
    setPoints(p) {
      points = p;
      sketch = [];
      erased = new Set();
      scale = targetScale(p);
    },
    points: () => points,
    // The activation-pattern regions of the latest update (null: none), for the overlay.
    setRegions(r) {
      regions = r;
    },
    // A stroke not yet sent to the engine: added [x, y, label] points, erased point indices.
    setSketch(list, gone) {
      sketch = list;
      erased = gone;
      draw();
    },
    // The data point ringed as selected (its index), or null.
    setSelected(i) {
      selected = i;
      draw();
    },
    setCursor(xy) {
      cursor = xy;
      draw();
    },
    // Plane coordinates of a pointer position over the canvas.
    toPlane(clientX, clientY) {
      const box = canvas.getBoundingClientRect();
      return [((clientX - box.left) / box.width) * 2 * EXTENT - EXTENT, EXTENT - ((clientY - box.top) / box.height) * 2 * EXTENT];
    },
    draw,
  };
}
