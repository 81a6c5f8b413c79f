// End-to-end, explanations on the image track: the grid of maps renders for a trained
// digits model (2 samples × 3 methods, non-blank maps, the completeness gap), a long
// RISE run is cancelled from the progress bar, live mode adds frames while training
// plays and the timeline replays them, the grid exports as a PNG, and one small
// explanation runs on WebGPU through the automation API.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { launch, openPage, screenshot } from './browser.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const lenet = (points) => {
  const spec = JSON.parse(fs.readFileSync(path.join(here, '..', 'examples', 'digits-lenet.json'), 'utf8'));
  spec.dataset.points = points;
  return spec;
};

let env;
before(async () => {
  env = await launch();
});
after(async () => {
  await env?.close();
});

// Distinct colours in a canvas: a blank or flat map has one or two.
const colours = (page, selector) => page.$$eval(selector, (canvases) => canvases.map((c) => {
  const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  const seen = new Set();
  for (let p = 0; p < d.length; p += 4) seen.add((d[p] << 16) | (d[p + 1] << 8) | d[p + 2]);
  return seen.size;
}));

const status = (page) => page.textContent('.image-explain .status');

async function chooseMethods(page, names) {
  for (const box of await page.$$('.image-explain input[name=explain-method]')) {
    const want = names.includes(await box.getAttribute('value'));
    if ((await box.isChecked()) !== want) await box.click();
  }
}

