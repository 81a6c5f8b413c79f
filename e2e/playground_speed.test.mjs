// End-to-end speed record: plays the 2×8 and the 6×8 spiral on the CPU backend for a
// few seconds each and prints epochs/s (from the epoch counter) and frame times
// (requestAnimationFrame intervals measured in the page: p50 / p95 / max). Wall-clock
// figures are reported, not asserted: the test asserts only that training progressed,
// frames were drawn and the history (evaluated on demand while playing) is in order.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, openPage } from './browser.mjs';

const PLAY_MS = 4000;

let env;
before(async () => {
  env = await launch();
});
after(async () => {
  await env?.close();
});

const quantile = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];

async function record(page, hidden) {
  const spec = await page.evaluate(() => window.glassbox.spec());
  spec.model.hidden = hidden;
  await page.evaluate((s) => window.glassbox.load(s), spec);
  const start = await page.evaluate(() => window.glassbox.metrics());
  await page.evaluate(() => {
    window.frameTimes = [];
    let last = performance.now();
    const tick = (now) => {
      if (!window.frameTimes) return;
      window.frameTimes.push(now - last);
      last = now;
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
  const t0 = Date.now();
  await page.evaluate(() => window.glassbox.play());
  await page.waitForTimeout(PLAY_MS);
  await page.evaluate(() => window.glassbox.pause());
  const seconds = (Date.now() - t0) / 1000;
  const end = await page.evaluate(() => window.glassbox.metrics());
  const frames = await page.evaluate(() => {
    const f = window.frameTimes.slice(1);
    window.frameTimes = null;
    return f;
  });
  // Playing evaluates only the epochs it publishes: the history skips epochs, in order,
  // up to the current one.
  const { epoch: recorded } = await page.evaluate(() => window.glassbox.history());
  assert.ok(recorded.every((e, i) => i === 0 || e > recorded[i - 1]), 'history epochs increase');
  assert.equal(recorded.at(-1), end.epoch, 'the current epoch is recorded');
  const sorted = [...frames].sort((a, b) => a - b);
  const epochsPerSec = (end.epoch - start.epoch) / seconds;
  const name = `${hidden.length}×${hidden[0]}`;
  console.log(
    `# ${name} spiral (CPU): ${epochsPerSec.toFixed(0)} epochs/s over ${seconds.toFixed(1)} s (UI shows ${await page.textContent('#speed')}); ` +
      `${frames.length} frames, ${(frames.length / seconds).toFixed(1)} fps, frame time p50 ${quantile(sorted, 0.5).toFixed(1)} ms, ` +
      `p95 ${quantile(sorted, 0.95).toFixed(1)} ms, max ${sorted.at(-1).toFixed(1)} ms; ${recorded.length} history records`,
  );
  return { epochs: end.epoch - start.epoch, frames: frames.length };
}

test('playing the 2×8 and 6×8 spirals trains and keeps drawing frames (figures printed)', async () => {
  const context = await env.browser.newContext({ viewport: { width: 1440, height: 1000 } });
  await context.addInitScript(() => localStorage.setItem('glassbox.tourSeen', '1'));
  const { page, problems } = await openPage(env.browser, `${env.appUrl}?backend=cpu`, { context });
  assert.equal((await page.evaluate(() => window.glassbox.backend())).kind, 'cpu');
  for (const hidden of [[8, 8], [8, 8, 8, 8, 8, 8]]) {
    const { epochs, frames } = await record(page, hidden);
    assert.ok(epochs > 0, 'training progressed');
    assert.ok(frames > 0, 'frames were drawn');
  }
  assert.deepEqual(problems, []);
  await context.close();
});
