// Soak: trains with live attribution maps and the neuron, region and confusion views on
// for SOAK_SECONDS (120 by default; 1800 for the long run) and, after a warm-up, samples
// the page's JS heap (after a forced GC) and the worker's wasm memory. Fails when either keeps growing
// over the second half of the run (a least-squares slope, see slope.mjs).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { launch, openPage } from './browser.mjs';
import { growthCheck } from './slope.mjs';

const SECONDS = Number(process.env.SOAK_SECONDS ?? 120);
const WARM_UP = Math.min(30, SECONDS * 0.2);
const SAMPLE_EVERY_MS = 2000;
const MB = (b) => `${(b / (1 << 20)).toFixed(1)} MiB`;

test(`a ${SECONDS} s run with live views does not keep growing in memory`, { timeout: (SECONDS + 120) * 1000 }, async () => {
  const env = await launch();
  try {
    const { page, problems } = await openPage(env.browser, env.appUrl);
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('HeapProfiler.enable');
    const sample = async () => {
      await cdp.send('HeapProfiler.collectGarbage');
      const { usedSize } = await cdp.send('Runtime.getHeapUsage');
      const { wasmBytes } = await page.evaluate(() => window.glassbox.memory());
      return { js: usedSize, wasm: wasmBytes };
    };
    await page.evaluate(() => window.glassbox.setViews({ neurons: true, regions: true, confusion: true }));
    // Live explanations: the plane's attribution maps refresh while training plays.
    await page.setChecked('#attribution-live', true);
    await page.evaluate(() => window.glassbox.play());
    await page.waitForFunction(() => /live, step \d+/.test(document.querySelector('#attribution-status').textContent));
    const start = Date.now();
    await page.waitForTimeout(WARM_UP * 1000);
    const samples = [];
    while (Date.now() - start < SECONDS * 1000) {
      samples.push({ t: (Date.now() - start) / 1000, ...(await sample()) });
      await page.waitForTimeout(SAMPLE_EVERY_MS);
    }
    const m = await page.evaluate(() => window.glassbox.metrics());
    const liveStep = Number(/live, step (\d+)/.exec(await page.textContent('#attribution-status'))?.[1]);
    assert.ok(liveStep > m.step / 2, `live maps still refresh (last at step ${liveStep} of ${m.step})`);
    await page.evaluate(() => window.glassbox.pause());
    const [first, last] = [samples[0], samples[samples.length - 1]];
    console.log(`# soak ${SECONDS} s, ${m.step} steps, loss ${m.trainLoss.toFixed(4)}; ${samples.length} samples after ${WARM_UP} s warm-up`);
    console.log(`# JS heap ${MB(first.js)} → ${MB(last.js)}; wasm memory ${MB(first.wasm)} → ${MB(last.wasm)}`);
    const secondHalf = samples.slice(Math.floor(samples.length / 2));
    assert.ok(secondHalf.length >= 3, `only ${secondHalf.length} samples in the second half: raise SOAK_SECONDS`);
    for (const key of ['js', 'wasm']) {
      const check = growthCheck(secondHalf.map((s) => [s.t, s[key]]));
      console.log(`# ${key}: second-half slope ${(check.slope / 1024).toFixed(2)} KiB/s, growth ${MB(check.growth)} (tolerance ${MB(check.tolerance)})`);
      assert.ok(check.ok, `${key} memory keeps growing: ${MB(check.growth)} over the second half`);
    }
    assert.ok(Number.isFinite(m.trainLoss) && m.step > 0);
    assert.deepEqual(problems, []);
  } finally {
    await env.close();
  }
});
