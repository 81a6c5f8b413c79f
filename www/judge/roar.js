// The judge panel's checks that retrain, run in the worker with progress and Cancel:
// ROAR (one method and the fractions of pixels to remove; a fresh model retrained per
// fraction, for the method's ranking and a random one), drawn as test accuracy against
// the removed fraction with PNG and CSV export; and training on randomised labels, whose
// maps are compared with the current model's (Spearman, SSIM).
import { METHODS, defaults, requestOf } from '../explain/methods.js';
import { renderFigure } from '../labs/figure.js';

const DEFAULT_FRACTIONS = '0.1, 0.3, 0.5, 0.7, 0.9';

// "0.1, 0.5" → [0.1, 0.5]; each in [0, 1], at most 10, else an error naming the problem.
export function parseFractions(text) {
  const parts = String(text).split(/[,\s]+/).filter(Boolean);
  if (!parts.length || parts.length > 10) throw new Error('Give 1 to 10 fractions of pixels to remove, e.g. 0.1, 0.5, 0.9.');
  return parts.map((p) => {
    const f = Number(p);
    if (!(Number.isFinite(f) && f >= 0 && f <= 1)) throw new Error(`Each fraction must be a number from 0 to 1, not "${p}".`);
    return f;
  });
}

// The figure of a ROAR result: test accuracy per fraction, by the method and at random.
export function roarFigure(r) {
  const series = [{ name: `${r.method} ranking`, x: r.fractions, y: r.methodAccuracy }, { name: 'random', x: r.fractions, y: r.randomAccuracy }];
  const csv = ['fraction,method,random', ...r.fractions.map((f, k) => `${f},${r.methodAccuracy[k]},${r.randomAccuracy[k]}`)].join('\n');
  return {
    id: 'roar', title: `ROAR: ${r.method}, retrained for ${r.steps} steps`, kind: 'lines', xLabel: 'share of pixels removed', yLabel: 'test accuracy',
    logX: false, categories: [], thumbs: [], series, csv: `${csv}\n`,
  };
}

const TEMPLATE = `
  <fieldset class="judge-roar"><legend>Checks that retrain</legend>
    <p class="hint">Both retrain a fresh model for as many steps as the current one, on the CPU (slow: one training per
      fraction and ranking, or one for the labels). ROAR removes each image's most relevant pixels (by the method's maps
      of the current model; set to the image's mean) and compares the test accuracy with removing as many at random. The
      randomised-labels check trains on shuffled labels and compares the method's maps of both models on the test samples
      above: maps that stay alike do not reflect what the model learnt.</p>
    <label title="The method ROAR ranks pixels by, and whose maps the labels check compares">Method <select class="roar-method"></select></label>
    <label title="Shares of each image's pixels to remove, separated by commas">Fractions
      <input type="text" class="roar-fractions" value="${DEFAULT_FRACTIONS}" size="22"></label>
    <button type="button" class="roar-run" title="Retrain per fraction and chart the test accuracy">Run ROAR</button>
    <button type="button" class="labels-run" title="Retrain on shuffled labels and compare the maps">Randomised labels</button>
    <span class="roar-progress" hidden><progress max="1" value="0" aria-label="Retraining progress"></progress>
      <button type="button" class="roar-cancel" title="Stop the retraining">Cancel</button></span>
    <span class="roar-status" role="status" aria-live="polite"></span>
    <div class="roar-figure lab-figures"></div>
  </fieldset>`;

// `target()`: the explained class; `rows()`: the judged test rows (throws naming a problem).
export function createRetrainChecks(root, { call, on, onError, target, rows }) {
  root.innerHTML = TEMPLATE;
  const $ = (sel) => root.querySelector(sel);
  const say = (text) => { $('.roar-status').textContent = text; };
  $('.roar-method').replaceChildren(...METHODS.map((m) => new Option(m.label, m.name)));
  $('.roar-method').value = 'gradientXInput';
  let running = false;

  for (const event of ['roarProgress', 'labelsProgress']) {
    on(event, ({ done, total }) => {
      if (running) $('.roar-progress progress').value = Math.min(1, done / Math.max(1, total));
    });
  }

  const request = () => {
    const method = METHODS.find((m) => m.name === $('.roar-method').value);
    return requestOf(method, defaults(method), target(), null);
  };

  // Runs one check: `prepare()` builds the call's args (or throws a message for the
  // status), `show(result)` draws it.
  async function job(name, what, prepare, show) {
    if (running) return;
    let args;
    try {
      args = prepare();
    } catch (e) {
      return say(e.message);
    }
    running = true;
    for (const b of ['.roar-run', '.labels-run']) $(b).disabled = true;
    $('.roar-progress progress').value = 0;
    $('.roar-progress').hidden = false;
    say(`${what}…`);
    try {
      say(show(await call(name, args)));
    } catch (e) {
      const message = String(e?.message ?? e);
      say(message === 'cancelled' ? 'Cancelled; what was shown before is kept.' : `${what}: not run: ${message}`);
    } finally {
      running = false;
      for (const b of ['.roar-run', '.labels-run']) $(b).disabled = false;
      $('.roar-progress').hidden = true;
    }
  }

  const roar = () => job('roar', 'ROAR', () => ({ request: request(), fractions: parseFractions($('.roar-fractions').value) }), (result) => {
    $('.roar-figure').replaceChildren(renderFigure(roarFigure(result), 'glassbox-judge'));
    return `ROAR done: ${result.fractions.length} fraction${result.fractions.length === 1 ? '' : 's'}, ${result.steps} steps per model.`;
  });
  const labels = () => job('randomisedLabels', 'Randomised labels', () => ({ request: request(), indices: rows() }), (r) => (
    `Randomised labels (${r.method}, ${r.samples} test samples): Spearman ${r.spearman.toFixed(3)}, SSIM ${r.ssim.toFixed(3)} between the maps; `
    + `test accuracy ${(100 * r.trainedAccuracy).toFixed(1)} % trained, ${(100 * r.randomisedAccuracy).toFixed(1)} % on shuffled labels.`));

  $('.roar-run').addEventListener('click', () => roar().catch((e) => onError(e.message)));
  $('.labels-run').addEventListener('click', () => labels().catch((e) => onError(e.message)));
  $('.roar-cancel').addEventListener('click', () => running && call('cancelExplain').catch(() => {}));
  return {
    // A new experiment: results of other data are dropped.
    clear() {
      $('.roar-figure').replaceChildren();
      say('');
    },
  };
}
