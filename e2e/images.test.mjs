// End-to-end, the image track: LeNet-like on synthetic digits reaches 95% test accuracy
// on the CPU backend and its views fill in; draw-a-digit classifies a stroke; WebGPU
// follows the CPU losses for three steps; a decoy opens a train/test gap; a generated
// IDX upload trains, and a corrupt one is refused with the reason while the run stays.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { launch, openPage, screenshot } from './browser.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const example = (name) => JSON.parse(fs.readFileSync(path.join(here, '..', 'examples', name), 'utf8'));

let env;
before(async () => {
  env = await launch();
});
after(async () => {
  await env?.close();
});

// Trains until `done(metrics)` or `maxEpochs`, one epoch per step call; returns the
// metrics and the seconds each epoch took.
async function trainEpochs(page, stepsPerEpoch, maxEpochs, done = () => false) {
  const seconds = [];
  let metrics;
  for (let e = 0; e < maxEpochs; e += 1) {
    const t0 = Date.now();
    metrics = await page.evaluate((n) => window.glassbox.step(n), stepsPerEpoch);
    seconds.push((Date.now() - t0) / 1000);
    if (done(metrics)) break;
  }
  return { metrics, seconds };
}

const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;

test('LeNet-like on synthetic digits reaches 95% test accuracy on the CPU; the views and draw-a-digit work', async () => {
  const { page, problems } = await openPage(env.browser, env.appUrl);
  const spec = example('digits-lenet.json');
  await page.evaluate((s) => window.glassbox.load(s), spec);
  assert.equal((await page.evaluate(() => window.glassbox.backend())).kind, 'cpu');
  assert.equal(await page.isVisible('#image-view'), true);
  assert.equal(await page.isHidden('#boundary'), true);
  // The stack editor shows the engine's shapes for every layer.
  await page.waitForFunction(() => document.querySelector('.image-stack .stack li .shape')?.textContent.includes('6×28×28'));
  // An impossible stack is explained with the engine's message and its row marked.
  const kernel = page.locator('.image-stack .stack li').nth(3).locator('[aria-label="kernel"]');
  await kernel.fill('15');
  await kernel.press('Tab');
  await page.waitForSelector('.stack-error:not([hidden])');
  const explained = await page.textContent('.stack-error');
  console.log(`# stack editor: ${explained}`);
  assert.match(explained, /model\.layers\[3\]/);
  assert.equal(await page.locator('.image-stack .stack li.bad').count(), 1);
  await kernel.fill('5');
  await kernel.press('Tab');
  await page.waitForSelector('.stack-error[hidden]', { state: 'attached' });

  const stepsPerEpoch = Math.ceil((spec.dataset.points * spec.dataset.trainFraction) / spec.training.batchSize);
  const { metrics, seconds } = await trainEpochs(page, stepsPerEpoch, 8, (m) => m.testAcc >= 0.95);
  console.log(`# digits LeNet (CPU, wasm): test ${(metrics.testAcc * 100).toFixed(1)}%, train ${(metrics.trainAcc * 100).toFixed(1)}% after ${metrics.epoch} epochs of ${stepsPerEpoch} steps; ${mean(seconds).toFixed(2)} s/epoch (${seconds.map((s) => s.toFixed(1)).join(', ')})`);
  assert.ok(metrics.testAcc >= 0.95, `test accuracy ${metrics.testAcc} after ${metrics.epoch} epochs`);

  // Views: the grid, the confusion matrix with per-class accuracy, the filters.
  await page.waitForFunction((epoch) => document.querySelector('#image-view').dataset.refreshed === String(epoch), metrics.epoch);
  const cells = await page.$$eval('.confusion tbody tr', (rows) => rows.map((r) => [...r.querySelectorAll('td')].slice(0, -1).map((td) => Number(td.textContent))));
  assert.equal(cells.length, 10);
  const total = cells.flat().reduce((a, b) => a + b, 0);
  const diagonal = cells.reduce((a, row, i) => a + row[i], 0);
  assert.equal(total, spec.dataset.points - spec.dataset.points * spec.dataset.trainFraction);
  assert.ok(Math.abs(diagonal / total - metrics.testAcc) < 1e-6, `confusion diagonal ${diagonal}/${total} vs test accuracy ${metrics.testAcc}`);
  assert.equal(await page.locator('.image-layers .filters figure').count(), 6);
  await page.selectOption('.image-samples .which', 'incorrect');
  const wrong = await page.locator('.image-samples .sample').count();
  assert.equal(wrong, await page.locator('.image-samples .sample.wrong').count());
  await page.selectOption('.image-samples .which', 'all');
  await page.focus('.image-samples .sample');
  await page.keyboard.press('Enter');
  await page.waitForSelector('.map-layer');
  assert.equal(await page.locator('.map-layer').count(), 2, 'both conv layers show maps');
  await screenshot(page, 'images-digits-trained');

  // Draw a "1": one vertical stroke down the middle of the pad.
  await page.locator('.pad').scrollIntoViewIfNeeded();
  const pad = await page.locator('.pad').boundingBox();
  await page.mouse.move(pad.x + pad.width * 0.5, pad.y + pad.height * 0.18);
  await page.mouse.down();
  for (let t = 0.18; t <= 0.82; t += 0.04) await page.mouse.move(pad.x + pad.width * 0.5, pad.y + pad.height * t);
  await page.mouse.up();
  await page.waitForFunction(() => document.querySelector('.guess')?.dataset.predicted !== undefined);
  const guess = await page.textContent('.guess');
  console.log(`# draw-a-digit: a vertical stroke ${guess}`);
  assert.equal(await page.getAttribute('.guess', 'data-predicted'), '1', guess);
  assert.equal(await page.locator('.probs li').count(), 10);
  await screenshot(page, 'images-draw');
  assert.deepEqual(problems, []);
});

