// The method picker: a checkbox per method, grouped, each with its parameters in a
// disclosure (defaults filled in, ranges enforced by the inputs, tooltips from
// methods.js); parameters that do not apply to the other choices are hidden.
import { METHODS, defaults, applies } from './methods.js';

let uid = 0;

function paramInput(param, value, onChange) {
  const id = `explain-param-${(uid += 1)}`;
  const label = document.createElement('label');
  label.htmlFor = id;
  label.title = param.title;
  label.className = 'param';
  label.append(document.createTextNode(`${param.label} `));
  let input;
  if (param.kind === 'select' || param.kind === 'layer') {
    input = document.createElement('select');
    for (const [v, text] of param.options ?? []) input.append(new Option(text, v));
    input.value = value;
  } else if (param.kind === 'bool') {
    input = document.createElement('input');
    input.type = 'checkbox';
    input.checked = Boolean(value);
  } else {
    input = document.createElement('input');
    input.type = param.kind === 'text' ? 'text' : 'number';
    if (param.kind !== 'text') Object.assign(input, { min: param.min, max: param.max, step: param.step });
    if (param.placeholder) input.placeholder = param.placeholder;
    input.value = String(value);
  }
  input.id = id;
  input.title = param.title;
  input.dataset.key = param.key;
  input.addEventListener('change', () => onChange(param.kind === 'bool' ? input.checked : input.value));
  label.append(input);
  return { label, input };
}

// `initial`: names checked at first. `onChange()` after any change.
export function createMethodPicker(root, { initial, onChange }) {
  const state = new Map(METHODS.map((m) => [m.name, { method: m, on: initial.includes(m.name), values: defaults(m) }]));
  let convLayers = [];
  let hasConv = true;
  let isImage = true;
  root.replaceChildren();
  root.classList.add('method-picker');
  const groups = new Map();
  const rows = new Map();

  // Rebuilds a method's inputs when the parameters that apply change (not on every
  // edit, so keyboard focus stays put).
  function renderParams(name, force = true) {
    const entry = state.get(name);
    const row = rows.get(name);
    const shown = entry.method.params.filter((p) => applies(p, entry.values));
    const keys = shown.map((p) => p.key).join();
    if (!force && keys === row.keys) return;
    row.keys = keys;
    const inputs = shown.map((p) => {
      const param = p.kind === 'layer' ? { ...p, options: [['', 'last conv layer'], ...convLayers] } : p;
      const { label } = paramInput(param, entry.values[p.key], (v) => {
        entry.values[p.key] = p.kind === 'bool' ? v : String(v);
        renderParams(name, false);
        onChange();
      });
      return label;
    });
    row.params.replaceChildren(...inputs);
    row.details.hidden = inputs.length === 0;
  }

  for (const m of METHODS) {
    if (!groups.has(m.group)) {
      const fieldset = document.createElement('fieldset');
      const legend = document.createElement('legend');
      legend.textContent = m.group;
      fieldset.append(legend);
      groups.set(m.group, fieldset);
      root.append(fieldset);
    }
    const row = document.createElement('div');
    row.className = 'method';
    const check = document.createElement('label');
    check.title = m.title;
    const box = document.createElement('input');
    box.type = 'checkbox';
    box.name = 'explain-method';
    box.value = m.name;
    box.checked = state.get(m.name).on;
    box.addEventListener('change', () => {
      state.get(m.name).on = box.checked;
      onChange();
    });
    check.append(box, document.createTextNode(` ${m.label}`));
    const details = document.createElement('details');
    const summary = document.createElement('summary');
    summary.textContent = 'parameters';
    summary.title = `Parameters of ${m.label}`;
    const params = document.createElement('div');
    params.className = 'params';
    details.append(summary, params);
    row.append(check, details);
    groups.get(m.group).append(row);
    rows.set(m.name, { row, box, details, params, keys: null });
    renderParams(m.name);
  }

  function refreshAvailability() {
    for (const [name, { box, row }] of rows) {
      const m = state.get(name).method;
      const missing = (m.needsConv && !hasConv && 'needs a conv layer') || (m.needsImage && !isImage && 'needs image input');
      box.disabled = Boolean(missing);
      row.title = missing ? `${m.label} ${missing}` : '';
    }
  }

  return {
    // [{method, values}] of the checked methods that the model can run, in list order.
    selected() {
      return METHODS.filter((m) => state.get(m.name).on && !rows.get(m.name).box.disabled).map((m) => ({ method: m, values: { ...state.get(m.name).values } }));
    },
    // The model's conv layers [[id, label]]; whether the input is an image.
    setModel({ conv, image }) {
      convLayers = conv;
      hasConv = conv.length > 0;
      isImage = image;
      for (const [name, entry] of state) {
        if ('layer' in entry.values && !conv.some(([id]) => id === entry.values.layer)) entry.values.layer = '';
        renderParams(name);
      }
      refreshAvailability();
    },
    setChecked(names) {
      for (const [name, entry] of state) {
        entry.on = names.includes(name);
        rows.get(name).box.checked = entry.on;
      }
      onChange();
    },
    setValue(name, key, value) {
      state.get(name).values[key] = value;
      renderParams(name);
      onChange();
    },
  };
}
