// Per-feature attribution bars for samples that are feature vectors: one selected data
// point (click it on the plane, or step through the points with the buttons or with
// [ and ] on the plot) with its signed attribution per network input, and the average over
// the train or test points (mean signed and mean |attribution|); the bars and the average
// live in www/explain/bars.js.
import { averageAttribution, chart, largest, renderBars } from '../explain/bars.js';
import { featureLabel, groupToCoordinates, splitByFeature } from './grouping.js';
import { labelledButton } from '../ui/button.js';
import { EXTENT } from '../plots/boundary.js';

const PICK_RADIUS_PX = 10;
const PLAYING_REFRESH_MS = 1000;

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
      renderBars(sample.list, features.names.map(featureLabel), values, largest([values]), false);
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
    // The engine explains at most MAX_ROWS_PER_CALL rows per call: larger splits go in parts.
    const means = await averageAttribution(from, to, async (indices, start) => {
      averageNote.textContent = ` explaining points ${start - from + 1}–${start + indices.length - from} of ${n}…`;
      const result = await caller.run('average', request, { indices });
      if (boundary.points() !== p) return { stop: ' The data changed while explaining: average again.' };
      const features = result.attr && perFeature(result.attr);
      if (!features) return { stop: result.cancelled ? ' cancelled.' : result.error ? ` Not explained: ${result.error}` : '' };
      return features;
    });
    if (means.stop != null) {
      averageNote.textContent = means.stop;
      return;
    }
    const scale = largest([means.signed, means.absolute]);
    const labels = means.names.map(featureLabel);
    renderBars(meanSigned.list, labels, means.signed, scale, false);
    renderBars(meanAbs.list, labels, means.absolute, scale, true);
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
