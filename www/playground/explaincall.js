// Explanation calls from the playground through the worker, one at a time: a later
// request for the same view (key) replaces its waiting one (only the newest matters),
// progress shows in one bar once calls have kept it busy for half a second, and the
// cancel button stops the running call.
const SHOW_PROGRESS_AFTER_MS = 500;
const LINGER_MS = 100;

export function createExplainCaller(engine, { progress, cancel }) {
  let running = false;
  const waiting = new Map(); // key → {args, resolve}, in arrival order

  engine.on('explainProgress', ({ done, total }) => {
    if (!running) return;
    progress.max = Math.max(1, total);
    progress.value = done;
  });
  cancel.addEventListener('click', () => engine.call('cancelExplain').catch(() => {}));

  // The bar and Cancel appear once the calls have kept the queue busy for half a second;
  // calls that follow one another within LINGER_MS (an average in parts) count as one.
  let showTimer = 0;
  let hideTimer = 0;
  function showBusy(on) {
    clearTimeout(hideTimer);
    if (on) {
      if (progress.hidden && !showTimer) {
        showTimer = setTimeout(() => {
          showTimer = 0;
          progress.removeAttribute('value');
          progress.hidden = false;
          cancel.hidden = false;
        }, SHOW_PROGRESS_AFTER_MS);
      }
      return;
    }
    hideTimer = setTimeout(() => {
      clearTimeout(showTimer);
      showTimer = 0;
      progress.hidden = true;
      cancel.hidden = true;
    }, LINGER_MS);
  }

  async function drain() {
    running = true;
    showBusy(true);
    while (waiting.size) {
      const [key, { args, resolve }] = waiting.entries().next().value;
      waiting.delete(key);
      try {
        resolve({ attr: await engine.call('explain', args) });
      } catch (e) {
        resolve({ error: e.message === 'cancelled' ? null : e.message, cancelled: e.message === 'cancelled' });
      }
    }
    showBusy(false);
    running = false;
  }

  return {
    // Resolves to {attr} or {error, cancelled}; a call replaced while waiting resolves
    // to {replaced: true}.
    run(key, request, source) {
      return new Promise((resolve) => {
        waiting.get(key)?.resolve({ replaced: true });
        waiting.delete(key);
        waiting.set(key, { args: { request, source }, resolve });
        if (!running) drain();
      });
    },
  };
}
