// What the conv layers learned: the first layer's kernels (blue–orange, signed) and,
// for a chosen sample, every conv layer's activation maps (viridis).
import { paintMap, paintSample, figure } from './paint.js';

const MAX_MAPS = 32;

export function createLayerView(root) {
  root.innerHTML = `<h3>First-layer filters</h3><div class="filters gallery"></div>
    <h3>Activation maps <span class="chosen"></span></h3><div class="maps"></div>`;
  const filtersBox = root.querySelector('.filters');
  const mapsBox = root.querySelector('.maps');
  return {
    showFilters(f) {
      if (!f) {
        filtersBox.textContent = 'This model has no conv layer.';
        return;
      }
      const [kh, kw] = f.size;
      const per = f.channels * kh * kw;
      filtersBox.replaceChildren(...Array.from({ length: f.filters }, (_, i) => {
        const { fig, canvas } = figure(`#${i}`, `Filter ${i} of the first conv layer (channel 0), ${kh}×${kw}; orange positive, blue negative`);
        paintMap(canvas, f.values.subarray(i * per, i * per + kh * kw), kh, kw, { signed: true });
        return fig;
      }));
    },
    showMaps(maps, sample, image, label) {
      root.querySelector('.chosen').textContent = label;
      const input = figure('input', 'The chosen sample');
      paintSample(input.canvas, sample, image);
      const layers = maps.map((m) => {
        const section = document.createElement('div');
        section.className = 'map-layer';
        const title = document.createElement('p');
        title.textContent = `${m.path}: ${m.channels} maps of ${m.height}×${m.width}`;
        const plane = m.height * m.width;
        const figs = Array.from({ length: Math.min(m.channels, MAX_MAPS) }, (_, c) => {
          const { fig, canvas } = figure(`${c}`, `${m.path}, channel ${c}: output before the activation (viridis, low to high)`);
          paintMap(canvas, m.values.subarray(c * plane, (c + 1) * plane), m.height, m.width);
          return fig;
        });
        const row = document.createElement('div');
        row.className = 'gallery';
        row.append(...figs);
        section.append(title, row);
        return section;
      });
      mapsBox.replaceChildren(input.fig, ...(layers.length ? layers : [document.createTextNode('This model has no conv layer.')]));
    },
  };
}
