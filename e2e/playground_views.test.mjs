// End-to-end: the playground's views. Every dataset kind trains to a sensible accuracy
// (screenshots of each), a weight edited in the network diagram changes the heatmap,
// drawing with the mouse adds points of the chosen class (and erasing removes them), a
// good CSV file becomes the data and a broken one is refused naming its line with the
// experiment kept, and clicking an input node switches that feature in the spec.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, openPage, screenshot, loadPatched, until } from './browser.mjs';

let env;
before(async () => {
  env = await launch();
});
after(async () => {
  await env?.close();
});

async function open() {
  const opened = await openPage(env.browser, env.appUrl);
  await opened.page.setViewportSize({ width: 1500, height: 1100 });
  return opened;
}

// The decision-boundary canvas as drawn on screen.
const boundaryImage = (page) => page.evaluate(() => document.querySelector('#boundary').toDataURL());

const afterFrames = (page) => page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));

const steps = async (page, epochs) => {
  const perEpoch = await page.evaluate(async () => {
    const s = await window.glassbox.spec();
    return Math.ceil(Math.round(s.dataset.points * s.dataset.trainFraction) / s.training.batchSize);
  });
  return page.evaluate((n) => window.glassbox.step(n), epochs * perEpoch);
};

const ADAM = { optimizer: 'adam', learningRate: 0.03 };
const KINDS = [
  // [kind, dataset patch, model patch, training patch, epochs, least test accuracy]
  ['circle', {}, {}, {}, 100, 0.95],
  ['xor', {}, {}, {}, 100, 0.9],
  ['gauss', {}, {}, {}, 50, 0.95],
  ['spiral', { classes: 3 }, { hidden: [16, 16] }, ADAM, 300, 0.75],
  ['moons', {}, {}, {}, 100, 0.9],
  ['yinYang', {}, { hidden: [16, 16] }, ADAM, 200, 0.85],
  ['checkerboard', {}, { hidden: [16, 16] }, ADAM, 300, 0.75],
  ['blobs', { classes: 4 }, {}, ADAM, 100, 0.9],
];
const REGRESSION = [
  // [kind, epochs]: the test loss falls below a tenth of the untrained one.
  ['plane', 100],
  ['gaussRegression', 300],
];

test('every classification dataset trains to a sensible accuracy', async () => {
  const { page, problems } = await open();
  const short = [];
  for (const [kind, dataset, model, training, epochs, least] of KINDS) {
    await loadPatched(page, { dataset: { kind, classes: 2, ...dataset }, model, training });
    const m = await steps(page, epochs);
    console.log(`# ${kind}: train ${(m.trainAcc * 100).toFixed(1)}%, test ${(m.testAcc * 100).toFixed(1)}% after ${m.epoch} epochs`);
    await afterFrames(page);
    await screenshot(page, `playground-${kind}`);
    if (!(m.testAcc >= least)) short.push(`${kind}: test accuracy ${m.testAcc} after ${m.epoch} epochs`);
  }
  assert.deepEqual(short, []);
  assert.deepEqual(problems, []);
});

test('every regression dataset trains its loss down, and the plot shows values', async () => {
  const { page, problems } = await open();
  for (const [kind, epochs] of REGRESSION) {
    await loadPatched(page, { dataset: { kind }, training: { ...ADAM, loss: 'mse' } });
    const start = await page.evaluate(() => window.glassbox.metrics());
    const m = await steps(page, epochs);
    console.log(`# ${kind}: test loss ${start.testLoss.toFixed(4)} → ${m.testLoss.toFixed(4)} after ${m.epoch} epochs`);
    assert.ok(m.testLoss < start.testLoss / 10, `${kind}: test loss ${start.testLoss} → ${m.testLoss}`);
    assert.ok(Number.isNaN(m.testAcc));
    await afterFrames(page);
    assert.match(await page.textContent('#boundary-legend'), /predicted value/);
    await screenshot(page, `playground-${kind}`);
  }
  assert.deepEqual(problems, []);
});

