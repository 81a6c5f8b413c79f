// The engine options the settings column edits: for each one its control id, label,
// help text, input kind and range, how to read it from a spec and write it back, and
// when it applies. Fields left out of a spec (the engine drops defaults) read as their
// default; fields at their default are written back out, so older engines accept them.

const LOSS_DEFAULTS = { labelSmoothing: 0, tamper: 1, focalGamma: 2, polyEpsilon: 1, logEnd: 0.75 };
const SCHEDULES = {
  constant: () => ({ kind: 'constant' }),
  step: () => ({ kind: 'step', every: 1000, gamma: 0.5 }),
  cosine: () => ({ kind: 'cosine', steps: 10000, minLr: 0 }),
};
const INITS = {
  glorotUniform: () => ({ kind: 'glorotUniform' }),
  he: () => ({ kind: 'he' }),
  lecun: () => ({ kind: 'lecun' }),
  orthogonal: () => ({ kind: 'orthogonal' }),
  criticality: () => ({ kind: 'criticality', cW: 1, cB: 0 }),
};

export const LEARNING_RATES = ['0.00001', '0.0001', '0.001', '0.003', '0.01', '0.03', '0.1', '0.3', '1', '3', '10'];

export const ACTIVATIONS = [
  ['tanh', 'tanh'], ['relu', 'ReLU'], ['leakyRelu', 'leaky ReLU'], ['prelu', 'PReLU (learned)'], ['elu', 'ELU'],
  ['gelu', 'GELU'], ['silu', 'SiLU'], ['sigmoid', 'sigmoid'], ['softplus', 'softplus'], ['abs', 'abs'],
  ['linear', 'linear'], ['maxout', 'maxout (gate)'], ['andAil', 'AND (AIL gate)'], ['orAil', 'OR (AIL gate)'],
  ['xnorAil', 'XNOR (AIL gate)'], ['and', 'AND (exact gate)'], ['or', 'OR (exact gate)'], ['xnor', 'XNOR (exact gate)'],
];
export const GATES = new Set(['maxout', 'andAil', 'orAil', 'xnorAil', 'and', 'or', 'xnor']);

// Drops a field when it is at its default, so specs stay valid for engines that do not know it.
function setOptional(obj, key, value, fallback) {
  if (value === fallback) delete obj[key];
  else obj[key] = value;
}

const lossParam = (key) => ({
  get: (s) => s.training.lossParams?.[key] ?? LOSS_DEFAULTS[key],
  set: (s, v) => {
    s.training.lossParams = { ...LOSS_DEFAULTS, ...s.training.lossParams, [key]: v };
  },
});
const training = (key, fallback) => ({
  get: (s) => s.training[key] ?? fallback,
  set: (s, v) => (s.training[key] = v),
});
const schedule = (key) => ({
  get: (s) => s.training.schedule?.[key],
  set: (s, v) => (s.training.schedule[key] = v),
});
const init = (key) => ({
  get: (s) => s.model.init?.[key],
  set: (s, v) => (s.model.init[key] = v),
});

const lossIs = (...names) => (s) => names.includes(s.training.loss);
const optimizerIs = (...names) => (s) => names.includes(s.training.optimizer);
const scheduleIs = (kind) => (s) => (s.training.schedule?.kind ?? 'constant') === kind;
const activationsOf = (s) => s.model.activations ?? s.model.hidden.map(() => s.model.activation);

