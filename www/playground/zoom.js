// The hover zoom: the map of the neuron under the pointer (or with keyboard focus),
// large, beside the diagram, repainted with every update while shown.
import { createHeatmap } from './heatmap.js';

export function createNeuronZoom(panel, diagram) {
  const heat = createHeatmap(panel.querySelector('canvas'));
  const caption = panel.querySelector('p');
  let node = null;

  function paint() {
    if (node) panel.hidden = !diagram.paintLarge(node, heat);
  }

  return {
    show(next) {
      node = next;
      if (!node) {
        panel.hidden = true;
        return;
      }
      const box = node.button;
      caption.textContent = box.dataset.feature ? `Feature ${box.querySelector('.node-label').textContent}` : box.title.split('.')[0];
      panel.style.top = `${Math.max(0, node.y - 90)}px`;
      const rightHalf = node.x > panel.parentElement.clientWidth / 2;
      panel.style.left = `${rightHalf ? node.x - 24 - panel.offsetWidth : node.x + 24}px`;
      paint();
    },
    paint,
  };
}
