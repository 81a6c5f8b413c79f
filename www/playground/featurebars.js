// Per-feature attribution bars for samples that are feature vectors: one selected data
// point (click it on the plane, or step through the points with the buttons or with
// [ and ] on the plot) with its signed attribution per network input, and the average over
// the train or test points (mean signed and mean |attribution|) from `explainRows`.
// Signed bars use the diverging colours, magnitudes viridis; every bar shows its number.
import { colourOf } from '../explain/paint.js';
import { featureLabel, groupToCoordinates, splitByFeature } from './grouping.js';
import { labelledButton } from '../ui/button.js';
import { EXTENT } from '../plots/boundary.js';

const PICK_RADIUS_PX = 10;
const MAX_SAMPLES = 4096; // rows per explanation call (the engine's MAX_EXPLAIN_SAMPLES)
const PLAYING_REFRESH_MS = 1000;
// The largest |value| of the lists: a chart's scale, so every bar and number is shown whole.
const largest = (lists) => Math.max(0, ...lists.flatMap((l) => Array.from(l, Math.abs).filter(Number.isFinite)));
const fmt = (v) => (Number.isFinite(v) ? (v >= 0 ? '+' : '') + v.toPrecision(3) : '–');

// Rows of bars: signed values grow left or right from a centre line, magnitudes from the
// left; all rows of one chart share `scale`.
function renderBars(list, names, values, scale, magnitude) {
  list.replaceChildren(...names.map((name, j) => {
    const v = values[j];
    const row = document.createElement('li');
    const label = document.createElement('span');
    label.className = 'bar-label';
    label.textContent = featureLabel(name);
    const track = document.createElement('span');
    track.className = magnitude ? 'bar-track magnitude' : 'bar-track';
    const bar = document.createElement('span');
    bar.className = 'bar';
    const share = scale > 0 && Number.isFinite(v) ? Math.min(1, Math.abs(v) / scale) : 0;
    bar.style.left = magnitude ? '0' : `${v < 0 ? 50 - 50 * share : 50}%`;
    bar.style.width = `${(magnitude ? 100 : 50) * share}%`;
    bar.style.background = `rgb(${colourOf(v, scale, !magnitude).join(',')})`;
    track.append(bar);
    const value = document.createElement('span');
    value.className = 'bar-value';
    value.textContent = fmt(v);
    row.append(label, track, value);
    row.setAttribute('aria-label', `${featureLabel(name)}: ${fmt(v)}`);
    return row;
  }));
}

function chart(title) {
  const figure = document.createElement('figure');
  figure.className = 'bar-chart';
  const caption = document.createElement('figcaption');
  caption.textContent = title;
  const list = document.createElement('ol');
  figure.append(caption, list);
  return { figure, caption, list };
}

