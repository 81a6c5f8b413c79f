// Autosave: the current experiment (its link, with the trained weights when they fit a
// link) goes to IndexedDB every few seconds and when the page is hidden, so that a
// reload or a crash restores it. Each tab saves under its own id (kept in
// sessionStorage, which survives a reload of the same tab), so tabs never overwrite
// each other; a new tab opened without a link restores the most recent save.
const DB = 'glassbox';
const STORE = 'autosave';
const KEEP = 8;
export const SAVE_INTERVAL_MS = 5000;

function tabId() {
  let id = sessionStorage.getItem('glassbox.tab');
  if (!id) {
    id = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
    sessionStorage.setItem('glassbox.tab', id);
  }
  return id;
}

function openDb() {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(DB, 1);
    request.onupgradeneeded = () => request.result.createObjectStore(STORE, { keyPath: 'tab' });
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

function run(db, mode, fn) {
  return new Promise((resolve, reject) => {
    const tx = db.transaction(STORE, mode);
    const result = fn(tx.objectStore(STORE));
    tx.oncomplete = () => resolve(result?.result);
    tx.onerror = () => reject(tx.error);
  });
}

// `snapshot()` resolves to {plain, full}: the experiment's link and the link with its
// weights (or null when they do not fit). Returns {restore(fragment), start()}.
export function createAutosave(snapshot) {
  const tab = tabId();
  const db = openDb().catch(() => null);
  let saving = false;

  async function save() {
    const store = await db;
    if (!store || saving) return;
    saving = true;
    try {
      const { plain, full } = await snapshot();
      await run(store, 'readwrite', (s) => s.put({ tab, plain, full, savedAt: Date.now() }));
      const all = await run(store, 'readonly', (s) => s.getAll());
      const stale = all.sort((a, b) => b.savedAt - a.savedAt).slice(KEEP);
      if (stale.length) await run(store, 'readwrite', (s) => stale.forEach((r) => s.delete(r.tab)));
    } catch {
      // A failed save (quota, private mode) must not disturb the page; the link remains.
    } finally {
      saving = false;
    }
  }

  return {
    // What to open for the page's fragment: this tab's save when the fragment is its
    // experiment (then with the trained weights), the latest save when there is no
    // fragment, else the fragment itself. `restored` says whether a save was used.
    async restore(fragment) {
      const store = await db;
      if (!store) return { fragment, restored: false };
      const all = await run(store, 'readonly', (s) => s.getAll()).catch(() => []);
      const own = all.find((r) => r.tab === tab);
      const latest = all.sort((a, b) => b.savedAt - a.savedAt)[0];
      const pick = fragment ? (own && own.plain === fragment ? own : null) : own ?? latest;
      if (!pick) return { fragment, restored: false };
      return { fragment: pick.full ?? pick.plain, restored: true, withWeights: Boolean(pick.full) };
    },
    start() {
      setInterval(save, SAVE_INTERVAL_MS);
      document.addEventListener('visibilitychange', () => document.visibilityState === 'hidden' && save());
      window.addEventListener('pagehide', save);
    },
    save,
  };
}
