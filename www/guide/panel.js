// The image track's guidance panel: explanation-guided training settings (penalty, which
// pixels must not matter, λ, and the RES-style dilation, softening and confidence) and the
// mask painter over the training samples.
// Settings and painted masks live in the spec's training.guidance, so they change the
// run from the next step on, go into the link and are autosaved with it.
import { createPainter } from './painter.js';
import { encodeMask, decodeMask } from './maskbits.js';

export const MAX_PAINTED = 64;
const DEFAULT_LAMBDA = 0.1;
// Guidance fields left out of the spec when 0.
const OPTIONAL = ['dilate', 'soften', 'confidence'];

const TEMPLATE = `
  <p class="hint">Tell the model which pixels must not matter, and training penalises the model's sensitivity to them
    ("right for the right reasons"). Use the dataset's own masks, or paint them on training samples below.</p>
  <form class="spec-form guide-form" aria-label="Explanation-guided training settings">
    <label title="Add the explanation penalty to the training loss"><input data-k="on" type="checkbox"> Guide training</label>
    <label title="What is penalised">Penalty <select data-k="penalty">
      <option value="rrr" title="λ · ‖mask ⊙ ∇ₓ Σ log p‖²: input gradients inside the mask (Ross et al.)">right for the right reasons</option>
      <option value="energy" title="1 − (positive attribution inside the allowed region) / (all positive attribution)">energy loss</option></select></label>
    <label title="Which pixels must not matter">Mask <select data-k="mask">
      <option value="decoy" title="Where the dataset drew its decoy (needs a decoy)">the decoy</option>
      <option value="background" title="Everything off the class-defining object (the dataset's ground truth)">the background</option>
      <option value="painted" title="The masks you paint on training samples below">painted masks</option></select></label>
    <label title="Weight of the penalty against the loss">λ <input data-k="lambda" type="number" min="0.001" max="10000" step="any"></label>
    <label title="Grow the mask by this many pixels, so that a loose mask still covers what it marks">Dilate <input data-k="dilate" type="number" min="0" max="8" step="1"></label>
    <label title="Blur the mask's edge by a Gaussian of this σ in pixels (0: a hard edge)">Soften σ <input data-k="soften" type="number" min="0" max="4" step="0.5"></label>
    <label title="Leave out pixels where the (softened) mask is unsure: those whose |2·mask − 1| is below this (0: every pixel counts)">Confidence <input data-k="confidence" type="number" min="0" max="0.95" step="0.05"></label>
  </form>
  <p class="guide-status" role="status" aria-live="polite"></p>
  <div class="guide-painting">
    <div class="guide-nav" role="group" aria-label="Training sample to paint">
      <button type="button" class="prev" title="Previous training sample">‹</button>
      <label title="Index of the training sample shown">Training sample <input class="sample-index" type="number" min="0" step="1" value="0"></label>
      <button type="button" class="next" title="Next training sample">›</button>
      <span class="sample-label"></span>
    </div>
    <div class="painter"></div>
    <div class="painted"><span>Painted:</span> <ul class="chips painted-list" aria-label="Painted training samples"></ul></div>
  </div>`;

