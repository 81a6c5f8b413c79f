// The page: starts the engine worker, keeps the URL fragment, controls and views in
// step with the experiment, and installs the automation API. It only renders; all
// numbers come from the worker.
import { startEngine } from './engine.js';
import { createLabsPanel } from './labs/panel.js';
import { mountPlayground } from './playground/index.js';
import { readFragment, writeFragment, onFragmentEdited } from './state.js';
import { createBanner } from './ui/banner.js';
import { createSpecForm } from './ui/specform.js';
import { createBoundaryPlot } from './plots/boundary.js';
import { installApi } from './api.js';
import { createCurves } from './plots/curves.js';
import { createConfusionView } from './plots/confusion.js';
import { createRunHistory } from './ui/runhistory.js';
import { createShare } from './ui/share.js';
import { applyEmbed, createEmbedDialog, listControls } from './ui/embed.js';
import { createExports } from './ui/exports.js';
import { createTour } from './ui/tour.js';
import { createImageView, isImageSpec } from './images/view.js';
import { createTrackSwitch } from './ui/track.js';
import { createAutosave } from './autosave.js';

const $ = (id) => document.getElementById(id);
const engine = startEngine();
const banner = createBanner($('banner'));
const boundary = createBoundaryPlot($('boundary'));
const form = createSpecForm($('spec-form'), (spec) => apply(spec));
const chart = createCurves($('loss-chart'), $('acc-chart'));
const runs = createRunHistory($('run-history'), (overlays) => chart.setOverlays(overlays));
const confusion = createConfusionView($('confusion'));
let shownSpec = null;

// ── Image track: its view replaces the 2-D plane view for image and signal data ──
const imageView = createImageView($('image-view'), {
  call: (method, args) => engine.call(method, args),
  on: (event, fn) => engine.on(event, fn),
  load: (source) => userLoad(source),
  // Guidance edits change training options: the run keeps going.
  apply: (spec) => apply(spec),
  // Dropped files replace the data: the page shows the new experiment and its link.
  opened: (described) => showExperiment(described),
  onError: (message) => banner.show(message),
  onUploadProgress: (fn) => engine.on('uploadProgress', ({ fraction }) => fn(fraction)),
});
let imageMode = false;
const track = createTrackSwitch($('track'), (spec) => userLoad(spec));
// A link waiting for the user's files shows the image panels, where they are dropped.
function setImageMode(spec, waitingForFiles) {
  imageMode = isImageSpec(spec);
  $('image-view').hidden = !imageMode && !waitingForFiles;
  // The image panel has its own data settings, layer stack and views.
  for (const panel of document.querySelectorAll('.playground-network, .playground-right, #spec-form fieldset.layers')) panel.hidden = imageMode;
  playground.setActive(!imageMode);
  if (imageMode) imageView.show(spec);
}

let generation = null;
let latest = null;
let frameRequested = false;
let playing = false;
// The network diagram, the boundary plot's options and tools, the data panel (www/playground/).
const playground = mountPlayground({ engine, banner, boundary, shown: (described) => showExperiment(described) });

const fmt = (v, digits = 3) => (v == null || Number.isNaN(v) ? '–' : v.toFixed(digits));
// Regression sets report accuracy as NaN: shown as "–".
const percent = (v) => (Number.isFinite(v) ? `${(v * 100).toFixed(1)}%` : '–');

function render() {
  frameRequested = false;
  if (!latest) return;
  const { metrics, grid, gridResolution, epochsPerSec } = latest;
  if (!imageMode) {
    playground.render(latest);
    boundary.draw(grid, gridResolution);
  }
  chart.redraw(!playing);
  $('epoch').textContent = metrics.epoch;
  $('speed').textContent = epochsPerSec == null ? '–' : Math.round(epochsPerSec).toLocaleString('en');
  $('train-loss').textContent = fmt(metrics.trainLoss);
  $('test-loss').textContent = fmt(metrics.testLoss);
  $('train-acc').textContent = percent(metrics.trainAcc);
  $('test-acc').textContent = percent(metrics.testAcc);
  confusion.show(latest.confusion, $('confusion-split').value);
}

engine.on('update', (update) => {
  if (update.generation !== generation) {
    generation = update.generation;
    runs.archive(chart.curves(), shownSpec);
    chart.clear();
    if (update.points) boundary.setPoints(update.points);
  }
  if (imageMode) imageView.update(update);
  chart.append(update.history);
  latest = update;
  playground.update(update);
  if (!frameRequested) {
    frameRequested = true;
    requestAnimationFrame(render);
  }
});

engine.on('playing', (e) => {
  playing = e.playing;
  playground.setPlaying(playing);
  $('play').textContent = playing ? '❚❚ Pause' : '▶ Play';
  $('play').setAttribute('aria-pressed', String(playing));
  if (!playing) chart.redraw(true);
});

const rollback = () => engine.call('rollback').then((described) => {
  showExperiment(described);
  banner.show(`Rolled back; training continues with learning rate ${described.spec.training.learningRate}.`, 'notice');
  return described.spec;
});

