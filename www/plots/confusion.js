// The confusion-matrix view: rows are the true class, columns the predicted one; each
// cell shows its count, coloured (viridis) by its share of the row. Train or test split
// is chosen by the caller. Labels are drawn on the canvas so a PNG export keeps them.
import { viridis } from './viridis.js';

const MARGIN = 34;

export function createConfusionView(canvas) {
  const ctx = canvas.getContext('2d');
  let last;
  let emptyText = 'No confusion matrix from the engine yet';

  function draw(matrix) {
    const { width, height } = canvas;
    ctx.clearRect(0, 0, width, height);
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, width, height);
    ctx.font = '12px system-ui, sans-serif';
    ctx.fillStyle = '#5a6372';
    ctx.textAlign = 'center';
    ctx.textBaseline = 'middle';
    if (!matrix) {
      ctx.fillText(emptyText, width / 2, height / 2, width - 8);
      return;
    }
    const k = matrix.length;
    const cell = Math.min((width - MARGIN) / k, (height - MARGIN) / k);
    ctx.fillText('predicted →', MARGIN + (cell * k) / 2, 9);
    ctx.save();
    ctx.translate(9, MARGIN + (cell * k) / 2);
    ctx.rotate(-Math.PI / 2);
    ctx.fillText('true →', 0, 0);
    ctx.restore();
    for (let i = 0; i < k; i++) {
      ctx.fillStyle = '#5a6372';
      ctx.fillText(String(i), MARGIN + cell * (i + 0.5), MARGIN - 9);
      ctx.fillText(String(i), MARGIN - 10, MARGIN + cell * (i + 0.5));
      const total = matrix[i].reduce((a, b) => a + b, 0);
      for (let j = 0; j < k; j++) {
        const share = total ? matrix[i][j] / total : 0;
        const [r, g, b] = viridis(share);
        ctx.fillStyle = `rgb(${r},${g},${b})`;
        ctx.fillRect(MARGIN + cell * j, MARGIN + cell * i, cell - 1, cell - 1);
        if (cell >= 18) {
          ctx.fillStyle = share > 0.6 ? '#1d2330' : '#fff';
          ctx.fillText(String(matrix[i][j]), MARGIN + cell * (j + 0.5), MARGIN + cell * (i + 0.5));
        }
      }
    }
  }

  return {
    // `confusion` = {classes, train, test} from an update event, or undefined.
    show(confusion, split) {
      const matrix = confusion?.[split] ?? null;
      const key = matrix && JSON.stringify(matrix);
      if (key === last) return;
      last = key;
      draw(matrix);
    },
    // Shown in place of the matrix when the engine cannot send one.
    unavailable(reason) {
      emptyText = `Unavailable: ${reason}`;
      last = undefined;
      draw(null);
    },
  };
}
