// Per-feature attribution maps over the plane, beside the decision boundary: for every
// network input (or, grouped, for x₁ and x₂) the attribution at each point of a grid over
// [−6, 6]², on the diverging map with one symmetric scale shared by all maps (the shared
// www/explain/ painting and scaling) and a legend.
// Hovering a map (or focusing the maps and moving with the arrows) reads every map's
// value at that point. Still maps are explained at STILL_RES after each published change;
// while training, a live request at LIVE_RES is re-explained every so many steps, chosen
// from the measured cost of one explanation so that training slows by about LIVE_BUDGET.
import { paintAttribution, paintColourBar } from '../explain/paint.js';
import { sharedScales } from '../explain/normalise.js';
import { EXTENT } from '../plots/boundary.js';
import { featureLabel, groupToCoordinates, splitByFeature } from './grouping.js';

const STILL_RES = 64;
export const LIVE_RES = 32;
const LIVE_BUDGET = 0.1; // share of training time the live refresh may take
const LIVE_MAX_HZ = 5; // and it refreshes at most this often
const KEY_STEP = 0.5;

const fmt = (v) => (Number.isFinite(v) ? (v >= 0 ? '+' : '') + v.toPrecision(3) : '–');

// The steps between live refreshes: an explanation costing `explainMs` may take about
// `budget` of the time (training `stepsPerSec`), and refreshes come at most `maxHz` a second.
export function liveEverySteps(explainMs, stepsPerSec, budget = LIVE_BUDGET, maxHz = LIVE_MAX_HZ) {
  if (!(stepsPerSec > 0)) return 1;
  const byCost = (explainMs / 1000) * stepsPerSec / budget;
  return Math.max(1, Math.ceil(Math.max(byCost, stepsPerSec / maxHz)));
}

