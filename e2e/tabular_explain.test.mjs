// End-to-end, explanations of a table: an uploaded CSV (columns a, b, c and a label that
// depends on a only; c is constant) trains an MLP; gradient × input on two test rows
// shows one chart of bars per row labelled with the column names, and the average over
// the test rows gives mean signed and mean |attribution| charts. A constant column is
// standardised to exactly 0, so its gradient × input is exactly 0 in every chart.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { launch, openPage, screenshot } from './browser.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));

let env;
before(async () => {
  env = await launch();
});
after(async () => {
  await env?.close();
});

// 300 rows: a and b uniform in [-1, 1] from a fixed generator, c always 5, label a > 0.
function table() {
  let s = 12345;
  const uniform = () => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return (s / 2 ** 32) * 2 - 1;
  };
  const rows = Array.from({ length: 300 }, () => {
    const a = uniform();
    const b = uniform();
    return `${a.toFixed(4)},${b.toFixed(4)},5,${a > 0 ? 'pos' : 'neg'}`;
  });
  return `a,b,c,label\n${rows.join('\n')}\n`;
}

// Feature name → value text of each chart's bars.
const barsOf = (page, selector) => page.$$eval(selector, (figures) => figures.map((f) => Object.fromEntries(
  [...f.querySelectorAll('li')].map((li) => [li.querySelector('.bar-label').textContent, Number(li.querySelector('.bar-value').textContent)]))));

test('an uploaded table is explained with per-feature bars named by its columns, per row and averaged', async () => {
  const { page, problems } = await openPage(env.browser, `${env.appUrl}?backend=cpu`);
  const spec = JSON.parse(fs.readFileSync(path.join(here, '..', 'examples', 'shapes-cnn.json'), 'utf8'));
  Object.assign(spec.dataset, { points: 200, shapeClasses: 2 });
  spec.model = { hidden: [], activation: 'relu', layers: [{ type: 'dense', units: 16 }, { type: 'activation', function: 'relu' }, { type: 'dense', units: 2 }] };
  spec.training.learningRate = 0.02;
  await page.evaluate((s) => window.glassbox.load(s), spec);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'glassbox-csv-'));
  const csvPath = path.join(dir, 'table.csv');
  fs.writeFileSync(csvPath, table());
  await page.setInputFiles('.image-data input.files', [csvPath]);
  await page.waitForFunction(() => /Loaded|could not/.test(document.querySelector('.upload-status').textContent), null, { timeout: 20000 });
  assert.match(await page.textContent('.upload-status'), /Loaded/);
  const uploaded = await page.evaluate(() => window.glassbox.spec());
  assert.equal(uploaded.dataset.kind, 'upload');
  const metrics = await page.evaluate((n) => window.glassbox.step(n), 8 * Math.ceil(240 / spec.training.batchSize));
  console.log(`# table a>0: train ${(metrics.trainAcc * 100).toFixed(1)}%, test ${(metrics.testAcc * 100).toFixed(1)}% after ${metrics.epoch} epochs`);
  assert.ok(metrics.testAcc > 0.8, `the MLP learns a > 0 (test accuracy ${metrics.testAcc})`);

  // Conv-only and image-only methods are not offered for an MLP on flat rows.
  const disabled = await page.$$eval('.image-explain input[name=explain-method]', (boxes) => boxes.filter((b) => b.disabled).map((b) => b.value));
  for (const name of ['gradCam', 'gradCamPlusPlus', 'guidedGradCam', 'rise']) assert.ok(disabled.includes(name), `${name} is not offered (disabled: ${disabled})`);

  await page.waitForSelector('.image-samples .gallery figure');
  await page.locator('.image-samples .gallery figure').nth(0).click();
  await page.locator('.image-samples .gallery figure').nth(1).press('Enter');
  for (const box of await page.$$('.image-explain input[name=explain-method]')) {
    const want = (await box.getAttribute('value')) === 'gradientXInput';
    if ((await box.isChecked()) !== want && !(await box.isDisabled())) await box.click();
  }
  await page.click('.image-explain .run');
  await page.waitForFunction(() => document.querySelector('.image-explain .status').textContent.startsWith('Explained'), null, { timeout: 20000 });
  const rows = await barsOf(page, '.image-explain .grid-box .bar-chart');
  assert.equal(rows.length, 2, 'one chart per row for the one method');
  for (const bars of rows) {
    assert.deepEqual(Object.keys(bars), ['a', 'b', 'c']);
    assert.equal(bars.c, 0, 'the constant column has no gradient × input');
    assert.ok(Math.abs(bars.a) > 0, 'a carries attribution');
  }
  assert.equal(await page.locator('.explain-grid canvas.map').count(), 0, 'no image maps for a table');

  await page.selectOption('.image-explain .average-split', 'test');
  await page.click('.image-explain .average');
  await page.waitForFunction(() => /^Averaged/.test(document.querySelector('.image-explain .average-note').textContent), null, { timeout: 20000 });
  console.log(`# ${await page.textContent('.image-explain .average-note')}`);
  const [signed, absolute] = await barsOf(page, '.image-explain .average-charts .bar-chart');
  assert.deepEqual(Object.keys(absolute), ['a', 'b', 'c']);
  assert.equal(signed.c, 0);
  assert.equal(absolute.c, 0);
  assert.ok(absolute.a > absolute.b, `a (${absolute.a}) matters more than b (${absolute.b})`);
  assert.ok(absolute.a >= Math.abs(signed.a), 'mean |attribution| bounds |mean attribution|');
  await screenshot(page, 'tabular-explain');
  assert.deepEqual(problems, []);
});