test('on WebGPU a 3-step LeNet run follows the CPU losses', async () => {
  // One step per epoch (40 training images, batch 40), so every step is a history row.
  const spec = example('digits-lenet.json');
  spec.dataset.points = 80;
  spec.dataset.trainFraction = 0.5;
  spec.training.batchSize = 40;
  const run = async (query) => {
    const { page, problems } = await openPage(env.browser, `${env.appUrl}${query}`);
    await page.evaluate((s) => window.glassbox.load(s), spec);
    const t0 = Date.now();
    await page.evaluate(() => window.glassbox.step(3));
    const seconds = (Date.now() - t0) / 1000;
    const history = await page.evaluate(() => window.glassbox.history());
    const backend = await page.evaluate(() => window.glassbox.backend());
    await page.close();
    return { history, seconds, backend, problems };
  };
  const gpu = await run('?backend=gpu');
  const cpu = await run('?backend=cpu');
  assert.equal(gpu.backend.kind, 'webgpu', JSON.stringify(gpu.backend));
  assert.equal(gpu.history.epoch.length, 4);
  let worst = 0;
  for (let i = 0; i < 4; i += 1) {
    for (const key of ['trainLoss', 'testLoss']) {
      const gap = Math.abs(gpu.history[key][i] - cpu.history[key][i]) / Math.abs(cpu.history[key][i]);
      worst = Math.max(worst, gap);
    }
  }
  console.log(`# LeNet 3 steps of 40 images: WebGPU (SwiftShader) ${(gpu.seconds / 3).toFixed(2)} s/step, CPU ${(cpu.seconds / 3).toFixed(3)} s/step; losses ${cpu.history.trainLoss.map((v) => v.toFixed(4)).join(' → ')}; max relative gap ${worst.toExponential(2)}`);
  assert.ok(cpu.history.trainLoss[3] < cpu.history.trainLoss[0], 'three steps lower the loss');
  assert.ok(worst < 1e-3, `GPU and CPU losses differ by ${worst}`);
  assert.deepEqual([...gpu.problems, ...cpu.problems], []);
});

test('a fully correlated decoy shows its train/test gap in the page', async () => {
  const { page, problems } = await openPage(env.browser, env.appUrl);
  const spec = example('shapes-cnn.json');
  spec.dataset = { ...spec.dataset, points: 1000, trainFraction: 0.6, imageSize: 16, decoy: { kind: 'frame', correlation: 1 } };
  spec.model.layers = [
    { type: 'conv2d', filters: 6, kernel: 3 }, { type: 'activation', function: 'relu' }, { type: 'pool', op: 'max', size: 2 },
    { type: 'conv2d', filters: 8, kernel: 3 }, { type: 'activation', function: 'relu' }, { type: 'pool', op: 'max', size: 2 },
    { type: 'flatten' }, { type: 'dense', units: 4 },
  ];
  spec.training.learningRate = 0.01;
  await page.evaluate((s) => window.glassbox.load(s), spec);
  // The dataset picker shows the decoy.
  assert.equal(await page.inputValue('.dataset-form [data-k="decoy"]'), 'frame');
  const { metrics } = await trainEpochs(page, Math.ceil(600 / spec.training.batchSize), 8);
  const gap = metrics.trainAcc - metrics.testAcc;
  console.log(`# frame decoy, correlation 1: train ${(metrics.trainAcc * 100).toFixed(1)}%, test ${(metrics.testAcc * 100).toFixed(1)}% (decoy absent), gap ${(gap * 100).toFixed(1)} points after ${metrics.epoch} epochs`);
  assert.ok(gap >= 0.3, `gap ${gap}`);
  await page.waitForFunction((epoch) => document.querySelector('#image-view').dataset.refreshed === String(epoch), metrics.epoch);
  // While playing, the progress bar gives the epoch time and the ETA.
  await page.click('#play');
  await page.waitForFunction(() => /s\/epoch · ETA/.test(document.querySelector('.image-progress .eta').textContent));
  console.log(`# progress while playing: ${await page.textContent('.image-progress .eta')}`);
  await page.click('#play');
  await screenshot(page, 'images-decoy');
  assert.deepEqual(problems, []);
});

