// End-to-end: the playground's controls. Every control is reachable by Tab and operable
// by keys; option changes during play keep the run; embed mode hides chosen controls;
// a copied link (with or without weights) reopens the same run; every export produces a
// file; the tour shows once and reopens from "?".
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { launch, openPage, screenshot, until } from './browser.mjs';

let env;
before(async () => {
  env = await launch();
});
after(async () => {
  await env?.close();
});

const STEPS_PER_EPOCH = 25; // default spiral: 250 training points, batch 10
// A page whose visitor has already seen the tour.
async function returningVisitor(url = env.appUrl, permissions = []) {
  const context = await env.browser.newContext({ viewport: { width: 1440, height: 1000 }, permissions });
  return openPage(env.browser, url, { context });
}

const specNow = (page) => page.evaluate(() => window.glassbox.spec());
const hasMethod = (page, name) => page.evaluate((n) => typeof window.glassbox[n] === 'function', name);

test('every visible control is reached by Tab, and a select and a number are operated by keys', async () => {
  const { page, problems, context } = await returningVisitor();
  // Show the options that only apply to Adam, so they are walked too.
  await page.selectOption('#optimizer', 'adam');
  await until(page, async () => (await window.glassbox.spec()).training.optimizer === 'adam');
  // Each visible control gets a probe number (not every control of the page has an id).
  const controls = await page.evaluate(() =>
    [...document.querySelectorAll('button, input, select, [tabindex]')]
      .filter((e) => e.offsetParent !== null && !e.disabled && e.tabIndex >= 0 && !e.closest('dialog, #banner, #tour'))
      .map((e, i) => {
        e.dataset.tabProbe = String(i);
        return e.id || `${e.tagName.toLowerCase()} "${(e.textContent || e.title).trim().slice(0, 30)}"`;
      }));
  assert.ok(controls.length > 40, `${controls.length} controls`);
  const reached = new Set();
  await page.evaluate(() => document.activeElement.blur());
  for (let i = 0; i < controls.length * 2 && reached.size < controls.length; i++) {
    await page.keyboard.press('Tab');
    const probe = await page.evaluate(() => document.activeElement.dataset.tabProbe);
    if (probe !== undefined) reached.add(Number(probe));
  }
  // A control that was only shown while work ran (an explanation's Cancel on a slow
  // machine) may be gone again by the time Tab gets there; it does not count as missed.
  const stillVisible = await page.evaluate(() =>
    [...document.querySelectorAll('[data-tab-probe]')]
      .filter((e) => e.offsetParent !== null && !e.disabled)
      .map((e) => Number(e.dataset.tabProbe)));
  const missed = controls.filter((_, i) => !reached.has(i) && stillVisible.includes(i));
  assert.deepEqual(missed, [], 'controls Tab never reaches');

  // Every control carries help text.
  const untitled = await page.evaluate(() =>
    [...document.querySelectorAll('button, input, select')]
      .filter((e) => e.offsetParent !== null && !e.closest('#banner'))
      .filter((e) => !(e.title || e.getAttribute('aria-label') || e.closest('[title]')))
      .map((e) => e.id));
  assert.deepEqual(untitled, []);

  // A select by arrow key, a number by arrow key, a layer by its + button and Enter.
  await page.focus('#loss');
  await page.keyboard.press('ArrowDown');
  await until(page, async () => (await window.glassbox.spec()).training.loss === 'focal');
  await page.focus('#batch-size');
  await page.keyboard.press('ArrowUp');
  await until(page, async () => (await window.glassbox.spec()).training.batchSize === 11);
  await page.focus('#layers-add');
  await page.keyboard.press('Enter');
  await until(page, async () => (await window.glassbox.spec()).model.hidden.length === 3);
  await page.focus('#units-more-3');
  await page.keyboard.press('Space');
  await until(page, async () => (await window.glassbox.spec()).model.hidden[2] === 9);
  assert.equal(await page.evaluate(() => document.activeElement.id), 'units-more-3', 'focus stays on the button');
  await page.focus('#activation-3');
  await page.keyboard.press('ArrowDown');
  await until(page, async () => (await window.glassbox.spec()).model.activations?.[2] === 'relu');
  await page.focus('#residual');
  await page.keyboard.press('Space');
  await until(page, async () => (await window.glassbox.spec()).model.residual === true);

  // The page shortcuts: S steps one epoch, R resets.
  await page.evaluate(() => document.activeElement.blur());
  await page.keyboard.press('s');
  await page.waitForFunction(() => document.querySelector('#epoch').textContent === '1');
  await page.keyboard.press('r');
  await page.waitForFunction(() => document.querySelector('#epoch').textContent === '0');
  await screenshot(page, 'controls-keyboard');
  assert.deepEqual(problems, []);
  await context.close();
});

