// The mask painter: one training sample at a time, drawn large, with a brush and an
// eraser that mark the pixels that must not matter (shown in a hatched orange overlay).
// Pointer or keyboard: the arrow keys move a cursor, Space paints (or erases) under it,
// B and E pick the tool, Delete clears the sample. A stroke is handed on when it ends.
import { paintSample } from '../images/paint.js';
import { markedCount } from './maskbits.js';

const VIEW = 224;
const OVERLAY = [230, 159, 0]; // Okabe–Ito orange
const KEY_COMMIT_MS = 400;

export function createPainter(root, { onStroke }) {
  root.innerHTML = `
    <div class="painter-tools" role="group" aria-label="Mask painting tools">
      <label title="Brush: mark pixels that must not matter (B)"><input type="radio" name="painter-tool" value="brush" checked> brush</label>
      <label title="Eraser: unmark pixels (E)"><input type="radio" name="painter-tool" value="eraser"> eraser</label>
      <label title="Brush radius in image pixels">size <input type="number" class="brush-size" min="0" max="6" step="1" value="1"></label>
      <button type="button" class="clear-mask" title="Unmark every pixel of this sample (Delete)">Clear this mask</button>
    </div>
    <canvas class="painter-canvas" width="${VIEW}" height="${VIEW}" tabindex="0" role="img"
      aria-label="Mask painter: drag to paint; or arrow keys to move the cursor and Space to paint"
      title="Paint the pixels the model must not use: drag, or arrow keys and Space; B brush, E eraser, Delete clears"></canvas>
    <output class="painter-info" aria-live="polite"></output>`;
  const canvas = root.querySelector('.painter-canvas');
  const ctx = canvas.getContext('2d');
  const info = root.querySelector('.painter-info');
  const sizeInput = root.querySelector('.brush-size');
  const base = document.createElement('canvas');
  let image = null; // [c, h, w]
  let mask = null; // Uint8Array h·w of 0/1
  let cursor = null; // [row, column] while the keyboard is used
  let stroking = false;
  let keyTimer = 0;

  const tool = () => root.querySelector('input[name="painter-tool"]:checked').value;
  const setTool = (value) => { root.querySelector(`input[value="${value}"]`).checked = true; };

  function draw() {
    ctx.clearRect(0, 0, VIEW, VIEW);
    if (!image) return;
    const [, h, w] = image;
    ctx.imageSmoothingEnabled = false;
    ctx.drawImage(base, 0, 0, VIEW, VIEW);
    const cw = VIEW / w;
    const ch = VIEW / h;
    ctx.fillStyle = `rgba(${OVERLAY.join(',')}, 0.55)`;
    ctx.strokeStyle = 'rgba(0, 0, 0, 0.6)';
    ctx.lineWidth = 1;
    for (let r = 0; r < h; r++) {
      for (let c = 0; c < w; c++) {
        if (!mask[r * w + c]) continue;
        ctx.fillRect(c * cw, r * ch, cw, ch);
        // A diagonal hatch, so marked pixels differ by more than colour.
        ctx.beginPath();
        ctx.moveTo(c * cw, (r + 1) * ch);
        ctx.lineTo((c + 1) * cw, r * ch);
        ctx.stroke();
      }
    }
    if (cursor) {
      const rad = Number(sizeInput.value);
      ctx.strokeStyle = '#0072B2';
      ctx.lineWidth = 2;
      ctx.strokeRect((cursor[1] - rad) * cw, (cursor[0] - rad) * ch, (2 * rad + 1) * cw, (2 * rad + 1) * ch);
    }
    info.textContent = `${markedCount(mask)} of ${h * w} pixels marked`;
  }

  // Marks (brush) or unmarks (eraser) a disc of the brush radius around a pixel.
  function dab(row, column) {
    const [, h, w] = image;
    const rad = Math.max(0, Math.min(6, Math.round(Number(sizeInput.value) || 0)));
    const value = tool() === 'brush' ? 1 : 0;
    for (let r = Math.max(0, row - rad); r <= Math.min(h - 1, row + rad); r++) {
      for (let c = Math.max(0, column - rad); c <= Math.min(w - 1, column + rad); c++) {
        if ((r - row) ** 2 + (c - column) ** 2 <= rad * rad + rad) mask[r * w + c] = value;
      }
    }
    draw();
  }

  const pixelAt = (e) => {
    const rect = canvas.getBoundingClientRect();
    const [, h, w] = image;
    const column = Math.floor(((e.clientX - rect.left) / rect.width) * w);
    const row = Math.floor(((e.clientY - rect.top) / rect.height) * h);
    return [Math.min(h - 1, Math.max(0, row)), Math.min(w - 1, Math.max(0, column))];
  };
  const commit = () => onStroke(Uint8Array.from(mask));

  canvas.addEventListener('pointerdown', (e) => {
    if (!image) return;
    canvas.setPointerCapture(e.pointerId);
    stroking = true;
    cursor = null;
    dab(...pixelAt(e));
  });
  canvas.addEventListener('pointermove', (e) => {
    if (stroking) dab(...pixelAt(e));
  });
  const endStroke = () => {
    if (!stroking) return;
    stroking = false;
    commit();
  };
  canvas.addEventListener('pointerup', endStroke);
  canvas.addEventListener('pointercancel', endStroke);

  canvas.addEventListener('keydown', (e) => {
    if (!image) return;
    const [, h, w] = image;
    const moves = { ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1] };
    const key = e.key.toLowerCase();
    if (moves[e.key]) {
      cursor ??= [Math.floor(h / 2), Math.floor(w / 2)];
      const [dr, dc] = moves[e.key];
      cursor = [Math.min(h - 1, Math.max(0, cursor[0] + dr)), Math.min(w - 1, Math.max(0, cursor[1] + dc))];
      draw();
    } else if (e.key === ' ' || e.key === 'Enter') {
      cursor ??= [Math.floor(h / 2), Math.floor(w / 2)];
      dab(...cursor);
      clearTimeout(keyTimer);
      keyTimer = setTimeout(commit, KEY_COMMIT_MS);
    } else if (key === 'b' || key === 'e') {
      setTool(key === 'b' ? 'brush' : 'eraser');
    } else if (e.key === 'Delete' || e.key === 'Backspace') {
      clear();
    } else {
      return;
    }
    e.preventDefault();
  });
  function clear() {
    if (!image) return;
    mask.fill(0);
    draw();
    commit();
  }
  root.querySelector('.clear-mask').addEventListener('click', clear);
  sizeInput.addEventListener('input', draw);

  return {
    // Shows a sample ([c, h, w] image, its features) with its current mask (or none).
    show(nextImage, features, current) {
      image = nextImage;
      const [, h, w] = image;
      mask = current ? Uint8Array.from(current) : new Uint8Array(h * w);
      paintSample(base, features, image);
      draw();
    },
  };
}
