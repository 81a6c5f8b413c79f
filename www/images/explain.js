// The image track's explanation panel: samples (test samples clicked in the sample grid,
// or the drawing) × methods (www/explain/picker.js), which class to explain, a grid of
// maps with shared or per-map colour scales, sign modes and overlay opacity, progress
// with Cancel for long runs, PNG export of the grid, and live mode: the samples
// re-explained every N training steps with a timeline to replay how the maps evolved.
// A table (an uploaded CSV: flat rows, no image shape) gets per-feature bars named by
// its columns instead of maps, and an average over the train or test rows per method.
import { createMethodPicker } from '../explain/picker.js';
import { convLayers } from '../explain/layers.js';
import { requestOf, isMagnitude } from '../explain/methods.js';
import { toPlane, applySign, sharedScales, SIGN_MODES, SCALE_GROUPS } from '../explain/normalise.js';
import { grayscale, paintColourBar } from '../explain/paint.js';
import { renderGrid, gridImage } from '../explain/grid.js';
import { createFrames } from '../explain/frames.js';
import { paintSample } from './paint.js';
import { saveBlob } from '../ui/download.js';
import { averageAttribution, chart, largest, renderBars, MAX_ROWS_PER_CALL } from '../explain/bars.js';
import { splitByFeature } from '../playground/grouping.js';

export const MAX_EXPLAIN_SAMPLES = 6;
const PROGRESS_AFTER_MS = 500;
const DEFAULT_METHODS = ['gradient', 'integratedGradients', 'gradCam'];

const options = (list) => list.map(([value, text, title]) => `<option value="${value}" title="${title}">${text}</option>`).join('');

const TEMPLATE = `
  <p class="hint">Click test samples in the grid above to add them here (up to ${MAX_EXPLAIN_SAMPLES}), or add the drawing; then pick methods and press Explain.</p>
  <div class="explain-samples"><ul class="chips" aria-label="Samples to explain"></ul>
    <button type="button" class="add-drawing" title="Explain the digit drawn on the pad">Add the drawing</button>
    <button type="button" class="clear-samples" title="Remove every sample from the explanation">Clear samples</button></div>
  <details class="explain-methods" open><summary>Methods and their parameters</summary><div class="picker"></div></details>
  <div class="explain-options">
    <label title="Which score the maps explain">Explain <select class="target-mode">
      <option value="predicted">the predicted class</option><option value="true">the true class</option>
      <option value="class">a chosen class</option><option value="contrast">one class against another</option></select></label>
    <label class="class-a" hidden title="The explained class">class <select></select></label>
    <label class="class-b" hidden title="The class it is contrasted with: the map explains logit(a) − logit(b)">against <select></select></label>
    <label title="How maps share colour scales">Colour scale <select class="scale-group">${options(SCALE_GROUPS)}</select></label>
    <label title="Which part of each map to show">Sign <select class="sign-mode">${options(SIGN_MODES)}</select></label>
    <label title="How strongly the map covers the sample (0: the sample only; at 1 the strongest values hide it)">Overlay <input class="opacity" type="range" min="0" max="1" step="0.05" value="0.9"></label>
    <button type="button" class="run" title="Compute the maps of every chosen method for every sample">Explain</button>
    <span class="explain-progress" hidden><progress max="1" value="0" aria-label="Explanation progress"></progress>
      <button type="button" class="cancel" title="Stop the running explanation">Cancel</button></span>
    <span class="status" role="status" aria-live="polite"></span>
  </div>
  <div class="legend" aria-hidden="true"><span>signed: against</span><canvas class="bar-signed"></canvas><span>for</span>
    <span class="gap-legend">magnitude: 0</span><canvas class="bar-magnitude"></canvas><span>max</span></div>
  <div class="grid-box"></div>
  <div class="table-average" hidden>
    <div class="bars-pick"><span>Average over the dataset:</span>
      <label title="Which rows the average runs over">rows <select class="average-split"><option value="train">train</option><option value="test">test</option></select></label>
      <button type="button" class="average" title="Explain every row of the split with each chosen method: mean signed and mean absolute attribution per feature">Average</button>
      <span class="average-note bars-which" role="status"></span></div>
    <div class="average-charts bar-charts"></div>
  </div>
  <fieldset class="live"><legend>Live during training</legend>
    <label title="While training plays, re-explain the samples above with one method every N steps"><input type="checkbox" class="live-on"> re-explain every</label>
    <label title="Training steps between live explanations"><input type="number" class="every" min="1" max="100000" step="1" value="25" aria-label="steps between live explanations"> steps with</label>
    <select class="live-method" aria-label="Method for live mode" title="The method live mode uses (one of the chosen methods)"></select>
    <label class="timeline" title="Replay how the maps evolved: drag or use the arrow keys">Timeline <input type="range" class="scrub" min="0" max="0" value="0" disabled></label>
    <output class="frame-info" aria-live="polite">no frames yet</output>
    <div class="live-grid"></div>
  </fieldset>`;