engine.on('diverged', ({ divergence: d }) => {
  const where = d.location ? ` It began in ${d.location}.` : '';
  const since = d.lastFiniteEpoch == null ? '' : ` after epoch ${d.lastFiniteEpoch} (step ${d.beganAfterStep})`;
  const message = `Training diverged: the loss stopped being finite${since} (by epoch ${d.epoch}, step ${d.seenAtStep}).${where} Training is paused.`;
  const act = d.rollbackStep == null
    ? null
    : { label: `Roll back to step ${d.rollbackStep} with learning rate ${d.rollbackLearningRate}`, run: () => rollback().catch((e) => banner.show(e.message)) };
  banner.show(act ? message : `${message} No healthy weights were saved; reset to start again.`, 'error', act);
});

engine.on('exploding', ({ alarm: a }) => {
  banner.show(`Activations are exploding: the largest output of layer ${a.layer} (${a.kind}) is ${a.peak.toPrecision(3)} at step ${a.step} (${a.reason}). `
    + 'Training goes on; a lower learning rate, gradient clipping or normalisation may help.', 'notice');
});

engine.on('gpuLost', ({ fault, step, described }) => {
  showExperiment(described);
  banner.show(`WebGPU stopped working (${fault}). Training continues on the CPU from the weights saved at step ${step}; `
    + 'reload the page to try WebGPU again.', 'notice');
});

engine.on('crash', (error) => banner.show(`${error.message}. Reload the page to restart; your experiment is in the link.`));

function showExperiment({ spec, link, backend, needsFiles }) {
  shownSpec = spec;
  setImageMode(spec, Boolean(needsFiles));
  track.show(spec);
  if (needsFiles) imageView.askForFiles(needsFiles);
  form.show(spec);
  playground.show(spec);
  writeFragment(link);
  $('backend-badge').textContent = backend.reason;
  $('backend-badge').title = `Running on ${backend.adapter}`;
}

// Page options from the query string: ?backend=cpu|gpu|auto and ?weightSync=<seconds>.
function pageOptions() {
  const params = new URLSearchParams(location.search);
  const notices = [];
  let backend = params.get('backend');
  if (backend !== null && !['cpu', 'gpu', 'auto'].includes(backend)) {
    notices.push(`Ignoring ?backend=${backend.slice(0, 20)}: use cpu, gpu or auto.`);
    backend = null;
  }
  let weightSyncSeconds = params.has('weightSync') ? Number(params.get('weightSync')) : null;
  if (weightSyncSeconds !== null && !(weightSyncSeconds >= 0.5 && weightSyncSeconds <= 3600)) {
    notices.push('Ignoring ?weightSync: use a number of seconds between 0.5 and 3600.');
    weightSyncSeconds = null;
  }
  return { backend: backend === 'auto' ? null : backend, weightSyncSeconds, notices };
}

// Loads a spec or link; on failure the current experiment stays and the reason is shown.
async function load(source) {
  try {
    const result = await engine.call('load', { source });
    showExperiment(result);
    if (result.needsFiles) banner.show('This experiment trains on your own files: drop them in the Image data panel to open it.', 'notice');
    else if (result.warning) banner.show(result.warning, 'notice');
    else banner.hide();
    return result.spec;
  } catch (e) {
    form.restore();
    imageView.restore();
    writeFragment(await engine.call('link'));
    await showLinkFailure(source, `That experiment could not be opened: ${e.message} The current experiment is unchanged.`);
    throw e;
  }
}

const userLoad = (source) => load(source).catch(() => {});

// A link that does not open may still be mostly readable: the banner offers that part
// (the fields that failed stay at their defaults and are listed).
async function showLinkFailure(source, message) {
  const part = typeof source === 'string' ? await engine.call('readablePart', { source }).catch(() => null) : null;
  if (!part) return banner.show(message);
  banner.show(`${message} Its readable part can be opened without: ${part.dropped.join('; ')}.`, 'error', {
    label: 'Open the readable part',
    run: () => userLoad(part.spec),
  });
}

// Applies an edited spec through the worker's `update`: training options change live,
// data or model changes rebuild. On refusal the experiment stays and the form reverts.
async function apply(spec) {
  try {
    showExperiment(await engine.call('update', { spec }));
    banner.hide();
  } catch (e) {
    banner.show(`That change could not be applied: ${e.message} The current experiment is unchanged.`);
    form.restore();
    imageView.restore();
  }
}

// The current experiment, with its weights when they fit a link, for the autosave.
const LINK_LIMIT = 16 * 1024;
const autosave = createAutosave(async () => {
  const plain = await engine.call('link');
  const { fragment, bytes } = await engine.call('linkWithWeights');
  return { plain, full: bytes <= LINK_LIMIT ? fragment : null };
});