export function createGuidePanel(root, { call, apply, onError }) {
  root.innerHTML = TEMPLATE;
  const form = root.querySelector('.guide-form');
  const field = (k) => form.querySelector(`[data-k="${k}"]`);
  const status = root.querySelector('.guide-status');
  const indexInput = root.querySelector('.sample-index');
  const sampleLabel = root.querySelector('.sample-label');
  const list = root.querySelector('.painted-list');
  const painting = root.querySelector('.guide-painting');
  let spec = null;
  let info = null;
  let shown = -1;

  const guidance = () => spec?.training.guidance ?? null;
  const painted = () => guidance()?.painted ?? [];
  const pixels = () => info.image[1] * info.image[2];

  // Which mask sources the data offer (dataInfo lists the ground truths they carry).
  function available() {
    const masks = info.masks ?? [];
    return { decoy: masks.includes('decoy'), background: masks.includes('object'), painted: Boolean(info.image) };
  }

  function showForm() {
    const g = guidance();
    const can = available();
    for (const option of field('mask').options) option.disabled = !can[option.value];
    field('on').checked = Boolean(g);
    field('penalty').value = g?.penalty ?? 'rrr';
    field('mask').value = g?.mask ?? (can.decoy ? 'decoy' : can.background ? 'background' : 'painted');
    field('lambda').value = g?.lambda ?? DEFAULT_LAMBDA;
    for (const k of OPTIONAL) field(k).value = g?.[k] ?? 0;
    for (const k of ['penalty', 'mask', 'lambda', ...OPTIONAL]) field(k).disabled = !g;
    status.textContent = g
      ? `Guided: λ = ${g.lambda}, ${g.mask === 'painted' ? `${painted().length} painted mask${painted().length === 1 ? '' : 's'}` : `the dataset's ${g.mask} mask`}.`
      : 'Training is not guided.';
  }

  function showList() {
    list.replaceChildren(...painted().map(({ index }) => {
      const li = document.createElement('li');
      const go = document.createElement('button');
      go.type = 'button';
      go.textContent = `#${index}`;
      go.title = `Show training sample ${index} and its painted mask`;
      go.addEventListener('click', () => showSample(index));
      li.append(go);
      return li;
    }));
  }

  // The spec with guidance `g` (or none), applied live: the run keeps going.
  function applyGuidance(g) {
    const next = structuredClone(spec);
    if (g) next.training.guidance = g;
    else delete next.training.guidance;
    apply(next);
  }

  function edited() {
    if (!field('on').checked) return applyGuidance(null);
    const g = { lambda: Number(field('lambda').value), mask: field('mask').value };
    if (field('penalty').value !== 'rrr') g.penalty = field('penalty').value;
    for (const k of OPTIONAL) if (Number(field(k).value) > 0) g[k] = Number(field(k).value);
    if (g.mask === 'painted') {
      if (!painted().length) {
        status.textContent = 'Paint a mask on a training sample first: guidance starts with your first stroke.';
        field('mask').value = 'painted';
        return;
      }
      g.painted = painted();
    }
    applyGuidance(g);
  }
  form.addEventListener('change', edited);

  // A finished stroke on sample `shown`: its mask replaces the stored one (or removes
  // it when empty), and guidance switches to the painted masks.
  function stroke(mask) {
    const others = painted().filter((p) => p.index !== shown);
    const entries = mask.some((m) => m) ? [...others, { index: shown, bits: encodeMask(mask) }] : others;
    entries.sort((a, b) => a.index - b.index);
    if (entries.length > MAX_PAINTED) {
      status.textContent = `At most ${MAX_PAINTED} samples can carry painted masks; clear one first.`;
      return showSample(shown);
    }
    const g = guidance();
    if (!entries.length) return applyGuidance(g?.mask === 'painted' ? null : g);
    const lambda = g?.lambda ?? (Number(field('lambda').value) || DEFAULT_LAMBDA);
    const next = { ...(g ?? {}), lambda, mask: 'painted', painted: entries };
    applyGuidance(next);
  }
  const painter = createPainter(root.querySelector('.painter'), { onStroke: stroke });

  async function showSample(index) {
    const i = Math.max(0, Math.min(info.nTrain - 1, Math.round(Number(index)) || 0));
    indexInput.value = i;
    try {
      const batch = await call('samples', { indices: [i] });
      shown = i;
      const entry = painted().find((p) => p.index === i);
      painter.show(info.image, batch.features, entry ? decodeMask(entry.bits, pixels()) : null);
      sampleLabel.textContent = `class ${batch.labels[0]}${entry ? ', painted' : ''}`;
    } catch (e) {
      onError(e.message);
    }
  }
  indexInput.addEventListener('change', () => showSample(indexInput.value));
  root.querySelector('.prev').addEventListener('click', () => showSample(shown - 1));
  root.querySelector('.next').addEventListener('click', () => showSample(shown + 1));

  return {
    show(nextSpec, nextInfo) {
      const dataChanged = !spec || JSON.stringify(spec.dataset) !== JSON.stringify(nextSpec.dataset);
      spec = nextSpec;
      info = nextInfo;
      root.hidden = !(info.image || available().background);
      painting.hidden = !info.image;
      indexInput.max = info.nTrain - 1;
      showForm();
      showList();
      if (info.image) showSample(dataChanged || shown < 0 ? 0 : shown);
    },
  };
}
