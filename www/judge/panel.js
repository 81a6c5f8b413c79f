// The "Judge explanations" panel of the image track: methods (the shared picker) scored
// on the first N test samples of the current model by the engine's leaderboard (in the
// worker), with progress and Cancel, a table of methods × metrics (best per column marked
// with a star and bold, empty cells "n/a" with the reason), the deletion, insertion and
// randomisation curves per method, the randomisation map strip (strip.js), CSV export
// of the table, and the checks that retrain: ROAR and randomised labels (roar.js).
import { createMethodPicker } from '../explain/picker.js';
import { requestOf } from '../explain/methods.js';
import { convLayers } from '../explain/layers.js';
import { renderFigure } from '../labs/figure.js';
import { saveText } from '../ui/download.js';
import { renderStrips } from './strip.js';
import { createRetrainChecks } from './roar.js';
import { COLUMN_INFO, bestRows, reasonFor, formatValue, boardRequest, testRows, curveFigures } from './board.js';

const DEFAULT_METHODS = ['gradient', 'integratedGradients'];

const TEMPLATE = `
  <p class="hint">Which explanation should you trust for this model? Pick methods and press Judge: each is scored on the
    first test samples for faithfulness (deletion, insertion, region perturbation, completeness), localisation against
    the ground-truth masks, sparseness, robustness and the cascading randomisation sanity check.</p>
  <details class="judge-methods" open><summary>Methods to judge</summary><div class="picker"></div></details>
  <div class="judge-options">
    <label title="How many test samples (the first ones of the test split) every metric averages over">Test samples
      <input type="number" class="judge-samples" min="1" max="500" step="1" value="8"></label>
    <label title="Points − 1 of each perturbation curve">Curve steps <input type="number" class="judge-steps" min="1" max="100" step="1" value="16"></label>
    <label title="What removed pixels are replaced by">Fill <select class="judge-fill">
      <option value="zero">zero</option><option value="mean">mean of the samples</option><option value="blur">blurred sample</option></select></label>
    <label title="The ground truth the localisation columns score against">Masks <select class="judge-masks"></select></label>
    <label title="Which class score the maps explain">Explain <select class="judge-target">
      <option value="predicted">the predicted class</option><option value="true">the true class</option></select></label>
    <label title="Randomise the layers from the top down and compare the maps (slower: one more explanation per layer)">
      <input type="checkbox" class="judge-sanity" checked> randomisation check</label>
    <button type="button" class="judge-run" title="Score every chosen method on the samples">Judge</button>
    <span class="judge-progress" hidden><progress max="1" value="0" aria-label="Leaderboard progress"></progress>
      <button type="button" class="judge-cancel" title="Stop the running leaderboard">Cancel</button></span>
    <button type="button" class="judge-csv mini" disabled title="Save the table as CSV">CSV</button>
    <span class="judge-status" role="status" aria-live="polite"></span>
  </div>
  <div class="judge-table"></div>
  <ul class="judge-notes"></ul>
  <div class="judge-figures lab-figures"></div>
  <div class="judge-strip"></div>
  <div class="judge-roar-box"></div>`;

