// End-to-end: the backend choice. Forced WebGPU trains on SwiftShader and matches the
// CPU run of the same link; "auto" explains why it stays on the CPU here; without
// WebGPU in the browser the page says so and trains on the CPU.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { launch, openPage, screenshot, until } from './browser.mjs';

const EPOCHS = 300;

test('?backend=gpu trains on WebGPU and follows the CPU loss curve of the same link', async () => {
  const env = await launch();
  try {
    const cpu = await openPage(env.browser, `${env.appUrl}?backend=cpu`);
    const link = await cpu.page.evaluate(() => window.glassbox.link());
    const gpu = await openPage(env.browser, `${env.appUrl}?backend=gpu&weightSync=1${link}`);
    const backend = await gpu.page.evaluate(() => window.glassbox.backend());
    assert.equal(backend.kind, 'webgpu', JSON.stringify(backend));
    assert.match(backend.reason, /forced by backend=gpu/);
    assert.match(await gpu.page.textContent('#backend-badge'), /^WebGPU/);

    const stepsPerEpoch = 25;
    const before = await gpu.page.evaluate(() => window.glassbox.metrics());
    const t0 = Date.now();
    let m;
    for (let done = 0; done < EPOCHS; done += 50) {
      m = await gpu.page.evaluate((n) => window.glassbox.step(n), 50 * stepsPerEpoch);
    }
    const gpuSeconds = (Date.now() - t0) / 1000;
    assert.equal(m.epoch, EPOCHS);
    assert.ok(m.gpuSubmissions >= before.gpuSubmissions + EPOCHS * stepsPerEpoch, `submissions ${before.gpuSubmissions} → ${m.gpuSubmissions}`);

    const t1 = Date.now();
    await cpu.page.evaluate((n) => window.glassbox.step(n), EPOCHS * stepsPerEpoch);
    const cpuSeconds = (Date.now() - t1) / 1000;
    const [g, c] = [await gpu.page.evaluate(() => window.glassbox.history()), await cpu.page.evaluate(() => window.glassbox.history())];
    assert.equal(g.trainLoss.length, EPOCHS + 1);
    let worst = 0;
    for (let i = 0; i <= EPOCHS; i++) {
      for (const key of ['trainLoss', 'testLoss']) {
        worst = Math.max(worst, Math.abs(g[key][i] - c[key][i]) / (1e-3 + Math.abs(c[key][i])));
      }
    }
    console.log(`# webgpu (SwiftShader) ${(gpuSeconds * 1000 / (EPOCHS * stepsPerEpoch)).toFixed(2)} ms/step, cpu ${(cpuSeconds * 1000 / (EPOCHS * stepsPerEpoch)).toFixed(3)} ms/step; max relative loss gap ${worst.toExponential(2)}`);
    assert.ok(worst < 1e-3, `GPU and CPU loss curves differ by ${worst}`);

    // While playing, the weights come back to CPU memory at the configured interval.
    await gpu.page.evaluate(() => window.glassbox.play());
    await until(gpu.page, async () => (await window.glassbox.metrics()).weightsSyncedAtStep > 0, null, { timeout: 20000 });
    await gpu.page.evaluate(() => window.glassbox.pause());
    await screenshot(gpu.page, 'webgpu-forced');
    assert.deepEqual([...cpu.problems, ...gpu.problems], []);
  } finally {
    await env.close();
  }
});

test('auto mode stays on the CPU on a software WebGPU adapter and says why', async () => {
  const env = await launch();
  try {
    const { page, problems } = await openPage(env.browser, env.appUrl);
    const backend = await page.evaluate(() => window.glassbox.backend());
    assert.equal(backend.kind, 'cpu');
    assert.match(backend.reason, /software emulation/);
    assert.match(await page.textContent('#backend-badge'), /^CPU: the WebGPU adapter is a software emulation/);
    assert.deepEqual(problems, []);
  } finally {
    await env.close();
  }
});

test('without WebGPU in the browser, auto picks the CPU and says WebGPU is unavailable', async () => {
  const env = await launch({ webgpu: false });
  try {
    const { page, problems } = await openPage(env.browser, env.appUrl);
    const backend = await page.evaluate(() => window.glassbox.backend());
    assert.equal(backend.kind, 'cpu');
    assert.match(backend.reason, /WebGPU is unavailable/);
    assert.match(await page.textContent('#backend-badge'), /WebGPU is unavailable/);
    // Forcing the GPU falls back to the CPU with the reason, and training works.
    const forced = await openPage(env.browser, `${env.appUrl}?backend=gpu`);
    const fb = await forced.page.evaluate(() => window.glassbox.backend());
    assert.equal(fb.kind, 'cpu');
    assert.match(fb.reason, /requested but is unavailable/);
    const m = await forced.page.evaluate(() => window.glassbox.step(25));
    assert.equal(m.step, 25);
    assert.deepEqual([...problems, ...forced.problems], []);
  } finally {
    await env.close();
  }
});
