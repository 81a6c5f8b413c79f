// The main thread's handle on a worker (the engine's, or the labs'): request/response
// calls by id, and subscriptions to the events the worker pushes ('update', 'playing',
// 'explainProgress', 'liveExplain', 'labProgress', …).
export function startEngine(script = './worker.js') {
  const worker = new Worker(script, { type: 'module' });
  const pending = new Map();
  const listeners = new Map();
  let nextId = 1;

  worker.onmessage = ({ data }) => {
    if (data.event) {
      for (const fn of listeners.get(data.event) ?? []) fn(data);
      return;
    }
    const call = pending.get(data.id);
    if (!call) return;
    pending.delete(data.id);
    if ('error' in data) call.reject(new Error(data.error));
    else call.resolve(data.result);
  };
  worker.onerror = (e) => {
    const error = new Error(`The engine stopped: ${e.message || 'worker error'}`);
    for (const call of pending.values()) call.reject(error);
    pending.clear();
    for (const fn of listeners.get('crash') ?? []) fn(error);
  };

  return {
    call(method, args = {}) {
      const id = nextId++;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        worker.postMessage({ id, method, args });
      });
    },
    on(event, fn) {
      if (!listeners.has(event)) listeners.set(event, []);
      listeners.get(event).push(fn);
    },
  };
}
