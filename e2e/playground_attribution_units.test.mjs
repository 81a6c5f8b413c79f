// The playground attribution's pure parts, without a browser: per-feature arrays from the
// engine's sample-major maps, the "grouped to x₁ / x₂" sums, and the live refresh interval.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { groupToCoordinates, splitByFeature } from '../www/playground/grouping.js';
import { liveEverySteps } from '../www/playground/attribution.js';

const ALL = ['x1', 'x2', 'x1Squared', 'x2Squared', 'x1x2', 'sinX1', 'sinX2'];

test('sample-major maps split into one array per feature', () => {
  const maps = Float32Array.from([1, 2, 3, 4, 5, 6]); // 3 samples × 2 features
  assert.deepEqual(splitByFeature(maps, ['x1', 'x2']).map((m) => Array.from(m)), [[1, 3, 5], [2, 4, 6]]);
});

test('grouping credits each derived feature to its coordinate, x₁x₂ half to each, and keeps the total', () => {
  // Sample 0: feature j has value 2^j, so every share is visible in the sums.
  const perFeature = ALL.map((_, j) => Float32Array.from([2 ** j, -j]));
  const { names, maps } = groupToCoordinates(ALL, perFeature);
  assert.deepEqual(names, ['x1', 'x2']);
  // x1 ← x1 (1) + x1² (4) + sin x1 (32) + x1x2/2 (8); x2 ← x2 (2) + x2² (8) + sin x2 (64) + x1x2/2 (8).
  assert.deepEqual(Array.from(maps[0]), [1 + 4 + 32 + 8, -(0 + 2 + 5) - 2]);
  assert.deepEqual(Array.from(maps[1]), [2 + 8 + 64 + 8, -(1 + 3 + 6) - 2]);
  for (let i = 0; i < 2; i++) {
    const total = perFeature.reduce((s, m) => s + m[i], 0);
    assert.equal(maps[0][i] + maps[1][i], total);
  }
  // Features the network does not read contribute nothing; x₂ alone leaves x₁ at zero.
  const only = groupToCoordinates(['x2Squared'], [Float32Array.from([3])]);
  assert.deepEqual(only.maps.map((m) => Array.from(m)), [[0], [3]]);
});

test('the live interval keeps explanations within the budget and the refresh rate', () => {
  for (const [ms, stepsPerSec] of [[3, 40000], [40, 40000], [120, 2000], [0.5, 300], [10, 50]]) {
    const every = liveEverySteps(ms, stepsPerSec, 0.1, 5);
    assert.ok(Number.isInteger(every) && every >= 1);
    const trainingMs = (every / stepsPerSec) * 1000;
    assert.ok(ms <= 0.1 * trainingMs + 1e-9 || every === 1, `${ms} ms per ${every} steps at ${stepsPerSec} steps/s`);
    assert.ok(stepsPerSec / every <= 5 + 1e-9, 'at most 5 refreshes a second');
  }
  assert.equal(liveEverySteps(5, 0), 1, 'unknown speed: every step (the caller waits for a speed)');
});
