// The attribution methods the engine knows (src/explain/request.rs: the same names and
// key=value parameters as `glassbox explain --param`), each with its parameters'
// defaults, ranges, labels and tooltips, and whether its maps are magnitudes (≥ 0).
// `requestOf` turns chosen values into the engine's request, sending only the
// parameters that apply and differ from the engine's defaults.

const int = (key, label, def, min, max, title, when) => ({ key, label, kind: 'int', def, min, max, step: 1, title, when });
const num = (key, label, def, min, max, step, title, when) => ({ key, label, kind: 'number', def, min, max, step, title, when });
const choice = (key, label, def, options, title, when) => ({ key, label, kind: 'select', def, options, title, when });
const seed = (when) => int('seed', 'seed', 0, 0, 4294967295, 'Seed of the random draws (the same seed gives the same map)', when);

const BASELINE_TITLE = 'The reference input the path starts from: zero (black), the mean of the samples explained together, a Gaussian blur of the sample, uniform noise, or the drawing on the pad';
const baselineParams = [
  choice('baseline', 'baseline', 'zero', [['zero', 'zero'], ['mean', 'mean of the samples'], ['blur', 'blurred sample'], ['noise', 'uniform noise'], ['custom', 'the drawing']], BASELINE_TITLE),
  num('sigma', 'blur σ', 1, 0.1, 10, 0.1, 'Standard deviation of the blur in pixels', (v) => v.baseline === 'blur'),
  num('low', 'noise low', 0, -10, 10, 0.1, 'Lower end of the uniform noise', (v) => v.baseline === 'noise'),
  num('high', 'noise high', 1, -10, 10, 0.1, 'Upper end of the uniform noise (above low)', (v) => v.baseline === 'noise'),
  seed((v) => v.baseline === 'noise'),
];

const smoothParams = [
  num('sigma', 'σ', 0.15, 0, 10, 0.01, 'Standard deviation of the Gaussian noise added to the input, in input units (Captum: stdevs)'),
  int('n', 'samples', 25, 1, 100000, 'Noisy copies averaged'),
  seed(),
];

const LRP_RULES = [
  ['epsilon', 'ε'], ['zero', '0 (plain)'], ['gamma', 'γ'], ['zPlus', 'z⁺'], ['alpha1beta0', 'α1β0'], ['alpha2beta1', 'α2β1'],
  ['alphaBeta', 'αβ (β chosen)'], ['zBox', 'zᴮ (bounded input)'], ['flat', 'flat'], ['wSquare', 'w²'],
];
// A rule parameter applies when the uniform rule or a per-layer rule uses it.
const usesRule = (v, ...rules) => v.composite === 'none' && (rules.includes(v.rule) || rules.some((r) => new RegExp(`:\\s*${r}\\b`).test(v.layers ?? '')));

const lrpParams = [
  choice('composite', 'composite', 'none', [['none', 'one rule (below)'], ['epsilonPlus', 'ε-plus'], ['epsilonGammaBox', 'ε-γ-box'], ['epsilonPlusFlat', 'ε-plus-flat']],
    'A preset assigning rules by layer (zennit composites), or one rule for every layer with optional per-layer overrides'),
  choice('rule', 'rule', 'epsilon', LRP_RULES, 'The LRP rule for every layer without an override', (v) => v.composite === 'none'),
  { key: 'layers', label: 'per-layer rules', kind: 'text', def: '', placeholder: 'e.g. 0:zBox,3:gamma', title: 'Overrides as layer-id:rule pairs separated by commas (layer ids as in the CNN layers list, from 0)', when: (v) => v.composite === 'none' },
  num('epsilon', 'ε', 1e-6, 0, 10, 'any', 'The ε stabiliser of the ε rule', (v) => usesRule(v, 'epsilon')),
  num('gamma', 'γ', 0.25, 0, 10, 0.05, 'How much the γ rule favours positive contributions', (v) => usesRule(v, 'gamma')),
  num('beta', 'β', 1, 0, 10, 0.5, 'β of the αβ rule (α = β + 1)', (v) => usesRule(v, 'alphaBeta')),
  num('low', 'input low', 0, -10, 10, 0.1, 'Lowest input value (zᴮ rule on the first layer)', (v) => v.composite === 'epsilonGammaBox' || usesRule(v, 'zBox')),
  num('high', 'input high', 1, -10, 10, 0.1, 'Highest input value (zᴮ rule on the first layer)', (v) => v.composite === 'epsilonGammaBox' || usesRule(v, 'zBox')),
];