test('editing a weight in the diagram changes the heatmap', async () => {
  const { page, problems } = await open();
  await loadPatched(page, { model: { hidden: [3] } });
  await steps(page, 20);
  await afterFrames(page);
  const link = page.locator('line[data-link="0:0:0"]');
  await link.waitFor();
  const before = await boundaryImage(page);
  await link.click();
  assert.ok(await page.isVisible('#param-editor'));
  assert.equal(await page.inputValue('#param-kind'), 'weight');
  await page.fill('#param-value', '4.5');
  await page.press('#param-value', 'Enter');
  await until(page, async () => (await window.glassbox.network()).layers[0].weights[0][0] === 4.5);
  await page.waitForFunction((old) => document.querySelector('#boundary').toDataURL() !== old, before);

  // The keyboard path: Enter on a focused neuron edits its bias.
  await page.focus('button[data-neuron="0:1"]');
  await page.keyboard.press('Enter');
  assert.equal(await page.inputValue('#param-kind'), 'bias');
  await page.keyboard.type('-2');
  await page.keyboard.press('Enter');
  await until(page, async () => (await window.glassbox.network()).layers[0].bias[1] === -2);
  await screenshot(page, 'playground-weight-edit');
  assert.deepEqual(problems, []);
});

test('drawing with the mouse adds points of the chosen class, and the eraser removes them', async () => {
  const { page, problems } = await open();
  const count = (label) => page.evaluate(async (l) => {
    const s = await window.glassbox.spec();
    return s.dataset.customPoints.filter((p) => p[2] === l).length;
  }, label);
  const total = (await page.evaluate(() => window.glassbox.spec())).dataset.points;
  const box = await page.locator('#boundary').boundingBox();
  const at = (x, y) => [box.x + ((x + 6) / 12) * box.width, box.y + ((6 - y) / 12) * box.height];

  await page.click('#draw-tools button[data-tool="2"]'); // a third class
  await page.mouse.move(...at(-5, 5));
  await page.mouse.down();
  for (let x = -5; x <= -2; x += 0.5) await page.mouse.move(...at(x, 5));
  await page.mouse.up();
  await until(page, async () => (await window.glassbox.spec()).dataset.kind === 'custom');
  const spec = await page.evaluate(() => window.glassbox.spec());
  assert.equal(spec.dataset.classes, 3);
  assert.equal(await count(2), 7, 'seven points 0.5 apart along the stroke');
  assert.equal(spec.dataset.customPoints.length, total + 7);
  assert.equal(await page.locator('#boundary-legend .legend-class').count(), 3);

  // Keyboard drawing: arrows move the cursor, Enter adds a point of the chosen class.
  await page.click('#draw-tools button[data-tool="0"]');
  await page.focus('#boundary');
  await page.keyboard.press('Shift+ArrowUp');
  await page.keyboard.press('Enter');
  await until(page, async (n) => (await window.glassbox.spec()).dataset.customPoints.length === n, total + 8);

  await page.click('#draw-tools button[data-tool="erase"]');
  // 0.2 from the stroke's first point and 0.7 from the next: only the first is in the
  // eraser's 0.5 radius.
  await page.mouse.click(...at(-5.2, 5));
  await until(page, async () => (await window.glassbox.spec()).dataset.customPoints.filter((p) => p[2] === 2).length === 6);
  const left = (await page.evaluate(() => window.glassbox.spec())).dataset.customPoints.filter((p) => p[2] === 2).map((p) => p[0]);
  assert.deepEqual(left.sort((a, b) => a - b), [-4.5, -4, -3.5, -3, -2.5, -2]);
  const m = await steps(page, 50);
  assert.ok(m.trainAcc > 0.3, 'the drawn set trains');
  await afterFrames(page);
  await screenshot(page, 'playground-drawn');
  assert.deepEqual(problems, []);
});

