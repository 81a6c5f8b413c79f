// End-to-end training faults: a run whose loss stops being finite pauses, says where it
// went wrong, and rolls back to healthy weights with a lower learning rate from the
// banner's button; the page keeps working throughout.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, openPage, screenshot } from './browser.mjs';

let env;
before(async () => {
  env = await launch();
});
after(async () => {
  await env?.close();
});

test('a diverging run pauses, names the layer, and rolls back from the banner', async () => {
  const { page, problems } = await openPage(env.browser, env.appUrl);
  const spec = await page.evaluate(() => window.glassbox.spec());
  await page.evaluate((s) => window.glassbox.load({
    ...s,
    model: { ...s.model, activation: 'relu' },
    training: { ...s.training, loss: 'mse', learningRate: 10 },
  }), spec);
  const saved = (await page.evaluate(() => window.glassbox.metrics())).weightsSyncedAtStep;
  assert.equal(saved, 0, 'the initial weights are the first rollback point');

  await page.click('#play');
  await page.waitForFunction(() => /Training diverged/.test(document.querySelector('#banner-text').textContent), null, { timeout: 30000 });
  const message = await page.textContent('#banner-text');
  console.log(`# banner: ${message}`);
  assert.match(message, /layer \d+ \(dense\)/);
  assert.equal(await page.getAttribute('#play', 'aria-pressed'), 'false', 'training paused');
  const diverged = await page.evaluate(() => window.glassbox.metrics());
  assert.ok(diverged.divergence);
  assert.ok(!Number.isFinite(diverged.trainLoss));
  assert.equal(diverged.divergence.rollbackLearningRate, 1);
  await screenshot(page, 'diverged');

  assert.match(await page.textContent('#banner-action'), /Roll back to step \d+ with learning rate 1/);
  await page.click('#banner-action');
  await page.waitForFunction(() => /Rolled back/.test(document.querySelector('#banner-text').textContent));
  const after = await page.evaluate(() => window.glassbox.metrics());
  assert.equal(after.divergence, null);
  assert.ok(Number.isFinite(after.trainLoss));
  assert.equal((await page.evaluate(() => window.glassbox.spec())).training.learningRate, 1);
  assert.match(await page.evaluate(() => window.glassbox.link()), /^#v=1&s=/);
  // The page keeps training from the restored weights.
  const later = await page.evaluate(() => window.glassbox.step(25));
  assert.ok(later.step > after.step);
  assert.deepEqual(problems, []);
});

test('exploding activations raise a notice while training goes on', async () => {
  const { page, problems } = await openPage(env.browser, env.appUrl);
  const spec = await page.evaluate(() => window.glassbox.spec());
  await page.evaluate((s) => window.glassbox.load({ ...s, dataset: { ...s.dataset, features: ['x1', 'x2', 'x1Squared', 'x2Squared'] } }), spec);
  // The first hidden unit reads 1000·(x₁² + x₂²): tens of thousands on the outer spiral,
  // while tanh saturates and the loss stays finite.
  for (const from of [2, 3]) await page.evaluate((f) => window.glassbox.setWeight({ layer: 0, from: f, to: 0, value: 1000 }), from);
  await page.click('#play');
  await page.waitForFunction(() => /Activations are exploding/.test(document.querySelector('#banner-text').textContent), null, { timeout: 30000 });
  const message = await page.textContent('#banner-text');
  console.log(`# banner: ${message}`);
  assert.match(message, /layer 1 \(dense\) is [\d.e+]+ at step \d+ \(above 10000\)/);
  assert.equal(await page.getAttribute('#play', 'aria-pressed'), 'true', 'training goes on');
  const before = (await page.evaluate(() => window.glassbox.metrics())).step;
  await page.waitForFunction((b) => window.glassbox.metrics().then((m) => m.step > b), before);
  await page.click('#play');
  assert.equal((await page.evaluate(() => window.glassbox.metrics())).divergence, null);
  assert.deepEqual(problems, []);
});