export function createFeatureBars(container, { boundary, canvas, controls, caller }) {
  let featureNames = ['x1', 'x2'];
  let selected = null;
  let playing = false;
  let lastPlayingRefresh = 0;
  let epoch = 0;
  let active = true;

  const previous = labelledButton('‹', 'Previous data point ([ on the plot)', () => move(-1), 'mini');
  const next = labelledButton('›', 'Next data point (] on the plot)', () => move(1), 'mini');
  const which = document.createElement('span');
  which.className = 'bars-which';
  which.setAttribute('role', 'status');
  const sample = chart('Selected point');
  const split = document.createElement('select');
  split.title = 'Which points the average runs over';
  split.replaceChildren(...[['train', 'train points'], ['test', 'test points']]
    .map(([value, text]) => Object.assign(document.createElement('option'), { value, textContent: text })));
  const averageButton = labelledButton('Average', 'Explain every point of the chosen split and show the mean signed and mean absolute attribution per feature', () => average());
  const averageNote = document.createElement('span');
  averageNote.className = 'bars-which';
  averageNote.setAttribute('role', 'status');
  const meanSigned = chart('Mean attribution');
  const meanAbs = chart('Mean |attribution|');
  const pick = document.createElement('div');
  pick.className = 'bars-pick';
  pick.append(previous, next, which);
  const averages = document.createElement('div');
  averages.className = 'bars-pick';
  averages.append('Over the ', split, ' ', averageButton, averageNote);
  const charts = document.createElement('div');
  charts.className = 'bar-charts';
  charts.append(meanSigned.figure, meanAbs.figure);
  container.replaceChildren(pick, sample.figure, averages, charts);
  meanSigned.figure.hidden = true;
  meanAbs.figure.hidden = true;

  // Per-feature arrays of an attribution of rows, grouped when asked.
  function perFeature(attr) {
    if (attr.shape?.[0] !== featureNames.length) return null;
    const maps = splitByFeature(attr.maps, featureNames);
    return controls.grouped() ? groupToCoordinates(featureNames, maps) : { names: featureNames, maps };
  }

  function describePoint() {
    const p = boundary.points();
    if (!p || selected == null) {
      which.textContent = 'Click a data point on the plot (or use ‹ ›) to see its attributions.';
      return;
    }
    const split = selected < p.nTrain ? 'train' : 'test';
    const truth = p.targets?.length ? `target ${p.targets[selected].toPrecision(3)}` : `class ${p.labels[selected] + 1}`;
    const at = `(${p.features[2 * selected].toFixed(2)}, ${p.features[2 * selected + 1].toFixed(2)})`;
    which.textContent = `Point ${selected + 1} of ${p.labels.length} · ${split} · ${truth} · at ${at}`;
  }

  async function explainSelected() {
    describePoint();
    sample.figure.hidden = selected == null;
    if (!active || selected == null) return;
    const index = selected;
    const result = await caller.run('sample', controls.request(), { indices: [index] });
    if (index !== selected) return;
    const features = result.attr && perFeature(result.attr);
    if (features) {
      const values = features.maps.map((m) => m[0]);
      renderBars(sample.list, features.names, values, largest([values]), false);
      sample.caption.textContent = `Selected point: ${controls.describe()}`;
    } else if (result.error) sample.caption.textContent = `Not explained: ${result.error}`;
  }

  async function average() {
    const p = boundary.points();
    if (!p) return;
    const [from, to] = split.value === 'train' ? [0, p.nTrain] : [p.nTrain, p.labels.length];
    if (to <= from) {
      averageNote.textContent = ` There are no ${split.value} points.`;
      return;
    }
    const n = to - from;
    const request = controls.request();
    let sums = null;
    // The engine explains at most MAX_SAMPLES rows per call: larger splits go in parts.
    for (let start = from; start < to; start += MAX_SAMPLES) {
      averageNote.textContent = ` explaining points ${start - from + 1}–${Math.min(to, start + MAX_SAMPLES) - from} of ${n}…`;
      const indices = Array.from({ length: Math.min(to, start + MAX_SAMPLES) - start }, (_, i) => start + i);
      const result = await caller.run('average', request, { indices });
      if (boundary.points() !== p) {
        averageNote.textContent = ' The data changed while explaining: average again.';
        return;
      }
      const features = result.attr && perFeature(result.attr);
      if (!features) {
        averageNote.textContent = result.cancelled ? ' cancelled.' : result.error ? ` Not explained: ${result.error}` : '';
        return;
      }
      sums ??= { names: features.names, signed: features.names.map(() => 0), absolute: features.names.map(() => 0) };
      features.maps.forEach((m, j) => {
        for (const v of m) {
          sums.signed[j] += v;
          sums.absolute[j] += Math.abs(v);
        }
      });
    }
    const mean = sums.signed.map((v) => v / n);
    const meanAbsolute = sums.absolute.map((v) => v / n);
    const scale = largest([mean, meanAbsolute]);
    renderBars(meanSigned.list, sums.names, mean, scale, false);
    renderBars(meanAbs.list, sums.names, meanAbsolute, scale, true);
    meanSigned.figure.hidden = false;
    meanAbs.figure.hidden = false;
    averageNote.textContent = ` ${n} ${split.value} points · ${controls.describe()} · at epoch ${epoch}`;
  }

  function select(i) {
    selected = i;
    boundary.setSelected(i);
    explainSelected();
  }

  function move(delta) {
    const n = boundary.points()?.labels.length ?? 0;
    if (!n) return;
    select(selected == null ? (delta > 0 ? 0 : n - 1) : (selected + delta + n) % n);
  }

  // A click on the plot (when no drawing tool is active) picks the nearest shown point.
  canvas.addEventListener('click', (e) => {
    const p = boundary.points();
    if (!p || canvas.classList.contains('drawing')) return;
    const [x, y] = boundary.toPlane(e.clientX, e.clientY);
    const box = canvas.getBoundingClientRect();
    const radius = (PICK_RADIUS_PX / box.width) * 2 * EXTENT;
    const shown = boundary.options.showTest ? p.labels.length : p.nTrain;
    let best = null;
    let bestDistance = radius;
    for (let i = 0; i < shown; i++) {
      const d = Math.hypot(p.features[2 * i] - x, p.features[2 * i + 1] - y);
      if (d < bestDistance) [best, bestDistance] = [i, d];
    }
    if (best != null) select(best);
  });
  canvas.addEventListener('keydown', (e) => {
    if (e.key !== '[' && e.key !== ']') return;
    e.preventDefault();
    move(e.key === ']' ? 1 : -1);
  });

  controls.onChange(() => {
    explainSelected();
    meanSigned.figure.hidden = true;
    meanAbs.figure.hidden = true;
    averageNote.textContent = '';
  });
  describePoint();

  return {
    setFeatures(names) {
      featureNames = names;
    },
    setActive(on) {
      active = on;
    },
    setPlaying(on) {
      playing = on;
    },
    // New points (a new run): the selection is dropped.
    setPoints() {
      selected = null;
      boundary.setSelected(null);
      meanSigned.figure.hidden = true;
      meanAbs.figure.hidden = true;
      averageNote.textContent = '';
      explainSelected();
    },
    // Every published update: the selected point follows the model (while playing, at
    // most once a second); the average says which epoch it was computed at.
    update(u) {
      epoch = u.metrics.epoch;
      if (selected == null) return;
      if (playing) {
        if (performance.now() - lastPlayingRefresh < PLAYING_REFRESH_MS) return;
        lastPlayingRefresh = performance.now();
      }
      explainSelected();
    },
  };
}
