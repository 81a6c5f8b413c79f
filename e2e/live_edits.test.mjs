// End-to-end: live edits through the automation API (a learning-rate change and a weight
// edit while the run is under way) are recorded in the link, and a fresh page replays
// them to the same losses; a link with the trained weights opens the same network.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, openPage } from './browser.mjs';

let env;
before(async () => {
  env = await launch();
});
after(async () => {
  await env?.close();
});

const STEPS_PER_EPOCH = 25; // 250 training points, batch 10
const boundaryPixels = (page) => page.evaluate(() => document.querySelector('#boundary canvas, canvas#boundary')?.toDataURL());

test('a run edited while it trains replays from its link to identical losses in a fresh page', async () => {
  const url = `${env.appUrl}?backend=cpu`;
  const { page, problems } = await openPage(env.browser, url);
  await page.evaluate((n) => window.glassbox.step(n), 37);
  const spec = await page.evaluate(() => window.glassbox.spec());
  const updated = await page.evaluate(
    (s) => window.glassbox.update({ ...s, training: { ...s.training, learningRate: 0.1 } }),
    spec,
  );
  assert.equal(updated.rebuilt, false);
  assert.equal(updated.spec.training.learningRate, 0.1, 'the spec shows the options in force');
  assert.deepEqual(updated.spec.events.map((e) => e.step), [0, 37]);
  assert.equal((await page.evaluate(() => window.glassbox.metrics())).step, 37, 'the run goes on');

  await page.evaluate((n) => window.glassbox.step(n), 13);
  const before = await boundaryPixels(page);
  const edited = await page.evaluate(() => window.glassbox.setWeight({ layer: 0, from: 1, to: 2, value: 4 }));
  assert.deepEqual(edited.spec.events.at(-1), { step: 50, weight: { layer: 0, from: 1, to: 2, value: 4 } });
  const network = await page.evaluate(() => window.glassbox.network());
  assert.deepEqual(network.inputs, ['x1', 'x2']);
  assert.deepEqual(network.layers.map((l) => [l.units, l.activation]), [[8, 'tanh'], [8, 'tanh'], [2, 'linear']]);
  assert.equal(network.layers[0].weights[1][2], 4);
  await page.waitForFunction((b) => document.querySelector('#boundary canvas, canvas#boundary')?.toDataURL() !== b, before);

  await page.evaluate((n) => window.glassbox.step(n), 10 * STEPS_PER_EPOCH - 50);
  const losses = (await page.evaluate(() => window.glassbox.history())).trainLoss.slice(0, 11);
  assert.equal(losses.length, 11);
  const views = await page.evaluate(() => window.glassbox.setViews({ neurons: true, neuronResolution: 16, regions: true, confusion: true }));
  assert.deepEqual(views, { neurons: true, neuronResolution: 16, regions: true, confusion: true });
  await assert.rejects(page.evaluate(() => window.glassbox.setViews({ neuronResolution: 0 })), /neuronResolution/);
  await assert.rejects(page.evaluate(() => window.glassbox.setWeight({ layer: 7, from: 0, to: 0, value: 1 })), /layer must be below/);

  const link = await page.evaluate(() => window.glassbox.link());
  const fresh = await openPage(env.browser, url + link);
  await fresh.page.evaluate((n) => window.glassbox.step(n), 10 * STEPS_PER_EPOCH);
  assert.deepEqual(await fresh.page.evaluate(() => window.glassbox.spec()), edited.spec);
  const again = (await fresh.page.evaluate(() => window.glassbox.history())).trainLoss.slice(0, 11);
  assert.deepEqual(again, losses, 'the link replays the edits at their steps, bit for bit');

  // The trained network travels in a link of its own.
  const { fragment, bytes } = await page.evaluate(() => window.glassbox.linkWithWeights());
  assert.equal(bytes, fragment.length);
  const trained = await openPage(env.browser, `${url}#${fragment}`);
  assert.equal((await trained.page.evaluate(() => window.glassbox.metrics())).step, 10 * STEPS_PER_EPOCH);
  assert.deepEqual(await trained.page.evaluate(() => window.glassbox.network()), await page.evaluate(() => window.glassbox.network()));

  // A model change rebuilds: a fresh run of the new shape.
  const rebuilt = await page.evaluate((s) => window.glassbox.update({ ...s, model: { ...s.model, hidden: [4] } }), edited.spec);
  assert.equal(rebuilt.rebuilt, true);
  assert.deepEqual(rebuilt.spec.events ?? [], []);
  assert.equal((await page.evaluate(() => window.glassbox.metrics())).step, 0);
  assert.deepEqual([...problems, ...fresh.problems, ...trained.problems], []);
});
