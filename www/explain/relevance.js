// LRP's per-layer view: the relevance summed at each layer's output for one sample, as a
// small bar chart next to the output's relevance (the explained score), so how much is
// conserved layer by layer shows at a glance. Bars left to right from the input side.
import { signedCss } from '../plots/colormap.js';

// layers: [{layer, kind, sums}] (the engine's LayerRelevance), `sample`: which sum;
// `input`: the map's own sum (the relevance reaching the input).
export function relevanceBars(layers, sample, input) {
  const bars = [{ label: 'input', value: input }, ...layers.map((l) => ({ label: `${l.layer} ${l.kind}`, value: l.sums[sample] }))];
  const out = bars[bars.length - 1].value;
  const canvas = document.createElement('canvas');
  const barW = 6;
  canvas.width = bars.length * (barW + 2);
  canvas.height = 32;
  const ctx = canvas.getContext('2d');
  const scale = Math.max(...bars.map((b) => Math.abs(b.value))) || 1;
  const mid = canvas.height / 2;
  bars.forEach((b, i) => {
    const h = (Math.abs(b.value) / scale) * (mid - 1);
    ctx.fillStyle = signedCss(b.value, scale);
    ctx.fillRect(i * (barW + 2), b.value >= 0 ? mid - h : mid, barW, Math.max(1, h));
  });
  ctx.fillStyle = '#888';
  ctx.fillRect(0, mid, canvas.width, 1);
  const kept = out !== 0 ? input / out : NaN;
  canvas.className = 'relevance';
  canvas.setAttribute('role', 'img');
  const list = bars.map((b) => `${b.label}: ${b.value.toPrecision(3)}`).join('; ');
  const summary = Number.isFinite(kept) ? `${(kept * 100).toFixed(1)}% of the output's relevance reaches the input` : 'no relevance at the output';
  canvas.setAttribute('aria-label', `Relevance per layer, input first: ${list}. ${summary}.`);
  canvas.title = `Relevance summed at each layer's output (input first): ${list}`;
  return { canvas, kept, summary };
}
