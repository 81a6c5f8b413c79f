// The labs' worker: a second engine instance that runs one lab at a time (lab::run on the
// CPU backend), apart from the training worker, so the page and a training run stay
// responsive and, on two cores, the lab has one to itself. Answers {id, method, args}:
// catalog → the labs' descriptions; run {name, small} → the report; cancel → whether a
// run was stopped (answered at once, between the lab's units of work). While a lab runs
// it posts {event: 'labProgress', name, done, total} at most every PROGRESS_INTERVAL_MS.
import init, { labCatalog, runLab } from './glassbox.js';
import { yieldToEvents } from './yield.js';

const PROGRESS_INTERVAL_MS = 100;
const ready = init({ module_or_path: './glassbox_bg.wasm' });
let running = null;

async function run({ name, small }) {
  if (running) throw new Error(`The ${running.name} lab is still running; cancel it first.`);
  const token = { name: String(name), cancelled: false };
  running = token;
  let last = 0;
  try {
    return await runLab(token.name, Boolean(small), async (done, total) => {
      const now = performance.now();
      if (done === total || now - last >= PROGRESS_INTERVAL_MS) {
        self.postMessage({ event: 'labProgress', name: token.name, done, total });
        last = now;
      }
      await yieldToEvents();
      return !token.cancelled;
    });
  } finally {
    running = null;
  }
}

function cancel() {
  if (!running) return false;
  running.cancelled = true;
  return true;
}

const methods = { catalog: () => labCatalog(), run, cancel };

self.onmessage = async ({ data }) => {
  const { id, method, args } = data;
  try {
    await ready;
    if (!Object.hasOwn(methods, method)) throw new Error(`Unknown method "${method}".`);
    self.postMessage({ id, result: await methods[method](args ?? {}) });
  } catch (e) {
    self.postMessage({ id, error: String(e?.message ?? e) });
  }
};
