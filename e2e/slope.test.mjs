// The soak test's slope check on made-up series: flat or noisy memory passes, a steady
// leak fails.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { leastSquares, growthCheck } from './slope.mjs';

const series = (f, n = 60) => Array.from({ length: n }, (_, i) => [i * 2, f(i)]);
const MB = 1 << 20;

test('the fit recovers a line', () => {
  const { slope, intercept } = leastSquares(series((i) => 3 * (i * 2) + 7));
  assert.ok(Math.abs(slope - 3) < 1e-9 && Math.abs(intercept - 7) < 1e-9);
  assert.throws(() => leastSquares([[1, 2], [1, 3]]), /two different times/);
});

test('flat or noisy memory passes; a steady leak fails', () => {
  assert.ok(growthCheck(series(() => 50 * MB)).ok);
  assert.ok(growthCheck(series((i) => 50 * MB + (i % 2 ? 1 : -1) * 3 * MB)).ok);
  const leak = growthCheck(series((i) => 50 * MB + i * 0.2 * MB));
  assert.ok(!leak.ok, JSON.stringify(leak));
  assert.ok(Math.abs(leak.growth - 59 * 0.2 * MB) < 1);
});
