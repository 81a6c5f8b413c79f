// The data panel: the dataset chooser (each button shows a thumbnail of that set's
// points), noise, train/test split, number of points, number of classes,
// preprocessing and regenerate (a new data seed). Every edit is a change to the spec's
// `dataset` section, handed to `onEdit`.
import { pointColor, targetScale } from '../plots/colormap.js';
import { EXTENT } from '../plots/boundary.js';

// [kind, label, task, multiclass]
export const KINDS = [
  ['circle', 'Circle', 'classification', false],
  ['xor', 'Exclusive or', 'classification', false],
  ['gauss', 'Two Gaussians', 'classification', false],
  ['spiral', 'Spiral', 'classification', true],
  ['moons', 'Moons', 'classification', false],
  ['yinYang', 'Yin-yang', 'classification', false],
  ['checkerboard', 'Checkerboard', 'classification', true],
  ['blobs', 'Blobs', 'classification', true],
  ['plane', 'Plane (regression)', 'regression', false],
  ['gaussRegression', 'Gaussian bumps (regression)', 'regression', false],
  ['custom', 'Your points', 'classification', true],
];
export const isRegression = (dataset) => KINDS.find(([k]) => k === dataset.kind)?.[2] === 'regression' || Boolean(dataset.regression);

const $ = (id) => document.getElementById(id);
const THUMB = 48;

export function createDataPanel({ onEdit, preview }) {
  const chooser = $('dataset-kinds');
  let dataset = null;
  let previewed = false;
  const thumbs = new Map();

  // The points of one set, painted on its chooser button.
  function paint(kind, points) {
    const canvas = thumbs.get(kind);
    if (!canvas || !points) return;
    const ctx = canvas.getContext('2d');
    ctx.fillStyle = '#f7f7f7';
    ctx.fillRect(0, 0, THUMB, THUMB);
    const scale = targetScale(points);
    for (let i = 0; i < points.labels.length; i++) {
      ctx.fillStyle = pointColor(points, i, scale);
      const x = ((points.features[2 * i] + EXTENT) / (2 * EXTENT)) * THUMB;
      const y = ((EXTENT - points.features[2 * i + 1]) / (2 * EXTENT)) * THUMB;
      ctx.fillRect(x - 1, y - 1, 2, 2);
    }
  }

  // Every other set once, with this experiment's settings and a few hundred points.
  async function previewAll() {
    for (const [kind, , task, multiclass] of KINDS) {
      if (kind === 'custom' || kind === dataset.kind) continue;
      const d = { ...dataset, kind, points: 300 };
      delete d.customPoints;
      delete d.regression;
      if (!multiclass) delete d.classes;
      try {
        paint(kind, await preview(d, task === 'regression' ? 'mse' : null));
      } catch {
        // A set this engine cannot build keeps a plain button.
      }
    }
  }

  for (const [kind, label] of KINDS) {
    const b = document.createElement('button');
    b.type = 'button';
    b.dataset.kind = kind;
    b.title = kind === 'custom' ? 'Your own points: draw them on the plot or upload a CSV file' : `Use the ${label} dataset`;
    const canvas = Object.assign(document.createElement('canvas'), { width: THUMB, height: THUMB });
    b.append(canvas, Object.assign(document.createElement('span'), { textContent: label }));
    b.addEventListener('click', () => onEdit((d) => {
      d.kind = kind;
      if (!KINDS.find(([k]) => k === kind)[3]) delete d.classes;
      if (kind !== 'custom') delete d.customPoints;
    }));
    thumbs.set(kind, canvas);
    chooser.append(b);
  }

  const numeric = (id, field, scale = 1) => $(id).addEventListener('change', (e) => {
    const v = Number(e.target.value) / scale;
    onEdit((d) => {
      d[field] = v;
    });
  });
  numeric('data-noise', 'noise');
  numeric('data-train-ratio', 'trainFraction', 100);
  numeric('data-points', 'points');
  numeric('data-classes', 'classes');
  $('data-preprocess').addEventListener('change', (e) => onEdit((d) => {
    d.preprocess = e.target.value;
  }));
  $('data-regenerate').addEventListener('click', () => onEdit((d) => {
    d.seed = (d.seed + 1) >>> 0;
  }));
  for (const [id, out] of [['data-noise', 'data-noise-value'], ['data-train-ratio', 'data-train-ratio-value']]) {
    $(id).addEventListener('input', (e) => {
      $(out).textContent = e.target.value + (id === 'data-train-ratio' ? '%' : '');
    });
  }

  return {
    show(spec) {
      dataset = spec.dataset;
      const kind = KINDS.find(([k]) => k === dataset.kind);
      for (const b of chooser.children) b.setAttribute('aria-pressed', String(b.dataset.kind === dataset.kind));
      chooser.querySelector('[data-kind="custom"]').hidden = dataset.kind !== 'custom';
      $('data-noise').value = dataset.noise;
      $('data-noise-value').textContent = dataset.noise;
      $('data-train-ratio').value = Math.round(dataset.trainFraction * 100);
      $('data-train-ratio-value').textContent = `${Math.round(dataset.trainFraction * 100)}%`;
      $('data-points').value = dataset.points;
      $('data-points').disabled = dataset.kind === 'custom';
      $('data-classes').value = dataset.classes ?? 2;
      $('data-classes').disabled = !kind?.[3] || dataset.kind === 'custom';
      $('data-preprocess').value = dataset.preprocess ?? 'none';
      if (!previewed) {
        previewed = true;
        previewAll();
      }
    },
    // The current set's points, painted on its chooser button.
    thumbnail(points) {
      if (dataset) paint(dataset.kind, points);
    },
  };
}
