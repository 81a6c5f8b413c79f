// The decision-boundary view: the class-1 probability over the input plane as a
// heatmap, with the train points filled and the test points ringed on top.
import { CLASS_COLORS, diverging } from './colormap.js';

const EXTENT = 6; // the plane shown is [-EXTENT, EXTENT]², as in the engine's grid

export function createBoundaryPlot(canvas) {
  const ctx = canvas.getContext('2d');
  const cells = document.createElement('canvas');
  let points = null;

  const toPixel = (x, y) => [
    ((x + EXTENT) / (2 * EXTENT)) * canvas.width,
    ((EXTENT - y) / (2 * EXTENT)) * canvas.height,
  ];

  function drawPoints() {
    if (!points) return;
    const { features, labels, nTrain } = points;
    for (let i = 0; i < labels.length; i++) {
      const [px, py] = toPixel(features[2 * i], features[2 * i + 1]);
      ctx.beginPath();
      ctx.arc(px, py, 3.5, 0, 2 * Math.PI);
      if (i < nTrain) {
        ctx.fillStyle = CLASS_COLORS[labels[i]];
        ctx.fill();
        ctx.strokeStyle = '#fff';
        ctx.lineWidth = 1;
      } else {
        ctx.fillStyle = '#fff';
        ctx.fill();
        ctx.strokeStyle = CLASS_COLORS[labels[i]];
        ctx.lineWidth = 2;
      }
      ctx.stroke();
    }
  }

  return {
    setPoints(p) {
      points = p;
    },
    // grid: Float32Array of res·res·classes probabilities, top row first.
    draw(grid, res) {
      if (cells.width !== res) {
        cells.width = res;
        cells.height = res;
      }
      const cctx = cells.getContext('2d');
      const image = cctx.createImageData(res, res);
      const classes = grid.length / (res * res);
      for (let i = 0; i < res * res; i++) {
        const [r, g, b] = diverging(grid[i * classes + 1]);
        image.data.set([r, g, b, 255], i * 4);
      }
      cctx.putImageData(image, 0, 0);
      ctx.imageSmoothingEnabled = true;
      ctx.drawImage(cells, 0, 0, canvas.width, canvas.height);
      drawPoints();
    },
  };
}
