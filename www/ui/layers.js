// The hidden-layer editor: − / + buttons for the number of layers (0..8) and, per layer,
// − / + and a number for its units (1..64, 1..32 behind a pair gate) and its activation.
// One activation for all layers is written as `model.activation`; mixed ones as
// `model.activations`. Edits reach the page as functions that change a spec copy.
import { ACTIVATIONS, GATES, activationsOf } from './options.js';
import { labelledButton } from './button.js';

const MAX_LAYERS = 8;
const MAX_UNITS = 64;

const maxUnits = (activation) => (GATES.has(activation) ? MAX_UNITS / 2 : MAX_UNITS);

function setLayers(spec, hidden, activations) {
  spec.model.hidden = hidden;
  const first = activations[0] ?? spec.model.activation;
  spec.model.activation = first;
  if (activations.every((a) => a === first)) delete spec.model.activations;
  else spec.model.activations = activations;
}

const button = (text, label, onClick) => labelledButton(text, label, onClick, 'mini');

export function createLayerEditor(root, onEdit) {
  let spec = null;
  const edit = (change) => onEdit((s) => {
    const hidden = [...s.model.hidden];
    const acts = activationsOf(s).slice();
    change(hidden, acts);
    setLayers(s, hidden, acts);
  });

  const count = document.createElement('div');
  count.className = 'layer-count';
  count.dataset.control = 'layers';
  const countText = document.createElement('span');
  countText.setAttribute('aria-live', 'polite');
  const remove = button('−', 'Remove the last hidden layer', () => edit((h, a) => (h.pop(), a.pop())));
  const add = button('+', 'Add a hidden layer (a copy of the last one)', () =>
    edit((h, a) => {
      h.push(h.at(-1) ?? 4);
      a.push(a.at(-1) ?? spec.model.activation);
    }));
  remove.id = 'layers-remove';
  add.id = 'layers-add';
  count.title = `Number of hidden layers, 0 to ${MAX_LAYERS}`;
  count.append(remove, countText, add);

  const all = document.createElement('label');
  all.className = 'field';
  all.dataset.control = 'activation';
  all.title = 'Set the activation of every hidden layer at once; gates (maxout, AND/OR/XNOR) pair adjacent units.';
  const allText = document.createElement('span');
  allText.textContent = 'All activations';
  const allSelect = document.createElement('select');
  allSelect.id = 'activation';
  allSelect.title = all.title;
  allSelect.add(new Option('mixed', 'mixed'));
  allSelect.options[0].disabled = true;
  for (const [v, name] of ACTIVATIONS) allSelect.add(new Option(name, v));
  allSelect.addEventListener('change', () => edit((h, a) => a.fill(allSelect.value)));
  all.append(allText, allSelect);

  const rows = document.createElement('ol');
  rows.className = 'layer-rows';
  root.append(count, all, rows);

  function row(i, units, activation) {
    const li = document.createElement('li');
    li.className = 'layer-row';
    li.dataset.control = `layer-${i + 1}`;
    const cap = maxUnits(activation);
    const input = document.createElement('input');
    Object.assign(input, { type: 'number', min: 1, max: cap, step: 1, value: units, id: `units-${i + 1}` });
    input.title = `Units in hidden layer ${i + 1} (1 to ${cap})`;
    input.setAttribute('aria-label', input.title);
    // Whole numbers go to the engine, whose refusal (e.g. too wide behind a gate) names the reason.
    input.addEventListener('change', () => {
      const v = Number(input.value);
      if (!Number.isInteger(v) || v < 1 || v > MAX_UNITS) return input.setAttribute('aria-invalid', 'true');
      edit((h) => (h[i] = v));
    });
    const less = button('−', `One unit fewer in layer ${i + 1}`, () => units > 1 && edit((h) => (h[i] -= 1)));
    const more = button('+', `One unit more in layer ${i + 1}`, () => units < cap && edit((h) => (h[i] += 1)));
    const select = document.createElement('select');
    select.id = `activation-${i + 1}`;
    select.title = `Activation of hidden layer ${i + 1}`;
    select.setAttribute('aria-label', select.title);
    for (const [v, name] of ACTIVATIONS) select.add(new Option(name, v));
    select.value = activation;
    select.addEventListener('change', () => edit((h, a) => {
      a[i] = select.value;
      h[i] = Math.min(h[i], maxUnits(select.value));
    }));
    less.id = `units-less-${i + 1}`;
    more.id = `units-more-${i + 1}`;
    li.append(less, input, more, select);
    return li;
  }

  return {
    show(next) {
      spec = next;
      const hidden = spec.model.hidden;
      const acts = activationsOf(spec);
      countText.textContent = `${hidden.length} hidden layer${hidden.length === 1 ? '' : 's'}`;
      remove.disabled = hidden.length === 0;
      add.disabled = hidden.length >= MAX_LAYERS;
      allSelect.value = acts.every((a) => a === acts[0]) && acts.length ? acts[0] : 'mixed';
      if (!acts.length) allSelect.value = spec.model.activation;
      // Rebuilding the rows must not lose the keyboard focus of a row's control.
      const focused = rows.contains(document.activeElement) ? document.activeElement.id : null;
      rows.replaceChildren(...hidden.map((u, i) => row(i, u, acts[i])));
      if (focused) document.getElementById(focused)?.focus();
    },
    controls: () => [
      { id: 'layers', label: 'Number of hidden layers' },
      { id: 'activation', label: 'All activations' },
      ...Array.from({ length: MAX_LAYERS }, (_, i) => ({ id: `layer-${i + 1}`, label: `Hidden layer ${i + 1}` })),
    ],
  };
}
