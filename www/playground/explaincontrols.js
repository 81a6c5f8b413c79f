// The playground's explanation settings, shared by the attribution maps and the feature
// bars: which method (the ones that make sense for a small MLP on a handful of features),
// which score (predicted class, a chosen class, the true class for data points, or a
// contrast between two classes; regression explains its single output) and whether the
// attributions are grouped to the raw coordinates x₁ / x₂.
import { methodByName } from '../explain/methods.js';

// Method names (the engine's vocabulary) with the parameters used on the plane: few
// steps and samples, so a 32×32 grid stays cheap enough to refresh while training.
export const PLANE_METHODS = [
  ['gradient', { mode: 'signed' }],
  ['gradientXInput', {}],
  ['integratedGradients', { steps: '16', baseline: 'zero' }],
  ['smoothGrad', { n: '16', sigma: '0.3' }],
  ['deepLift', { baseline: 'zero' }],
  ['lrp', { rule: 'epsilon', epsilon: '0.01' }],
  ['shapley', { samples: '16' }],
];

// Rows per pass: the plane's networks are small, so large batches (fewer passes, fewer
// progress yields) are fastest on either backend.
const BATCH = '1024';

function labelled(text, title, control) {
  const label = document.createElement('label');
  label.title = title;
  control.title = title;
  label.append(text, control);
  return label;
}

function select(options) {
  const s = document.createElement('select');
  s.replaceChildren(...options.map(([value, text]) => Object.assign(document.createElement('option'), { value, textContent: text })));
  return s;
}

export function createExplainControls(container) {
  const listeners = [];
  const changed = () => listeners.forEach((fn) => fn());

  const method = select(PLANE_METHODS.map(([name]) => [name, methodByName(name).label]));
  const methodLabel = labelled('Method ', 'Attribution method', method);
  const describeMethod = () => {
    const tip = `${methodByName(method.value).title} (parameters here: ${Object.entries(PLANE_METHODS.find(([n]) => n === method.value)[1]).map(([k, v]) => `${k}=${v}`).join(', ') || 'none'})`;
    method.title = tip;
    methodLabel.title = tip;
  };
  const kind = select([
    ['predicted', 'predicted class'], ['class', 'class'], ['true', 'true class (data points)'], ['contrast', 'contrast'],
  ]);
  const classA = select([]);
  const classB = select([]);
  const grouped = document.createElement('input');
  grouped.type = 'checkbox';
  grouped.id = 'attribution-grouped';
  const versus = document.createElement('span');
  versus.textContent = '−';
  const target = document.createElement('span');
  target.className = 'explain-target';
  target.append(
    labelled('Explain ', 'Which score the attribution explains: the predicted class, a chosen class, the labelled class of a data point (the plane itself has no labels), or why one class rather than another (logit a − logit b)', kind),
    classA, versus, classB,
  );
  classA.title = 'The explained class (contrast: the class argued for)';
  classB.title = 'Contrast: the class argued against';
  const groupLabel = labelled(
    '',
    'Sum each derived feature into the raw coordinate it is computed from (x₁², sin x₁ → x₁; x₂², sin x₂ → x₂; x₁x₂ half to each). An approximation: the totals are kept, the split of x₁x₂ is a convention.',
    grouped,
  );
  groupLabel.append(' grouped to x₁ / x₂');
  let regression = false;

  function layout() {
    const k = kind.value;
    classA.hidden = regression || (k !== 'class' && k !== 'contrast');
    classB.hidden = regression || k !== 'contrast';
    versus.hidden = classB.hidden;
    if (k === 'contrast' && classA.value === classB.value && classB.options.length > 1) {
      classB.selectedIndex = (classA.selectedIndex + 1) % classB.options.length;
    }
  }

  for (const control of [method, kind, classA, classB, grouped]) {
    control.addEventListener('change', () => {
      describeMethod();
      layout();
      changed();
    });
  }
  const single = document.createElement('span');
  single.textContent = 'Explains the predicted value (regression)';
  single.hidden = true;
  container.replaceChildren(methodLabel, target, single, groupLabel);
  describeMethod();
  layout();

  return {
    // The classes of the current experiment (1 and regression: the single output).
    setClasses(classes, isRegression) {
      regression = isRegression;
      const count = regression ? 1 : classes;
      if (classA.options.length !== count) {
        const options = Array.from({ length: count }, (_, c) => [String(c), `class ${c + 1}`]);
        const [a, b] = [classA.value, classB.value];
        classA.replaceChildren(...select(options).children);
        classB.replaceChildren(...select(options).children);
        if (a !== '' && Number(a) < count) classA.value = a;
        if (b !== '' && Number(b) < count) classB.value = b;
      }
      target.hidden = regression;
      single.hidden = !regression;
      layout();
    },
    // The request for the worker: {method, params}, params as the runner's strings.
    request() {
      const [name, params] = PLANE_METHODS.find(([n]) => n === method.value);
      const k = regression ? 'predicted' : kind.value;
      const targetValue = k === 'class' ? classA.value : k === 'contrast' ? `${classA.value}-${classB.value}` : k;
      return { method: name, params: { ...params, target: targetValue, batch: BATCH } };
    },
    // Whether the score needs labels (only data points have them).
    needsLabels: () => !regression && kind.value === 'true',
    grouped: () => grouped.checked,
    describe() {
      const { method: name, params } = this.request();
      const t = params.target;
      const what = regression ? 'the predicted value' : t === 'predicted' ? 'the predicted class' : t === 'true' ? 'the true class'
        : t.includes('-') ? `class ${Number(t.split('-')[0]) + 1} rather than class ${Number(t.split('-')[1]) + 1}` : `class ${Number(t) + 1}`;
      return `${methodByName(name).label} of ${what}`;
    },
    onChange: (fn) => listeners.push(fn),
  };
}
