// Ad-hoc: each lab at full scale in the page, timed (not part of the suite).
import { launch, openPage } from './browser.mjs';
const env = await launch({ webgpu: false });
for (const name of ['label-smoothing', 'losses', 'activations', 'parametrization', 'geometry', 'compression', 'clever-hans']) {
  const { page } = await openPage(env.browser, `${env.appUrl}?backend=cpu&lab=${name}&scale=full`);
  await page.waitForSelector('dialog.labs-dialog[open] .lab-claim');
  const t0 = Date.now();
  await page.click('.lab-start');
  await page.waitForFunction(() => /^Verdict: /.test(document.querySelector('.lab-verdict').textContent), null, { timeout: 900000 });
  console.log(`${name}\t${((Date.now() - t0) / 1000).toFixed(1)} s\t${(await page.textContent('.lab-verdict')).slice(0, 200)}`);
  await page.close();
}
await env.close();
