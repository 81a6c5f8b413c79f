// The explanation page's pure parts, without a browser: the method list agrees with the
// engine's vocabulary (src/explain/request.rs), requests carry only the parameters that
// apply, the sign modes and shared scales, and the live timeline's bounded memory.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { METHODS, methodByName, defaults, requestOf } from '../www/explain/methods.js';
import { toPlane, applySign, scaleOf, sharedScales, OUTLIER_SHARE } from '../www/explain/normalise.js';
import { createFrames } from '../www/explain/frames.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const requestRs = fs.readFileSync(path.join(here, '..', 'src', 'explain', 'request.rs'), 'utf8');

test('the method list is the engine\'s, and every number default is one the engine uses for that key', () => {
  const engine = requestRs.match(/pub const METHODS: &str = "([^"]+)"/)[1].split(', ');
  assert.deepEqual(METHODS.map((m) => m.name).sort(), engine.slice().sort());
  const engineDefaults = new Map();
  for (const [, key, def] of requestRs.matchAll(/p\.number\("(\w+)",\s*([-\d.e]+)/g)) {
    if (!engineDefaults.has(key)) engineDefaults.set(key, new Set());
    engineDefaults.get(key).add(Number(def));
  }
  for (const m of METHODS) {
    for (const p of m.params.filter((q) => q.kind === 'int' || q.kind === 'number')) {
      assert.ok(engineDefaults.get(p.key)?.has(p.def), `${m.name}.${p.key} = ${p.def} is not among the engine's defaults ${[...(engineDefaults.get(p.key) ?? [])]}`);
      assert.ok(p.min <= p.def && p.def <= p.max, `${m.name}.${p.key}: default outside its range`);
      assert.ok(p.title && p.label, `${m.name}.${p.key} has a label and a tooltip`);
    }
  }
});

test('requests carry the explained class and only the parameters that apply and differ from the defaults', () => {
  const ig = methodByName('integratedGradients');
  assert.deepEqual(requestOf(ig, defaults(ig), 'predicted'), { method: 'integratedGradients', params: {} });
  const values = { ...defaults(ig), steps: '32', sigma: 3, baseline: 'zero' };
  assert.deepEqual(requestOf(ig, values, '3-5'), { method: 'integratedGradients', params: { steps: '32', target: '3-5' } });
  assert.deepEqual(requestOf(ig, { ...values, baseline: 'blur', sigma: 2 }, 'true').params, { steps: '32', baseline: 'blur', sigma: '2', target: 'true' });
  assert.throws(() => requestOf(ig, { ...values, steps: '0' }, 'predicted'), /steps must be from 1/);
  assert.throws(() => requestOf(ig, { ...values, steps: '2.5' }, 'predicted'), /whole number/);
  assert.throws(() => requestOf(ig, { ...values, baseline: 'custom' }, 'predicted'), /draw one first/);
  assert.deepEqual(requestOf(ig, { ...values, baseline: 'custom' }, 'predicted', [0, 0.5]).baseline, [0, 0.5]);
  const lrp = methodByName('lrp');
  assert.deepEqual(requestOf(lrp, { ...defaults(lrp), epsilon: '0.1' }, 'predicted').params, { epsilon: '0.1' });
  assert.deepEqual(requestOf(lrp, { ...defaults(lrp), composite: 'epsilonPlus', epsilon: '0.1' }, 'predicted').params, { composite: 'epsilonPlus' });
  assert.deepEqual(requestOf(lrp, { ...defaults(lrp), rule: 'zPlus', layers: '0:gamma', gamma: '0.5', epsilon: '0.1' }, 'predicted').params, { rule: 'zPlus', layers: '0:gamma', gamma: '0.5' });
});

test('sign modes, channel sums and colour scales shared per method or over the grid', () => {
  const plane = toPlane([1, -2, 3, 4, -1, 1], [2, 1, 3]);
  assert.deepEqual([...plane.values], [5, -3, 4]);
  assert.deepEqual([plane.h, plane.w], [1, 3]);
  assert.deepEqual([...applySign(plane.values, 'positive').values], [5, 0, 4]);
  assert.deepEqual([...applySign(plane.values, 'negative').values], [0, 3, 0]);
  assert.deepEqual([...applySign(plane.values, 'absolute').values], [5, 3, 4]);
  assert.equal(applySign(plane.values, 'all').signed, true);
  assert.equal(applySign(plane.values, 'absolute').signed, false);
  assert.equal(applySign(plane.values, 'all', true).signed, false, 'magnitude maps stay magnitudes');
  // The scale ignores the top OUTLIER_SHARE of |v|; a sparse map falls back to its largest value.
  const many = Float32Array.from({ length: 1000 }, (_, i) => (i === 999 ? 1000 : i % 10));
  assert.equal(OUTLIER_SHARE, 0.01);
  assert.equal(scaleOf(many), 9);
  assert.equal(scaleOf(Float32Array.from([0, 0, 0, 2])), 2);
  const cells = [{ key: 'a', values: [1, 2] }, { key: 'a', values: [4] }, { key: 'b', values: [-8] }];
  assert.deepEqual(sharedScales(cells, 'map'), [2, 4, 8]);
  assert.deepEqual(sharedScales(cells, 'method'), [4, 4, 8]);
  assert.deepEqual(sharedScales(cells, 'grid'), [8, 8, 8]);
});

test('the timeline keeps at most its bound, the first and the newest frames, in order', () => {
  const frames = createFrames(10);
  for (let step = 0; step < 500; step += 1) frames.add({ step });
  assert.ok(frames.length <= 10 && frames.length >= 5, `${frames.length} frames`);
  const steps = Array.from({ length: frames.length }, (_, i) => frames.at(i).step);
  assert.equal(steps[0], 0);
  assert.equal(frames.last().step, 499);
  assert.deepEqual(steps, steps.slice().sort((a, b) => a - b));
  assert.throws(() => createFrames(2));
});
