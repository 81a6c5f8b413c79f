// The experiment settings form: shows a spec, and turns the user's edits into a new spec.
const $ = (id) => document.getElementById(id);

export function createSpecForm(form, onEdit) {
  let current = null;

  function show(spec) {
    current = spec;
    const lr = $('learning-rate');
    const value = String(spec.training.learningRate);
    if (![...lr.options].some((o) => o.value === value)) lr.add(new Option(value, value));
    lr.value = value;
    $('batch-size').value = spec.training.batchSize;
    $('dataset').value = spec.dataset.kind;
    $('activation').value = spec.model.activation;
    $('optimizer').value = spec.training.optimizer;
    $('loss').value = spec.training.loss;
    $('hidden').value = spec.model.hidden.join(',');
    $('noise').value = spec.dataset.noise;
    $('data-seed').value = spec.dataset.seed;
    $('init-seed').value = spec.training.seed;
  }

  function edited() {
    const spec = structuredClone(current);
    spec.training.learningRate = Number($('learning-rate').value);
    spec.training.batchSize = Number($('batch-size').value);
    spec.dataset.kind = $('dataset').value;
    spec.model.activation = $('activation').value;
    spec.training.optimizer = $('optimizer').value;
    spec.training.loss = $('loss').value;
    const hidden = $('hidden').value.trim();
    spec.model.hidden = hidden === '' ? [] : hidden.split(',').map((s) => Number(s.trim()));
    spec.dataset.noise = Number($('noise').value);
    spec.dataset.seed = Number($('data-seed').value);
    spec.training.seed = Number($('init-seed').value);
    return spec;
  }

  form.addEventListener('change', () => onEdit(edited()));
  form.addEventListener('submit', (e) => e.preventDefault());
  return { show, restore: () => current && show(current) };
}