const camParams = (reluDefault) => [
  { key: 'layer', label: 'layer', kind: 'layer', def: '', title: 'The conv layer whose activations are weighted (default: the last conv layer)' },
  { key: 'relu', label: 'clip at 0', kind: 'bool', def: reluDefault, title: 'Keep only the positive evidence (ReLU on the map)' },
];

// `group` orders the list; `magnitude(values)` says the maps are ≥ 0 by construction.
export const METHODS = [
  { name: 'gradient', label: 'Gradient (saliency)', group: 'Gradients', title: 'The gradient of the explained score with respect to the input (Simonyan et al.)',
    params: [choice('mode', 'mode', 'signed', [['signed', 'signed'], ['abs', 'absolute'], ['channelMax', 'max over channels']], 'Signed gradient, its absolute value, or the largest absolute value over colour channels')],
    magnitude: (v) => v.mode !== 'signed' },
  { name: 'gradientXInput', label: 'Gradient × input', group: 'Gradients', title: 'The gradient times the input, element by element', params: [] },
  { name: 'integratedGradients', label: 'Integrated Gradients', group: 'Path methods', title: 'Gradients averaged along the straight path from a baseline to the sample, times (input − baseline) (Sundararajan et al.); the completeness gap says how far the sum is from S(x) − S(baseline)',
    params: [
      int('steps', 'steps', 50, 1, 100000, 'Points on the path (more: a smaller completeness gap)'),
      choice('rule', 'rule', 'gaussLegendre', [['gaussLegendre', 'Gauss–Legendre'], ['left', 'left Riemann'], ['right', 'right Riemann'], ['middle', 'middle Riemann'], ['trapezoid', 'trapezoid']], 'How the path integral is approximated (Captum: method)'),
      ...baselineParams,
    ] },
  { name: 'deepLift', label: 'DeepLIFT (rescale)', group: 'Path methods', title: 'Differences from a baseline passed back with the Rescale rule (Shrikumar et al.)', params: baselineParams },
  { name: 'smoothGrad', label: 'SmoothGrad', group: 'Noise', title: 'The gradient averaged over noisy copies of the sample (Smilkov et al.)', params: smoothParams },
  { name: 'smoothGradSq', label: 'SmoothGrad²', group: 'Noise', title: 'The squared gradient averaged over noisy copies', params: smoothParams, magnitude: () => true },
  { name: 'varGrad', label: 'VarGrad', group: 'Noise', title: 'The variance of the gradient over noisy copies', params: smoothParams, magnitude: () => true },
  { name: 'guidedBackprop', label: 'Guided backprop', group: 'Modified backward', title: 'The gradient with ReLUs passing back only positive signals where their input was positive (Springenberg et al.)', params: [] },
  { name: 'deconvnet', label: 'Deconvnet', group: 'Modified backward', title: 'The gradient with ReLUs passing back only positive signals (Zeiler & Fergus)', params: [] },
  { name: 'lrp', label: 'LRP', group: 'Modified backward', title: 'Layer-wise relevance propagation: the score redistributed layer by layer by the chosen rules (Bach et al.; zennit\'s rules and composites)', params: lrpParams },
  { name: 'gradCam', label: 'Grad-CAM', group: 'Class activation', title: 'A conv layer\'s channels weighted by their mean gradient (Selvaraju et al.), at the layer\'s resolution', params: camParams(false), needsConv: true },
  { name: 'gradCamPlusPlus', label: 'Grad-CAM++', group: 'Class activation', title: 'Grad-CAM with pixel-wise weights of the gradients (Chattopadhyay et al.)', params: camParams(true), needsConv: true },
  { name: 'guidedGradCam', label: 'Guided Grad-CAM', group: 'Class activation', title: 'Grad-CAM upsampled and multiplied by guided backprop', params: camParams(true).slice(0, 1), needsConv: true },
  { name: 'occlusion', label: 'Occlusion', group: 'Perturbation', title: 'The drop in score when a patch is covered, averaged over the patches covering each pixel (Zeiler & Fergus)',
    params: [
      int('patch', 'patch', 3, 1, 64, 'Side of the square patch in pixels'),
      int('stride', 'stride', 1, 1, 64, 'Pixels between patch positions'),
      num('fill', 'fill', 0, -10, 10, 0.1, 'The value a covered pixel takes'),
    ] },
  { name: 'rise', label: 'RISE', group: 'Perturbation', title: 'Scores under random smooth masks, each mask weighted by its score (Petsiuk et al.)',
    params: [
      int('masks', 'masks', 2000, 1, 100000, 'Random masks (more: a smoother map, more time)'),
      int('resolution', 'grid', 7, 1, 256, 'Cells per side of the coarse random grid each mask is upsampled from'),
      num('keep', 'keep p', 0.5, 0.01, 1, 0.05, 'Probability of keeping a cell'),
      seed(),
    ], needsImage: true },
  { name: 'shapley', label: 'Shapley sampling', group: 'Perturbation', title: 'Shapley values of superpixels by sampling random orders (Castro et al.)',
    params: [
      int('samples', 'orders', 25, 1, 100000, 'Random orders sampled'),
      int('cell', 'superpixel', 4, 1, 64, 'Side of the square superpixels in pixels'),
      num('fill', 'fill', 0, -10, 10, 0.1, 'The value of a pixel not yet switched on'),
      seed(),
    ] },
];