test('a good CSV file becomes the data; a broken one is refused naming its line, and nothing changes', async () => {
  const { page, problems } = await open();
  const rows = ['x,y,label'];
  for (let i = 0; i < 40; i++) rows.push(`${(i % 8) - 4},${Math.floor(i / 8) - 2},${i % 8 < 4 ? 0 : 1}`);
  await page.setInputFiles('#csv-upload', { name: 'good.csv', mimeType: 'text/csv', buffer: Buffer.from(rows.join('\n')) });
  await until(page, async () => (await window.glassbox.spec()).dataset.kind === 'custom');
  const spec = await page.evaluate(() => window.glassbox.spec());
  assert.equal(spec.dataset.customPoints.length, 40);
  assert.deepEqual(spec.dataset.customPoints[5], [1, -2, 1]);
  await steps(page, 5);
  const metrics = await page.evaluate(() => window.glassbox.metrics());

  const broken = 'x,y,label\n1,2,0\n3,oops,1\n';
  await page.setInputFiles('#csv-upload', { name: 'broken.csv', mimeType: 'text/csv', buffer: Buffer.from(broken) });
  await page.waitForFunction(() => /broken\.csv/.test(document.querySelector('#banner-text').textContent));
  const message = await page.textContent('#banner-text');
  assert.match(message, /line 3/);
  assert.match(message, /unchanged/);
  assert.deepEqual(await page.evaluate(() => window.glassbox.spec()), spec);
  assert.equal((await page.evaluate(() => window.glassbox.metrics())).step, metrics.step);
  await screenshot(page, 'playground-csv-error');

  const download = page.waitForEvent('download');
  await page.click('#csv-download');
  const text = await (await (await download).createReadStream()).toArray();
  const lines = Buffer.concat(text).toString('utf8').trim().split('\n');
  assert.ok(lines.length >= 40, `the download holds the 40 points (${lines.length} lines)`);
  assert.deepEqual(problems, []);
});

test('clicking an input node switches that feature on and off in the spec', async () => {
  const { page, problems } = await open();
  const features = async () => (await page.evaluate(() => window.glassbox.spec())).dataset.features ?? ['x1', 'x2'];
  await page.click('button[data-feature="x1Squared"]');
  await until(page, async () => ((await window.glassbox.spec()).dataset.features ?? []).includes('x1Squared'));
  assert.deepEqual(await features(), ['x1', 'x2', 'x1Squared']);
  await until(page, async () => (await window.glassbox.network()).inputs.length === 3);
  assert.equal(await page.getAttribute('button[data-feature="x1Squared"]', 'aria-pressed'), 'true');
  await page.focus('button[data-feature="x1"]');
  await page.keyboard.press('Enter');
  await until(page, async () => !((await window.glassbox.spec()).dataset.features ?? ['x1']).includes('x1'));
  assert.deepEqual(await features(), ['x2', 'x1Squared']);
  await until(page, async () => (await window.glassbox.network()).inputs.length === 2);
  assert.equal(await page.evaluate(() => document.activeElement.dataset.feature), 'x1', 'focus stays on the toggled node');
  await steps(page, 5);
  await afterFrames(page);
  await page.hover('button[data-neuron="0:0"]');
  assert.ok(await page.isVisible('#neuron-zoom'));
  await screenshot(page, 'playground-features');
  assert.deepEqual(problems, []);
});

test('the linear-regions overlay counts the regions of a ReLU net; discretising colours by class; maxout pairs share a map', async () => {
  const { page, problems } = await open();
  await loadPatched(page, { model: { hidden: [4], activation: 'relu' } });
  await steps(page, 10);
  await afterFrames(page);
  const plain = await boundaryImage(page);
  await page.check('#show-regions');
  await page.waitForFunction(() => /^\d+ regions$/.test(document.querySelector('#region-count').textContent));
  const count = Number((await page.textContent('#region-count')).split(' ')[0]);
  // Four lines cut the plane into at most 11 regions; the view shows some of them.
  assert.ok(count >= 2 && count <= 11, `${count} regions`);
  await page.waitForFunction((old) => document.querySelector('#boundary').toDataURL() !== old, plain);
  await screenshot(page, 'playground-regions');
  await page.uncheck('#show-regions');
  await page.check('#discretize');
  await page.waitForFunction((old) => document.querySelector('#boundary').toDataURL() !== old, plain);
  // Maxout pairs its units: 4 gate outputs of 8 units feed the 2 outputs from the pairs'
  // midpoints, and each pair shows its gate's map.
  await loadPatched(page, { model: { activation: 'maxout' } });
  await page.waitForFunction(() => document.querySelectorAll('button[data-neuron^="0:"]').length === 8);
  assert.equal(await page.locator('line[data-link^="1:"]').count(), 8);
  await afterFrames(page);
  const maps = await page.evaluate(() => [0, 1, 2, 3].map((u) => document.querySelector(`button[data-neuron="0:${u}"] canvas`).toDataURL()));
  assert.equal(maps[0], maps[1]);
  assert.equal(maps[2], maps[3]);
  assert.notEqual(maps[0], maps[2]);
  await loadPatched(page, { model: { activation: 'tanh' } });
  await page.check('#show-regions');
  await page.waitForFunction(() => /only ReLU-family/.test(document.querySelector('#region-count').textContent));
  assert.deepEqual(problems, []);
});

