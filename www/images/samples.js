// The test split's predictions, fetched in pages from the engine: the arrays every view
// of predictions (sample grid, confusion matrix, misclassified gallery) reads.
const PAGE = 1000;
// Enough test samples for stable accuracies without stalling training.
export const MAX_TEST_SAMPLES = 2000;

export async function testPredictions(call) {
  const info = await call('dataInfo');
  const count = Math.min(info.samples - info.nTrain, MAX_TEST_SAMPLES);
  const indices = Array.from({ length: count }, (_, i) => info.nTrain + i);
  const out = { info, indices, features: [], labels: [], predicted: [], confidence: [] };
  for (let from = 0; from < count; from += PAGE) {
    const batch = await call('samples', { indices: indices.slice(from, from + PAGE) });
    const n = batch.labels.length;
    for (let i = 0; i < n; i += 1) {
      const p = batch.probabilities.subarray(i * info.classes, (i + 1) * info.classes);
      let best = 0;
      for (let k = 1; k < p.length; k += 1) if (p[k] > p[best]) best = k;
      out.features.push(batch.features.subarray(i * info.nFeatures, (i + 1) * info.nFeatures));
      out.labels.push(batch.labels[i]);
      out.predicted.push(best);
      out.confidence.push(p[best]);
    }
  }
  return out;
}
