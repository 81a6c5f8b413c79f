// End-to-end, the "Judge explanations" panel: a tiny digits CNN trained for a few
// seconds on the CPU backend is judged by two methods on a few test samples, started
// from the keyboard; the table holds every method × metric as a finite number with the
// best per column starred, the curve canvases are drawn, the CSV downloads with the
// engine's header; without masks or the randomisation check the cells say "n/a" with a
// reason; the randomisation strip shows a map per step; a long run shows progress and
// stops on Cancel, keeping the board shown; ROAR retrains at one fraction and charts it,
// and the randomised-labels check reports its correlations.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { launch, openPage, screenshot } from './browser.mjs';

const COLUMNS = ['deletionAuc', 'insertionAuc', 'morfAuc', 'lerfAuc', 'randomDeletionAuc', 'completenessGap', 'pointingGame', 'relevanceMass', 'topKIou', 'gini', 'maxSensitivity', 'randomisationSpearman'];

const tiny = {
  dataset: { kind: 'digits', points: 500, trainFraction: 0.8, noise: 0, seed: 3 },
  model: {
    hidden: [],
    activation: 'relu',
    layers: [
      { type: 'conv2d', filters: 4, kernel: 5 },
      { type: 'activation', function: 'relu' },
      { type: 'pool', op: 'max', size: 2 },
      { type: 'flatten' },
      { type: 'dense', units: 10 },
    ],
  },
  training: { loss: 'softmaxCrossEntropy', optimizer: 'adam', learningRate: 0.003, batchSize: 32, seed: 1 },
};

let env;
before(async () => {
  env = await launch();
});
after(async () => {
  await env?.close();
});

const panel = '.image-judge';
const status = (page) => page.textContent(`${panel} .judge-status`);

async function chooseMethods(page, names) {
  for (const box of await page.$$(`${panel} input[name=explain-method]`)) {
    const want = names.includes(await box.getAttribute('value'));
    if ((await box.isChecked()) !== want) await box.click();
  }
}

async function judge(page) {
  await page.focus(`${panel} .judge-run`);
  await page.keyboard.press('Enter');
  await page.waitForFunction((p) => /^(Judged|Not judged|Cancelled)/.test(document.querySelector(`${p} .judge-status`).textContent), panel, { timeout: 20000 });
  return status(page);
}

// The board as shown: per row, the column values (NaN for "n/a") and which are starred.
const table = (page) => page.$eval(`${panel} .judge-board`, (t) => ({
  columns: [...t.querySelectorAll('thead th[data-column]')].map((th) => th.dataset.column),
  rows: [...t.querySelectorAll('tbody tr')].map((tr) => ({
    label: tr.querySelector('th').textContent,
    values: [...tr.querySelectorAll('td')].map((td) => (td.dataset.value == null ? NaN : Number(td.dataset.value))),
    best: [...tr.querySelectorAll('td')].map((td) => td.classList.contains('best') && td.textContent.includes('★')),
    na: [...tr.querySelectorAll('td.na')].map((td) => td.title),
  })),
}));

