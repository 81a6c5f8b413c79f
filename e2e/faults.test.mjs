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