test('changing the learning rate while playing keeps the run going and lands in the link', async (t) => {
  const { page, problems, context } = await returningVisitor();
  if (!(await hasMethod(page, 'update'))) {
    t.skip('waits on the worker method update (pgapi)');
    return context.close();
  }
  await page.click('#play');
  await page.waitForFunction(() => Number(document.querySelector('#epoch').textContent) > 50);
  const before = Number(await page.textContent('#epoch'));
  await page.selectOption('#learning-rate', '0.1');
  await until(page, async () => (await window.glassbox.spec()).training.learningRate === 0.1);
  await page.waitForFunction((n) => Number(document.querySelector('#epoch').textContent) > n + 50, before);
  await page.click('#play');
  const history = await page.evaluate(() => window.glassbox.history());
  assert.equal(history.epoch[0], 0, 'the run was not restarted');
  const spec = await specNow(page);
  assert.equal(spec.training.learningRate, 0.1);
  const recorded = spec.events?.filter((e) => e.step > 0 && 'learningRate' in (e.training ?? {})) ?? [];
  assert.equal(recorded.length, 1, 'the change is recorded as an event');
  assert.equal(recorded[0].training.learningRate, 0.1);
  const link = await page.evaluate(() => window.glassbox.link());
  assert.equal(new URL(page.url()).hash, link);
  const fresh = await openPage(env.browser, page.url(), { context });
  assert.deepEqual(await specNow(fresh.page), spec);
  assert.deepEqual([...problems, ...fresh.problems], []);
  await context.close();
});

test('embed mode hides the chosen controls, and the checklist builds that link', async () => {
  const { page, problems, context } = await returningVisitor(env.appUrl, ['clipboard-read', 'clipboard-write']);
  await page.click('#embed-open');
  await page.check('#embed-hide-learning-rate');
  await page.check('#embed-hide-layers');
  await page.check('#embed-hide-play');
  const url = await page.inputValue('#embed-url');
  assert.match(url, /\?embed=1&hide=learning-rate,layers,play#v=/);
  await page.click('#embed-copy');
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), url);
  await page.keyboard.press('Escape');

  const embedded = await openPage(env.browser, url, { context: await env.browser.newContext(), firstVisit: true });
  const visible = (sel) => embedded.page.isVisible(sel);
  assert.equal(await visible('#learning-rate'), false);
  assert.equal(await visible('#layers-add'), false);
  assert.equal(await visible('#play'), false);
  assert.equal(await visible('#copy-link'), false, 'the share bar is the author\'s');
  assert.equal(await visible('#tour'), false, 'no tour in an embed');
  assert.equal(await visible('#optimizer'), true);
  assert.equal(await visible('#step'), true);
  assert.deepEqual(await specNow(embedded.page), await specNow(page));
  await screenshot(embedded.page, 'controls-embed');

  const unknown = await openPage(env.browser, `${env.appUrl}?embed=1&hide=nope,optimizer`, { context: await env.browser.newContext() });
  assert.match(await unknown.page.textContent('#banner-text'), /name no control: nope/);
  assert.equal(await unknown.page.isVisible('#optimizer'), false);
  assert.deepEqual([...problems, ...embedded.problems, ...unknown.problems], []);
  await context.close();
});

