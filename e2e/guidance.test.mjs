// End-to-end, explanation-guided training in the image track: the guidance form sets
// training.guidance live; masks painted with the pointer and from the keyboard go into
// the spec, the link and the autosave; a guided run trains; a hand-edited link with a
// broken mask is refused with the reason while the experiment stays.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { launch, openPage, until, ARTIFACTS } from './browser.mjs';
import { decodeMask, markedCount } from '../www/guide/maskbits.js';

let env;
before(async () => {
  env = await launch();
});
after(async () => {
  await env?.close();
});

const DIGITS = {
  dataset: { kind: 'digits', points: 300, trainFraction: 0.5, imageSize: 16, noise: 0, seed: 3, decoy: { kind: 'patch', correlation: 1 } },
  model: { hidden: [], activation: 'relu', layers: [
    { type: 'conv2d', filters: 4, kernel: 3 }, { type: 'activation', function: 'relu' }, { type: 'pool', op: 'max', size: 2 },
    { type: 'flatten' }, { type: 'dense', units: 10 }] },
  training: { loss: 'softmaxCrossEntropy', optimizer: 'adam', learningRate: 0.01, batchSize: 16, seed: 1 },
};
const guidanceNow = (page) => page.evaluate(async () => (await window.glassbox.spec()).training.guidance ?? null);

test('guidance settings and painted masks go into the spec, the link and the autosave; a guided run trains', async () => {
  const { page, problems, context } = await openPage(env.browser, `${env.appUrl}?backend=cpu`);
  await page.evaluate((s) => window.glassbox.load(s), DIGITS);
  const panel = page.locator('.image-guide');
  await panel.scrollIntoViewIfNeeded();
  await page.waitForFunction(() => /class \d/.test(document.querySelector('.image-guide .sample-label').textContent));

  // The form: guidance on with the dataset's decoy mask, then λ changed live.
  await panel.locator('[data-k="on"]').check();
  await until(page, async () => (await window.glassbox.spec()).training.guidance?.mask === 'decoy');
  await panel.locator('[data-k="lambda"]').fill('3');
  await panel.locator('[data-k="lambda"]').press('Tab');
  await until(page, async () => (await window.glassbox.spec()).training.guidance?.lambda === 3);
  const trained = await page.evaluate(() => window.glassbox.step(20));
  assert.ok(Number.isFinite(trained.trainLoss), `guided loss ${trained.trainLoss}`);

  // Painting with the pointer: a stroke across the top-left corner of training sample 0.
  const canvas = panel.locator('.painter-canvas');
  const box = await canvas.boundingBox();
  await page.mouse.move(box.x + 10, box.y + 10);
  await page.mouse.down();
  await page.mouse.move(box.x + 60, box.y + 20, { steps: 8 });
  await page.mouse.up();
  await until(page, async () => (await window.glassbox.spec()).training.guidance?.mask === 'painted');
  let g = await guidanceNow(page);
  assert.equal(g.lambda, 3, 'painting keeps λ');
  assert.deepEqual(g.painted.map((p) => p.index), [0]);
  const first = decodeMask(g.painted[0].bits, 16 * 16);
  assert.ok(markedCount(first) >= 4, `${markedCount(first)} pixels marked`);
  for (let i = 0; i < first.length; i += 1) {
    if (first[i]) assert.ok(Math.floor(i / 16) < 6 && i % 16 < 8, `pixel ${i} marked outside the stroke`);
  }

  // From the keyboard: the next sample, Space paints under the cursor, E erases.
  await panel.locator('.next').click();
  await page.waitForFunction(() => document.querySelector('.image-guide .sample-index').value === '1');
  await canvas.focus();
  await page.keyboard.press('ArrowUp');
  await page.keyboard.press('Space');
  await until(page, async () => (await window.glassbox.spec()).training.guidance?.painted?.length === 2);
  g = await guidanceNow(page);
  const second = decodeMask(g.painted[1].bits, 16 * 16);
  assert.equal(second[7 * 16 + 8], 1, 'the cursor starts at the centre and moved up one row');
  await page.keyboard.press('e');
  await page.keyboard.press('Space');
  await until(page, async () => (await window.glassbox.spec()).training.guidance?.painted?.length === 1);
  assert.deepEqual((await guidanceNow(page)).painted.map((p) => p.index), [0], 'erasing every pixel drops the sample');
  assert.equal(await page.locator('.image-guide .painted-list li').count(), 1);

  fs.mkdirSync(ARTIFACTS, { recursive: true });
  await panel.screenshot({ path: path.join(ARTIFACTS, 'guidance-painter.png') });

  // The painted run trains, and the link and the autosave carry the masks.
  const after = await page.evaluate(() => window.glassbox.step(20));
  assert.ok(Number.isFinite(after.trainLoss), `painted-guidance loss ${after.trainLoss}`);
  const painted = (await guidanceNow(page)).painted;
  const link = await page.evaluate(() => window.glassbox.link());
  const reopened = await openPage(env.browser, `${env.appUrl}?backend=cpu${link}`, { context });
  assert.deepEqual((await reopened.page.evaluate(() => window.glassbox.spec())).training.guidance.painted, painted, 'the link carries the masks');
  await page.evaluate(() => window.glassbox.autosave());
  await page.reload();
  await page.evaluate(() => window.glassbox.ready);
  assert.deepEqual((await page.evaluate(() => window.glassbox.spec())).training.guidance.painted, painted, 'the autosave carries the masks');

  // Guidance off: the spec has none.
  await page.locator('.image-guide [data-k="on"]').uncheck();
  await until(page, async () => !(await window.glassbox.spec()).training.guidance);
  assert.deepEqual([...problems, ...reopened.problems], []);
});

test('a link whose painted mask is broken is refused with the reason, and the experiment stays', async () => {
  const { page } = await openPage(env.browser, `${env.appUrl}?backend=cpu`);
  await page.evaluate((s) => window.glassbox.load(s), DIGITS);
  const bad = structuredClone(DIGITS);
  bad.training.guidance = { lambda: 1, mask: 'painted', painted: [{ index: 0, bits: 'AAAA' }] };
  const error = await page.evaluate((s) => window.glassbox.load(s).then(() => null, (e) => e.message), bad);
  assert.ok(error, 'the broken mask is refused');
  await page.waitForFunction(() => /painted/.test(document.querySelector('#banner-text').textContent));
  assert.equal((await page.evaluate(() => window.glassbox.spec())).dataset.kind, 'digits');
  assert.equal((await page.evaluate(() => window.glassbox.spec())).training.guidance, undefined);
});
