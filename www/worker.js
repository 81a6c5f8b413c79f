// The engine host: runs in a dedicated Web Worker, owns the wasm Session, trains in
// chunks while playing, and answers {id, method, args} requests from the main thread.
// It pushes {event: 'update'} messages with metrics, new history rows (while playing,
// only the published epochs are evaluated, so rows skip epochs), the decision grid
// and the views the page asked for (setViews: neuron maps, linear regions, confusion),
// at most PUBLISH_HZ times a second while playing. Explanations (explain, cancelExplain,
// setLiveExplain) run through www/explain/host.js.
import init, { Session, decodeLink, defaultSpec, normalizeSpec, parsePointsCsv, salvageLink } from './glassbox.js';
import { chooseBackend } from './backend_choice.js';
import { createExplainHost } from './explain/host.js';
import { yieldToEvents } from './yield.js';

const GRID_RESOLUTION = 64;
const CHUNK_BUDGET_MS = 14;
const MAX_STEPS_PER_CALL = 2000;
const PUBLISH_INTERVAL_MS = 1000 / 30;
const MAX_NEURON_RESOLUTION = 64;

let session = null;
let playing = false;
// Page options: a forced backend (?backend=) and the weight-sync interval (?weightSync=, s).
const options = { backend: null, weightSyncMs: 5000 };
let lastWeightSync = 0;
let historySent = 0;
let generation = 0;
let pointsSent = -1;
const speed = { steps: 0, ms: 0 };
// What each update carries besides metrics, history and grid (see setViews).
const views = { neurons: false, neuronResolution: 24, regions: false, confusion: false };
let lastPublish = 0;

const wasmReady = init({ module_or_path: './glassbox_bg.wasm' });

// Session calls are serialised: an async call must not interleave with another one.
let queue = Promise.resolve();
function exclusive(fn) {
  const run = queue.then(fn);
  queue = run.catch(() => {});
  return run;
}

const explainer = createExplainHost({
  session: () => session,
  yieldToEvents,
  post: (message, transfer = []) => self.postMessage(message, transfer),
});

// Results whose typed arrays move to the page instead of being copied.
const transfers = new WeakMap();
const transferring = (result, buffers) => (transfers.set(result, buffers), result);

function describe() {
  return { spec: JSON.parse(session.specJson()), link: session.link(), backend: session.backend() };
}

// Builds a session for the spec on the backend the request allows, then swaps it in.
// Throws on an invalid spec before anything changes.
async function replaceSession(specJson) {
  const request = options.backend ?? JSON.parse(specJson).backend ?? 'auto';
  const probeSessions = async () => ({ cpu: new Session(specJson), gpu: await Session.onGpu(specJson) });
  let { kind, reason } = await chooseBackend(request, probeSessions);
  let next = null;
  if (kind === 'gpu') {
    try {
      next = await Session.onGpu(specJson);
    } catch (e) {
      reason = `CPU: WebGPU failed to start (${e.message})`;
    }
  }
  next ??= new Session(specJson);
  await adopt(next, reason);
}

// Makes `next` the running session, explained by `reason`; its initial weights are the
// first rollback point.
async function adopt(next, reason) {
  next.setBackendReason(reason);
  await next.syncWeights();
  session?.free();
  session = next;
  generation += 1;
  historySent = 0;
  speed.steps = 0;
  speed.ms = 0;
  lastWeightSync = performance.now();
  explainer.resetLive();
}

// Accepts a spec object, spec JSON text, a fragment ("#v=1&s=…") or a URL holding one.
function specFromSource(source) {
  if (typeof source === 'object' && source !== null) return { specJson: normalizeSpec(JSON.stringify(source)) };
  const text = String(source ?? '').trim();
  if (text.startsWith('{')) return { specJson: normalizeSpec(text) };
  const hash = text.includes('#') ? text.slice(text.indexOf('#') + 1) : text;
  const decoded = decodeLink(hash);
  return { specJson: decoded.spec, warning: decoded.warning };
}