test('a copied link restores the identical spec and first 10 epochs of losses in a fresh page', async (t) => {
  const { page, problems, context } = await returningVisitor(env.appUrl, ['clipboard-read', 'clipboard-write']);
  // A non-default experiment, set through the controls.
  await page.selectOption('#optimizer', 'momentum');
  await until(page, async () => (await window.glassbox.spec()).training.optimizer === 'momentum');
  await page.fill('#momentum', '0.8');
  await page.press('#momentum', 'Enter');
  await page.selectOption('#schedule', 'step');
  await until(page, async () => (await window.glassbox.spec()).training.schedule?.kind === 'step');
  await page.fill('#l2', '0.001');
  await page.press('#l2', 'Enter');
  await page.fill('#dropout', '0.1');
  await page.press('#dropout', 'Enter');
  await page.selectOption('#init', 'criticality');
  await until(page, async () => (await window.glassbox.spec()).model.init?.kind === 'criticality');
  await page.fill('#crit-cw', '1.5');
  await page.press('#crit-cw', 'Enter');
  await page.click('#layers-add');
  await until(page, async () => {
    const s = await window.glassbox.spec();
    return s.model.hidden.length === 3 && s.model.init.cW === 1.5 && s.training.l2 === 0.001 && s.training.momentum === 0.8 && s.model.dropout > 0.09;
  });
  await page.evaluate((n) => window.glassbox.step(n), 10 * STEPS_PER_EPOCH);
  const spec = await specNow(page);
  const losses = (await page.evaluate(() => window.glassbox.history())).trainLoss.slice(0, 11);
  assert.equal(losses.length, 11);

  await page.click('#copy-link');
  const link = await page.evaluate(() => navigator.clipboard.readText());
  const fresh = await openPage(env.browser, link, { context });
  assert.deepEqual(await specNow(fresh.page), spec);
  for (const [id, value] of [['optimizer', 'momentum'], ['momentum', '0.8'], ['schedule', 'step'], ['crit-cw', '1.5'], ['units-3', '8']]) {
    assert.equal(await fresh.page.inputValue(`#${id}`), value, `#${id} shows the linked value`);
  }
  await fresh.page.evaluate((n) => window.glassbox.step(n), 10 * STEPS_PER_EPOCH);
  const again = (await fresh.page.evaluate(() => window.glassbox.history())).trainLoss.slice(0, 11);
  assert.deepEqual(again, losses, 'the same losses, bit for bit');
  assert.deepEqual([...problems, ...fresh.problems], []);

  if (!(await hasMethod(page, 'linkWithWeights'))) {
    t.diagnostic('the weights link waits on linkWithWeights (pgapi)');
    return context.close();
  }
  // With the trained weights: the fresh page starts where this one stopped.
  await page.check('#include-weights');
  await page.click('#copy-link');
  await page.waitForFunction(() => /opens the trained network/.test(document.querySelector('#banner-text').textContent));
  const trained = await openPage(env.browser, await page.evaluate(() => navigator.clipboard.readText()), { context });
  const [a, b] = await Promise.all([page, trained.page].map((p) => p.evaluate(() => window.glassbox.metrics())));
  assert.equal(b.trainLoss, a.trainLoss);
  await context.close();
});

// Every 2-D set the issue lists; sets this engine does not know yet (before the data2d
// branch) are named in the output and left out.
const DATASETS = ['spiral', 'circle', 'xor', 'gauss', 'moons', 'yinYang', 'checkerboard', 'blobs', 'plane', 'gaussRegression'];
const REGRESSION = new Set(['plane', 'gaussRegression']);

