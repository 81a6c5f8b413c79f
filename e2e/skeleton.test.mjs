// End-to-end: the page trains the spiral in its worker, shares a link that rebuilds
// the same run, survives a malformed link, and answers the automation API both on
// window.glassbox and over postMessage from an embedding page on another origin.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, openPage, screenshot, until } from './browser.mjs';
import { serve } from './server.mjs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

let env;
before(async () => {
  env = await launch();
});
after(async () => {
  await env?.close();
});

const STEPS_PER_EPOCH = 25; // 250 training points, batch 10

test('the spiral reaches 90% training accuracy within 3,000 epochs, and the page reports its speed', async () => {
  const { page, problems } = await openPage(env.browser, env.appUrl);
  const backend = await page.evaluate(() => window.glassbox.backend());
  assert.equal(backend.kind, 'cpu');
  assert.ok(backend.reason.length > 0);
  assert.match(await page.textContent('#backend-badge'), /CPU/);

  let metrics;
  for (let epoch = 100; epoch <= 3000; epoch += 100) {
    metrics = await page.evaluate((n) => window.glassbox.step(n), 100 * STEPS_PER_EPOCH);
    if (metrics.trainAcc >= 0.9) break;
  }
  console.log(`# spiral: train accuracy ${(metrics.trainAcc * 100).toFixed(1)}% at epoch ${metrics.epoch}, test ${(metrics.testAcc * 100).toFixed(1)}%`);
  assert.ok(metrics.trainAcc >= 0.9, `train accuracy ${metrics.trainAcc} after ${metrics.epoch} epochs`);

  // Free-running speed through the Play button, measured over two seconds.
  await page.evaluate(() => window.glassbox.reset());
  const start = await page.evaluate(() => window.glassbox.metrics());
  await page.click('#play');
  const t0 = Date.now();
  await page.waitForTimeout(2000);
  await page.click('#play');
  const end = await page.evaluate(() => window.glassbox.metrics());
  const rate = (end.epoch - start.epoch) / ((Date.now() - t0) / 1000);
  console.log(`# spiral: ${rate.toFixed(0)} epochs/s while playing (UI shows ${await page.textContent('#speed')})`);
  assert.ok(end.epoch > start.epoch, 'Play trains');
  assert.notEqual(await page.textContent('#speed'), '–');
  await screenshot(page, 'spiral-trained');
  assert.deepEqual(problems, []);
});

test('a copied link opens the same experiment and the same first 50 losses in a fresh page', async () => {
  const context = await env.browser.newContext({ permissions: ['clipboard-read', 'clipboard-write'] });
  const { page, problems } = await openPage(env.browser, env.appUrl, { context });
  // Change the experiment through the UI, so the link carries a non-default spec.
  await page.selectOption('#learning-rate', '0.1');
  await page.fill('#l2', '0.002');
  await page.press('#l2', 'Enter');
  await until(page, async () => (await window.glassbox.spec()).training.l2 === 0.002);
  await page.evaluate((n) => window.glassbox.step(n), 50 * STEPS_PER_EPOCH);
  const spec = await page.evaluate(() => window.glassbox.spec());
  assert.equal(spec.training.learningRate, 0.1);
  const losses = (await page.evaluate(() => window.glassbox.history())).trainLoss.slice(0, 51);
  assert.equal(losses.length, 51);

  await page.click('#copy-link');
  const link = await page.evaluate(() => navigator.clipboard.readText());
  assert.equal(link, page.url());
  assert.equal(new URL(link).hash, await page.evaluate(() => window.glassbox.link()));

  const fresh = await openPage(env.browser, link);
  await fresh.page.evaluate((n) => window.glassbox.step(n), 50 * STEPS_PER_EPOCH);
  assert.deepEqual(await fresh.page.evaluate(() => window.glassbox.spec()), spec);
  const again = (await fresh.page.evaluate(() => window.glassbox.history())).trainLoss.slice(0, 51);
  assert.deepEqual(again, losses, 'the same link gives the same losses, bit for bit');
  assert.deepEqual([...problems, ...fresh.problems], []);
  await context.close();
});

test('a malformed link shows a clear message and the default experiment still works', async () => {
  const { page, problems } = await openPage(env.browser, `${env.appUrl}#v=1&s=not-a-real-payload`);
  const message = await page.textContent('#banner-text');
  assert.match(message, /could not be opened/);
  assert.match(message, /corrupt|base64|cut off/);
  assert.ok(await page.isVisible('#banner'));
  const spec = await page.evaluate(() => window.glassbox.spec());
  assert.equal(spec.dataset.kind, 'spiral');
  const before = await page.evaluate(() => window.glassbox.metrics());
  const after = await page.evaluate(() => window.glassbox.step(250));
  assert.ok(after.trainLoss < before.trainLoss);
  // The fragment now holds the experiment actually shown.
  assert.equal(new URL(page.url()).hash, await page.evaluate(() => window.glassbox.link()));

  // A bad link pasted later keeps the current experiment.
  await page.evaluate(() => window.glassbox.load({ training: {} }).catch((e) => e.message));
  await page.evaluate(() => { location.hash = 'v=9&s=abc'; });
  await page.waitForFunction(() => /format version/.test(document.querySelector('#banner-text').textContent));
  // An experiment on the user's files cannot open without them: it asks, the run stays.
  const upload = { format: 'csv', files: [{ name: 'table.csv', bytes: 10, hash: '0123456789abcdef' }], features: 2, classes: 2 };
  const waiting = await page.evaluate(([s, u]) => window.glassbox.load({ ...s, dataset: { kind: 'upload', points: 100, trainFraction: 0.5, noise: 0, seed: 1, upload: u } }), [spec, upload]);
  assert.equal(waiting.dataset.kind, spec.dataset.kind);
  await page.waitForFunction(() => /your own files/.test(document.querySelector('#banner-text').textContent));
  const kept = await page.evaluate(() => window.glassbox.metrics());
  assert.equal(kept.step, after.step);
  assert.deepEqual(problems, []);
});

