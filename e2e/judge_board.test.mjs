// The leaderboard panel's pure parts, without a browser: the best row per column follows
// each column's direction and shares ties, empty cells get their reason, the sample rows
// and request are checked with messages, and the curve figures carry one series per
// method with a CSV of the same numbers; ROAR's fractions and figure.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bestRows, reasonFor, testRows, boardRequest, curveFigures, COLUMN_INFO } from '../www/judge/board.js';
import { parseFractions, roarFigure } from '../www/judge/roar.js';

const curves = (d, s) => ({ deletion: d, insertion: d.map((v) => 1 - v), morf: [], lerf: [], randomDeletion: [], randomisedLayers: [], spearman: s, ssim: s });
const board = {
  samples: 3,
  columns: ['deletionAuc', 'insertionAuc', 'pointingGame'],
  higherIsBetter: [false, true, true],
  shares: [0, 0.5, 1],
  rows: [
    { label: 'a', values: [0.2, 0.7, null], curves: curves([1, 0.5, 0.1], [1, 0.5]) },
    { label: 'b(k=1; j=2)', values: [0.3, 0.7, null], curves: curves([1, 0.6, 0.2], [1, 0.9]) },
  ],
};

test('the best row per column follows its direction, ties share it, and empty or flat columns have none', () => {
  assert.deepEqual(bestRows(board), [[0], [], []], 'equal values star no row');
  const third = { ...board, rows: [...board.rows, { label: 'c', values: [0.2, 0.5, 1], curves: board.rows[0].curves }] };
  assert.deepEqual(bestRows(third), [[0, 2], [0, 1], []], 'ties share the star; one value alone is not starred');
  for (const c of ['deletionAuc', 'randomisationSpearman', 'topKIou']) assert.ok(COLUMN_INFO[c][0] && COLUMN_INFO[c][1]);
});

test('empty cells say why', () => {
  assert.match(reasonFor('pointingGame', { masks: 'none', sanity: true }), /no ground-truth masks/);
  assert.match(reasonFor('randomisationSpearman', { masks: 'object', sanity: false }), /turned off/);
  assert.match(reasonFor('completenessGap', { masks: 'object', sanity: true }), /input's shape/);
});

test('sample rows are the first test rows, and bad counts or requests are named', () => {
  const info = { samples: 10, nTrain: 8 };
  assert.deepEqual(testRows(info, '2'), [8, 9]);
  assert.throws(() => testRows(info, '3'), /from 1 to 2/);
  assert.throws(() => testRows(info, '1.5'), /whole number/);
  assert.throws(() => testRows({ samples: 8, nTrain: 8 }, '1'), /no test samples/);
  assert.deepEqual(boardRequest([{ method: 'gradient', params: {} }], { steps: '8', fill: 'zero', masks: 'none', sanity: false }),
    { methods: [{ method: 'gradient', params: {} }], steps: 8, fill: 'zero', masks: 'none', sanity: false });
  assert.throws(() => boardRequest([], { steps: '8' }), /at least one method/);
  assert.throws(() => boardRequest([{ method: 'gradient' }], { steps: '0' }), /from 1 to 100/);
});

test('the curve figures: one series per method over the shares, the randomisation steps, and a CSV of the same numbers', () => {
  const figs = curveFigures(board);
  assert.deepEqual(figs.map((f) => f.id), ['deletion', 'insertion', 'spearman', 'ssim']);
  const [deletion, , spearman] = figs;
  assert.deepEqual(deletion.series.map((s) => [s.name, s.x, s.y]), [['a', [0, 0.5, 1], [1, 0.5, 0.1]], ['b(k=1; j=2)', [0, 0.5, 1], [1, 0.6, 0.2]]]);
  assert.equal(deletion.csv, 'share of pixels,a,b(k=1; j=2)\n0,1,1\n0.5,0.5,0.6\n1,0.1,0.2\n');
  assert.deepEqual(spearman.series[1].x, [0, 1]);
  const noCheck = { ...board, rows: board.rows.map((r) => ({ ...r, curves: { ...r.curves, spearman: [], ssim: [] } })) };
  assert.deepEqual(curveFigures(noCheck).map((f) => f.id), ['deletion', 'insertion']);
});

test('ROAR fractions are checked, and its figure pairs the method with random removal', () => {
  assert.deepEqual(parseFractions('0.1, 0.5 1'), [0.1, 0.5, 1]);
  assert.throws(() => parseFractions('0.1, 1.2'), /from 0 to 1, not "1.2"/);
  assert.throws(() => parseFractions(' '), /1 to 10 fractions/);
  const fig = roarFigure({ method: 'gradient', steps: 30, fractions: [0.1, 0.5], methodAccuracy: [0.8, 0.3], randomAccuracy: [0.9, 0.7] });
  assert.deepEqual(fig.series.map((s) => [s.name, s.y]), [['gradient ranking', [0.8, 0.3]], ['random', [0.9, 0.7]]]);
  assert.equal(fig.csv, 'fraction,method,random\n0.1,0.8,0.9\n0.5,0.3,0.7\n');
});