test('for each dataset, Copy link reopens the identical spec and first 10 epochs of losses', async (t) => {
  const { page, problems, context } = await returningVisitor(env.appUrl, ['clipboard-read', 'clipboard-write']);
  const base = await specNow(page);
  const tried = [];
  for (const kind of DATASETS) {
    const spec = structuredClone(base);
    spec.dataset.kind = kind;
    if (REGRESSION.has(kind)) spec.training.loss = 'mse';
    const refused = await page.evaluate((s) => window.glassbox.load(s).then(() => null, (e) => e.message), spec);
    if (refused) {
      assert.match(refused, /unknown variant/, `${kind} is refused only for being unknown`);
      t.diagnostic(`${kind}: not in this engine yet`);
      continue;
    }
    tried.push(kind);
    await page.evaluate((n) => window.glassbox.step(n), 10 * STEPS_PER_EPOCH);
    const losses = (await page.evaluate(() => window.glassbox.history())).trainLoss;
    await page.click('#copy-link');
    const fresh = await openPage(env.browser, await page.evaluate(() => navigator.clipboard.readText()), { context });
    assert.deepEqual(await specNow(fresh.page), await specNow(page), kind);
    await fresh.page.evaluate((n) => window.glassbox.step(n), 10 * STEPS_PER_EPOCH);
    assert.deepEqual((await fresh.page.evaluate(() => window.glassbox.history())).trainLoss, losses, kind);
    assert.deepEqual(fresh.problems, []);
    await fresh.page.close();
  }
  t.diagnostic(`round trips: ${tried.join(', ')}`);
  assert.ok(tried.length >= 4);
  assert.deepEqual(problems, []);
  await context.close();
});

test('exports: PNG of each view, curves CSV, model JSON save and load, long links as a file', async (t) => {
  const { page, problems, context } = await returningVisitor(env.appUrl, ['clipboard-read', 'clipboard-write']);
  await page.evaluate((n) => window.glassbox.step(n), 20 * STEPS_PER_EPOCH);
  const download = async (click) => {
    const [d] = await Promise.all([page.waitForEvent('download'), click()]);
    const file = await d.path();
    return { name: d.suggestedFilename(), bytes: fs.readFileSync(file) };
  };
  const views = await page.evaluate(() => [...document.querySelectorAll('[data-view]')].map((v) => v.dataset.view));
  assert.ok(views.includes('boundary') && views.includes('curves') && views.includes('confusion'));
  for (const view of views) {
    const png = await download(() => page.click(`#png-${view}`));
    assert.equal(png.name, `glassbox-${view}.png`);
    assert.deepEqual([...png.bytes.subarray(1, 4)], [0x50, 0x4e, 0x47], `${view} is a PNG`);
    assert.ok(png.bytes.length > 1000, `${view} PNG has content`);
  }
  const csv = await download(() => page.click('#export-csv'));
  const rows = csv.bytes.toString().trim().split('\n');
  assert.equal(rows[0], 'epoch,trainLoss,testLoss,trainAcc,testAcc');
  assert.equal(rows.length, 22, 'a header and one row per epoch 0..20');

  if (!(await hasMethod(page, 'linkWithWeights'))) t.diagnostic('model JSON and long links wait on exportModel/importModel/linkWithWeights (pgapi)');
  else {
    const model = await download(() => page.click('#save-model'));
    assert.ok(model.bytes.length > 100);
    JSON.parse(model.bytes.toString());
    // The loaded network draws the same boundary as the saved one (the loss readout
    // stays the last epoch's evaluation until training goes on).
    const picture = () => page.evaluate(() => new Promise((r) => requestAnimationFrame(() => r(document.querySelector('#boundary canvas, canvas#boundary').toDataURL()))));
    const trainedPicture = await picture();
    await page.evaluate(() => window.glassbox.reset());
    assert.notEqual(await picture(), trainedPicture);
    await page.setInputFiles('#load-model', { name: 'model.json', mimeType: 'application/json', buffer: model.bytes });
    await page.waitForFunction(() => /Loaded the model/.test(document.querySelector('#banner-text').textContent));
    await page.waitForFunction((want) => document.querySelector('#boundary canvas, canvas#boundary').toDataURL() === want, trainedPicture);

    // A wide net with weights makes a link far over 4 KB: the page offers a file instead.
    for (let i = 0; i < 3; i++) await page.click('#layers-add');
    for (let l = 1; l <= 5; l++) {
      await page.fill(`#units-${l}`, '64');
      await page.press(`#units-${l}`, 'Enter');
      await page.waitForFunction((n) => window.glassbox.spec().then((s) => s.model.hidden[n] === 64), l - 1);
    }
    await page.evaluate(() => window.glassbox.step(60));
    await page.check('#include-weights');
    await page.click('#copy-link');
    await page.waitForFunction(() => /too long to share/.test(document.querySelector('#banner-text').textContent));
    const file = await download(() => page.click('#banner-action'));
    assert.equal(file.name, 'glassbox-experiment.json');
    const fresh = await returningVisitor();
    await fresh.page.setInputFiles('#open-file', { name: file.name, mimeType: 'application/json', buffer: file.bytes });
    await fresh.page.waitForFunction(() => window.glassbox.spec().then((s) => s.model.hidden.length === 5));
    await fresh.page.waitForFunction((want) => document.querySelector('#boundary canvas, canvas#boundary').toDataURL() === want, await picture());
    await fresh.context.close();
  }
  assert.deepEqual(problems, []);
  await context.close();
});

