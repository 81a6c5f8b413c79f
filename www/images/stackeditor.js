// The CNN stack editor: one row per layer with its settings, the output shape of every
// layer as the engine computes it while you edit, the engine's own message when the
// stack cannot be built, presets, and Apply to train the edited stack.
import { PRESETS } from './presets.js';
import { labelledButton } from '../ui/button.js';

const ACTIVATIONS = ['relu', 'leakyRelu', 'prelu', 'elu', 'gelu', 'silu', 'tanh', 'sigmoid', 'softplus', 'abs', 'linear', 'maxout', 'andAil', 'orAil', 'xnorAil'];
// Per layer type: its settings as [key, kind, title, choices].
const SCHEMA = {
  conv2d: [['filters', 'int', 'Output channels'], ['kernel', 'int', 'Square kernel side'], ['stride', 'int', 'Step between windows'], ['padding', ['same', 'valid'], 'same keeps the size (at stride 1); valid shrinks it']],
  pool: [['op', ['max', 'avg', 'logAvgExp'], 'How a window is summarised'], ['size', 'int', 'Window side; empty = global (whole map)'], ['stride', 'int', 'Step; empty = the window size']],
  dense: [['units', 'int', 'Outputs of the layer']],
  activation: [['function', ACTIVATIONS, 'Nonlinearity; AIL gates pair adjacent channels']],
  dropout: [['rate', 'num', 'Probability of zeroing a value while training']],
  batchNorm: [],
  flatten: [],
  squeezeExcite: [['reduction', 'int', 'Channels ÷ hidden units of the gate network']],
  residual: [['layers', 'json', 'The block body as a JSON list of layers; it must keep the shape']],
};

export function createStackEditor(root, { shapesOf, onApply, classes }) {
  root.innerHTML = `<div class="stack-tools">
      <label>Preset <select class="preset" title="Replace the stack with a ready-made architecture"><option value="">choose…</option>
        ${Object.entries(PRESETS).map(([k, p]) => `<option value="${k}" title="${p.title}">${p.label}</option>`).join('')}</select></label>
      <label>Add <select class="add-type" title="Layer type to append">${Object.keys(SCHEMA).map((t) => `<option>${t}</option>`).join('')}</select></label>
      <button type="button" class="add" title="Append a layer of the chosen type">+ layer</button>
      <button type="button" class="apply" title="Train this stack from fresh weights">Apply stack</button>
    </div>
    <ol class="stack" aria-label="Layers, input first"></ol>
    <p class="stack-error" role="alert" hidden></p>`;
  const list = root.querySelector('.stack');
  const errorBox = root.querySelector('.stack-error');
  let layers = [];
  let checkSeq = 0;

  const defaults = { conv2d: { filters: 8, kernel: 3 }, pool: { op: 'max', size: 2 }, dense: { units: 10 }, activation: { function: 'relu' }, dropout: { rate: 0.25 }, batchNorm: {}, flatten: {}, squeezeExcite: {}, residual: { layers: [{ type: 'conv2d', filters: 8, kernel: 3 }] } };

  function input(layer, [key, kind, title]) {
    const el = Array.isArray(kind) ? document.createElement('select') : document.createElement('input');
    if (Array.isArray(kind)) for (const c of kind) el.add(new Option(c, c));
    else if (kind === 'json') el.type = 'text';
    else Object.assign(el, { type: 'number', min: 0, step: kind === 'num' ? 0.05 : 1 });
    el.value = kind === 'json' ? JSON.stringify(layer[key] ?? []) : layer[key] ?? '';
    el.title = title;
    el.setAttribute('aria-label', key);
    el.addEventListener('change', () => {
      const v = el.value.trim();
      try {
        if (v === '') delete layer[key];
        else layer[key] = kind === 'json' ? JSON.parse(v) : Array.isArray(kind) ? v : Number(v);
      } catch {
        errorBox.hidden = false;
        errorBox.textContent = `The ${key} of a residual block must be a JSON list of layers.`;
        return;
      }
      check();
    });
    const label = document.createElement('label');
    label.append(`${key} `, el);
    return label;
  }

  function render() {
    list.replaceChildren(...layers.map((layer, i) => {
      const li = document.createElement('li');
      const name = document.createElement('strong');
      name.textContent = layer.type;
      const out = document.createElement('span');
      out.className = 'shape';
      const move = (d) => () => {
        const j = i + d;
        if (j < 0 || j >= layers.length) return;
        [layers[i], layers[j]] = [layers[j], layers[i]];
        render();
        check();
      };
      li.append(name, ...(SCHEMA[layer.type] ?? []).map((s) => input(layer, s)), out,
        labelledButton('↑', `Move layer ${i + 1} up`, move(-1)), labelledButton('↓', `Move layer ${i + 1} down`, move(1)),
        labelledButton('✕', `Remove layer ${i + 1}`, () => { layers.splice(i, 1); render(); check(); }));
      return li;
    }));
  }

  // Asks the engine for the shapes; the latest edit wins.
  async function check() {
    const seq = ++checkSeq;
    let shapes = null;
    let error = null;
    try {
      shapes = await shapesOf({ hidden: [], activation: 'relu', layers });
    } catch (e) {
      error = e.message;
    }
    if (seq !== checkSeq) return;
    errorBox.hidden = !error;
    errorBox.textContent = error ? `This stack cannot be built: ${error}` : '';
    const rows = [...list.children];
    rows.forEach((li) => li.classList.remove('bad'));
    const bad = error?.match(/model\.layers\[(\d+)\]/);
    if (bad && rows[Number(bad[1])]) rows[Number(bad[1])].classList.add('bad');
    for (const s of shapes ?? []) {
      const m = s.path.match(/^model\.layers\[(\d+)\]$/);
      if (m && rows[Number(m[1])]) {
        rows[Number(m[1])].querySelector('.shape').textContent = `→ ${s.output}${s.parameters ? ` · ${s.parameters.toLocaleString('en')} params` : ''}`;
      }
    }
    return !error;
  }

  root.querySelector('.preset').addEventListener('change', (e) => {
    if (!e.target.value) return;
    layers = PRESETS[e.target.value].layers(classes());
    render();
    check();
  });
  root.querySelector('.add').addEventListener('click', () => {
    const type = root.querySelector('.add-type').value;
    layers.splice(Math.max(0, layers.length - 1), 0, { type, ...structuredClone(defaults[type]) });
    render();
    check();
  });
  root.querySelector('.apply').addEventListener('click', async () => {
    if (await check()) onApply(structuredClone(layers));
  });

  return {
    show(model) {
      layers = structuredClone(model.layers?.length ? model.layers : []);
      render();
      check();
    },
  };
}
