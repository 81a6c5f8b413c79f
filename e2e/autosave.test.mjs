// End-to-end autosave: a reload restores the experiment with its trained weights; a new
// tab without a link restores the latest save; two tabs keep their own experiments.
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

const withHidden = (page, hidden) => page.evaluate(async (h) => {
  const s = await window.glassbox.spec();
  return window.glassbox.load({ ...s, weights: undefined, model: { ...s.model, hidden: h } });
}, hidden);

test('a reload restores the trained experiment, and tabs keep their own', async () => {
  const first = await openPage(env.browser, env.appUrl);
  const { context } = first;
  await withHidden(first.page, [5, 3]);
  const trained = await first.page.evaluate(() => window.glassbox.step(300));
  const params = await first.page.evaluate(() => window.glassbox.exportModel());
  await first.page.evaluate(() => window.glassbox.autosave());

  await first.page.reload();
  await first.page.evaluate(() => window.glassbox.ready);
  await first.page.waitForFunction(() => /Restored your last experiment with its trained weights/.test(document.querySelector('#banner-text').textContent));
  assert.deepEqual((await first.page.evaluate(() => window.glassbox.spec())).model.hidden, [5, 3]);
  assert.equal((await first.page.evaluate(() => window.glassbox.metrics())).step, trained.step, 'training resumes where it was');
  assert.equal(await first.page.evaluate(() => window.glassbox.exportModel()), params, 'with the same weights');

  // A second tab opened without a link restores the latest save, then goes its own way.
  const second = await openPage(env.browser, env.appUrl, { context });
  assert.deepEqual((await second.page.evaluate(() => window.glassbox.spec())).model.hidden, [5, 3]);
  await withHidden(second.page, [4]);
  await second.page.evaluate(() => window.glassbox.autosave());
  await first.page.evaluate(() => window.glassbox.autosave());
  await first.page.reload();
  await first.page.evaluate(() => window.glassbox.ready);
  assert.deepEqual((await first.page.evaluate(() => window.glassbox.spec())).model.hidden, [5, 3], 'the first tab keeps its experiment');
  await second.page.reload();
  await second.page.evaluate(() => window.glassbox.ready);
  assert.deepEqual((await second.page.evaluate(() => window.glassbox.spec())).model.hidden, [4], 'and the second its own');
  assert.deepEqual(first.problems, []);
  assert.deepEqual(second.problems, []);
});
