// The leaderboard's pure parts (no DOM): what each metric column means and which way is
// better, the best row(s) per column, why a cell is empty ("n/a" with a reason), the
// request sent to the engine, and the curve figures (deletion, insertion, randomisation)
// in the shape www/labs/figure.js draws.

// Column → [heading, tooltip]. The engine's board says which way is better per column.
export const COLUMN_INFO = {
  deletionAuc: ['Deletion AUC', 'Area under the class score as the most relevant pixels are removed first: a faithful map makes it fall fast'],
  insertionAuc: ['Insertion AUC', 'Area under the class score as the most relevant pixels are put back first into the filled image: a faithful map makes it rise fast'],
  morfAuc: ['MoRF AUC', 'Region perturbation, most relevant patches first (pixel-flipping)'],
  lerfAuc: ['LeRF AUC', 'Region perturbation, least relevant patches first: a faithful map keeps the score'],
  randomDeletionAuc: ['Random deletion AUC', 'Deletion in a random order; the same for every method, the reference the deletion AUC should beat'],
  completenessGap: ['Completeness gap', 'Mean |sum of the map − (score of the sample − score of the fill)|: zero for complete methods such as Integrated Gradients'],
  pointingGame: ['Pointing game', 'Share of samples whose most relevant pixel lies on the ground-truth mask'],
  relevanceMass: ['Relevance mass', 'Share of the positive relevance that falls on the ground-truth mask'],
  topKIou: ['Top-k IoU', 'Overlap of the k most relevant pixels with the mask (k = the mask\'s size)'],
  gini: ['Gini sparseness', 'Gini index of |map|: higher means the relevance sits on fewer pixels'],
  maxSensitivity: ['Max-sensitivity', 'Largest change of the map under small random input perturbations: lower is more robust'],
  randomisationSpearman: ['Randomisation Spearman', 'Rank correlation between the map of the trained model and the map once every layer is randomised: a method that depends on the model falls towards 0'],
};

export const LOCALISATION = ['pointingGame', 'relevanceMass', 'topKIou'];

// Per column, the indices of the rows with the best finite value (ties share it); empty
// when no row has a value or all values are equal (nothing to choose between, such as
// random deletion, which does not depend on the map).
export function bestRows(board) {
  return board.columns.map((_, c) => {
    const values = board.rows.map((r) => r.values[c]).filter(Number.isFinite);
    if (new Set(values).size < 2) return [];
    const target = board.higherIsBetter[c] ? Math.max(...values) : Math.min(...values);
    return board.rows.map((r, i) => (r.values[c] === target ? i : -1)).filter((i) => i >= 0);
  });
}

// Why a cell of `column` is empty, given the options the board ran with.
export function reasonFor(column, { masks, sanity }) {
  if (LOCALISATION.includes(column)) {
    return masks === 'none' ? 'no ground-truth masks: this dataset has none, or "none" was chosen' : 'not computed for these maps';
  }
  if (column === 'completenessGap') return "the maps are not in the input's shape (a layer's map), so their sum is not comparable to the score change";
  if (column === 'randomisationSpearman') return sanity ? 'not computed for this method' : 'the cascading randomisation check was turned off';
  return 'not computed';
}

export const formatValue = (v) => (Math.abs(v) >= 1000 || (v !== 0 && Math.abs(v) < 1e-3) ? v.toExponential(2) : v.toFixed(3));

// The engine's request from the chosen method requests and options.
export function boardRequest(methods, { steps, fill, masks, sanity }) {
  if (!methods.length) throw new Error('Pick at least one method to judge.');
  const n = Number(steps);
  if (!(Number.isInteger(n) && n >= 1 && n <= 100)) throw new Error(`Curve steps must be a whole number from 1 to 100, not "${steps}".`);
  return { methods, steps: n, fill, masks, sanity };
}

// The first `count` test rows of a dataset (rows are train first, then test).
export function testRows(info, count) {
  const available = info.samples - info.nTrain;
  const n = Number(count);
  if (available < 1) throw new Error('This dataset has no test samples to judge on.');
  if (!(Number.isInteger(n) && n >= 1 && n <= available)) throw new Error(`Samples must be a whole number from 1 to ${available} (the test samples), not "${count}".`);
  return Array.from({ length: n }, (_, i) => info.nTrain + i);
}

const csvField = (s) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

// A line figure of one curve per method: x values shared, y per row from `pick(row)`.
function lines(board, { id, title, xLabel, yLabel, x, pick }) {
  const rows = board.rows.filter((r) => pick(r).length === x.length);
  const series = rows.map((r) => ({ name: r.label, x, y: pick(r) }));
  const header = [xLabel, ...rows.map((r) => r.label)].map(csvField).join(',');
  const body = x.map((v, k) => [v, ...rows.map((r) => pick(r)[k])].join(','));
  return { id, title, kind: 'lines', xLabel, yLabel, logX: false, categories: [], thumbs: [], series, csv: `${[header, ...body].join('\n')}\n` };
}

// The deletion and insertion curves, and the randomisation curves when the check ran.
export function curveFigures(board) {
  const share = { x: board.shares, xLabel: 'share of pixels' };
  const figures = [
    lines(board, { ...share, id: 'deletion', title: 'Deletion: most relevant pixels removed first', yLabel: 'explained score (logit)', pick: (r) => r.curves.deletion }),
    lines(board, { ...share, id: 'insertion', title: 'Insertion: most relevant pixels put back first', yLabel: 'explained score (logit)', pick: (r) => r.curves.insertion }),
  ];
  const randomised = board.rows.find((r) => r.curves.spearman.length > 1);
  if (randomised) {
    const x = randomised.curves.spearman.map((_, k) => k);
    const xLabel = 'layers randomised, from the top';
    figures.push(
      lines(board, { id: 'spearman', title: 'Cascading randomisation: rank correlation with the trained maps', xLabel, yLabel: 'Spearman', x, pick: (r) => r.curves.spearman }),
      lines(board, { id: 'ssim', title: 'Cascading randomisation: SSIM with the trained maps', xLabel, yLabel: 'SSIM', x, pick: (r) => r.curves.ssim }),
    );
  }
  return figures;
}