const ready = (async () => {
  const { notices, ...options } = pageOptions();
  const saved = await autosave.restore(readFragment());
  const fragment = saved.fragment;
  const opened = await engine.call('open', { fragment, ...options });
  if (saved.restored && !opened.error) notices.push(`Restored your last experiment${saved.withWeights ? ' with its trained weights' : ''}.`);
  showExperiment(opened);
  if (opened.needsFiles) banner.show('This link trains on your own files: drop them in the Image data panel to open it.', 'notice');
  else if (opened.error) {
    await showLinkFailure(fragment, `This link could not be opened: ${opened.error} Showing the default experiment instead.`);
  }
  else if (opened.warning || notices.length) banner.show([opened.warning, ...notices].filter(Boolean).join(' '), 'notice');
  await playground.ready();
})();

onFragmentEdited((fragment) => userLoad(fragment));

$('play').addEventListener('click', () => engine.call(playing ? 'pause' : 'play'));
$('step').addEventListener('click', () => engine.call('step', { n: 1, epochs: true }));
$('reset').addEventListener('click', () => engine.call('reset').then(showExperiment));
createShare({
  copyButton: $('copy-link'), weightsBox: $('include-weights'), openInput: $('open-file'), engine, banner, load: userLoad, onModelLoaded: showExperiment,
});
// The boundary view's panel is the views column's; it gets a PNG button like every view.
$('boundary').closest('section').dataset.view = 'boundary';
createExports({
  engine,
  banner,
  onModelLoaded: showExperiment,
  buttons: { csv: $('export-csv'), saveModel: $('save-model'), loadModel: $('load-model') },
});
$('confusion-split').addEventListener('change', () => latest && confusion.show(latest.confusion, $('confusion-split').value));

// Every control the embed checklist can hide: header buttons, settings, then the page's others.
const HEADER_CONTROLS = [
  { id: 'reset', label: 'Reset' }, { id: 'play', label: 'Play / pause' }, { id: 'step', label: 'Step' },
  { id: 'share', label: 'Share, embed and tour buttons' }, { id: 'labs', label: 'Labs' },
];
const embeddable = () => listControls([...HEADER_CONTROLS, ...form.controls()]);
const embedDialog = createEmbedDialog($('embed-dialog'), embeddable);
$('embed-open').addEventListener('click', () => embedDialog.open());
const tour = createTour($('tour'));
$('tour-open').addEventListener('click', () => tour.open());
const labs = createLabsPanel($('labs-dialog'), { banner });
$('labs').addEventListener('click', () => labs.open());
// A lab's link (?lab=<name>&scale=…) opens it in the Labs dialog.
const labParams = new URLSearchParams(location.search);
ready.then(() => {
  autosave.start();
  const { embed, unknown } = applyEmbed(new Set(embeddable().map((c) => c.id)));
  if (unknown.length) banner.show(`Ignoring ?hide entries that name no control: ${unknown.join(', ')}.`, 'notice');
  if (labParams.has('lab')) labs.open(labParams.get('lab'), labParams.get('scale'));
  else if (!embed && !tour.seen) tour.open();
  engine.call('setViews', { confusion: true }).catch((e) => confusion.unavailable(e.message));
});

document.addEventListener('keydown', (e) => {
  if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey || e.target.closest('input, select, textarea, button')) return;
  const actions = { ' ': 'play', s: 'step', r: 'reset' };
  const action = actions[e.key.toLowerCase()];
  if (!action) return;
  e.preventDefault();
  $(action).click();
});

installApi(
  {
    spec: () => engine.call('spec'),
    link: async () => `#${await engine.call('link')}`,
    load,
    play: () => engine.call('play'),
    pause: () => engine.call('pause'),
    step: (n = 1) => engine.call('step', { n }),
    reset: () => engine.call('reset').then((r) => (showExperiment(r), r.spec)),
    rollback,
    metrics: () => engine.call('metrics'),
    backend: () => engine.call('backend'),
    history: () => engine.call('history'),
    // Live changes: the result's link replays them, so the fragment follows.
    update: (spec) => engine.call('update', { spec }).then((r) => (showExperiment(r), r)),
    network: () => engine.call('network'),
    setWeight: (edit) => engine.call('setWeight', edit).then((r) => (showExperiment(r), r)),
    setBias: (edit) => engine.call('setBias', edit).then((r) => (showExperiment(r), r)),
    linkWithWeights: () => engine.call('linkWithWeights'),
    exportModel: () => engine.call('exportModel'),
    importModel: (json) => engine.call('importModel', { json }).then((r) => (showExperiment(r), r)),
    setViews: (views) => engine.call('setViews', views),
    autosave: () => autosave.save(),
    // Explanations: {request: {method, params, baseline?}, source: {indices} | {features,
    // labels?} | {grid: res}} → {method, shape, maps, targets, scores, completenessGap, layerRelevance}.
    explain: (args) => engine.call('explain', args),
    cancelExplain: () => engine.call('cancelExplain'),
    setLiveExplain: (live) => engine.call('setLiveExplain', live ?? {}),
    // Test hooks: a simulated device loss (the badge follows), and the worker's memory.
    loseDevice: () => engine.call('loseDevice'),
    memory: () => engine.call('memory'),
  },
  ready,
);
