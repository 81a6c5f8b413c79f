// The live training curves (uPlot): loss and accuracy against the epoch, train solid
// and test dashed, plus the curves of earlier runs chosen for comparison (thin, muted).
// Rows arrive in batches from the worker, in epoch order but not every epoch (a playing
// run records only the epochs it shows); lines span the gaps. Redraws are throttled,
// since a long run holds tens of thousands of rows.
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { SERIES_COLORS } from './colormap.js';

const COLUMNS = ['epoch', 'trainLoss', 'testLoss', 'trainAcc', 'testAcc'];
// Okabe–Ito colours left after the current run's blue and vermilion.
const OVERLAY_COLORS = ['#009E73', '#CC79A7', '#56B4E9', '#E69F00', '#000000'];
// Redraw at most every REDRAW_MS, and rarer when drawing is slow, so the charts take at
// most about a tenth of the main thread while training runs.
const REDRAW_MS = 150;
const REDRAW_SHARE = 0.1;

export const emptyCurves = () => Object.fromEntries(COLUMNS.map((c) => [c, []]));

function makeChart(container, axis, key, overlays, width) {
  const [train, test] = key === 'loss' ? ['trainLoss', 'testLoss'] : ['trainAcc', 'testAcc'];
  const series = [
    { label: 'epoch' },
    { label: 'train', stroke: SERIES_COLORS.train, width: 2, spanGaps: true },
    { label: 'test', stroke: SERIES_COLORS.test, width: 2, dash: [6, 3], spanGaps: true },
  ];
  overlays.forEach((run, i) => {
    const stroke = OVERLAY_COLORS[i % OVERLAY_COLORS.length];
    series.push({ label: `#${run.id} train`, stroke, width: 1, spanGaps: true });
    series.push({ label: `#${run.id} test`, stroke, width: 1, dash: [4, 3], spanGaps: true });
  });
  const opts = {
    width,
    height: key === 'loss' ? 200 : 170,
    scales: { x: { time: false }, ...(key === 'acc' ? { y: { range: [0, 1] } } : {}) },
    axes: [{ label: 'epoch' }, { label: axis, size: 50 }],
    series,
    legend: { show: key === 'loss', live: false },
    cursor: { drag: { x: true, y: false } },
  };
  container.replaceChildren();
  return { chart: new uPlot(opts, [[]], container), train, test };
}

export function createCurves(lossEl, accEl) {
  let current = emptyCurves();
  let overlays = [];
  let charts = [];
  let dirty = false;
  let lastDraw = 0;
  const width = () => Math.max(260, Math.min(420, lossEl.clientWidth || 400));

  function build() {
    charts = [makeChart(lossEl, 'loss', 'loss', overlays, width()), makeChart(accEl, 'accuracy', 'acc', overlays, width())];
    dirty = true;
  }

  function dataFor({ train, test }) {
    const own = [current.epoch, current[train], current[test]];
    if (!overlays.length) return own;
    return uPlot.join([own, ...overlays.map((r) => [r.curves.epoch, r.curves[train], r.curves[test]])]);
  }

  let interval = REDRAW_MS;
  function draw() {
    const start = performance.now();
    for (const c of charts) c.chart.setData(dataFor(c));
    dirty = false;
    lastDraw = performance.now();
    interval = Math.max(REDRAW_MS, (lastDraw - start) / REDRAW_SHARE);
  }

  build();
  return {
    clear() {
      current = emptyCurves();
      dirty = true;
    },
    append(history) {
      if (!history.epoch.length) return;
      for (const c of COLUMNS) for (const v of history[c]) current[c].push(v);
      dirty = true;
    },
    // The current run's columns (plain arrays); kept by the run history.
    curves: () => current,
    setOverlays(runs) {
      overlays = runs;
      build();
      draw();
    },
    // Called once per animation frame; draws when there is news and the throttle allows.
    redraw(force = false) {
      if (dirty && (force || performance.now() - lastDraw > interval)) draw();
    },
    canvases: () => charts.map((c) => c.chart.ctx.canvas),
  };
}