export const methodByName = (name) => METHODS.find((m) => m.name === name);

// Every parameter's default: {key: value}.
export function defaults(method) {
  return Object.fromEntries(method.params.map((p) => [p.key, p.def]));
}

// Whether a parameter applies to the chosen values.
export const applies = (param, values) => !param.when || param.when(values);

// Checks a value against its parameter; returns a message or null.
export function invalid(param, value) {
  if (param.kind === 'int' || param.kind === 'number') {
    const v = Number(value);
    if (value === '' || !Number.isFinite(v)) return `${param.label} must be a number`;
    if (param.kind === 'int' && !Number.isInteger(v)) return `${param.label} must be a whole number`;
    if (v < param.min || v > param.max) return `${param.label} must be from ${param.min} to ${param.max}`;
  }
  return null;
}

// The engine request {method, params, baseline?} for chosen values and an explained
// class (`target`: predicted | true | <k> | <a>-<b>); `custom` is the custom baseline.
export function requestOf(method, values, target, custom = null) {
  const params = {};
  for (const p of method.params) {
    const v = values[p.key] ?? p.def;
    if (!applies(p, values) || (p.key === 'composite' && v === 'none') || String(v) === String(p.def) || v === '') continue;
    const problem = invalid(p, v);
    if (problem) throw new Error(`${method.label}: ${problem}.`);
    params[p.key] = String(v);
  }
  if (target !== 'predicted') params.target = target;
  const request = { method: method.name, params };
  if (params.baseline === 'custom') {
    if (!custom) throw new Error(`${method.label}: the custom baseline is the drawing on the pad; draw one first.`);
    request.baseline = Array.from(custom);
  }
  return request;
}

// Whether the method's maps are ≥ 0 by construction (shown with viridis).
export const isMagnitude = (method, values) => Boolean(method.magnitude?.(values));
