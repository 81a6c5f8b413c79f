// The automation API: window.glassbox for scripts and tests, and the same calls over
// postMessage ({id, method, args} → {id, result | error}) when the page is embedded.
const METHODS = [
  'spec', 'link', 'load', 'play', 'pause', 'step', 'reset', 'rollback', 'metrics', 'backend', 'history',
  'update', 'network', 'setWeight', 'setBias', 'linkWithWeights', 'exportModel', 'importModel', 'setViews', 'autosave',
  'explain', 'cancelExplain', 'setLiveExplain',
  'loseDevice', 'memory',
];

export function installApi(app, ready) {
  const api = { ready };
  for (const name of METHODS) {
    api[name] = async (...args) => {
      await ready;
      return app[name](...args);
    };
  }
  window.glassbox = Object.freeze(api);

  window.addEventListener('message', async (event) => {
    const msg = event.data;
    if (!msg || typeof msg !== 'object' || typeof msg.method !== 'string' || !('id' in msg)) return;
    if (!event.source) return;
    const reply = (body) => event.source.postMessage({ id: msg.id, ...body }, event.origin === 'null' ? '*' : event.origin);
    if (msg.method !== 'ready' && !METHODS.includes(msg.method)) {
      reply({ error: `Unknown method "${String(msg.method).slice(0, 40)}".` });
      return;
    }
    try {
      const args = Array.isArray(msg.args) ? msg.args : [];
      const result = msg.method === 'ready' ? await ready.then(() => true) : await api[msg.method](...args);
      reply({ result: result ?? null });
    } catch (e) {
      reply({ error: String(e?.message ?? e) });
    }
  });
}
