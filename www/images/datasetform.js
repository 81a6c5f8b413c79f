// The image dataset picker: shapes, digits or signals with their options (size, count,
// noise, colour, rotation, texture, decoy and its correlation). Edits become a new spec;
// the model's last dense layer follows the number of classes.
const FIELDS = `
  <label>Dataset <select data-k="kind" title="Built-in image or signal set, generated from the seed">
    <option value="digits">synthetic digits</option><option value="shapes">shapes</option><option value="signals">1-D signals</option></select></label>
  <label>Samples <input data-k="points" type="number" min="10" max="20000" step="10" title="Images (or signals) in all, train and test"></label>
  <label>Train share <input data-k="trainFraction" type="number" min="0.1" max="0.9" step="0.05" title="Share of the samples used for training"></label>
  <label data-for="image">Image size <input data-k="imageSize" type="number" min="8" max="64" step="1" title="Side in pixels (0 = the set's default: 28 digits, 16 shapes)"></label>
  <label data-for="signals">Length <input data-k="length" type="number" min="48" max="1024" step="1" title="Samples per signal"></label>
  <label>Noise % <input data-k="noise" type="number" min="0" max="50" step="1" title="Standard deviation of Gaussian pixel noise, percent of full intensity"></label>
  <label data-for="shapes">Classes <input data-k="shapeClasses" type="number" min="2" max="8" step="1" title="How many shape classes (2–8)"></label>
  <label data-for="shapes">RGB <input data-k="color" type="checkbox" title="Three channels, object and background colours drawn per sample"></label>
  <label data-for="shapes">Rotation <input data-k="rotate" type="checkbox" title="Turn each shape by a random angle"></label>
  <label data-for="shapes">Texture <select data-k="texture" title="Background behind the shape">
    <option value="none">flat</option><option value="grating">grating</option><option value="noise">smooth noise</option></select></label>
  <label data-for="image">Decoy <select data-k="decoy" title="A class-correlated shortcut (Clever Hans) in the training split only">
    <option value="">none</option><option value="patch">corner patch</option><option value="tint">colour tint</option><option value="frame">frame</option></select></label>
  <label data-for="decoy">Correlation <input data-k="correlation" type="number" min="0" max="1" step="0.05" title="Probability a training sample carries its own class's decoy (0–1)"></label>
  <label data-for="decoy">Test split <select data-k="decoyTest" title="What the test split carries: no decoy, or a random class's decoy">
    <option value="absent">no decoy</option><option value="shuffled">shuffled decoy</option></select></label>
  <label>Data seed <input data-k="seed" type="number" min="0" max="4294967295" step="1" title="Seed of the images and of the train/test split"></label>`;

const CLASSES = { digits: () => 10, signals: () => 4, shapes: (d) => d.shapeClasses ?? 4 };

export function createDatasetForm(root, onEdit) {
  root.innerHTML = FIELDS;
  const field = (k) => root.querySelector(`[data-k="${k}"]`);
  let current = null;

  function visible(d) {
    const decoy = Boolean(d.decoy);
    const on = { image: d.kind !== 'signals', signals: d.kind === 'signals', shapes: d.kind === 'shapes', decoy };
    for (const label of root.querySelectorAll('[data-for]')) label.hidden = !on[label.dataset.for];
  }

  function show(spec) {
    current = spec;
    const d = spec.dataset;
    if (d.kind === 'upload') return;
    field('kind').value = d.kind;
    for (const k of ['points', 'trainFraction', 'noise', 'seed']) field(k).value = d[k];
    field('imageSize').value = d.imageSize ?? 0;
    field('length').value = d.length ?? 64;
    field('shapeClasses').value = d.shapeClasses ?? 4;
    field('color').checked = Boolean(d.color);
    field('rotate').checked = Boolean(d.rotate);
    field('texture').value = d.texture ?? 'none';
    field('decoy').value = d.decoy?.kind ?? '';
    field('correlation').value = d.decoy?.correlation ?? 0.9;
    field('decoyTest').value = d.decoy?.test ?? 'absent';
    visible(d);
  }

  // Only the options of the chosen kind go into the spec (the others must stay default).
  function edited() {
    const kind = field('kind').value;
    const num = (k) => Number(field(k).value);
    const d = { kind, points: num('points'), trainFraction: num('trainFraction'), noise: num('noise'), seed: num('seed') };
    if (kind !== 'signals' && num('imageSize') > 0) d.imageSize = num('imageSize');
    if (kind === 'signals') d.length = num('length');
    if (kind === 'shapes') Object.assign(d, { shapeClasses: num('shapeClasses'), color: field('color').checked, rotate: field('rotate').checked, texture: field('texture').value });
    if (kind !== 'signals' && field('decoy').value) {
      d.decoy = { kind: field('decoy').value, correlation: num('correlation'), test: field('decoyTest').value };
    }
    const spec = structuredClone(current);
    spec.dataset = d;
    const last = spec.model.layers?.findLast((l) => l.type === 'dense');
    if (last) last.units = CLASSES[kind](d);
    return spec;
  }

  root.addEventListener('change', () => {
    const spec = edited();
    visible(spec.dataset);
    onEdit(spec);
  });
  return { show, restore: () => current && show(current) };
}