async function publish() {
  const metrics = await session.metrics();
  const history = session.history(historySent);
  historySent += history.epoch.length;
  const plane = await session.views(GRID_RESOLUTION, views.neuronResolution, views.neurons, views.regions);
  const { grid, neurons, regions } = plane;
  const epochsPerSec = speed.ms > 0 ? (speed.steps / session.stepsPerEpoch()) / (speed.ms / 1000) : null;
  const update = { event: 'update', generation, metrics, history, grid, gridResolution: GRID_RESOLUTION, epochsPerSec };
  const transfer = [grid.buffer];
  if (views.neurons) {
    update.neurons = neurons;
    if (neurons) transfer.push(neurons.maps.buffer);
  }
  if (views.regions) {
    update.regions = regions;
    if (regions) transfer.push(regions.ids.buffer);
  }
  if (views.confusion) update.confusion = await session.confusion();
  update.stepsPerEpoch = session.stepsPerEpoch();
  // Numbers read from a faulted device are meaningless: the caller falls back first.
  if (session.gpuFault()) return metrics;
  if (pointsSent !== generation) {
    // Images and signals: the image views ask for samples by page instead of every point.
    update.points = session.dataInfo().pointSet ? session.points() : null;
    pointsSent = generation;
  }
  self.postMessage(update, transfer);
  lastPublish = performance.now();
  return metrics;
}

// Trains for about `budgetMs` in calls that each end an epoch (or run MAX_STEPS_PER_CALL
// steps of a longer one); returns the steps run. Only the epochs published are
// evaluated (publish's metrics call evaluates the current one, at its end): the
// trajectory is the same, and evaluating every epoch would take most of the time.
// With live explanations on, a chunk ends where the next one is due.
function trainFor(budgetMs) {
  session.setEvaluation('onDemand');
  const start = performance.now();
  const cap = explainer.stepsUntilLive();
  let steps = 0;
  do {
    const n = Math.max(1, Math.min(MAX_STEPS_PER_CALL, session.stepsLeftInEpoch(), cap - steps));
    session.train(n);
    steps += n;
  } while (performance.now() - start < budgetMs && steps < cap);
  return steps;
}

// A GPU fault (device lost, out of memory, validation error) moves the run to the CPU,
// resuming from the last synced weights, and tells the page. Returns whether it did.
async function recoverFromGpuFault() {
  const fault = session.gpuFault();
  if (!fault) return false;
  const next = session.continueOnCpu();
  const { step } = next.position();
  await adopt(next, `CPU: WebGPU failed (${fault}); continued from the weights synced at step ${step}`);
  activationsReported = -1;
  self.postMessage({ event: 'gpuLost', fault, step, described: describe() });
  await publish();
  return true;
}

// Speed is wall-clock: training, drawing data for the page and yielding all count.
async function playLoop() {
  let last = performance.now();
  while (playing) {
    await exclusive(async () => {
      if (!playing) return;
      const steps = trainFor(CHUNK_BUDGET_MS);
      if (await recoverFromGpuFault()) return;
      await explainer.afterTraining(steps);
      // A host copy of healthy weights: the rollback point after a divergence, and the
      // restart point if the GPU device is lost.
      if (performance.now() - lastWeightSync > options.weightSyncMs) {
        await session.syncWeights();
        lastWeightSync = performance.now();
      }
      await watchActivations();
      const now = performance.now();
      // Exponentially weighted, so the display follows changes within a second or so.
      speed.steps = speed.steps * 0.9 + steps;
      speed.ms = speed.ms * 0.9 + (now - last);
      last = now;
      if (now - lastPublish >= PUBLISH_INTERVAL_MS) {
        const metrics = await publish();
        if (!(await recoverFromGpuFault())) reportDivergence(metrics);
      }
    });
    await yieldToEvents();
  }
}

// Exploding activations: checked every ACTIVATION_CHECK_MS while playing; the first
// alarm of a run is reported (as a warning: training goes on).
const ACTIVATION_CHECK_MS = 1000;
let lastActivationCheck = 0;
let activationsReported = -1;
async function watchActivations() {
  if (performance.now() - lastActivationCheck < ACTIVATION_CHECK_MS || activationsReported === generation) return;
  lastActivationCheck = performance.now();
  const alarm = await session.checkActivations();
  if (!alarm) return;
  activationsReported = generation;
  self.postMessage({ event: 'exploding', alarm });
}

// A loss that stopped being finite pauses training and tells the page where and how
// to recover.
function reportDivergence(metrics) {
  if (!metrics.divergence) return;
  setPlaying(false);
  self.postMessage({ event: 'diverged', divergence: metrics.divergence });
}

function setPlaying(on) {
  if (on === playing) return;
  playing = on;
  self.postMessage({ event: 'playing', playing });
  if (on) playLoop();
}

// An experiment on the user's files cannot open from its link alone: it waits for the
// files (openFiles). Returns what to ask for, or null for other experiments.
let pendingFiles = null;
function awaitFiles(specJson) {
  const upload = JSON.parse(specJson).dataset.upload;
  if (!upload) return null;
  pendingFiles = specJson;
  return upload;
}