// An IDX pair of `n` 28×28 images: class k is a bright horizontal bar at row 2k + 4.
function idxFiles(n) {
  const images = Buffer.alloc(16 + n * 784);
  images.writeUInt32BE(0x803, 0);
  images.writeUInt32BE(n, 4);
  images.writeUInt32BE(28, 8);
  images.writeUInt32BE(28, 12);
  const labels = Buffer.alloc(8 + n);
  labels.writeUInt32BE(0x801, 0);
  labels.writeUInt32BE(n, 4);
  for (let i = 0; i < n; i += 1) {
    const k = i % 10;
    const row = 2 * k + 4;
    for (let c = 4 + (i % 3); c < 24 - (i % 4); c += 1) images[16 + i * 784 + row * 28 + c] = 255;
    labels[8 + i] = k;
  }
  return { images, labels };
}

test('a generated IDX upload trains; a corrupt one is refused with the reason and the run stays', async () => {
  const { page, problems } = await openPage(env.browser, env.appUrl);
  const spec = example('digits-lenet.json');
  spec.dataset.points = 200;
  await page.evaluate((s) => window.glassbox.load(s), spec);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'glassbox-idx-'));
  const { images, labels } = idxFiles(300);
  const imagesPath = path.join(dir, 'train-images-idx3-ubyte');
  const labelsPath = path.join(dir, 'train-labels-idx1-ubyte');
  fs.writeFileSync(imagesPath, images);
  fs.writeFileSync(labelsPath, labels);

  await page.setInputFiles('.image-data input.files', [imagesPath, labelsPath]);
  await page.waitForFunction(() => /Loaded/.test(document.querySelector('.upload-status').textContent));
  const uploaded = await page.evaluate(() => window.glassbox.spec());
  assert.equal(uploaded.dataset.kind, 'upload');
  assert.deepEqual(uploaded.dataset.upload.files.map((f) => [f.name, f.bytes]), [['train-images-idx3-ubyte', images.length], ['train-labels-idx1-ubyte', labels.length]]);
  const { metrics } = await trainEpochs(page, Math.ceil(240 / spec.training.batchSize), 6, (m) => m.testAcc >= 0.9);
  console.log(`# uploaded IDX (300 bars): train ${(metrics.trainAcc * 100).toFixed(1)}%, test ${(metrics.testAcc * 100).toFixed(1)}% after ${metrics.epoch} epochs`);
  assert.ok(metrics.testAcc >= 0.9, `test accuracy ${metrics.testAcc}`);

  // A link to it asks for the files instead of opening something else.
  const link = await page.evaluate(() => window.glassbox.link());
  const reopened = await openPage(env.browser, `${env.appUrl}${link}`);
  await reopened.page.waitForFunction(() => /Drop the same files/.test(document.querySelector('.upload-status').textContent));
  assert.match(await reopened.page.textContent('.upload-status'), /train-images-idx3-ubyte \(235,216 bytes\)/);
  await reopened.page.close();

  // A truncated images file: a clear error, nothing changes.
  const corruptPath = path.join(dir, 'bad-images-idx3-ubyte');
  fs.writeFileSync(corruptPath, images.subarray(0, 5000));
  await page.setInputFiles('.image-data input.files', [corruptPath, labelsPath]);
  await page.waitForFunction(() => /could not be used/.test(document.querySelector('#banner-text').textContent));
  const message = await page.textContent('#banner-text');
  console.log(`# corrupt IDX: ${message}`);
  assert.match(message, /idx|IDX|images/);
  assert.match(message, /unchanged/);
  const kept = await page.evaluate(() => window.glassbox.metrics());
  assert.equal(kept.step, metrics.step);
  assert.deepEqual((await page.evaluate(() => window.glassbox.spec())).dataset, uploaded.dataset);
  await screenshot(page, 'images-upload-error');
  fs.rmSync(dir, { recursive: true });
  assert.deepEqual(problems, []);
});