// Groups in display order; each option: {id, label, help, kind: select|number|checkbox, ...}.
export const OPTION_GROUPS = [
  {
    title: 'Objective',
    options: [
      { id: 'loss', label: 'Loss', kind: 'select', help: 'The training objective on the network\'s outputs.',
        choices: [['softmaxCrossEntropy', 'cross-entropy'], ['focal', 'focal'], ['poly1', 'Poly-1'], ['encouraging', 'encouraging'],
          ['mse', 'mean squared error'], ['binaryCrossEntropy', 'binary cross-entropy']],
        ...training('loss') },
      { id: 'label-smoothing', label: 'Label smoothing', kind: 'number', min: 0, max: 0.99, step: 0.01, when: lossIs('softmaxCrossEntropy'),
        help: 'Cross-entropy against (1 − α)·one-hot + α/K instead of the one-hot target; 0 is off.', ...lossParam('labelSmoothing') },
      { id: 'tamper', label: 'Gradient tamper', kind: 'number', min: 0.05, max: 10, step: 0.05, when: lossIs('softmaxCrossEntropy'),
        help: 'Backward pass uses p^α / Σp^α in place of the softmax p; 1 is the true gradient.', ...lossParam('tamper') },
      { id: 'focal-gamma', label: 'Focal γ', kind: 'number', min: 0, max: 10, step: 0.5, when: lossIs('focal'),
        help: 'Focal loss −(1 − p)^γ log p: larger γ down-weights points already classified well.', ...lossParam('focalGamma') },
      { id: 'poly-epsilon', label: 'Poly-1 ε', kind: 'number', min: -1, max: 10, step: 0.1, when: lossIs('poly1'),
        help: 'Poly-1 loss −log p + ε(1 − p).', ...lossParam('polyEpsilon') },
      { id: 'log-end', label: 'Bonus cut-off', kind: 'number', min: 0.05, max: 1, step: 0.05, when: lossIs('encouraging'),
        help: 'Encouraging loss: where the log(1 − p) bonus is continued along its tangent; 1 keeps the full bonus.', ...lossParam('logEnd') },
    ],
  },
  {
    title: 'Optimiser',
    options: [
      { id: 'optimizer', label: 'Optimiser', kind: 'select', help: 'The update rule applied to every parameter.',
        choices: [['sgd', 'SGD'], ['momentum', 'momentum'], ['nesterov', 'Nesterov'], ['adam', 'Adam'], ['adamW', 'AdamW']],
        ...training('optimizer') },
      { id: 'learning-rate', label: 'Learning rate', kind: 'select', choices: LEARNING_RATES.map((v) => [v, v]), numeric: true,
        help: 'Step size of each update. Changing it while training keeps the run going.', ...training('learningRate') },
      { id: 'momentum', label: 'Momentum μ', kind: 'number', min: 0, max: 0.999, step: 0.01, when: optimizerIs('momentum', 'nesterov'),
        help: 'Velocity kept from step to step: v = μv + g.', ...training('momentum', 0.9) },
      { id: 'beta1', label: 'Adam β₁', kind: 'number', min: 0, max: 0.999, step: 0.01, when: optimizerIs('adam', 'adamW'),
        help: 'Decay of Adam\'s running mean of the gradient.', ...training('beta1', 0.9) },
      { id: 'beta2', label: 'Adam β₂', kind: 'number', min: 0, max: 0.9999, step: 0.001, when: optimizerIs('adam', 'adamW'),
        help: 'Decay of Adam\'s running mean of the squared gradient.', ...training('beta2', 0.999) },
      { id: 'epsilon', label: 'Adam ε', kind: 'number', min: 1e-12, max: 1, step: 'any', when: optimizerIs('adam', 'adamW'),
        help: 'Added to the root of the squared-gradient average to avoid division by zero.', ...training('epsilon', 1e-8) },
      { id: 'weight-decay', label: 'Weight decay λ', kind: 'number', min: 0, max: 10, step: 0.0001, when: optimizerIs('adamW'),
        help: 'AdamW\'s decoupled decay: every weight shrinks by lr·λ·w before the Adam step.', ...training('weightDecay', 0) },
      { id: 'schedule', label: 'Schedule', kind: 'select', help: 'How the learning rate changes over the steps after warm-up.',
        choices: [['constant', 'constant'], ['step', 'step decay'], ['cosine', 'cosine decay']],
        get: (s) => s.training.schedule?.kind ?? 'constant',
        set: (s, v) => (s.training.schedule = SCHEDULES[v]()) },
      { id: 'step-every', label: 'Decay every', kind: 'number', min: 1, max: 10000000, step: 1, integer: true, when: scheduleIs('step'),
        help: 'Step decay: the learning rate is multiplied by γ every this many steps.', ...schedule('every') },
      { id: 'step-gamma', label: 'Decay γ', kind: 'number', min: 0.01, max: 1, step: 0.05, when: scheduleIs('step'),
        help: 'Step decay: the factor applied at each decay.', ...schedule('gamma') },
      { id: 'cosine-steps', label: 'Cosine steps', kind: 'number', min: 1, max: 10000000, step: 100, integer: true, when: scheduleIs('cosine'),
        help: 'Cosine decay: steps from the full learning rate down to the minimum.', ...schedule('steps') },
      { id: 'cosine-min-lr', label: 'Minimum rate', kind: 'number', min: 0, max: 10, step: 'any', when: scheduleIs('cosine'),
        help: 'Cosine decay: the learning rate it ends at (at most the learning rate).', ...schedule('minLr') },
      { id: 'warmup', label: 'Warm-up steps', kind: 'number', min: 0, max: 10000000, step: 10, integer: true,
        help: 'Linear warm-up from lr/steps to lr before the schedule starts; 0 is off.', ...training('warmupSteps', 0) },
      { id: 'batch-size', label: 'Batch size', kind: 'number', min: 1, max: 10000, step: 1, integer: true,
        help: 'Training points per gradient step.', ...training('batchSize') },
    ],
  },
  {
    title: 'Regularisation',
    options: [
      { id: 'l1', label: 'L1 rate', kind: 'number', min: 0, max: 10, step: 0.001, help: 'Adds rate·sign(w) to every weight\'s gradient: pushes weights to exactly zero.',
        ...training('l1', 0) },
      { id: 'l2', label: 'L2 rate', kind: 'number', min: 0, max: 10, step: 0.001, help: 'Adds rate·w to every weight\'s gradient: shrinks all weights.',
        ...training('l2', 0) },
      { id: 'clip-norm', label: 'Clip norm', kind: 'number', min: 0, max: 1000, step: 0.1, optional: true,
        help: 'Rescales all gradients together so their global L2 norm is at most this; empty is off.',
        get: (s) => s.training.clipNorm ?? null, set: (s, v) => setOptional(s.training, 'clipNorm', v, null) },
      { id: 'dropout', label: 'Dropout', kind: 'number', min: 0, max: 0.9, step: 0.05,
        help: 'Probability of zeroing each hidden unit\'s output during training (not when evaluating).',
        get: (s) => s.model.dropout ?? 0, set: (s, v) => setOptional(s.model, 'dropout', v, 0) },
    ],
  },
  {
    title: 'Initialisation',
    options: [
      { id: 'init', label: 'Init', kind: 'select', help: 'How the initial weights and biases are drawn.',
        choices: [['glorotUniform', 'Glorot uniform'], ['he', 'He normal'], ['lecun', 'LeCun normal'], ['orthogonal', 'orthogonal'],
          ['criticality', 'criticality (C_W, C_b)']],
        get: (s) => s.model.init?.kind ?? 'glorotUniform', set: (s, v) => (s.model.init = INITS[v]()) },
      { id: 'crit-cw', label: 'C_W', kind: 'number', min: 0.01, max: 10, step: 0.1, when: (s) => s.model.init?.kind === 'criticality',
        help: 'Criticality init: weights ~ N(0, C_W/fan-in). 1 is critical for tanh, 2 for ReLU.', ...init('cW') },
      { id: 'crit-cb', label: 'C_b', kind: 'number', min: 0, max: 10, step: 0.1, when: (s) => s.model.init?.kind === 'criticality',
        help: 'Criticality init: biases ~ N(0, C_b).', ...init('cB') },
      { id: 'parametrization', label: 'Parametrisation', kind: 'select',
        help: 'How multipliers, init and per-layer learning rates scale with width (muP keeps the best learning rate fixed as the net widens).',
        choices: [['plain', 'plain'], ['sp', 'standard (SP)'], ['ntk', 'NTK'], ['muP', 'μP'], ['meanField', 'mean field']],
        get: (s) => s.model.parametrization ?? 'plain', set: (s, v) => (s.model.parametrization = v) },
      { id: 'base-width', label: 'Base width', kind: 'number', min: 1, max: 4096, step: 1, integer: true,
        when: (s) => (s.model.parametrization ?? 'plain') !== 'plain',
        help: 'The width at which the parametrisation\'s multipliers and learning rates are 1.', get: (s) => s.model.baseWidth ?? 1,
        set: (s, v) => (s.model.baseWidth = v) },
      { id: 'leaky-slope', label: 'Leaky slope', kind: 'number', min: 0, max: 1, step: 0.01, when: (s) => activationsOf(s).includes('leakyRelu'),
        help: 'Slope of leaky ReLU below zero.', get: (s) => s.model.leakySlope ?? 0.01, set: (s, v) => (s.model.leakySlope = v) },
      { id: 'residual', label: 'Residual', kind: 'checkbox',
        help: 'Adds an identity skip around every hidden layer whose input and output widths match.',
        get: (s) => s.model.residual ?? false, set: (s, v) => setOptional(s.model, 'residual', v, false) },
    ],
  },
  {
    title: 'Seeds',
    options: [
      { id: 'data-seed', label: 'Data seed', kind: 'number', min: 0, max: 4294967295, step: 1, integer: true,
        help: 'Seed of the point positions and of the train/test split.', get: (s) => s.dataset.seed, set: (s, v) => (s.dataset.seed = v) },
      { id: 'init-seed', label: 'Training seed', kind: 'number', min: 0, max: 4294967295, step: 1, integer: true,
        help: 'Seed of the initial weights and of the batch order. Reset keeps the same initial weights unless this changes.',
        ...training('seed') },
    ],
  },
];

export { activationsOf };
