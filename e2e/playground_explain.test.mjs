// End-to-end: the playground's feature attribution. On a trained circle the maps render
// with content; a network whose first layer ignores x₂ gets an all-zero x₂ map (white) and
// zero x₂ bars; a network reading only x₁², x₂² gets mirror-symmetric maps, and grouping
// moves them to x₁ / x₂ unchanged; live refresh changes the maps while training; bars show
// for a clicked point and for the dataset average. Prints training speed with the live
// maps off and on (CPU backend). A long average shows progress and is cancelled.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, openPage, screenshot, loadPatched, until } from './browser.mjs';

const PLAY_MS = 2000;

let env;
before(async () => {
  env = await launch();
});
after(async () => {
  await env?.close();
});

const trainEpochs = (page, epochs) => page.evaluate(async (n) => {
  const s = await window.glassbox.spec();
  const perEpoch = Math.ceil(Math.round(s.dataset.points * s.dataset.trainFraction) / s.training.batchSize);
  return window.glassbox.step(n * perEpoch);
}, epochs);

// Defines window.pixels(canvas): its RGBA bytes, read from a copy (reading a page canvas
// again and again makes Chromium warn).
const installPixels = (page) => page.evaluate(() => {
  window.pixels = (c) => {
    const copy = document.createElement('canvas');
    copy.width = c.width;
    copy.height = c.height;
    const ctx = copy.getContext('2d', { willReadFrequently: true });
    ctx.drawImage(c, 0, 0);
    return ctx.getImageData(0, 0, c.width, c.height).data;
  };
});

// Every shown map: its feature and its pixels' colour statistics.
const maps = (page) => page.evaluate(() => [...document.querySelectorAll('#attribution-maps figure')].map((f) => {
  const c = f.querySelector('canvas');
  const data = window.pixels(c);
  const colours = new Set();
  for (let i = 0; i < data.length; i += 4) colours.add((data[i] << 16) | (data[i + 1] << 8) | data[i + 2]);
  return { feature: f.dataset.feature, colours: colours.size, url: c.toDataURL(), first: [...data.slice(0, 3)] };
}));

// The largest channel difference between each map and its left–right and top–bottom mirror.
const asymmetry = (page) => page.evaluate(() => [...document.querySelectorAll('#attribution-maps canvas')].map((c) => {
  const data = window.pixels(c);
  const w = c.width;
  const h = c.height;
  let worst = 0;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      for (let k = 0; k < 3; k++) {
        const v = data[4 * (y * w + x) + k];
        worst = Math.max(worst, Math.abs(v - data[4 * (y * w + (w - 1 - x)) + k]), Math.abs(v - data[4 * ((h - 1 - y) * w + x) + k]));
      }
    }
  }
  return worst;
}));

// Waits until the still maps show `features` for the current model (the status names the
// method, gradient unless told, once an explanation arrived after the last change).
async function mapsFor(page, features, method = /Gradient/) {
  await page.waitForFunction(([names, source]) => {
    const shown = [...document.querySelectorAll('#attribution-maps figure')].map((f) => f.dataset.feature);
    return shown.join() === names.join() && new RegExp(source).test(document.querySelector('#attribution-status').textContent);
  }, [features, method.source]);
  // Any explanation already queued for an earlier state has landed.
  await page.waitForFunction(() => document.querySelector('#explain-progress').hidden);
  return maps(page);
}

const barValues = (page, which) => page.evaluate((n) => {
  const lists = document.querySelectorAll('#feature-bars .bar-chart ol');
  return [...lists[n].querySelectorAll('li')].map((li) => [li.querySelector('.bar-label').textContent, Number(li.querySelector('.bar-value').textContent)]);
}, which);