test('explanations of a trained digits CNN: grid, gap, cancel, live timeline and PNG export', async () => {
  const { page, problems } = await openPage(env.browser, `${env.appUrl}?backend=cpu`);
  const spec = lenet(600);
  await page.evaluate((s) => window.glassbox.load(s), spec);
  const stepsPerEpoch = Math.ceil((spec.dataset.points * spec.dataset.trainFraction) / spec.training.batchSize);
  const trained = await page.evaluate((n) => window.glassbox.step(n), 3 * stepsPerEpoch);
  console.log(`# 3 epochs of 480 digits: test accuracy ${(trained.testAcc * 100).toFixed(1)}%`);

  // Two test samples clicked in the sample grid, three methods.
  await page.waitForSelector('.image-samples .gallery figure');
  await page.locator('.image-samples .gallery figure').nth(0).click();
  await page.locator('.image-samples .gallery figure').nth(1).press('Enter');
  assert.equal(await page.locator('.image-explain .chips li').count(), 2);
  await chooseMethods(page, ['gradient', 'integratedGradients', 'gradCam']);
  await page.click('.image-explain .run');
  await page.waitForFunction(() => document.querySelector('.image-explain .status').textContent.startsWith('Explained'), null, { timeout: 20000 });
  console.log(`# ${await status(page)}`);
  assert.equal(await page.locator('.explain-grid canvas.map').count(), 6);
  for (const n of await colours(page, '.explain-grid canvas.map')) assert.ok(n > 20, `a map with ${n} colours`);
  const gaps = (await page.locator('.explain-grid .gap').allTextContents()).map((t) => Number(t.replace('gap ', '')));
  assert.equal(gaps.length, 2, 'Integrated Gradients reports one gap per sample');
  for (const g of gaps) assert.ok(Number.isFinite(g) && Math.abs(g) < 0.1, `completeness gap ${g}`);
  // Absolute values are magnitudes: the maps repaint with viridis, keeping the grid.
  await page.selectOption('.image-explain .sign-mode', 'absolute');
  for (const n of await colours(page, '.explain-grid canvas.map')) assert.ok(n > 20);
  await page.locator('.image-explain').scrollIntoViewIfNeeded();
  await screenshot(page, 'explain-grid');

  // The PNG export downloads the labelled grid.
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#png-explain')]);
  assert.equal(download.suggestedFilename(), 'glassbox-explain.png');
  const bytes = fs.readFileSync(await download.path());
  assert.deepEqual([...bytes.subarray(1, 4)], [0x50, 0x4e, 0x47], 'a PNG signature');
  assert.ok(bytes.length > 5000, `${bytes.length} bytes`);

  // A long RISE run shows its progress and its maps so far, and stops on Cancel, going
  // back to the grid shown before.
  await chooseMethods(page, ['rise']);
  const rise = page.locator('.image-explain .method').filter({ has: page.locator('input[value=rise]') });
  await rise.locator('summary').click();
  await rise.locator('input[data-key=masks]').fill('10000');
  await rise.locator('input[data-key=masks]').press('Tab');
  await page.click('.image-explain .run');
  await page.waitForSelector('.image-explain .explain-progress:not([hidden])');
  await page.waitForFunction(() => document.querySelector('.image-explain .explain-progress progress').value > 0);
  // The maps sharpen while masks accumulate: both samples show RISE's maps so far.
  const refining = () => [...document.querySelectorAll('.image-explain .explain-grid td .caption')].filter((c) => c.textContent === 'refining…').length;
  await page.waitForFunction(refining, null, { timeout: 60000 });
  assert.equal(await page.evaluate(refining), 2, 'a partial map per sample');
  const t0 = Date.now();
  await page.click('.image-explain .cancel');
  await page.waitForFunction(() => document.querySelector('.image-explain .status').textContent.startsWith('Cancelled'), null, { timeout: 10000 });
  console.log(`# RISE with 10000 masks cancelled ${Date.now() - t0} ms after Cancel`);
  assert.equal(await page.locator('.explain-grid canvas.map').count(), 6, 'the previous grid stays');

  // Live mode: gradients of the two samples every 5 steps while training plays.
  await chooseMethods(page, ['gradient']);
  await page.fill('.image-explain .every', '5');
  await page.check('.image-explain .live-on');
  await page.evaluate(() => window.glassbox.play());
  await page.waitForFunction(() => /of ([4-9]|\d\d+)\)/.test(document.querySelector('.image-explain .frame-info').textContent), null, { timeout: 20000 });
  await page.evaluate(() => window.glassbox.pause());
  const latest = await page.getAttribute('.image-explain .live-grid', 'data-step');
  const pixels = () => page.$eval('.image-explain .live-grid canvas.map', (c) => Array.from(c.getContext('2d').getImageData(0, 0, c.width, c.height).data).join());
  const latestPixels = await pixels();
  await page.focus('.image-explain .scrub');
  await page.keyboard.press('Home');
  const first = await page.getAttribute('.image-explain .live-grid', 'data-step');
  console.log(`# live frames: ${await page.textContent('.image-explain .frame-info')}; latest at step ${latest}`);
  assert.ok(Number(first) < Number(latest), `the timeline moved from step ${latest} to ${first}`);
  assert.notEqual(await pixels(), latestPixels, 'the shown map changed with the frame');
  await page.uncheck('.image-explain .live-on');
  assert.deepEqual(problems, []);
});

test('a small explanation on WebGPU through the automation API', async () => {
  const { page, problems } = await openPage(env.browser, `${env.appUrl}?backend=gpu`);
  await page.evaluate((s) => window.glassbox.load(s), lenet(100));
  assert.equal((await page.evaluate(() => window.glassbox.backend())).kind, 'webgpu');
  await page.evaluate(() => window.glassbox.step(3));
  const attr = await page.evaluate(async () => {
    const a = await window.glassbox.explain({ request: { method: 'integratedGradients', params: { steps: '8', target: 'true' } }, source: { indices: [0, 1] } });
    return { shape: a.shape, n: a.maps.length, nonZero: a.maps.some((v) => v !== 0), finite: a.maps.every(Number.isFinite), gap: Array.from(a.completenessGap), targets: a.targets };
  });
  assert.deepEqual(attr.shape, [1, 28, 28]);
  assert.equal(attr.n, 2 * 784);
  assert.ok(attr.nonZero && attr.finite);
  assert.equal(attr.gap.length, 2);
  assert.equal(attr.targets.length, 2);
  assert.deepEqual(problems, []);
});