const targetCaption = (t) => (t.length === 2 ? `${t[0]} vs ${t[1]}` : `class ${t[0]}`);

export function createExplainPanel(root, { call, on, onError, drawing }) {
  root.innerHTML = TEMPLATE;
  const $ = (sel) => root.querySelector(sel);
  const status = $('.status');
  let samples = [];
  let info = null;
  let results = null;
  let running = null;
  let datasetKey = null;
  const frames = createFrames();
  let live = null;
  let followLatest = true;

  const picker = createMethodPicker($('.picker'), { initial: DEFAULT_METHODS, onChange: () => refreshLiveMethods() });
  paintColourBar($('.bar-signed'), true);
  paintColourBar($('.bar-magnitude'), false);

  // ── Samples ──
  function renderChips() {
    $('.chips').replaceChildren(...samples.map((s, i) => {
      const li = document.createElement('li');
      const canvas = document.createElement('canvas');
      paintSample(canvas, s.features, info?.image ?? null);
      const text = document.createElement('span');
      text.textContent = sampleCaption(s);
      const remove = document.createElement('button');
      remove.type = 'button';
      remove.textContent = '×';
      remove.setAttribute('aria-label', `Remove ${sampleCaption(s)}`);
      remove.title = remove.getAttribute('aria-label');
      remove.addEventListener('click', () => {
        samples.splice(i, 1);
        samplesChanged();
      });
      li.append(canvas, text, remove);
      return li;
    }));
  }

  const sampleCaption = (s) => (s.kind === 'drawn' ? 'the drawing' : `test ${s.index} (true ${s.label}, predicted ${s.predicted})`);

  function samplesChanged() {
    renderChips();
    if (live) startLive();
  }

  function addSample(sample) {
    if (sample.kind === 'row' && samples.some((s) => s.kind === 'row' && s.index === sample.index)) return;
    samples = samples.filter((s) => !(sample.kind === 'drawn' && s.kind === 'drawn'));
    samples.push(sample);
    if (samples.length > MAX_EXPLAIN_SAMPLES) samples.shift();
    samplesChanged();
  }

  $('.add-drawing').addEventListener('click', () => {
    const pixels = drawing();
    if (!pixels) return say('Draw a digit on the pad first.');
    addSample({ kind: 'drawn', features: Float32Array.from(pixels) });
  });
  $('.clear-samples').addEventListener('click', () => {
    samples = [];
    samplesChanged();
  });

  // Dataset rows go by index (with their labels); the drawing by its pixels.
  function groupsOf(list) {
    const rows = list.map((s, i) => [s, i]).filter(([s]) => s.kind === 'row');
    const drawn = list.map((s, i) => [s, i]).filter(([s]) => s.kind === 'drawn');
    return [
      ...(rows.length ? [{ source: { indices: rows.map(([s]) => s.index) }, columns: rows.map(([, i]) => i) }] : []),
      ...drawn.map(([s, i]) => ({ source: { features: Array.from(s.features) }, columns: [i] })),
    ];
  }

  // ── Which class ──
  function targetString() {
    const mode = $('.target-mode').value;
    const a = $('.class-a select').value;
    const b = $('.class-b select').value;
    if (mode === 'class') return a;
    if (mode === 'contrast') {
      if (a === b) throw new Error('Pick two different classes to contrast.');
      return `${a}-${b}`;
    }
    return mode;
  }
  $('.target-mode').addEventListener('change', () => {
    const mode = $('.target-mode').value;
    $('.class-a').hidden = mode !== 'class' && mode !== 'contrast';
    $('.class-b').hidden = mode !== 'contrast';
  });

  // ── Running ──
  const say = (text) => { status.textContent = text; };

  function progress(fraction) {
    if (!running) return;
    $('.explain-progress progress').value = Math.min(1, fraction);
  }

  on('explainProgress', ({ done, total, partial }) => {
    if (running?.span) progress(running.base + (running.span * done) / Math.max(1, total));
    if (partial && running?.showPartial) running.showPartial(partial);
  });

  $('.cancel').addEventListener('click', () => {
    if (!running) return;
    running.cancelled = true;
    call('cancelExplain').catch(() => {});
  });

  // One cell per sample of a group from the engine's result.
  function cellsOf(attr, method, values) {
    const size = attr.shape.reduce((a, b) => a * b, 1);
    return attr.targets.map((target, k) => ({
      map: attr.maps.subarray(k * size, (k + 1) * size),
      shape: attr.shape,
      magnitude: isMagnitude(method, values),
      target: targetCaption(target),
      gap: attr.completenessGap ? attr.completenessGap[k] : null,
      relevance: attr.layerRelevance ? { layers: attr.layerRelevance, sample: k } : null,
    }));
  }

  async function run() {
    if (running) return;
    if (!samples.length) return say('Add samples first: click test samples above, or add the drawing.');
    const chosen = picker.selected();
    if (!chosen.length) return say('Pick at least one method.');
    let target;
    try {
      target = targetString();
    } catch (e) {
      return say(e.message);
    }
    const list = samples.slice();
    const groups = groupsOf(list);
    const job = { cancelled: false, base: 0, span: 0 };
    running = job;
    $('.run').disabled = true;
    say('Explaining…');
    const slow = setTimeout(() => { $('.explain-progress').hidden = false; }, PROGRESS_AFTER_MS);
    const rows = [];
    const before = results;
    const started = performance.now();
    try {
      let step = 0;
      const steps = chosen.length * groups.length;
      for (const { method, values } of chosen) {
        if (job.cancelled) break;
        const row = { method, values, cells: new Array(list.length) };
        let request = null;
        try {
          request = requestOf(method, values, target, drawing());
        } catch (e) {
          row.cells.fill({ error: e.message });
        }
        for (const g of groups) {
          if (!request || job.cancelled) break;
          Object.assign(job, { base: step / steps, span: 1 / steps });
          step += 1;
          progress(job.base);
          // RISE's maps so far, shown in their cells until the finished ones arrive.
          job.showPartial = (partial) => {
            const attr = { ...partial, targets: g.columns.map(() => []), completenessGap: null, layerRelevance: null };
            cellsOf(attr, method, values).forEach((cell, k) => { row.cells[g.columns[k]] = { ...cell, target: 'refining…' }; });
            results = { samples: list, rows: [...rows, row] };
            draw();
          };
          try {
            const attr = await call('explain', { request, source: g.source });
            cellsOf(attr, method, values).forEach((cell, k) => { row.cells[g.columns[k]] = cell; });
          } catch (e) {
            if (e.message === 'cancelled') job.cancelled = true;
            else g.columns.forEach((c) => { row.cells[c] = { error: e.message }; });
          }
        }
        if (!job.cancelled) rows.push(row);
      }
      // A run cancelled before any method finished leaves the grid as it was.
      results = rows.length || !job.cancelled ? { samples: list, rows } : before;
      draw();
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      say(job.cancelled ? `Cancelled; ${rows.length} of ${chosen.length} methods finished.` : `Explained ${list.length} samples with ${rows.length} methods in ${seconds} s.`);
    } finally {
      clearTimeout(slow);
      running = null;
      $('.run').disabled = false;
      $('.explain-progress').hidden = true;
    }
  }
  $('.run').addEventListener('click', () => run().catch((e) => onError(e.message)));

  // ── A table's average over the dataset ──
  const note = (text) => { $('.average-note').textContent = text; };
  async function average() {
    if (running || !isTable()) return;
    const chosen = picker.selected();
    if (!chosen.length) return note('Pick at least one method.');
    const which = $('.average-split').value;
    const [from, to] = which === 'train' ? [0, info.nTrain] : [info.nTrain, info.samples];
    if (to <= from) return note(`There are no ${which} rows.`);
    let target;
    try {
      target = targetString();
    } catch (e) {
      return note(e.message);
    }
    const job = { cancelled: false, base: 0, span: 0 };
    running = job;
    $('.run').disabled = true;
    $('.average').disabled = true;
    const slow = setTimeout(() => { $('.explain-progress').hidden = false; }, PROGRESS_AFTER_MS);
    const charts = [];
    const parts = Math.ceil((to - from) / MAX_ROWS_PER_CALL);
    const names = featureNames();
    try {
      for (const [m, { method, values }] of chosen.entries()) {
        let request;
        try {
          request = requestOf(method, values, target, null);
        } catch (e) {
          note(`${method.label}: ${e.message}`);
          continue;
        }
        const means = await averageAttribution(from, to, async (indices, start) => {
          const part = Math.floor((start - from) / MAX_ROWS_PER_CALL);
          Object.assign(job, { base: (m * parts + part) / (chosen.length * parts), span: 1 / (chosen.length * parts) });
          note(`${method.label}: rows ${start - from + 1}–${start + indices.length - from} of ${to - from}…`);
          try {
            const attr = await call('explain', { request, source: { indices } });
            return { names, maps: splitByFeature(attr.maps, names) };
          } catch (e) {
            if (e.message === 'cancelled') job.cancelled = true;
            return { stop: job.cancelled ? 'cancelled' : e.message };
          }
        });
        if (job.cancelled) break;
        if (means.stop != null) {
          const failed = chart(`${method.label}: not explained (${means.stop})`);
          charts.push(failed.figure);
          continue;
        }
        const scale = largest([means.signed, means.absolute]);
        for (const [title, list, magnitude] of [['mean attribution', means.signed, false], ['mean |attribution|', means.absolute, true]]) {
          const one = chart(`${method.label} · ${title} over ${to - from} ${which} rows`);
          renderBars(one.list, names, list, scale, magnitude);
          one.figure.dataset.method = method.name;
          one.figure.dataset.kind = magnitude ? 'absolute' : 'signed';
          charts.push(one.figure);
        }
      }
      if (job.cancelled) note('Cancelled; the average shown before is kept.');
      else {
        $('.average-charts').replaceChildren(...charts);
        note(`Averaged ${chosen.length} method${chosen.length === 1 ? '' : 's'} over the ${to - from} ${which} rows.`);
      }
    } finally {
      clearTimeout(slow);
      running = null;
      $('.run').disabled = false;
      $('.average').disabled = false;
      $('.explain-progress').hidden = true;
    }
  }
  $('.average').addEventListener('click', () => average().catch((e) => onError(e.message)));

  // ── Drawing the grid ──
  const column = (s) => {
    const image = info?.image ?? null;
    return {
      caption: s.kind === 'drawn' ? 'drawing' : `test ${s.index}: ${s.label} (${s.predicted})`,
      title: sampleCaption(s),
      paint: (canvas) => paintSample(canvas, s.features, image),
      base: image ? { values: grayscale(s.features, image), h: image[1], w: image[2] } : null,
    };
  };

  // Rows of display cells (planes with sign and scale applied) from raw rows.
  function displayRows(rawRows) {
    const sign = $('.sign-mode').value;
    const flat = [];
    const rows = rawRows.map((r) => ({
      label: r.label ?? r.method.label,
      title: r.method.title,
      cells: r.cells.map((c) => {
        if (!c || c.error) return { error: c?.error ?? 'not computed' };
        const plane = toPlane(c.map, c.shape);
        const { values, signed } = applySign(plane.values, sign, c.magnitude);
        const cell = { plane: { ...plane, values }, signed, target: c.target, gap: c.gap, key: r.method.name, values };
        if (c.relevance) cell.relevance = { ...c.relevance, input: c.map.reduce((a, b) => a + b, 0) };
        flat.push(cell);
        return cell;
      }),
    }));
    const scales = sharedScales(flat, $('.scale-group').value);
    flat.forEach((cell, i) => { cell.scale = scales[i]; });
    return rows;
  }

  function gridModel() {
    if (!results) return null;
    return { columns: results.samples.map(column), rows: displayRows(results.rows), opacity: Number($('.opacity').value) };
  }

  const isTable = () => Boolean(info && !info.image && !info.pointSet);
  const featureNames = () => info.featureNames ?? Array.from({ length: info.nFeatures }, (_, j) => `feature ${j + 1}`);

  // A table's rows: one chart of bars per method × sample, named by the columns.
  function drawBars() {
    const charts = [];
    for (const r of results.rows) {
      r.cells.forEach((c, k) => {
        const one = chart(`${r.method.label} · ${sampleCaption(results.samples[k])}${c && !c.error ? ` · ${c.target}` : ''}`);
        if (!c || c.error) one.caption.textContent += `: not explained (${c?.error ?? 'not computed'})`;
        else renderBars(one.list, featureNames(), c.map, largest([c.map]), c.magnitude);
        one.figure.dataset.method = r.method.name;
        charts.push(one.figure);
      });
    }
    const box = document.createElement('div');
    box.className = 'bar-charts';
    box.append(...charts);
    $('.grid-box').replaceChildren(box);
  }

  function draw() {
    if (results && isTable()) {
      drawBars();
      showFrame();
      return;
    }
    const model = gridModel();
    if (model) renderGrid($('.grid-box'), model);
    else $('.grid-box').replaceChildren();
    showFrame();
  }
  for (const sel of ['.sign-mode', '.scale-group', '.opacity']) $(sel).addEventListener('input', draw);

  // ── PNG export ──
  const png = document.createElement('button');
  png.type = 'button';
  png.className = 'export-png mini';
  png.id = 'png-explain';
  png.textContent = 'PNG';
  png.title = 'Save the grid of maps as a PNG image';
  png.setAttribute('aria-label', png.title);
  png.addEventListener('click', () => {
    const model = gridModel();
    if (!model) return onError('Nothing to save yet: press Explain first.');
    gridImage(model).toBlob((blob) => (blob ? saveBlob(blob, 'glassbox-explain.png') : onError('The image could not be encoded.')), 'image/png');
  });
  root.closest('section')?.querySelector('h2')?.append(png);

  // ── Live mode ──
  function refreshLiveMethods() {
    const select = $('.live-method');
    const keep = select.value;
    const chosen = picker.selected();
    select.replaceChildren(...chosen.map(({ method }) => new Option(method.label, method.name)));
    if (chosen.some(({ method }) => method.name === keep)) select.value = keep;
    if (live && select.value !== live.method.name) startLive();
  }

  function liveSource(list) {
    if (list.every((s) => s.kind === 'row')) return { indices: list.map((s) => s.index) };
    return { features: list.flatMap((s) => Array.from(s.features)) };
  }

  async function startLive() {
    const choice = picker.selected().find(({ method }) => method.name === $('.live-method').value);
    if (!samples.length || !choice) {
      say(!samples.length ? 'Live mode needs samples: click test samples above.' : 'Live mode needs a chosen method.');
      return stopLive();
    }
    try {
      const request = requestOf(choice.method, choice.values, targetString(), drawing());
      const everySteps = Math.floor(Number($('.every').value));
      live = { method: choice.method, values: choice.values, samples: samples.slice() };
      frames.clear();
      followLatest = true;
      showFrame();
      await call('setLiveExplain', { request, source: liveSource(live.samples), everySteps });
      say(`Live: ${choice.method.label} every ${everySteps} steps while training plays.`);
    } catch (e) {
      say(`Live mode could not start: ${e.message}`);
      stopLive();
    }
  }

  function stopLive() {
    live = null;
    $('.live-on').checked = false;
    call('setLiveExplain', null).catch(() => {});
  }

  $('.live-on').addEventListener('change', () => ($('.live-on').checked ? startLive() : stopLive()));
  $('.every').addEventListener('change', () => live && startLive());
  $('.live-method').addEventListener('change', () => live && startLive());

  on('liveExplain', (frame) => {
    if (!live) return;
    if (frame.error) {
      say(`Live mode stopped: ${frame.error}`);
      stopLive();
      return;
    }
    frames.add({ ...frame, method: live.method, values: live.values, samples: live.samples });
    const scrub = $('.scrub');
    scrub.disabled = false;
    scrub.max = String(frames.length - 1);
    if (followLatest) scrub.value = scrub.max;
    showFrame();
  });

  $('.scrub').addEventListener('input', () => {
    followLatest = Number($('.scrub').value) === frames.length - 1;
    showFrame();
  });

  function showFrame() {
    const scrub = $('.scrub');
    const frame = frames.at(Number(scrub.value));
    if (!frame) {
      $('.frame-info').textContent = 'no frames yet';
      $('.live-grid').replaceChildren();
      return;
    }
    $('.frame-info').textContent = `step ${frame.step}, epoch ${frame.epoch} (frame ${Number(scrub.value) + 1} of ${frames.length})`;
    scrub.setAttribute('aria-valuetext', $('.frame-info').textContent);
    const raw = { method: frame.method, label: `${frame.method.label} at step ${frame.step}`, cells: cellsOf(frame, frame.method, frame.values) };
    renderGrid($('.live-grid'), { columns: frame.samples.map(column), rows: displayRows([raw]), opacity: Number($('.opacity').value) });
    $('.live-grid').dataset.step = String(frame.step);
  }

  return {
    addRow: (features, index, { label, predicted }) => addSample({ kind: 'row', index, features, label, predicted }),
    // A new experiment: samples of other data are dropped; the conv layers are re-read.
    async show(spec, dataInfo) {
      info = dataInfo;
      const key = JSON.stringify(spec.dataset);
      if (key !== datasetKey) {
        datasetKey = key;
        samples = [];
        results = null;
        $('.grid-box').replaceChildren();
        $('.average-charts').replaceChildren();
        note('');
        if (live) stopLive();
        frames.clear();
        showFrame();
        renderChips();
      }
      $('.table-average').hidden = !isTable();
      const classes = Array.from({ length: info.classes }, (_, k) => new Option(String(k), String(k)));
      for (const sel of ['.class-a select', '.class-b select']) {
        const keep = $(sel).value;
        $(sel).replaceChildren(...classes.map((o) => o.cloneNode(true)));
        if (keep && Number(keep) < info.classes) $(sel).value = keep;
      }
      try {
        picker.setModel({ conv: await convLayers(call, spec.model), image: Boolean(info.image) });
      } catch (e) {
        onError(e.message);
      }
      refreshLiveMethods();
    },
  };
}
