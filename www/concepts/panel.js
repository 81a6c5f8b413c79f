// The image track's concepts panel: at a chosen layer of the model, DRSA splits each
// test sample's LRP map into K concepts (d dimensions each) plus the residual of the
// channels they leave out, which together sum to the total map; PRCA's relevance
// captured on held-out samples is charted against PCA's for d = 1..channels; per concept
// a strip of the samples it is most relevant in. Runs in the worker with progress and
// Cancel; every control is a native, keyboard-operable element.
import { paintAttribution, grayscale, paintColourBar } from '../explain/paint.js';
import { drawCapture } from './chart.js';

const PROGRESS_AFTER_MS = 500;
const LAYER_KINDS = ['activation', 'pool', 'conv2d', 'dense'];

const TEMPLATE = `
  <p class="hint">Split explanations into concepts: DRSA finds K orthogonal subspaces of a layer's channels, each holding the relevance of one concept; PRCA and PCA show how much relevance a few directions hold.</p>
  <div class="concepts-options">
    <label title="The layer whose channels the concepts live in">Layer <select class="layer"></select></label>
    <label title="How many concepts (K)">K <input class="k" type="number" min="1" max="8" step="1" value="3"></label>
    <label title="Dimensions per concept (d); K·d must not exceed the layer's channels">d <input class="d" type="number" min="1" max="16" step="1" value="2"></label>
    <label title="Test samples to analyse (even ones fit the subspaces, odd ones are held out)">samples <input class="n" type="number" min="2" max="200" step="1" value="40"></label>
    <button type="button" class="run" title="Find the concepts on the test samples">Find concepts</button>
    <span class="concepts-progress" hidden><progress max="1" value="0" aria-label="Concept analysis progress"></progress>
      <button type="button" class="cancel" title="Stop the concept analysis">Cancel</button></span>
    <span class="status" role="status" aria-live="polite"></span>
  </div>
  <div class="concepts-result" hidden>
    <label title="Which analysed sample's maps to show">Sample <select class="sample"></select></label>
    <div class="legend" aria-hidden="true"><span>against</span><canvas class="bar-signed"></canvas><span>for</span></div>
    <div class="concept-maps" role="list" aria-label="Concept maps of the chosen sample"></div>
    <h3>Relevance captured on held-out samples</h3>
    <div class="capture"></div>
    <h3>Where each concept is most relevant</h3>
    <div class="concept-strips"></div>
  </div>`;

// Sums a [c, h, w] map over its channels: {values, h, w}.
function plane(map, shape) {
  const [c, h, w] = shape.length === 3 ? shape : [1, 1, shape[0]];
  const values = new Float32Array(h * w);
  for (let k = 0; k < c; k += 1) for (let p = 0; p < h * w; p += 1) values[p] += map[k * h * w + p];
  return { values, h, w };
}

const sum = (m) => m.reduce((a, b) => a + b, 0);
const peak = (maps) => Math.max(1e-12, ...maps.map((m) => Math.max(...m.map(Math.abs))));

function figure(caption, map, shape, scale, base) {
  const fig = document.createElement('figure');
  fig.setAttribute('role', 'listitem');
  const canvas = document.createElement('canvas');
  canvas.className = 'concept-map';
  paintAttribution(canvas, plane(map, shape), { signed: true, scale, base, opacity: 0.9 });
  canvas.setAttribute('aria-label', caption);
  const text = document.createElement('figcaption');
  text.textContent = caption;
  fig.append(canvas, text);
  return fig;
}

