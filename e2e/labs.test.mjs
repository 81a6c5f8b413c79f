// End-to-end, the Labs: every lab's preset link (?lab=<name>&scale=small) opens it in the
// Labs dialog with its claim; Run reaches a verdict line computed in the labs' worker,
// with its checks and figures drawn; training in the engine worker still answers while a
// lab runs; Cancel stops a full-scale run; an unknown lab name is refused with the list.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, openPage, screenshot } from './browser.mjs';

let env;
before(async () => {
  env = await launch({ webgpu: false });
});
after(async () => {
  await env?.close();
});

const LAB_TIMEOUT_MS = 240_000;

test('every lab runs from its preset link to a computed verdict with figures', async () => {
  const { page, problems } = await openPage(env.browser, `${env.appUrl}?backend=cpu`);
  await page.click('#labs');
  await page.waitForSelector('.labs-menu button');
  const names = await page.$$eval('.labs-menu button', (bs) => bs.map((b) => b.dataset.lab));
  assert.deepEqual(names, ['label-smoothing', 'losses', 'activations', 'parametrization', 'geometry', 'compression', 'clever-hans']);
  await page.close();

  for (const name of names) {
    const { page, problems } = await openPage(env.browser, `${env.appUrl}?backend=cpu&lab=${name}&scale=small`);
    await page.waitForSelector('dialog.labs-dialog[open] .lab-claim');
    assert.equal(await page.getAttribute('.labs-menu button[aria-current="true"]', 'data-lab'), name);
    assert.match(await page.textContent('.lab-claim'), /^Claim: \S/);
    assert.equal(await page.inputValue('.lab-scale'), 'small');
    const started = Date.now();
    await page.click('.lab-start');
    // The engine worker keeps training while the lab runs in its own worker.
    const metrics = await page.evaluate(() => window.glassbox.step(3));
    assert.ok(Number.isFinite(metrics.trainLoss), 'training answers while a lab runs');
    await page.waitForFunction(() => /^Verdict: (reproduced|not reproduced at this scale): /.test(document.querySelector('.lab-verdict').textContent), null, { timeout: LAB_TIMEOUT_MS });
    const seconds = (Date.now() - started) / 1000;
    const verdict = await page.textContent('.lab-verdict');
    const checks = await page.$$eval('.lab-checks li', (items) => items.map((i) => i.className));
    assert.ok(checks.length >= 1, 'the verdict lists its checks');
    assert.equal(/^Verdict: reproduced/.test(verdict), checks.every((c) => c === 'holds'), 'the verdict follows the checks');
    // Whether each figure's canvas has more than one colour on it (drawn, not blank).
    const figures = await page.$$eval('.lab-figure > canvas', (canvases) => canvases.map((canvas) => {
      const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
      for (let i = 4; i < data.length; i += 4) if (data[i] !== data[0] || data[i + 1] !== data[1] || data[i + 2] !== data[2]) return true;
      return false;
    }));
    assert.ok(figures.length >= 1, 'the lab draws figures');
    assert.ok(figures.every(Boolean), 'every figure has something drawn');
    assert.ok(await page.isEnabled('.lab-json'), 'the report can be saved');
    console.log(`# ${name} (small, browser): ${seconds.toFixed(1)} s, ${figures.length} figures; ${verdict.slice(9)}`);
    await screenshot(page, `lab-${name}`);
    assert.deepEqual(problems, []);
    await page.close();
  }
  assert.deepEqual(problems, []);
});

test('a running lab can be cancelled; an unknown lab name is refused with the list', async () => {
  const { page, problems } = await openPage(env.browser, `${env.appUrl}?backend=cpu&lab=geometry&scale=full`);
  await page.waitForSelector('dialog.labs-dialog[open] .lab-claim');
  await page.click('.lab-start');
  await page.waitForFunction(() => /^Running: /.test(document.querySelector('.lab-status').textContent), null, { timeout: 60_000 });
  const asked = Date.now();
  await page.click('.lab-cancel');
  await page.waitForFunction(() => /^Cancelled/.test(document.querySelector('.lab-status').textContent), null, { timeout: 30_000 });
  console.log(`# geometry (full) cancelled ${Date.now() - asked} ms after Cancel`);
  assert.equal(await page.textContent('.lab-verdict'), '');
  assert.ok(await page.isEnabled('.lab-start'), 'Run is offered again');
  await page.close();

  const other = await openPage(env.browser, `${env.appUrl}?backend=cpu&lab=no-such-lab`);
  await other.page.waitForSelector('#banner:not([hidden])');
  assert.match(await other.page.textContent('#banner-text'), /no lab called "no-such-lab".*label-smoothing, losses/);
  assert.deepEqual([...problems, ...other.problems], []);
});