// Builds a session on dropped files; the template is a link waiting for them, or the
// current experiment (its model and training). Throws, keeping the run, on bad files.
async function replaceSessionOnFiles({ format, names, buffers }) {
  // New files replace the current data: only a waiting link insists on particular files.
  const current = JSON.parse(session.specJson());
  const { points, trainFraction, seed } = current.dataset;
  const template = pendingFiles ?? JSON.stringify({ ...current, dataset: { kind: 'digits', points, trainFraction, noise: 0, seed } });
  const progress = (fraction) => self.postMessage({ event: 'uploadProgress', fraction });
  const arrays = buffers.map((b) => new Uint8Array(b));
  const gpu = (options.backend ?? JSON.parse(template).backend) === 'gpu';
  const next = gpu
    ? await Session.onFilesGpu(template, format, names, arrays, progress)
    : Session.onFiles(template, format, names, arrays, progress);
  await adopt(next, gpu ? 'WebGPU (requested)' : 'CPU');
  pendingFiles = null;
}

// The image views' questions about the current session.
function imageMethods() {
  return {
    dataInfo: () => session.dataInfo(),
    async samples({ indices }) {
      const batch = await session.predictSamples(Uint32Array.from(indices));
      return { ...batch, info: session.dataInfo() };
    },
    classify: ({ features }) => session.classify(Float32Array.from(features)),
    activations: ({ features }) => session.activationMaps(Float32Array.from(features)),
    filters: () => session.firstLayerFilters(),
    layerShapes: ({ model }) => session.layerShapes(JSON.stringify(model)),
    async openFiles(files) {
      setPlaying(false);
      await replaceSessionOnFiles(files);
      await publish();
      return describe();
    },
  };
}

