// The weight/bias editor: a small form opened by clicking a link or a neuron in the
// diagram (or by Enter on a focused neuron), prefilled with the current value. Typing a
// value and pressing Enter sets it in the engine; Escape closes it.
const $ = (id) => document.getElementById(id);

export function createParamEditor(form, { currentValue, onApply }) {
  const fields = { kind: $('param-kind'), layer: $('param-layer'), from: $('param-from'), to: $('param-to'), value: $('param-value') };

  function target() {
    const n = (f) => Number(fields[f].value);
    return fields.kind.value === 'weight'
      ? { kind: 'weight', layer: n('layer'), from: n('from'), to: n('to') }
      : { kind: 'bias', layer: n('layer'), unit: n('to') };
  }

  function prefill() {
    form.dataset.kind = fields.kind.value;
    const v = currentValue(target());
    fields.value.value = v == null ? '' : String(Number(v.toPrecision(6)));
  }

  function open(t) {
    fields.kind.value = t.kind;
    fields.layer.value = t.layer;
    fields.from.value = t.from ?? 0;
    fields.to.value = t.to ?? t.unit;
    form.hidden = false;
    prefill();
    fields.value.focus();
    fields.value.select();
  }

  form.addEventListener('change', (e) => {
    if (e.target !== fields.value) prefill();
  });
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const value = Number(fields.value.value);
    if (fields.value.value.trim() === '' || !Number.isFinite(value)) {
      fields.value.setCustomValidity('Type a finite number, e.g. -0.5');
      fields.value.reportValidity();
      return;
    }
    fields.value.setCustomValidity('');
    onApply({ ...target(), value });
  });
  form.addEventListener('keydown', (e) => {
    if (e.key === 'Escape') form.hidden = true;
  });
  $('param-close').addEventListener('click', () => {
    form.hidden = true;
  });
  return { open, refresh: () => !form.hidden && document.activeElement !== fields.value && prefill() };
}
