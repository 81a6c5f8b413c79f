// The settings column: builds one labelled control per engine option (www/ui/options.js)
// plus the layer editor, shows a spec in them, and turns each edit into a new spec for
// `onEdit`. Options that do not apply to the current spec (e.g. Adam's β with SGD) are
// hidden; invalid entries are marked and not sent.
import { OPTION_GROUPS } from './options.js';
import { createLayerEditor } from './layers.js';

function buildControl(option) {
  const label = document.createElement('label');
  label.className = option.kind === 'checkbox' ? 'field check' : 'field';
  label.dataset.control = option.id;
  label.title = option.help;
  const text = document.createElement('span');
  text.textContent = option.label;
  let input;
  if (option.kind === 'select') {
    input = document.createElement('select');
    for (const [value, name] of option.choices) input.add(new Option(name, value));
  } else {
    input = document.createElement('input');
    input.type = option.kind;
    if (option.kind === 'number') {
      Object.assign(input, { min: option.min, max: option.max, step: option.step });
      input.inputMode = option.integer ? 'numeric' : 'decimal';
      if (option.optional) input.placeholder = 'off';
    }
  }
  input.id = option.id;
  input.title = option.help;
  label.append(text, input);
  return { label, input };
}

// The control's value as the spec holds it, or undefined when the entry is not acceptable.
function readValue(option, input) {
  if (option.kind === 'checkbox') return input.checked;
  if (option.kind === 'select') return option.numeric ? Number(input.value) : input.value;
  if (input.value.trim() === '' && option.optional) return null;
  const v = Number(input.value);
  // Off-step values are fine (the step only sets the arrow-key increment); the range is not.
  const { badInput, rangeUnderflow, rangeOverflow } = input.validity;
  if (input.value.trim() === '' || !Number.isFinite(v) || badInput || rangeUnderflow || rangeOverflow) return undefined;
  return option.integer ? Math.round(v) : v;
}

function writeValue(option, input, value) {
  if (option.kind === 'checkbox') input.checked = Boolean(value);
  else if (option.kind === 'select') {
    const text = String(value);
    if (![...input.options].some((o) => o.value === text)) input.add(new Option(text, text));
    input.value = text;
  } else input.value = value ?? '';
}

export function createSpecForm(form, onEdit) {
  // `shown` is the engine's last answer; `current` also holds edits still on their way,
  // so quick successive edits build on each other.
  let shown = null;
  let current = null;
  const emit = (spec) => {
    current = spec;
    onEdit(spec);
  };
  const controls = [];
  let layers;
  for (const group of OPTION_GROUPS) {
    const set = document.createElement('fieldset');
    set.className = 'option-group';
    const legend = document.createElement('legend');
    legend.textContent = group.title;
    set.append(legend);
    for (const option of group.options) {
      const { label, input } = buildControl(option);
      controls.push({ option, label, input });
      set.append(label);
    }
    form.append(set);
    if (group.title === 'Optimiser') form.append(layerFieldset());
  }

  function layerFieldset() {
    const set = document.createElement('fieldset');
    set.className = 'option-group layers';
    const legend = document.createElement('legend');
    legend.textContent = 'Hidden layers';
    set.append(legend);
    layers = createLayerEditor(set, (edit) => {
      const spec = structuredClone(current);
      edit(spec);
      emit(spec);
    });
    return set;
  }

  function show(spec) {
    shown = spec;
    current = spec;
    for (const { option, label, input } of controls) {
      const applies = !option.when || option.when(spec);
      label.hidden = !applies;
      if (applies) writeValue(option, input, option.get(spec));
      input.removeAttribute('aria-invalid');
    }
    layers.show(spec);
  }

  form.addEventListener('change', (e) => {
    const entry = controls.find((c) => c.input === e.target);
    if (!entry || !current) return;
    const value = readValue(entry.option, entry.input);
    if (value === undefined) {
      entry.input.setAttribute('aria-invalid', 'true');
      return;
    }
    entry.input.removeAttribute('aria-invalid');
    const spec = structuredClone(current);
    entry.option.set(spec, value);
    emit(spec);
  });
  form.addEventListener('submit', (e) => e.preventDefault());
  return {
    show,
    restore: () => shown && show(shown),
    // Every control id with its label, for the embed checklist.
    controls: () => [...controls.map(({ option }) => ({ id: option.id, label: option.label })), ...layers.controls()],
  };
}
