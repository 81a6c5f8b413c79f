// End-to-end: the bench still runs. `node bench/run.mjs --smoke` (every workload on
// Glassbox cpu and TF.js wasm, tiny budgets) must print its table with a row per
// workload and finite numbers, and leave bench/results/latest.json alone. No timing
// assertion: the figures are read by people.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const latest = path.join(root, 'bench', 'results', 'latest.json');
// The row names of bench/run.mjs's WORKLOADS, in order.
const WORKLOADS = ['W1 MLP', 'W1 100×100', 'W2 MLP', 'W3 CNN', 'W4 saliency', 'W5 Integrated Gradients', 'matmul 64²', 'matmul 256²', 'matmul 1024²', 'SIMD128'];

const run = () =>
  new Promise((resolve, reject) => {
    execFile(process.execPath, [path.join(root, 'bench', 'run.mjs'), '--smoke'], { timeout: 170_000 }, (e, stdout, stderr) =>
      e ? reject(new Error(`${e.message}\n${stderr}`)) : resolve({ stdout, stderr }),
    );
  });

test('the bench smoke prints a table with a finite row per workload and keeps latest.json', { timeout: 180_000 }, async () => {
  const before = fs.existsSync(latest) ? fs.readFileSync(latest, 'utf8') : null;
  const { stdout, stderr } = await run();
  assert.equal(fs.existsSync(latest) ? fs.readFileSync(latest, 'utf8') : null, before, 'the smoke run rewrote latest.json');

  const rows = stdout.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| workload') && !l.startsWith('| ---'));
  const cells = rows.map((l) => l.split('|').slice(1, -1).map((c) => c.trim()));
  for (const name of WORKLOADS) {
    const mine = cells.filter(([w]) => w.startsWith(name));
    assert.ok(mine.length > 0, `no row for ${name} in\n${stdout}`);
    const glassbox = mine.find(([, impl, backend]) => impl === 'glassbox' && backend === 'cpu');
    assert.ok(glassbox, `no Glassbox cpu row for ${name}`);
    for (const [w, impl, backend, median, perSecond, ratio] of mine) {
      // A TF.js backend may lack a kernel (wasm has no Conv2DBackpropFilter): the row says so.
      if (impl === 'tfjs' && median.startsWith('unsupported:')) continue;
      const value = Number.parseFloat(median);
      assert.ok(Number.isFinite(value) && value > 0, `${w} ${impl}/${backend}: median "${median}"`);
      if (perSecond) assert.ok(Number.isFinite(Number(perSecond)), `${w} ${impl}/${backend}: per second "${perSecond}"`);
      if (ratio) assert.ok(Number.isFinite(Number(ratio)) && Number(ratio) > 0, `${w} ${impl}/${backend}: ratio "${ratio}"`);
    }
  }
  // Every timed workload but W3 has a TF.js wasm figure to compare with.
  for (const name of WORKLOADS.slice(0, 6).filter((n) => n !== 'W3 CNN')) {
    assert.ok(cells.some(([w, impl, , , , ratio]) => w.startsWith(name) && impl === 'glassbox' && ratio), `${name}: no ratio to TF.js`);
  }
  const written = /results written to (.+)/.exec(stderr)?.[1];
  assert.ok(written && written !== latest, `the smoke JSON went to ${written}`);
  const json = JSON.parse(fs.readFileSync(written, 'utf8'));
  assert.equal(json.smoke, true);
  fs.rmSync(written);
});