export function createJudgePanel(root, { call, on, onError }) {
  root.innerHTML = TEMPLATE;
  const $ = (sel) => root.querySelector(sel);
  const say = (text) => { $('.judge-status').textContent = text; };
  const picker = createMethodPicker($('.picker'), { initial: DEFAULT_METHODS, onChange: () => {} });
  const roar = createRetrainChecks($('.judge-roar-box'), {
    call, on, onError, target: () => $('.judge-target').value, rows: () => testRows(info, $('.judge-samples').value),
  });
  let info = null;
  let datasetKey = null;
  let running = null;
  let csv = null;

  on('leaderboardProgress', ({ done, total }) => {
    if (running) $('.judge-progress progress').value = Math.min(1, done / Math.max(1, total));
  });

  function cell(tag, text, title) {
    const el = document.createElement(tag);
    el.textContent = text;
    if (title) el.title = title;
    return el;
  }

  // The table of methods × metrics, and a note per distinct reason a cell is empty.
  function renderTable(board, options) {
    const best = bestRows(board);
    const table = document.createElement('table');
    table.className = 'judge-board';
    const caption = cell('caption', `Mean over ${board.samples} test sample${board.samples === 1 ? '' : 's'}; ★ marks the best per column (none where all are equal).`);
    const head = document.createElement('tr');
    head.append(cell('th', 'Method'));
    board.columns.forEach((c, k) => {
      const [name, about] = COLUMN_INFO[c] ?? [c, ''];
      const th = cell('th', `${name} ${board.higherIsBetter[k] ? '↑' : '↓'}`, `${about} (${board.higherIsBetter[k] ? 'higher' : 'lower'} is better)`);
      th.scope = 'col';
      th.dataset.column = c;
      head.append(th);
    });
    const thead = document.createElement('thead');
    thead.append(head);
    const reasons = new Map();
    const body = document.createElement('tbody');
    board.rows.forEach((r, i) => {
      const tr = document.createElement('tr');
      const th = cell('th', r.label);
      th.scope = 'row';
      tr.append(th);
      r.values.forEach((v, k) => {
        const column = board.columns[k];
        if (!Number.isFinite(v)) {
          const why = reasonFor(column, options);
          if (!reasons.has(why)) reasons.set(why, reasons.size + 1);
          const td = cell('td', `n/a ${'*'.repeat(reasons.get(why))}`, why);
          td.className = 'na';
          tr.append(td);
          return;
        }
        const td = document.createElement('td');
        td.dataset.value = String(v);
        if (best[k].includes(i)) {
          td.className = 'best';
          td.append(cell('strong', `★ ${formatValue(v)}`));
          td.setAttribute('aria-label', `${formatValue(v)}, best`);
        } else td.textContent = formatValue(v);
        tr.append(td);
      });
      body.append(tr);
    });
    table.append(caption, thead, body);
    $('.judge-table').replaceChildren(table);
    $('.judge-notes').replaceChildren(...[...reasons].map(([why, k]) => cell('li', `${'*'.repeat(k)} n/a: ${why}.`)));
  }

  function show(board, options) {
    renderTable(board, options);
    $('.judge-figures').replaceChildren(...curveFigures(board).map((fig) => renderFigure(fig, 'glassbox-judge')));
    $('.judge-strip').replaceChildren(...[renderStrips(board)].filter(Boolean));
  }

  async function run() {
    if (running) return;
    let request;
    let indices;
    const options = { masks: $('.judge-masks').value, sanity: $('.judge-sanity').checked };
    try {
      if (!info) throw new Error('No model yet: load an image experiment first.');
      indices = testRows(info, $('.judge-samples').value);
      const target = $('.judge-target').value;
      const methods = picker.selected().map(({ method, values }) => requestOf(method, values, target, null));
      request = boardRequest(methods, { steps: $('.judge-steps').value, fill: $('.judge-fill').value, ...options });
    } catch (e) {
      return say(e.message);
    }
    running = { cancelled: false };
    $('.judge-run').disabled = true;
    $('.judge-progress progress').value = 0;
    $('.judge-progress').hidden = false;
    say(`Judging ${request.methods.length} method${request.methods.length === 1 ? '' : 's'} on ${indices.length} test samples…`);
    const t0 = performance.now();
    try {
      const { board, csv: text } = await call('leaderboard', { request, indices });
      csv = text;
      $('.judge-csv').disabled = false;
      show(board, options);
      say(`Judged ${board.rows.length} method${board.rows.length === 1 ? '' : 's'} on ${board.samples} test samples in ${((performance.now() - t0) / 1000).toFixed(1)} s.`);
    } catch (e) {
      const message = String(e?.message ?? e);
      say(message === 'cancelled' ? 'Cancelled; the board shown before is kept.' : `Not judged: ${message}`);
    } finally {
      running = null;
      $('.judge-run').disabled = false;
      $('.judge-progress').hidden = true;
    }
  }

  $('.judge-run').addEventListener('click', () => run().catch((e) => onError(e.message)));
  $('.judge-cancel').addEventListener('click', () => {
    if (!running) return;
    running.cancelled = true;
    call('cancelExplain').catch(() => {});
  });
  $('.judge-csv').addEventListener('click', () => csv && saveText(csv, 'glassbox-leaderboard.csv', 'text/csv'));

  return {
    // A new experiment: a board of other data is dropped; masks and conv layers are re-read.
    async show(spec, dataInfo) {
      info = dataInfo;
      const key = JSON.stringify(spec.dataset);
      if (key !== datasetKey) {
        datasetKey = key;
        csv = null;
        $('.judge-csv').disabled = true;
        for (const sel of ['.judge-table', '.judge-notes', '.judge-figures', '.judge-strip']) $(sel).replaceChildren();
        roar.clear();
        say('');
      }
      const masks = info.masks ?? [];
      const names = { object: 'object (ground truth)', decoy: 'decoy' };
      $('.judge-masks').replaceChildren(...masks.map((m) => new Option(names[m] ?? m, m)), new Option(masks.length ? 'none' : 'none (this dataset has no masks)', 'none'));
      $('.judge-samples').max = String(Math.max(1, info.samples - info.nTrain));
      try {
        picker.setModel({ conv: await convLayers(call, spec.model), image: Boolean(info.image) });
      } catch (e) {
        onError(e.message);
      }
    },
  };
}
