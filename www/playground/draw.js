// The points drawing tool on the decision-boundary plot: pick a class (or the eraser),
// then drag with the mouse, pen or finger to add (or remove) points; with the keyboard,
// arrows move a cursor on the focused plot and Enter or Space applies the tool there.
// A finished stroke becomes a `custom` dataset holding every point.
import { CLASS_COLORS } from '../plots/colormap.js';
import { EXTENT } from '../plots/boundary.js';

const SPACING = 0.3; // minimum distance between points laid down by one stroke
const ERASE_RADIUS = 0.5;
const KEY_STEP = 0.25;

export function createDrawTool(toolbar, canvas, boundary, { onCommit }) {
  let tool = 'off'; // 'off' | 'erase' | class index
  let classes = 2;
  let enabled = true;
  let stroke = null; // {added: [[x, y, label]], erased: Set of point indices}
  let cursor = [0, 0];

  function setTool(next) {
    tool = next;
    for (const b of toolbar.querySelectorAll('button')) b.setAttribute('aria-pressed', String(b.dataset.tool === String(tool)));
    canvas.classList.toggle('drawing', tool !== 'off');
    if (tool === 'off') boundary.setCursor(null);
  }

  function buttons() {
    const make = (value, text, title, color) => {
      const b = document.createElement('button');
      b.type = 'button';
      b.dataset.tool = value;
      b.textContent = text;
      b.title = title;
      b.disabled = !enabled && value !== 'off';
      if (color) b.style.setProperty('--swatch', color);
      b.addEventListener('click', () => setTool(value === 'off' || value === 'erase' ? value : Number(value)));
      return b;
    };
    const why = enabled ? '' : ' (drawing makes classification points: pick a classification dataset first)';
    toolbar.replaceChildren(
      make('off', 'Pointer', 'Stop drawing; the plot only shows the data'),
      ...Array.from({ length: classes }, (_, c) => make(String(c), `Class ${c + 1}`, `Draw points of class ${c + 1}: drag on the plot, or focus it and use the arrows and Enter${why}`, CLASS_COLORS[c])),
      make('erase', 'Erase', `Remove the points under the pointer: drag on the plot${why}`),
    );
    setTool(enabled || tool === 'off' ? tool : 'off');
  }

  function all() {
    const p = boundary.points();
    if (!p) return [];
    const out = [];
    for (let i = 0; i < p.labels.length; i++) out.push([p.features[2 * i], p.features[2 * i + 1], p.labels[i]]);
    return out;
  }

  function apply([x, y]) {
    if (Math.abs(x) > EXTENT || Math.abs(y) > EXTENT) return;
    if (tool === 'erase') {
      const p = boundary.points();
      for (let i = 0; i < p.labels.length; i++) {
        if (Math.hypot(p.features[2 * i] - x, p.features[2 * i + 1] - y) < ERASE_RADIUS) stroke.erased.add(i);
      }
      stroke.added = stroke.added.filter(([a, b]) => Math.hypot(a - x, b - y) >= ERASE_RADIUS);
    } else {
      const last = stroke.added.at(-1);
      if (last && Math.hypot(last[0] - x, last[1] - y) < SPACING) return;
      stroke.added.push([Math.round(x * 1000) / 1000, Math.round(y * 1000) / 1000, tool]);
    }
    boundary.setSketch(stroke.added, stroke.erased);
  }

  function commit() {
    if (!stroke) return;
    const { added, erased } = stroke;
    stroke = null;
    if (!added.length && !erased.size) return;
    const kept = all().filter((_, i) => !erased.has(i));
    onCommit([...kept, ...added]);
  }

  canvas.addEventListener('pointerdown', (e) => {
    if (tool === 'off' || e.button > 0) return;
    e.preventDefault();
    canvas.setPointerCapture(e.pointerId);
    stroke = { added: [], erased: new Set() };
    apply(boundary.toPlane(e.clientX, e.clientY));
  });
  canvas.addEventListener('pointermove', (e) => {
    if (stroke) apply(boundary.toPlane(e.clientX, e.clientY));
  });
  canvas.addEventListener('pointerup', commit);
  canvas.addEventListener('pointercancel', commit);
  canvas.addEventListener('keydown', (e) => {
    if (tool === 'off') return;
    const step = e.shiftKey ? 4 * KEY_STEP : KEY_STEP;
    const moves = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, step], ArrowDown: [0, -step] };
    if (moves[e.key]) {
      cursor = cursor.map((v, i) => Math.max(-EXTENT, Math.min(EXTENT, v + moves[e.key][i])));
      boundary.setCursor(cursor);
    } else if (e.key === 'Enter' || e.key === ' ') {
      stroke = { added: [], erased: new Set() };
      apply(cursor);
      commit();
    } else if (e.key === 'Escape') {
      setTool('off');
    } else return;
    e.preventDefault();
  });
  canvas.addEventListener('focus', () => tool !== 'off' && boundary.setCursor(cursor));
  canvas.addEventListener('blur', () => boundary.setCursor(null));

  buttons();
  return {
    // The classes a drawing may use, and whether drawing is possible (classification sets).
    configure(nextClasses, canDraw) {
      if (nextClasses === classes && canDraw === enabled) return;
      classes = nextClasses;
      enabled = canDraw;
      if (typeof tool === 'number' && tool >= classes) tool = 'off';
      buttons();
    },
    // A finished stroke keeps showing until the engine's new points arrive.
    clear: () => boundary.setSketch([], new Set()),
  };
}