test('the data panel switches sets (with the loss a regression needs) and edits noise, split, points, classes and seed', async () => {
  const { page, problems } = await open();
  const spec = () => page.evaluate(() => window.glassbox.spec());
  await page.click('#dataset-kinds button[data-kind="plane"]');
  await until(page, async () => (await window.glassbox.spec()).dataset.kind === 'plane');
  assert.equal((await spec()).training.loss, 'mse');
  assert.ok(await page.isDisabled('#draw-tools button[data-tool="0"]'), 'drawing needs a classification set');
  await page.click('#dataset-kinds button[data-kind="blobs"]');
  await until(page, async () => (await window.glassbox.spec()).dataset.kind === 'blobs');
  assert.equal((await spec()).training.loss, 'softmaxCrossEntropy');
  await page.selectOption('#data-classes', '5');
  await until(page, async () => (await window.glassbox.spec()).dataset.classes === 5);
  // Keyboard on the sliders: one step right each.
  await page.focus('#data-noise');
  await page.keyboard.press('ArrowRight');
  await until(page, async () => (await window.glassbox.spec()).dataset.noise === 0.05);
  await page.focus('#data-train-ratio');
  await page.keyboard.press('ArrowRight');
  await until(page, async () => (await window.glassbox.spec()).dataset.trainFraction === 0.55);
  await page.fill('#data-points', '40');
  await page.press('#data-points', 'Enter');
  await until(page, async () => (await window.glassbox.spec()).dataset.points === 40);
  const seed = (await spec()).dataset.seed;
  await page.click('#data-regenerate');
  await until(page, async (s) => (await window.glassbox.spec()).dataset.seed === s + 1, seed);
  await page.selectOption('#data-preprocess', 'zscore');
  await until(page, async () => (await window.glassbox.spec()).dataset.preprocess === 'zscore');
  // A refused value names the field and keeps the experiment.
  const before = await spec();
  await page.fill('#data-points', '5');
  await page.press('#data-points', 'Enter');
  await page.waitForFunction(() => /dataset\.points/.test(document.querySelector('#banner-text').textContent));
  assert.deepEqual(await spec(), before);
  assert.equal(await page.inputValue('#data-points'), '40', 'the field shows the kept value again');
  await afterFrames(page);
  await screenshot(page, 'playground-data-panel');
  assert.deepEqual(problems, []);
});

test('a finger tap draws a point too', async () => {
  const context = await env.browser.newContext({ hasTouch: true, viewport: { width: 1500, height: 1100 } });
  const { page, problems } = await openPage(env.browser, env.appUrl, { context });
  const total = (await page.evaluate(() => window.glassbox.spec())).dataset.points;
  await page.tap('#draw-tools button[data-tool="1"]');
  const box = await page.locator('#boundary').boundingBox();
  await page.touchscreen.tap(box.x + box.width * 0.9, box.y + box.height * 0.1);
  await until(page, async () => (await window.glassbox.spec()).dataset.kind === 'custom');
  const points = (await page.evaluate(() => window.glassbox.spec())).dataset.customPoints;
  assert.equal(points.length, total + 1);
  const [x, y, label] = points.at(-1);
  assert.deepEqual([Math.round(x), Math.round(y), label], [5, 5, 1]);
  assert.deepEqual(problems, []);
  await context.close();
});