test('bad values and bad files are refused with a message naming the problem, and the experiment stays', async () => {
  const { page, problems, context } = await returningVisitor();
  const spec = await specNow(page);
  // Out of the control's range: marked, never sent.
  await page.fill('#batch-size', '0');
  await page.press('#batch-size', 'Enter');
  assert.equal(await page.getAttribute('#batch-size', 'aria-invalid'), 'true');
  // In range but refused by the engine: the banner names the field, the form reverts.
  await page.fill('#batch-size', '300');
  await page.press('#batch-size', 'Enter');
  await page.waitForFunction(() => /training\.batchSize must be between 1 and the 250 training points/.test(document.querySelector('#banner-text').textContent));
  assert.equal(await page.inputValue('#batch-size'), '10');
  assert.equal(await page.getAttribute('#batch-size', 'aria-invalid'), null);
  // A broken model file and a broken experiment file.
  await page.setInputFiles('#load-model', { name: 'broken.json', mimeType: 'application/json', buffer: Buffer.from('{"format": "nope"') });
  await page.waitForFunction(() => /broken\.json could not be loaded: .+ The current model is unchanged/.test(document.querySelector('#banner-text').textContent));
  await page.setInputFiles('#open-file', { name: 'bad.json', mimeType: 'application/json', buffer: Buffer.from('{"glassbox": "experiment", "spec": {"dataset": 1}}') });
  await page.waitForFunction(() => /could not be opened: .*DatasetSpec/.test(document.querySelector('#banner-text').textContent));
  assert.deepEqual(await specNow(page), spec);
  assert.deepEqual(problems, []);
  await context.close();
});

test('the tour shows on a first visit, steps through, is remembered, and reopens from "?"', async () => {
  const context = await env.browser.newContext({ viewport: { width: 1440, height: 1000 } });
  const { page, problems } = await openPage(env.browser, env.appUrl, { context, firstVisit: true });
  assert.equal(await page.isVisible('#tour'), true);
  await screenshot(page, 'controls-tour');
  const titles = [];
  for (let i = 0; i < 5; i++) {
    titles.push(await page.textContent('#tour-title'));
    await page.click('#tour-next');
  }
  assert.equal(new Set(titles).size, 5);
  assert.equal(await page.isVisible('#tour'), false);
  await page.reload();
  await page.evaluate(() => window.glassbox.ready);
  assert.equal(await page.isVisible('#tour'), false, 'remembered');
  await page.focus('#tour-open');
  await page.keyboard.press('Enter');
  assert.equal(await page.isVisible('#tour'), true);
  await page.focus('#tour-next');
  await page.keyboard.press('Escape');
  assert.equal(await page.isVisible('#tour'), false);
  assert.deepEqual(problems, []);
  await context.close();
});
