// The worker's side of explanations: runs a request on the session ({indices},
// {features, labels?} or {grid: res}), posts {event: 'explainProgress'} while it runs
// (with the maps so far when the method refines them),
// yields between batches so cancelExplain and other messages get through, and re-explains
// the live probe set every N training steps ({event: 'liveExplain'}); also runs the
// leaderboard ({event: 'leaderboardProgress'}), ROAR ({event: 'roarProgress'}), the
// randomised-labels check ({event: 'labelsProgress'}) and the concept subspaces
// ({event: 'conceptsProgress'}).

// Progress events are posted at most this often (the last one always).
const PROGRESS_INTERVAL_MS = 50;

// `session()` is the current wasm Session; `yieldToEvents` lets queued messages run;
// `post(message, transfer)` posts to the page.
export function createExplainHost({ session, yieldToEvents, post }) {
  // The running explanation's cancel flag (a fresh one per run).
  let running = null;
  let live = null;

  function check({ request, source }) {
    if (!request || typeof request.method !== 'string') throw new Error('explain needs a request {method, params, baseline?}.');
    if (!source || typeof source !== 'object') throw new Error('explain needs a source: {indices}, {features, labels?} or {grid: res}.');
  }

  async function run({ request, source }) {
    check({ request, source });
    const json = JSON.stringify({ method: request.method, params: request.params ?? {}, ...(request.baseline ? { baseline: Array.from(request.baseline) } : {}) });
    return tracked('explainProgress', (progress) => {
      const s = session();
      if (source.indices) return s.explainRows(json, Uint32Array.from(source.indices), progress);
      if (source.features) {
        const labels = source.labels == null ? null : Uint32Array.from(source.labels);
        return s.explainFeatures(json, Float32Array.from(source.features), labels, progress);
      }
      if (source.grid != null) return s.explainGrid(json, Number(source.grid), progress);
      throw new Error('explain needs a source: {indices}, {features, labels?} or {grid: res}.');
    });
  }

  // Runs `call(progress)` as the cancellable job (cancelExplain stops it), posting
  // {event, done, total, partial?} at most every PROGRESS_INTERVAL_MS (the last always).
  // `partial` ({shape, maps}): the maps so far of a method that refines them (RISE). It
  // comes with one report only, so the newest is kept until a report is posted.
  async function tracked(event, call) {
    const token = { cancelled: false };
    running = token;
    let lastPost = 0;
    let pending = null;
    const progress = async (done, total, partial) => {
      if (partial) pending = partial;
      const now = performance.now();
      if (done === total || now - lastPost >= PROGRESS_INTERVAL_MS) {
        if (pending) post({ event, done, total, partial: pending }, [pending.maps.buffer]);
        else post({ event, done, total });
        pending = null;
        lastPost = now;
      }
      await yieldToEvents();
      return !token.cancelled;
    };
    try {
      return await call(progress);
    } finally {
      if (running === token) running = null;
    }
  }

  function checkIndices(what, indices) {
    if (!Array.isArray(indices) && !ArrayBuffer.isView(indices)) throw new Error(`${what} needs the sample indices.`);
  }

  // The leaderboard ({request: {methods, steps?, ...}, indices}): methods × metrics on the
  // dataset rows, posting {event: 'leaderboardProgress', done, total}; cancelled like an
  // explanation. Resolves to {board, csv}.
  async function leaderboard({ request, indices }) {
    if (!request || !Array.isArray(request.methods)) throw new Error('leaderboard needs a request {methods: [{method, params}], ...}.');
    checkIndices('leaderboard', indices);
    return tracked('leaderboardProgress', (progress) => session().leaderboard(JSON.stringify(request), Uint32Array.from(indices), progress));
  }

  // ROAR ({request: {method, params}, fractions, seed?}): retrains per fraction, posting
  // {event: 'roarProgress', done, total}; cancelled like an explanation.
  async function roar({ request, fractions, seed = 0 }) {
    if (!request || typeof request.method !== 'string') throw new Error('roar needs a request {method, params}.');
    if (!Array.isArray(fractions)) throw new Error('roar needs the fractions of pixels to remove.');
    const json = JSON.stringify({ method: request.method, params: request.params ?? {} });
    return tracked('roarProgress', (progress) => session().roar(json, Float64Array.from(fractions), seed >>> 0, progress));
  }

  // The randomised-labels check ({request: {method, params}, indices, seed?}): retrains on
  // shuffled labels, posting {event: 'labelsProgress', done, total}; cancelled likewise.
  async function randomisedLabels({ request, indices, seed = 0 }) {
    if (!request || typeof request.method !== 'string') throw new Error('randomisedLabels needs a request {method, params}.');
    checkIndices('randomisedLabels', indices);
    const json = JSON.stringify({ method: request.method, params: request.params ?? {} });
    return tracked('labelsProgress', (progress) => session().randomisedLabels(json, Uint32Array.from(indices), seed >>> 0, progress));
  }

  // Concept subspaces ({request: {layer, concepts, size, q?, iterations?, seed?, top?,
  // params?}, indices}): PRCA vs PCA and DRSA's concept maps on the dataset rows, posting
  // {event: 'conceptsProgress', done, total}; cancelled like an explanation.
  async function concepts({ request, indices }) {
    if (!request || typeof request !== 'object') throw new Error('concepts needs a request {layer, concepts, size, ...}.');
    checkIndices('concepts', indices);
    return tracked('conceptsProgress', (progress) => session().concepts(JSON.stringify(request), Uint32Array.from(indices), progress));
  }

  const transferOf = (attr) => [attr.maps.buffer, attr.scores.buffer, ...(attr.completenessGap ? [attr.completenessGap.buffer] : [])];

  return {
    run,
    leaderboard,
    roar,
    randomisedLabels,
    concepts,
    transferOf,
    // Stops the running explanation at its next batch; true if one was running.
    cancel() {
      if (!running) return false;
      running.cancelled = true;
      return true;
    },
    // {request, source, everySteps} or null; checked now, run while training plays.
    setLive(next) {
      if (next == null) {
        live = null;
        return null;
      }
      check(next);
      const everySteps = Math.floor(Number(next.everySteps));
      if (!(everySteps >= 1)) throw new Error(`everySteps must be a whole number ≥ 1, got ${next.everySteps}.`);
      live = { request: next.request, source: next.source, everySteps, since: 0 };
      return { everySteps };
    },
    // Training steps until the live set is due (Infinity without one).
    stepsUntilLive: () => (live ? Math.max(1, live.everySteps - live.since) : Infinity),
    // Called after each training chunk of `steps` steps (inside the session queue):
    // explains the live set once `everySteps` have passed since the last time.
    async afterTraining(steps) {
      if (!live) return;
      live.since += steps;
      if (live.since < live.everySteps) return;
      live.since = 0;
      const current = live;
      try {
        const attr = await run(current);
        post({ event: 'liveExplain', ...session().position(), ...attr }, transferOf(attr));
      } catch (e) {
        const message = String(e?.message ?? e);
        if (message === 'cancelled') return;
        if (live === current) live = null;
        post({ event: 'liveExplain', error: message });
      }
    },
    resetLive() {
      if (live) live.since = 0;
    },
  };
}
