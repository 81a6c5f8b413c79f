// End-to-end, the concepts panel: a digits LeNet trained for a few seconds on the CPU,
// then DRSA with K = 3 concepts at its last conv-shaped ReLU, driven from the keyboard:
// one map per concept (plus total and residual) whose captions add up to the total,
// the PRCA vs PCA chart with finite figures (PRCA ahead at d = 1), and a strip of top
// samples per concept.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
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

test('concepts of a trained digits CNN: K maps summing to the total, PRCA vs PCA, top samples', async () => {
  const started = Date.now();
  const { page, problems } = await openPage(env.browser, `${env.appUrl}?backend=cpu`);
  const spec = JSON.parse(fs.readFileSync(path.join(here, '..', 'examples', 'digits-lenet.json'), 'utf8'));
  spec.dataset.points = 300;
  await page.evaluate((s) => window.glassbox.load(s), spec);
  const stepsPerEpoch = Math.ceil((spec.dataset.points * spec.dataset.trainFraction) / spec.training.batchSize);
  const trained = await page.evaluate((n) => window.glassbox.step(n), 2 * stepsPerEpoch);
  console.log(`# 2 epochs: test accuracy ${(trained.testAcc * 100).toFixed(1)}%`);

  const panel = page.locator('.image-concepts');
  await page.waitForFunction(() => document.querySelectorAll('.image-concepts .layer option').length > 0);
  console.log(`# layer: ${await panel.locator('.layer option:checked').textContent()}`);
  await panel.locator('.k').fill('3');
  await panel.locator('.d').fill('2');
  await panel.locator('.n').fill('30');
  await panel.locator('.run').focus();
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => /hold/.test(document.querySelector('.image-concepts .status').textContent), null, { timeout: 30000 });
  console.log(`# ${await panel.locator('.status').textContent()}`);

  const captions = await panel.locator('.concept-maps figcaption').allTextContents();
  assert.equal(captions.length, 3 + 2, 'the total, 3 concepts and the residual');
  const value = (t) => Number(t.slice(t.lastIndexOf(' ') + 1));
  const values = captions.map(value);
  for (const v of values) assert.ok(Number.isFinite(v), `finite: ${captions}`);
  const parts = values.slice(1).reduce((a, b) => a + b, 0);
  assert.ok(Math.abs(parts - values[0]) <= 2e-3 * (1 + Math.abs(values[0])) + 3e-3, `concepts + residual ${parts} vs total ${values[0]}`);
  // Pixels off the grey of the sample underneath: where the map's colour shows.
  const coloured = await panel.locator('.concept-maps canvas').evaluateAll((cs) => cs.map((c) => {
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let p = 0; p < d.length; p += 4) if (Math.abs(d[p] - d[p + 2]) > 8) n += 1;
    return n;
  }));
  console.log(`# coloured pixels per map: ${coloured}`);
  assert.ok(coloured[0] > 5, `the total map is painted over the sample: ${coloured}`);

  assert.equal(await panel.locator('svg.capture-chart polyline').count(), 2);
  const rows = await panel.locator('.capture-table tr').evaluateAll((trs) => trs.slice(1).map((tr) => [...tr.cells].map((c) => Number(c.textContent))));
  assert.ok(rows.length >= 3, `one row per channel: ${rows.length}`);
  for (const [d, prca, pca] of rows) assert.ok(Number.isFinite(prca) && Number.isFinite(pca), `d = ${d}: ${prca}, ${pca}`);
  console.log(`# captured at d = 1: PRCA ${rows[0][1]}, PCA ${rows[0][2]}`);
  assert.ok(rows[0][1] >= rows[0][2], 'PRCA holds at least PCA at d = 1 on held-out samples');

  assert.equal(await panel.locator('.concept-strip').count(), 3);
  assert.equal(await panel.locator('.concept-strip figure').count(), 15);
  // Another sample by keyboard.
  await panel.locator('.sample').focus();
  await page.keyboard.press('ArrowDown');
  assert.equal(await panel.locator('.sample').inputValue(), '1');
  assert.equal(await panel.locator('.concept-maps figure').count(), 5);
  await panel.scrollIntoViewIfNeeded();
  await screenshot(page, 'concepts');
  assert.deepEqual(problems, []);
  console.log(`# ${((Date.now() - started) / 1000).toFixed(1)} s`);
});