test('the automation API answers over postMessage from an embedding page', async () => {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const host = await serve(path.join(here, 'fixtures'), '/');
  try {
    const { page, problems } = await openPage(env.browser, `${host.url}embed.html?app=${encodeURIComponent(env.appUrl)}`);
    await page.evaluate(() => window.call('ready'));
    const spec = await page.evaluate(() => window.call('spec'));
    assert.deepEqual(spec.model.hidden, [8, 8]);
    const m = await page.evaluate(() => window.call('step', [50]));
    assert.equal(m.step, 50);
    const link = await page.evaluate(() => window.call('link'));
    assert.match(link, /^#v=1&s=[A-Za-z0-9_-]+&engine=/);
    const err = await page.evaluate(() => window.call('load', ['#v=1&s=%%']).catch((e) => e.message));
    assert.match(err, /base64url/);
    const bad = await page.evaluate(() => window.call('eval', ['1']).catch((e) => e.message));
    assert.match(bad, /Unknown method/);
    assert.deepEqual(problems, []);
  } finally {
    await host.close();
  }
});

test('the settings form sets activation, optimiser and loss, and the link carries them', async () => {
  const { page, problems } = await openPage(env.browser, env.appUrl);
  await page.selectOption('#activation', 'relu');
  await until(page, async () => (await window.glassbox.spec()).model.activation === 'relu');
  await page.selectOption('#optimizer', 'adam');
  await until(page, async () => (await window.glassbox.spec()).training.optimizer === 'adam');
  await page.selectOption('#loss', 'focal');
  await until(page, async () => (await window.glassbox.spec()).training.loss === 'focal');
  const before = await page.evaluate(() => window.glassbox.metrics());
  const after = await page.evaluate(() => window.glassbox.step(250));
  assert.ok(after.trainLoss < before.trainLoss, `${before.trainLoss} → ${after.trainLoss}`);
  const fresh = await openPage(env.browser, page.url());
  const spec = await fresh.page.evaluate(() => window.glassbox.spec());
  assert.deepEqual([spec.model.activation, spec.training.optimizer, spec.training.loss], ['relu', 'adam', 'focal']);
  assert.equal(await fresh.page.inputValue('#optimizer'), 'adam');
  // A gate with too many units is refused with the reason, and the experiment stays.
  await page.selectOption('#activation', 'andAil');
  await until(page, async () => (await window.glassbox.spec()).model.activation === 'andAil');
  await page.fill('#units-1', '40');
  await page.press('#units-1', 'Enter');
  await page.waitForFunction(() => /halves/.test(document.querySelector('#banner-text').textContent));
  assert.deepEqual((await page.evaluate(() => window.glassbox.spec())).model.hidden, [8, 8]);
  assert.equal(await page.inputValue('#units-1'), '8');
  assert.deepEqual([...problems, ...fresh.problems], []);
});

test('every dataset trains to a sensible accuracy', async () => {
  const { page, problems } = await openPage(env.browser, env.appUrl);
  for (const [kind, target] of [['circle', 0.9], ['xor', 0.9], ['gauss', 0.9]]) {
    await page.evaluate((k) => window.glassbox.spec().then((s) => window.glassbox.load({ ...s, dataset: { ...s.dataset, kind: k } })), kind);
    const m = await page.evaluate((n) => window.glassbox.step(n), 200 * STEPS_PER_EPOCH);
    console.log(`# ${kind}: train ${(m.trainAcc * 100).toFixed(1)}%, test ${(m.testAcc * 100).toFixed(1)}% after 200 epochs`);
    assert.ok(m.testAcc >= target, `${kind}: test accuracy ${m.testAcc}`);
  }
  assert.deepEqual(problems, []);
});

test('the run controls work from the keyboard', async () => {
  const { page, problems } = await openPage(env.browser, env.appUrl);
  await page.focus('#step');
  await page.keyboard.press('Enter');
  await until(page, async () => (await window.glassbox.metrics()).epoch === 1);
  await page.locator('body').click({ position: { x: 5, y: 300 } });
  await page.keyboard.press(' ');
  await until(page, async () => (await window.glassbox.metrics()).epoch > 20);
  await page.keyboard.press(' ');
  await page.waitForFunction(() => document.querySelector('#play').getAttribute('aria-pressed') === 'false');
  await page.keyboard.press('r');
  await until(page, async () => (await window.glassbox.metrics()).step === 0);
  assert.deepEqual(problems, []);
});