test('attribution maps and bars on the plane: properties, live refresh, bars for a point and the average', async () => {
  const { page, problems } = await openPage(env.browser, `${env.appUrl}?backend=cpu`);
  await page.setViewportSize({ width: 1500, height: 1400 });
  await installPixels(page);
  await loadPatched(page, { dataset: { kind: 'circle', features: ['x1', 'x2'] }, model: { hidden: [6] }, training: { optimizer: 'adam', learningRate: 0.03 } });
  await trainEpochs(page, 40);

  // A trained circle: both maps have content.
  let shown = await mapsFor(page, ['x1', 'x2']);
  for (const m of shown) assert.ok(m.colours > 20, `${m.feature} map has content (${m.colours} colours)`);
  await screenshot(page, 'playground-attribution-circle');

  // A network that ignores x₂ (its first-layer weights from x₂ are zero): the x₂ map is 0
  // everywhere, the x₁ map is not.
  const units = (await page.evaluate(() => window.glassbox.network())).layers[0].weights[1].length;
  for (let to = 0; to < units; to++) await page.evaluate((t) => window.glassbox.setWeight({ layer: 0, from: 1, to: t, value: 0 }), to);
  await until(page, async () => (await window.glassbox.network()).layers[0].weights[1].every((w) => w === 0));
  await page.waitForFunction(() => {
    const data = window.pixels(document.querySelectorAll('#attribution-maps canvas')[1]);
    return data.every((v, i) => v === data[i % 4]);
  });
  shown = await maps(page);
  assert.ok(shown[0].colours > 20, 'the x₁ map keeps its content');
  assert.ok(shown[1].first.every((c) => c >= 240), `the x₂ map is the near-white of 0 (${shown[1].first})`);

  // Bars for a point picked with the keyboard on the plot, then for the point clicked.
  await page.focus('#boundary');
  await page.keyboard.press(']');
  await page.waitForFunction(() => document.querySelectorAll('#feature-bars .bar-chart ol')[0].children.length === 2);
  await page.waitForFunction(() => /Point 1 of/.test(document.querySelector('#feature-bars .bars-which').textContent));
  let bars = await barValues(page, 0);
  assert.deepEqual(bars.map(([l]) => l), ['x₁', 'x₂']);
  assert.equal(bars[1][1], 0, 'the ignored x₂ gets no attribution');
  for (let i = 0; i < 4; i++) await page.keyboard.press(']');
  const described = await page.textContent('#feature-bars .bars-which');
  const [, px, py] = described.match(/at \((-?[\d.]+), (-?[\d.]+)\)/).map(Number);
  await page.keyboard.press('[');
  const box = await page.locator('#boundary').boundingBox();
  await page.mouse.click(box.x + ((px + 6) / 12) * box.width, box.y + ((6 - py) / 12) * box.height);
  await page.waitForFunction(() => /Point 5 of/.test(document.querySelector('#feature-bars .bars-which').textContent));
  await page.waitForFunction(() => /^Selected point: /.test(document.querySelector('#feature-bars figcaption').textContent));
  bars = await barValues(page, 0);
  assert.equal(bars[1][1], 0);
  assert.ok(bars[0][1] !== 0, 'x₁ carries the attribution');

  // The average over the test points: mean signed and mean |attribution|, x₂ zero.
  await page.selectOption('#feature-bars select', 'test');
  await page.click('#feature-bars button:text("Average")');
  await page.waitForFunction(() => /test points/.test(document.querySelectorAll('#feature-bars .bars-which')[1].textContent));
  const mean = await barValues(page, 1);
  const meanAbs = await barValues(page, 2);
  assert.deepEqual(mean.map(([l]) => l), ['x₁', 'x₂']);
  assert.equal(meanAbs[1][1], 0);
  assert.ok(meanAbs[0][1] > 0 && meanAbs[0][1] >= Math.abs(mean[0][1]), 'mean |a| ≥ |mean a|');
  await screenshot(page, 'playground-attribution-bars');

  // Live: while training the maps change, marked with their step.
  await page.click('#reset');
  await mapsFor(page, ['x1', 'x2']);
  const still = (await maps(page))[0].url;
  await page.evaluate(() => window.glassbox.play());
  await page.waitForFunction(() => /live, step \d+/.test(document.querySelector('#attribution-status').textContent));
  await page.waitForFunction((old) => document.querySelector('#attribution-maps canvas').toDataURL() !== old, still);
  const firstLive = (await maps(page))[0].url;
  await page.waitForFunction((old) => document.querySelector('#attribution-maps canvas').toDataURL() !== old, firstLive);
  await page.evaluate(() => window.glassbox.pause());

  // A network of x₁², x₂² only: every map is mirror-symmetric; grouped, the x₁ and x₂ maps
  // are the x₁² and x₂² maps.
  await loadPatched(page, { dataset: { kind: 'circle', features: ['x1Squared', 'x2Squared'] }, model: { hidden: [4] } });
  await trainEpochs(page, 10);
  shown = await mapsFor(page, ['x1Squared', 'x2Squared']);
  assert.deepEqual(await asymmetry(page), [0, 0], 'mirror-symmetric maps');
  await page.check('#attribution-grouped');
  const grouped = await mapsFor(page, ['x1', 'x2']);
  assert.deepEqual(grouped.map((m) => m.url), shown.map((m) => m.url));
  await page.uncheck('#attribution-grouped');

  // A split larger than one explanation call takes (4096 samples) is averaged in parts.
  await loadPatched(page, { dataset: { kind: 'circle', points: 10000, trainFraction: 0.9 } });
  await page.selectOption('#feature-bars select', 'train');
  await page.click('#feature-bars button:text("Average")');
  await page.waitForFunction(() => /9000 train points/.test(document.querySelectorAll('#feature-bars .bars-which')[1].textContent));
  assert.equal((await barValues(page, 2)).length, 2);
  // A long one (Shapley sampling of seven features through a wider network) shows its
  // progress and can be cancelled.
  await loadPatched(page, { dataset: { features: ['x1', 'x2', 'x1Squared', 'x2Squared', 'x1x2', 'sinX1', 'sinX2'] }, model: { hidden: [48, 48] } });
  await page.selectOption('#explain-controls select', 'shapley');
  await mapsFor(page, ['x1', 'x2', 'x1Squared', 'x2Squared', 'x1x2', 'sinX1', 'sinX2'], /Shapley/);
  await page.click('#feature-bars button:text("Average")');
  await page.waitForSelector('#explain-progress:not([hidden])');
  await page.click('#explain-cancel');
  await page.waitForFunction(() => /cancelled/.test(document.querySelectorAll('#feature-bars .bars-which')[1].textContent));
  await page.waitForSelector('#explain-progress', { state: 'hidden' });
  await page.selectOption('#explain-controls select', 'gradient');

  // Training speed with the live maps off and on, in alternating pairs (the machine's
  // load varies): the median of the pairs' ratios.
  await loadPatched(page, { dataset: { kind: 'spiral', points: 500, trainFraction: 0.5 }, model: { hidden: [8, 8] } });
  const speed = async (live) => {
    await page.setChecked('#attribution-live', live);
    const start = await page.evaluate(() => window.glassbox.metrics());
    const t0 = Date.now();
    await page.evaluate(() => window.glassbox.play());
    await page.waitForTimeout(PLAY_MS);
    await page.evaluate(() => window.glassbox.pause());
    const end = await page.evaluate(() => window.glassbox.metrics());
    return (end.epoch - start.epoch) / ((Date.now() - t0) / 1000);
  };
  const pairs = [];
  // Alternating which goes first cancels a drift of the speed over the run.
  for (let i = 0; i < 4; i++) {
    if (i % 2) {
      const on = await speed(true);
      pairs.push([await speed(false), on]);
    } else pairs.push([await speed(false), await speed(true)]);
  }
  const ratios = pairs.map(([off, on]) => on / off).sort((a, b) => a - b);
  console.log(`# spiral 2×8 (CPU), gradient maps: epochs/s live off / on ${pairs.map(([a, b]) => `${a.toFixed(0)}/${b.toFixed(0)}`).join(', ')}; median ratio ${((ratios[1] + ratios[2]) / 2).toFixed(2)}`);
  assert.deepEqual(problems, []);
});
