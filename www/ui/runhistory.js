// The run history: the curves of the last few finished runs (a run ends when the
// experiment is rebuilt, reset or replaced), each with a one-line summary of its spec,
// listed with a checkbox that overlays it on the live charts. Kept in the page only.

const KEEP = 5;

// A one-line description of what a run trained.
export function summarize(spec) {
  const m = spec.model;
  const t = spec.training;
  const acts = m.activations ? m.activations.join('/') : m.activation;
  const net = m.hidden.length ? `${m.hidden.join('×')} ${acts}` : 'linear';
  return `${spec.dataset.kind} · ${net} · ${t.optimizer} lr ${t.learningRate} · batch ${t.batchSize}`;
}

export function createRunHistory(list, onOverlay) {
  const runs = [];
  let nextId = 1;
  const chosen = new Set();

  function render() {
    list.replaceChildren(
      ...runs.map((run) => {
        const li = document.createElement('li');
        const label = document.createElement('label');
        label.title = 'Overlay this run\'s curves on the charts (thin lines)';
        const box = document.createElement('input');
        box.type = 'checkbox';
        box.id = `run-${run.id}`;
        box.checked = chosen.has(run.id);
        box.addEventListener('change', () => {
          if (box.checked) chosen.add(run.id);
          else chosen.delete(run.id);
          onOverlay(runs.filter((r) => chosen.has(r.id)));
        });
        const last = run.curves.epoch.length - 1;
        const loss = run.curves.testLoss[last];
        const text = document.createElement('span');
        text.textContent = `#${run.id} ${run.summary} · ${run.curves.epoch[last]} epochs · test loss ${Number.isFinite(loss) ? loss.toFixed(3) : '–'}`;
        label.append(box, text);
        li.append(label);
        return li;
      }),
    );
    list.hidden = runs.length === 0;
  }

  return {
    // Keeps a finished run (ignored when it trained no epoch).
    archive(curves, spec) {
      if (!(curves.epoch.at(-1) > 0) || !spec) return;
      runs.unshift({ id: nextId++, summary: summarize(spec), curves });
      for (const old of runs.splice(KEEP)) chosen.delete(old.id);
      render();
      onOverlay(runs.filter((r) => chosen.has(r.id)));
    },
    runs: () => runs.map(({ id, summary, curves }) => ({ id, summary, epochs: curves.epoch.at(-1) ?? 0 })),
  };
}