const methods = {
  // Opens the experiment in a page's fragment; a bad link falls back to the default.
  async open({ fragment, backend = null, weightSyncSeconds = null }) {
    options.backend = backend;
    if (weightSyncSeconds != null) options.weightSyncMs = weightSyncSeconds * 1000;
    let warning = null;
    let error = null;
    let specJson = defaultSpec();
    if (fragment) {
      try {
        ({ specJson, warning = null } = specFromSource(fragment));
      } catch (e) {
        error = String(e.message ?? e);
      }
    }
    const needsFiles = awaitFiles(specJson);
    if (needsFiles) specJson = defaultSpec();
    await replaceSession(specJson);
    await publish();
    return { ...describe(), warning, error, needsFiles };
  },
  // Loads a new experiment; on error the current one is kept and the error is thrown.
  async load({ source }) {
    const { specJson, warning = null } = specFromSource(source);
    const needsFiles = awaitFiles(specJson);
    if (needsFiles) return { ...describe(), warning, needsFiles };
    setPlaying(false);
    await replaceSession(specJson);
    await publish();
    return { ...describe(), warning };
  },
  // ── Image track ──
  ...imageMethods(),
  // A fresh run with the options in force (edits and embedded weights dropped).
  async reset() {
    setPlaying(false);
    await replaceSession(session.restartSpec());
    await publish();
    return describe();
  },
  play() {
    setPlaying(true);
  },
  // The last chunk may not have been published (updates are throttled): show it.
  async pause() {
    setPlaying(false);
    await publish();
  },
  async step({ n = 1, epochs = false } = {}) {
    setPlaying(false);
    // Stepping records every epoch (the history the link round trips compare).
    session.setEvaluation('everyEpoch');
    let remaining = Math.max(0, Math.floor(Number(n) || 0)) * (epochs ? session.stepsPerEpoch() : 1);
    while (remaining > 0) {
      const chunk = Math.min(remaining, MAX_STEPS_PER_CALL);
      session.train(chunk);
      remaining -= chunk;
      if (remaining > 0) await yieldToEvents();
    }
    const metrics = await publish();
    if (await recoverFromGpuFault()) return session.metrics();
    reportDivergence(metrics);
    return metrics;
  },
  // After a divergence: the last good weights, a tenth of the learning rate.
  async rollback() {
    setPlaying(false);
    session.rollback();
    activationsReported = -1;
    await publish();
    return describe();
  },
  // Applies a changed spec while the run goes on: training options live (recorded as
  // events at the current step), data or model changes by building a fresh run.
  async update({ spec }) {
    const rebuild = session.apply(typeof spec === 'string' ? spec : JSON.stringify(spec));
    if (rebuild != null) await replaceSession(rebuild);
    await publish();
    return { ...describe(), rebuilt: rebuild != null };
  },
  network: () => session.network(),
  async setWeight({ layer, from, to, value }) {
    session.setWeight(layer, from, to, value);
    await publish();
    return describe();
  },
  async setBias({ layer, unit, value }) {
    session.setBias(layer, unit, value);
    await publish();
    return describe();
  },
  linkWithWeights: () => session.linkWithWeights(),
  exportModel: () => session.modelJson(),
  async importModel({ json }) {
    session.loadModel(String(json));
    await publish();
    return describe();
  },
  // Chooses what updates carry; returns the settings now in force.
  async setViews(next = {}) {
    const res = 'neuronResolution' in next ? Math.floor(Number(next.neuronResolution)) : views.neuronResolution;
    if (!(res >= 1 && res <= MAX_NEURON_RESOLUTION)) {
      throw new Error(`neuronResolution must be a whole number from 1 to ${MAX_NEURON_RESOLUTION}, got ${next.neuronResolution}.`);
    }
    views.neuronResolution = res;
    for (const key of ['neurons', 'regions', 'confusion']) if (key in next) views[key] = Boolean(next[key]);
    await publish();
    return { ...views };
  },
  metrics: () => session.metrics(),
  // The worker's memory: the wasm heap's size in bytes (it only grows).
  memory: async () => ({ wasmBytes: (await wasmReady).memory.buffer.byteLength }),
  // Test hook: destroys the GPU device as a driver reset would, then waits (up to 5 s)
  // for the fault to be reported. Training carries on on the CPU (recoverFromGpuFault)
  // at the next chunk; when paused, at once.
  async loseDevice() {
    session.loseDevice();
    let fault = null;
    const start = performance.now();
    while (!(fault = session.gpuFault()) && performance.now() - start < 5000) await new Promise((r) => setTimeout(r, 10));
    if (!fault) throw new Error('The device was destroyed but no loss was reported within 5 s.');
    if (!playing) await recoverFromGpuFault();
    return { fault };
  },
  spec: () => JSON.parse(session.specJson()),
  link: () => session.link(),
  backend: () => session.backend(),
  async history() {
    await session.metrics();
    const h = session.history(0);
    return Object.fromEntries(Object.entries(h).map(([k, v]) => [k, Array.from(v)]));
  },
  // The points of another dataset (the data panel's thumbnails), from a throwaway
  // CPU session of the current spec with that dataset.
  preview({ dataset, loss }) {
    const spec = JSON.parse(session.specJson());
    const probe = new Session(normalizeSpec(JSON.stringify({ ...spec, dataset, training: { ...spec.training, loss: loss ?? spec.training.loss } })));
    try {
      return probe.points();
    } finally {
      probe.free();
    }
  },
  // The readable part of a link that does not open: {spec, dropped} or null.
  readablePart({ source }) {
    const text = String(source ?? '').trim();
    if (text.startsWith('{')) return null;
    return salvageLink(text.includes('#') ? text.slice(text.indexOf('#') + 1) : text);
  },
  // Points CSV: parsing an uploaded file (errors name the line and column), and the
  // current points as a file.
  parsePointsCsv: ({ text }) => parsePointsCsv(String(text ?? '')),
  pointsCsv: () => session.pointsCsv(),
  // ── Explanations ──
  async explain(args) {
    const attr = await explainer.run(args);
    return transferring(attr, explainer.transferOf(attr));
  },
  // Methods × metrics on dataset rows: {board, csv} (cancelExplain stops it).
  leaderboard: (args) => explainer.leaderboard(args ?? {}),
  // Remove and retrain for one method: test accuracy per fraction (cancelExplain stops it).
  roar: (args) => explainer.roar(args ?? {}),
  // Retrain on shuffled labels and compare one method's maps (cancelExplain stops it).
  randomisedLabels: (args) => explainer.randomisedLabels(args ?? {}),
  // PRCA, PCA and DRSA at one layer on dataset rows (cancelExplain stops it).
  concepts: (args) => explainer.concepts(args ?? {}),
};

// Calls answered at once, not queued behind a running session call (they do not touch
// the session).
const immediate = {
  cancelExplain: () => explainer.cancel(),
  // The live probe set is read by the play loop between chunks.
  setLiveExplain: (args) => explainer.setLive(args && Object.keys(args).length ? args : null),
};

self.onmessage = async ({ data }) => {
  const { id, method, args } = data;
  try {
    await wasmReady;
    if (Object.hasOwn(immediate, method)) {
      self.postMessage({ id, result: immediate[method](args ?? {}) });
      return;
    }
    if (!Object.hasOwn(methods, method)) throw new Error(`Unknown method "${method}".`);
    const result = await exclusive(() => methods[method](args ?? {}));
    self.postMessage({ id, result }, (result && typeof result === 'object' && transfers.get(result)) || []);
  } catch (e) {
    self.postMessage({ id, error: String(e?.message ?? e) });
  }
};