export function createConceptsPanel(root, { call, on }) {
  root.innerHTML = TEMPLATE;
  const $ = (sel) => root.querySelector(sel);
  const say = (text) => { $('.status').textContent = text; };
  paintColourBar($('.bar-signed'), true);
  let info = null;
  let running = null;
  let shown = null;

  on('conceptsProgress', ({ done, total }) => {
    if (!running) return;
    $('.concepts-progress progress').value = done / Math.max(1, total);
  });
  $('.cancel').addEventListener('click', () => {
    if (running) call('cancelExplain').catch(() => {});
  });

  function base(k) {
    if (!info?.image || !shown.features) return null;
    const [c, h, w] = info.image;
    const size = c * h * w;
    return { values: grayscale(shown.features.subarray(k * size, (k + 1) * size), info.image), h, w };
  }

  function showSample(k) {
    const { report } = shown;
    const m = report.maps;
    const all = [m.total[k], ...m.concepts.map((c) => c[k]), m.residual[k]];
    const scale = peak(all);
    const figures = [figure(`total ${sum(m.total[k]).toFixed(3)}`, m.total[k], report.shape, scale, base(k))];
    m.concepts.forEach((c, i) => figures.push(figure(`concept ${i + 1}: ${sum(c[k]).toFixed(3)}`, c[k], report.shape, scale, base(k))));
    figures.push(figure(`residual ${sum(m.residual[k]).toFixed(3)}`, m.residual[k], report.shape, scale, base(k)));
    $('.concept-maps').replaceChildren(...figures);
  }

  function showStrips() {
    const { report, indices } = shown;
    const strips = report.top.map((top, i) => {
      const row = document.createElement('div');
      row.className = 'concept-strip';
      row.setAttribute('role', 'list');
      row.setAttribute('aria-label', `Samples where concept ${i + 1} is most relevant`);
      const label = document.createElement('span');
      label.textContent = `concept ${i + 1} (${(100 * report.concept_share[i]).toFixed(1)}% of held-out relevance):`;
      const maps = top.map((k) => report.maps.concepts[i][k]);
      const scale = peak(maps);
      row.append(label, ...top.map((k, j) => figure(`test ${indices[k]}: ${report.relevance[k][i].toFixed(3)}`, maps[j], report.shape, scale, base(k))));
      return row;
    });
    $('.concept-strips').replaceChildren(...strips);
  }

  async function run() {
    if (running) return;
    const [K, d, n, layer] = [$('.k'), $('.d'), $('.n'), $('.layer')].map((e) => Number(e.value));
    if (![K, d, n].every((v) => Number.isInteger(v) && v >= 1)) return say('K, d and the sample count must be whole numbers ≥ 1.');
    if (!info) return say('No data yet.');
    const first = info.nTrain;
    const count = Math.min(n, info.samples - first);
    if (count < 2) return say('Concepts need at least 2 test samples.');
    const indices = Array.from({ length: count }, (_, i) => first + i);
    const request = { layer, concepts: K, size: d, iterations: 100, top: 5, params: { composite: 'epsilonPlus' } };
    running = { started: performance.now() };
    $('.run').disabled = true;
    const reveal = setTimeout(() => { if (running) $('.concepts-progress').hidden = false; }, PROGRESS_AFTER_MS);
    say('Finding concepts…');
    try {
      const [report, samples] = [await call('concepts', { request, indices }), await call('samples', { indices })];
      shown = { report, indices, features: samples.features };
      $('.sample').replaceChildren(...indices.map((idx, k) => new Option(`test ${idx}`, String(k))));
      $('.concepts-result').hidden = false;
      showSample(0);
      drawCapture($('.capture'), report.curve);
      showStrips();
      const seconds = ((performance.now() - running.started) / 1000).toFixed(1);
      say(`${K} concepts × ${d} of ${report.dim} channels hold ${(100 * report.drsa_share).toFixed(1)}% of the held-out relevance (${seconds} s).`);
    } catch (e) {
      say(e.message === 'cancelled' ? 'Cancelled.' : `Could not find concepts: ${e.message}`);
    } finally {
      clearTimeout(reveal);
      running = null;
      $('.run').disabled = false;
      $('.concepts-progress').hidden = true;
    }
  }

  $('.run').addEventListener('click', run);
  $('.sample').addEventListener('change', () => showSample(Number($('.sample').value)));

  return {
    // Lists the model's inner layers (all but the output), the last conv-shaped one chosen.
    async show(spec, dataInfo) {
      info = dataInfo;
      const shapes = await call('layerShapes', { model: spec.model });
      const inner = shapes.map((s, id) => ({ ...s, id })).slice(0, -1).filter((s) => LAYER_KINDS.includes(s.kind));
      const options = inner.map((s) => new Option(`${s.id}: ${s.kind} → ${s.output}`, String(s.id)));
      $('.layer').replaceChildren(...options);
      const pick = [...inner].reverse().find((s) => s.kind === 'activation' && s.output.includes('image')) ?? inner[inner.length - 1];
      if (pick) $('.layer').value = String(pick.id);
    },
  };
}