test('the leaderboard panel judges two methods, draws the curves, exports CSV and cancels', async () => {
  const { page, problems } = await openPage(env.browser, `${env.appUrl}?backend=cpu`);
  await page.evaluate((s) => window.glassbox.load(s), tiny);
  const t0 = Date.now();
  const trained = await page.evaluate(() => window.glassbox.step(40));
  console.log(`# 40 steps in ${Date.now() - t0} ms: test accuracy ${(trained.testAcc * 100).toFixed(1)}%`);
  await page.waitForSelector(`${panel} .judge-masks option[value=object]`, { state: 'attached' });

  await chooseMethods(page, ['gradient', 'gradientXInput']);
  await page.fill(`${panel} .judge-samples`, '4');
  await page.fill(`${panel} .judge-steps`, '8');
  const said = await judge(page);
  console.log(`# ${said}`);
  assert.match(said, /^Judged 2 methods on 4 test samples/);
  const board = await table(page);
  assert.deepEqual(board.columns, COLUMNS);
  assert.deepEqual(board.rows.map((r) => r.label), ['gradient', 'gradientXInput']);
  for (const r of board.rows) {
    assert.equal(r.values.length, COLUMNS.length);
    for (const [k, v] of r.values.entries()) assert.ok(Number.isFinite(v), `${r.label} ${COLUMNS[k]} = ${v}`);
  }
  // Every column whose values differ stars its best row (the larger value where higher is
  // better); random deletion does not depend on the map, so it stars none.
  for (const [k, c] of COLUMNS.entries()) {
    const starred = board.rows.filter((r) => r.best[k]);
    const values = board.rows.map((r) => r.values[k]);
    if (values[0] === values[1]) {
      assert.equal(starred.length, 0, `${c}: equal values, no star`);
      continue;
    }
    assert.equal(starred.length, 1, `${c} has a best row`);
    const higher = await page.$eval(`${panel} th[data-column=${c}]`, (th) => th.textContent.endsWith('↑'));
    assert.equal(starred[0].values[k], higher ? Math.max(...values) : Math.min(...values), c);
  }
  assert.equal(board.rows[0].values[COLUMNS.indexOf('randomDeletionAuc')], board.rows[1].values[COLUMNS.indexOf('randomDeletionAuc')]);

  // The deletion, insertion and randomisation curves, one line per method.
  const figures = await page.$$eval(`${panel} .judge-figures figure`, (fs) => fs.map((f) => f.dataset.id));
  assert.deepEqual(figures, ['deletion', 'insertion', 'spearman', 'ssim']);
  const colours = await page.$$eval(`${panel} .judge-figures canvas[role=img]`, (cs) => cs.map((c) => {
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    const seen = new Set();
    for (let p = 0; p < d.length; p += 4) seen.add((d[p] << 16) | (d[p + 1] << 8) | d[p + 2]);
    return seen.size;
  }));
  for (const n of colours) assert.ok(n > 20, `a curve canvas with ${n} colours`);
  assert.equal(await page.locator(`${panel} .judge-figures figure[data-id=deletion] .lab-legend li`).count(), 2);
  // The randomisation strip: per method the trained map, then one per randomised layer
  // (the tiny CNN's dense and conv layers); the gradient's map changes on the way.
  const strips = await page.$$eval(`${panel} .judge-strips tr[data-method]`, (trs) => trs.map((tr) => ({
    method: tr.dataset.method,
    captions: [...tr.querySelectorAll('.caption')].map((c) => c.textContent),
    pixels: [...tr.querySelectorAll('canvas.map')].map((c) => Array.from(c.getContext('2d').getImageData(0, 0, c.width, c.height).data).join()),
  })));
  assert.deepEqual(strips.map((s) => s.method), ['gradient', 'gradientXInput']);
  assert.deepEqual(strips[0].captions.map((c) => c.split(' · ')[0]), ['trained', 'layers ≥ 4 random', 'layers ≥ 0 random']);
  assert.notEqual(strips[0].pixels[0], strips[0].pixels[2], 'the gradient map changes once every layer is random');
  await page.locator(panel).scrollIntoViewIfNeeded();
  await screenshot(page, 'leaderboard');

  // The CSV: the engine's header, one line per method.
  const [download] = await Promise.all([page.waitForEvent('download'), page.click(`${panel} .judge-csv`)]);
  assert.equal(download.suggestedFilename(), 'glassbox-leaderboard.csv');
  const lines = fs.readFileSync(await download.path(), 'utf8').trim().split('\n');
  assert.equal(lines[0], ['method', ...COLUMNS].join(','));
  assert.deepEqual(lines.slice(1).map((l) => l.split(',')[0]), ['gradient', 'gradientXInput']);

  // Without masks and the randomisation check, those cells are "n/a" and say why.
  await page.selectOption(`${panel} .judge-masks`, 'none');
  await page.uncheck(`${panel} .judge-sanity`);
  await chooseMethods(page, ['gradient']);
  await page.fill(`${panel} .judge-samples`, '2');
  assert.match(await judge(page), /^Judged 1 method on 2/);
  const plain = await table(page);
  const missing = COLUMNS.filter((_, k) => !Number.isFinite(plain.rows[0].values[k]));
  assert.deepEqual(missing, ['pointingGame', 'relevanceMass', 'topKIou', 'randomisationSpearman']);
  const notes = await page.locator(`${panel} .judge-notes li`).allTextContents();
  assert.ok(notes.some((t) => t.includes('no ground-truth masks')) && notes.some((t) => t.includes('randomisation check was turned off')), notes.join(' | '));

  // A long run (Integrated Gradients with many steps on 50 samples) shows its progress
  // and stops on Cancel; the board shown before stays.
  await page.check(`${panel} .judge-sanity`);
  await chooseMethods(page, ['integratedGradients']);
  const ig = page.locator(`${panel} .method`).filter({ has: page.locator('input[value=integratedGradients]') });
  await ig.locator('summary').click();
  await ig.locator('input[data-key=steps]').fill('64');
  await ig.locator('input[data-key=steps]').press('Tab');
  await page.fill(`${panel} .judge-samples`, '50');
  await page.click(`${panel} .judge-run`);
  await page.waitForSelector(`${panel} .judge-progress:not([hidden])`);
  await page.waitForFunction((p) => document.querySelector(`${p} .judge-progress progress`).value > 0, panel, { timeout: 20000 });
  const t1 = Date.now();
  await page.focus(`${panel} .judge-cancel`);
  await page.keyboard.press('Enter');
  await page.waitForFunction((p) => document.querySelector(`${p} .judge-status`).textContent.startsWith('Cancelled'), panel, { timeout: 10000 });
  console.log(`# cancelled ${Date.now() - t1} ms after Cancel`);
  assert.equal((await table(page)).rows.length, 1, 'the board shown before stays');
  assert.ok(await page.isHidden(`${panel} .judge-progress`));

  // ROAR at one fraction: two small retrainings, then the chart of method against random.
  await page.selectOption(`${panel} .roar-method`, 'gradientXInput');
  await page.fill(`${panel} .roar-fractions`, '0.5');
  const t2 = Date.now();
  await page.click(`${panel} .roar-run`);
  await page.waitForFunction((p) => /^ROAR (done|not run)/.test(document.querySelector(`${p} .roar-status`).textContent), panel, { timeout: 20000 });
  console.log(`# ${await page.textContent(`${panel} .roar-status`)} (${Date.now() - t2} ms)`);
  assert.match(await page.textContent(`${panel} .roar-status`), /^ROAR done: 1 fraction, 40 steps per model/);
  assert.deepEqual(await page.locator(`${panel} .roar-figure .lab-legend li`).allTextContents(), [' gradientXInput ranking', ' random']);

  // Randomised labels: one retraining on shuffled labels, the maps compared on 50 samples.
  await page.click(`${panel} .labels-run`);
  await page.waitForFunction((p) => /^Randomised labels(:| \()/.test(document.querySelector(`${p} .roar-status`).textContent), panel, { timeout: 20000 });
  const labels = await page.textContent(`${panel} .roar-status`);
  console.log(`# ${labels}`);
  const [, rho, ssim] = labels.match(/Spearman (-?[\d.]+), SSIM (-?[\d.]+)/) ?? [];
  assert.ok(Math.abs(Number(rho)) <= 1 && Math.abs(Number(ssim)) <= 1, labels);
  assert.deepEqual(problems, []);
});
