// "Draw a digit": a canvas you draw on with the pointer (or the arrow keys, which move
// a drawing pen), scaled to the dataset's image size and classified live.
const VIEW = 224;
const PEN = VIEW / 12;
const KEY_STEP = VIEW / 28;

export function createDrawPad(root, { classify }) {
  root.innerHTML = `<canvas class="pad" width="${VIEW}" height="${VIEW}" tabindex="0" role="img"
      aria-label="Drawing pad: draw with the mouse or touch, or move the pen with the arrow keys"
      title="Draw a digit: drag with the mouse or finger, or focus and use the arrow keys"></canvas>
    <div class="pad-tools"><button type="button" class="clear" title="Wipe the pad (Delete)">Clear</button>
      <output class="guess" role="status" aria-live="polite">draw something</output></div>
    <ol class="probs" aria-label="Class probabilities"></ol>`;
  const pad = root.querySelector('.pad');
  const ctx = pad.getContext('2d');
  const guess = root.querySelector('.guess');
  const probsList = root.querySelector('.probs');
  let side = 28;
  let last = null;
  let pen = [VIEW / 2, VIEW / 2];
  let pending = false;
  let dirty = false;

  function clear() {
    ctx.fillStyle = '#000';
    ctx.fillRect(0, 0, VIEW, VIEW);
    guess.textContent = 'draw something';
    probsList.replaceChildren();
    dirty = false;
  }

  function line(a, b) {
    ctx.strokeStyle = '#fff';
    ctx.lineWidth = PEN;
    ctx.lineCap = 'round';
    ctx.beginPath();
    ctx.moveTo(...a);
    ctx.lineTo(...b);
    ctx.stroke();
    dirty = true;
    schedule();
  }

  // The pad at the dataset's size, one grayscale value per pixel in [0, 1].
  function pixels() {
    const small = new OffscreenCanvas(side, side);
    const s = small.getContext('2d');
    s.imageSmoothingQuality = 'high';
    s.drawImage(pad, 0, 0, side, side);
    const rgba = s.getImageData(0, 0, side, side).data;
    return Array.from({ length: side * side }, (_, p) => rgba[p * 4] / 255);
  }

  async function run() {
    pending = false;
    if (!dirty) return;
    try {
      const p = await classify(pixels());
      let best = 0;
      p.forEach((v, k) => { if (v > p[best]) best = k; });
      guess.textContent = `looks like ${best} (${(p[best] * 100).toFixed(0)}%)`;
      guess.dataset.predicted = best;
      probsList.replaceChildren(...Array.from(p, (v, k) => {
        const li = document.createElement('li');
        li.innerHTML = `<span>${k}</span><meter min="0" max="1" value="${v}"></meter>`;
        li.title = `Probability of class ${k}: ${(v * 100).toFixed(1)}%`;
        return li;
      }));
    } catch (e) {
      guess.textContent = e.message;
    }
  }

  function schedule() {
    if (pending) return;
    pending = true;
    setTimeout(run, 60);
  }

  const at = (e) => {
    const r = pad.getBoundingClientRect();
    return [((e.clientX - r.left) / r.width) * VIEW, ((e.clientY - r.top) / r.height) * VIEW];
  };
  pad.addEventListener('pointerdown', (e) => {
    pad.setPointerCapture(e.pointerId);
    last = at(e);
    line(last, last);
  });
  pad.addEventListener('pointermove', (e) => {
    if (!last) return;
    const next = at(e);
    line(last, next);
    last = next;
  });
  pad.addEventListener('pointerup', () => { last = null; });
  pad.addEventListener('keydown', (e) => {
    const moves = { ArrowUp: [0, -1], ArrowDown: [0, 1], ArrowLeft: [-1, 0], ArrowRight: [1, 0] };
    if (e.key === 'Delete' || e.key === 'Backspace') {
      e.preventDefault();
      clear();
      return;
    }
    const d = moves[e.key];
    if (!d) return;
    e.preventDefault();
    const next = [Math.min(VIEW, Math.max(0, pen[0] + d[0] * KEY_STEP)), Math.min(VIEW, Math.max(0, pen[1] + d[1] * KEY_STEP))];
    line(pen, next);
    pen = next;
  });
  root.querySelector('.clear').addEventListener('click', clear);
  clear();
  return {
    // The drawing at the dataset's size (grayscale in [0, 1]), or null when the pad is empty.
    drawing: () => (dirty ? pixels() : null),
    // Grayscale images of `size` pixels a side can be drawn; others hide the pad.
    setImage(image) {
      root.hidden = !(image && image[0] === 1);
      if (image) side = image[1];
      clear();
    },
  };
}
