// The track switch in the header: the 2-D playground or one of the image-track sets.
// Choosing one opens a starter experiment for it (a spec built here, then loaded).
import { PRESETS } from '../images/presets.js';

const TRAINING = { loss: 'softmaxCrossEntropy', optimizer: 'adam', learningRate: 0.002, batchSize: 32 };

// A complete spec for the track `value`, keeping the current seeds.
function starterSpec(value, current) {
  const seed = current?.dataset?.seed ?? 1;
  const trainingSeed = current?.training?.seed ?? 1;
  if (value === 'plane') {
    return {
      dataset: { kind: 'spiral', points: 500, trainFraction: 0.5, noise: 0, seed },
      model: { hidden: [8, 8], activation: 'tanh' },
      training: { loss: 'softmaxCrossEntropy', optimizer: 'sgd', learningRate: 0.03, batchSize: 10, seed: trainingSeed },
    };
  }
  if (value === 'signals') {
    return {
      dataset: { kind: 'signals', points: 1000, trainFraction: 0.8, noise: 10, seed },
      model: { hidden: [], activation: 'relu', layers: [{ type: 'dense', units: 32 }, { type: 'activation', function: 'relu' }, { type: 'dense', units: 4 }] },
      training: { ...TRAINING, seed: trainingSeed },
    };
  }
  const classes = value === 'digits' ? 10 : 4;
  const preset = value === 'digits' ? PRESETS.lenet : PRESETS.gap;
  return {
    dataset: { kind: value, points: 2000, trainFraction: 0.8, noise: 10, seed },
    model: { hidden: [], activation: 'relu', layers: preset.layers(classes) },
    training: { ...TRAINING, seed: trainingSeed },
  };
}

const trackOf = (spec) => (['digits', 'shapes', 'signals', 'upload'].includes(spec.dataset.kind) ? spec.dataset.kind : 'plane');

// `select` offers plane/digits/shapes/signals (and a disabled upload entry); `load`
// opens a spec and keeps the current experiment when it fails.
export function createTrackSwitch(select, load) {
  let current = null;
  select.addEventListener('change', () => {
    const value = select.value;
    select.value = current ? trackOf(current) : 'plane';
    load(starterSpec(value, current));
  });
  return {
    show(spec) {
      current = spec;
      select.value = trackOf(spec);
    },
  };
}