export function createAttributionMaps({ maps: container, legend, status }, { engine, controls, caller }) {
  let shown = null; // {names, maps, res, scale, step}
  let probe = [0, 0];
  let probing = false;
  let playing = false;
  let live = true;
  let liveSet = null; // {key: the request's JSON, every: its steps} of the live request in force
  // Measured cost per grid point of each request (JSON) on the current network: the
  // least seen, since a call's time includes waiting for the training chunk before it.
  let costs = new Map();
  let stepsPerSec = 0;
  let active = true;
  let featureNames = ['x1', 'x2'];

  const low = document.createElement('span');
  const high = document.createElement('span');
  const bar = document.createElement('canvas');
  bar.className = 'legend-bar';
  bar.setAttribute('aria-hidden', 'true');
  paintColourBar(bar, true);
  legend.replaceChildren(low, bar, high, document.createElement('br'),
    'blue: lowers the explained score · orange: raises it · one scale for all maps');

  // Plane point → cell of a res×res grid (top row first).
  const cellOf = ([x, y], res) => {
    const col = Math.min(res - 1, Math.max(0, Math.floor(((x + EXTENT) / (2 * EXTENT)) * res)));
    const row = Math.min(res - 1, Math.max(0, Math.floor(((EXTENT - y) / (2 * EXTENT)) * res)));
    return row * res + col;
  };

  function paint() {
    if (!shown) return;
    const { names, maps, res, scale } = shown;
    if (container.children.length !== names.length || [...container.children].some((f, j) => f.dataset.feature !== names[j])) {
      container.replaceChildren(...names.map((name) => {
        const figure = document.createElement('figure');
        figure.dataset.feature = name;
        // One canvas pixel per grid cell; CSS scales it up.
        const canvas = document.createElement('canvas');
        canvas.setAttribute('role', 'img');
        canvas.setAttribute('aria-label', `Attribution of ${featureLabel(name)} over the plane`);
        const caption = document.createElement('figcaption');
        caption.textContent = featureLabel(name);
        figure.append(canvas, caption);
        return figure;
      }));
    }
    [...container.children].forEach((figure, j) => {
      const canvas = figure.firstChild;
      paintAttribution(canvas, { values: maps[j], h: res, w: res }, { signed: true, scale });
      if (probing) {
        const ctx = canvas.getContext('2d');
        const cell = cellOf(probe, res);
        ctx.strokeStyle = '#1d2330';
        ctx.lineWidth = 1;
        ctx.strokeRect((cell % res) - 1.5, Math.floor(cell / res) - 1.5, 4, 4);
      }
    });
    low.textContent = fmt(-scale);
    high.textContent = fmt(scale);
    readProbe();
  }

  function readProbe() {
    if (!shown || !probing) {
      status.textContent = shown ? `${shown.what}${shown.step == null ? '' : ` · live, step ${shown.step}`}. Hover a map (or focus it and use the arrows) to read values.` : status.textContent;
      return;
    }
    const i = cellOf(probe, shown.res);
    const values = shown.names.map((name, j) => `${featureLabel(name)} ${fmt(shown.maps[j][i])}`).join(', ');
    status.textContent = `At (${probe[0].toFixed(2)}, ${probe[1].toFixed(2)}): ${values}`;
  }

  // An attribution of the grid becomes the shown maps (one of an earlier network, whose
  // inputs differ, is dropped).
  function show(attr, res, step = null, what = controls.describe()) {
    if (attr.shape?.[0] !== featureNames.length) return;
    let names = featureNames;
    let maps = splitByFeature(attr.maps, names);
    if (controls.grouped()) ({ names, maps } = groupToCoordinates(names, maps));
    // The shared scale: the largest of the maps' own scales (each clips its top 1%).
    const [scale] = sharedScales(maps.map((values) => ({ values, key: '' })), 'grid');
    shown = { names, maps, res, scale, step, what };
    paint();
  }

  // Explains the grid, recording the time per point.
  async function timed(request, res, key) {
    const t0 = performance.now();
    const result = await caller.run(key, request, { grid: res });
    if (result.attr) {
      const json = JSON.stringify(request);
      const perPoint = (performance.now() - t0) / (res * res);
      costs.set(json, Math.min(perPoint, costs.get(json) ?? Infinity));
    }
    return result;
  }

  async function refresh() {
    if (!active || playing) return;
    if (controls.needsLabels()) {
      status.textContent = 'The plane has no labels: "true class" explains data points only (the bars below). Choose another score for the maps.';
      return;
    }
    const what = controls.describe();
    const request = controls.request();
    const result = await timed(request, STILL_RES, 'maps');
    if (result.attr) show(result.attr, STILL_RES, null, what);
    else if (result.cancelled) status.textContent = 'Explanation cancelled; the maps show the last one.';
    else if (result.error) status.textContent = `The attribution maps could not be computed: ${result.error}`;
  }

  // Sets the live request in force while playing (or none), at most one sync at a time.
  let syncing = false;
  let syncAgain = false;
  async function syncLive() {
    if (syncing) {
      syncAgain = true;
      return;
    }
    syncing = true;
    try {
      do {
        syncAgain = false;
        await syncOnce();
      } while (syncAgain);
    } finally {
      syncing = false;
    }
  }

  async function syncOnce() {
    // The interval needs the training speed, known after the first published chunk.
    const want = active && live && playing && stepsPerSec > 0 && !controls.needsLabels() ? controls.request() : null;
    const key = want && JSON.stringify(want);
    // Without a measured cost (settings changed while playing), one timed explanation.
    if (want && !costs.has(key) && !(await timed(want, LIVE_RES, 'live-cost')).attr) return;
    let every = want ? liveEverySteps(costs.get(key) * LIVE_RES * LIVE_RES, stepsPerSec) : 0;
    // The measured speed varies with the machine's load: changes within a factor of 2
    // keep the interval.
    if (want && liveSet?.key === key && every <= 2 * liveSet.every && every >= liveSet.every / 2) every = liveSet.every;
    if (want ? liveSet?.key === key && liveSet.every === every : !liveSet) return;
    liveSet = want && { key, every };
    await engine.call('setLiveExplain', want ? { request: want, source: { grid: LIVE_RES }, everySteps: every } : null)
      .catch((e) => {
        liveSet = null;
        status.textContent = `Live attribution is off: ${e.message}`;
      });
  }

  engine.on('liveExplain', (e) => {
    if (!liveSet || !playing) return;
    if (e.error) {
      // The worker dropped the live request.
      liveSet = null;
      status.textContent = `Live attribution stopped: ${e.error}`;
    } else show(e, LIVE_RES, e.step);
  });

  // Hover and keyboard probing.
  container.tabIndex = 0;
  container.setAttribute('aria-label', 'Attribution maps: arrows move the read-out point, Shift for larger steps');
  container.addEventListener('pointermove', (e) => {
    const canvas = e.target.closest('canvas');
    if (!canvas) return;
    const box = canvas.getBoundingClientRect();
    probe = [((e.clientX - box.left) / box.width) * 2 * EXTENT - EXTENT, EXTENT - ((e.clientY - box.top) / box.height) * 2 * EXTENT];
    probing = true;
    paint();
  });
  container.addEventListener('pointerleave', () => {
    probing = false;
    paint();
  });
  container.addEventListener('keydown', (e) => {
    const step = e.shiftKey ? 4 * KEY_STEP : KEY_STEP;
    const moves = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, step], ArrowDown: [0, -step] };
    if (!moves[e.key]) return;
    e.preventDefault();
    probe = probe.map((v, i) => Math.max(-EXTENT, Math.min(EXTENT, v + moves[e.key][i])));
    probing = true;
    paint();
  });
  container.addEventListener('blur', () => {
    probing = false;
    paint();
  });

  controls.onChange(() => {
    refresh();
    syncLive();
  });

  return {
    // The experiment's network inputs, in order (a changed experiment is re-timed).
    setFeatures(names) {
      featureNames = names;
      costs = new Map();
    },
    // The 2-D view is showing (false on the image track: no maps, no live requests).
    setActive(on) {
      active = on;
      syncLive();
    },
    setLive(on) {
      live = on;
      syncLive();
    },
    setPlaying(on) {
      playing = on;
      syncLive();
    },
    // Every published update: while paused the maps follow the model; while playing the
    // training speed tunes the live interval.
    update(u) {
      // Smoothed: the worker's figure swings from update to update.
      if (u.epochsPerSec != null && u.stepsPerEpoch) {
        const now = u.epochsPerSec * u.stepsPerEpoch;
        stepsPerSec = stepsPerSec > 0 ? 0.9 * stepsPerSec + 0.1 * now : now;
      }
      if (playing) syncLive();
      else refresh();
    },
  };
}
