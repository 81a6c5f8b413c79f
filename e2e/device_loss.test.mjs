// End-to-end GPU faults: the automation API's loseDevice() destroys the WebGPU device
// inside the worker; the page says so, the badge switches to the CPU, and training
// continues on the CPU from the last weights synced to the host.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, openPage, screenshot, until } from './browser.mjs';

let env;
before(async () => {
  env = await launch();
});
after(async () => {
  await env?.close();
});

const bannerText = (page) => page.textContent('#banner-text');

test('a lost device while paused resumes on the CPU at exactly the synced step', async () => {
  const { page, problems } = await openPage(env.browser, `${env.appUrl}?backend=gpu&weightSync=1`);
  assert.equal((await page.evaluate(() => window.glassbox.backend())).kind, 'webgpu');
  await page.evaluate(() => window.glassbox.play());
  await until(page, async () => (await window.glassbox.metrics()).weightsSyncedAtStep > 0, null, { timeout: 30000 });
  await page.evaluate(() => window.glassbox.pause());
  // Steps after the sync are the work a lost device costs.
  const before = await page.evaluate(() => window.glassbox.step(7));
  const synced = before.weightsSyncedAtStep;
  assert.ok(before.step >= synced + 7, `step ${before.step}, synced at ${synced}`);

  const { fault } = await page.evaluate(() => window.glassbox.loseDevice());
  console.log(`# fault: ${fault}; synced at step ${synced}, lost at step ${before.step}`);
  assert.match(fault, /lost|failed/);
  const message = await bannerText(page);
  console.log(`# banner: ${message}`);
  assert.match(message, new RegExp(`WebGPU stopped working .*CPU from the weights saved at step ${synced}\\b`));
  const backend = await page.evaluate(() => window.glassbox.backend());
  assert.equal(backend.kind, 'cpu');
  assert.match(await page.textContent('#backend-badge'), /^CPU: WebGPU failed/);
  const after = await page.evaluate(() => window.glassbox.metrics());
  assert.equal(after.step, synced, 'the CPU run starts from the synced step');
  assert.ok(Number.isFinite(after.trainLoss));

  const later = await page.evaluate(() => window.glassbox.step(50));
  assert.equal(later.step, synced + 50);
  assert.ok(Number.isFinite(later.trainLoss) && later.divergence == null, JSON.stringify(later));
  await screenshot(page, 'device-lost');
  assert.deepEqual(problems, []);
});

test('a lost device while playing keeps training on the CPU', async () => {
  const { page, problems } = await openPage(env.browser, `${env.appUrl}?backend=gpu&weightSync=1`);
  await page.evaluate(() => window.glassbox.play());
  await until(page, async () => (await window.glassbox.metrics()).weightsSyncedAtStep > 0, null, { timeout: 30000 });
  const lostAt = (await page.evaluate(() => window.glassbox.metrics())).step;
  await page.evaluate(() => window.glassbox.loseDevice());
  await page.waitForFunction(() => /^CPU/.test(document.querySelector('#backend-badge').textContent), null, { timeout: 10000 });
  const message = await bannerText(page);
  const resumed = Number(/weights saved at step (\d+)/.exec(message)?.[1]);
  assert.ok(resumed > 0 && resumed <= lostAt + 5000, `resumed at ${resumed}, lost near ${lostAt}: ${message}`);
  assert.equal(await page.getAttribute('#play', 'aria-pressed'), 'true', 'still playing');
  const first = await page.evaluate(() => window.glassbox.metrics());
  await until(page, async (s) => (await window.glassbox.metrics()).step > s + 100, first.step, { timeout: 10000 });
  await page.evaluate(() => window.glassbox.pause());
  const last = await page.evaluate(() => window.glassbox.metrics());
  console.log(`# playing: lost near step ${lostAt}, resumed at ${resumed}, trained on to ${last.step}`);
  assert.ok(Number.isFinite(last.trainLoss) && last.divergence == null);
  assert.equal((await page.evaluate(() => window.glassbox.backend())).kind, 'cpu');
  assert.deepEqual(problems, []);
});
