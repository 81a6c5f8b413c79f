// The network diagram: a column of input feature nodes (click to switch a feature on or
// off), a column per layer of neuron nodes with a live mini heatmap each, and links
// coloured (blue negative, orange positive) and sized by weight. Clicking a link or a
// neuron asks to edit that weight or bias; hovering or focusing a node asks for its
// large map.
import { signedCss, signedIndex } from '../plots/colormap.js';
import { createHeatmap } from './heatmap.js';

export const FEATURES = [
  ['x1', 'x₁'], ['x2', 'x₂'], ['x1Squared', 'x₁²'], ['x2Squared', 'x₂²'], ['x1x2', 'x₁x₂'], ['sinX1', 'sin x₁'], ['sinX2', 'sin x₂'],
];
const SVG = 'http://www.w3.org/2000/svg';
const NODE = 30; // node size in CSS pixels (shrinks for wide layers)
const GAP = 8;

// The largest |value| of one map, so each thumbnail uses its full colour range.
function mapScale(values, offset, n) {
  let m = 0;
  for (let i = offset; i < offset + n; i++) {
    const a = Math.abs(values[i]);
    if (a > m) m = a;
  }
  return m || 1;
}

export function createNetworkDiagram(container, handlers) {
  const svg = document.createElementNS(SVG, 'svg');
  svg.classList.add('links');
  container.append(svg);
  let shape = null; // "inputs|units,units,…" of the drawn structure
  let columns = []; // per column: [{button, heat, x, y}] (column 0 holds all FEATURES)
  let links = []; // per layer: rows × cols of <line>
  let active = []; // the active feature names, in order
  let inputNodes = []; // the input nodes the network reads, in its input order
  let neurons = null;
  let probabilities = true; // the output maps are class probabilities

  // The link sources of a layer whose `rows` inputs come from `nodes`: the nodes
  // themselves, or for a pair gate (maxout, AND/OR/XNOR: half as many outputs as units)
  // the midpoint of each pair.
  function sources(nodes, rows) {
    if (rows === nodes.length) return nodes;
    return Array.from({ length: rows }, (_, i) => ({ x: nodes[2 * i].x, y: (nodes[2 * i].y + nodes[2 * i + 1].y) / 2 }));
  }

  function build(inputs, units, rows) {
    // Keyboard focus stays on the same node across a rebuild (e.g. a toggled feature).
    const focused = container.contains(document.activeElement) ? document.activeElement : null;
    const focusKey = focused && (focused.dataset.feature ? `[data-feature="${focused.dataset.feature}"]` : `[data-neuron="${focused.dataset.neuron}"]`);
    for (const column of columns) for (const node of column) node.button.remove();
    svg.replaceChildren();
    const counts = [FEATURES.length, ...units];
    const size = Math.max(10, Math.min(NODE, Math.floor(420 / Math.max(...counts)) - GAP));
    builtWidth = container.clientWidth;
    const width = Math.max(builtWidth, 320);
    const height = Math.max(...counts) * (size + GAP) + GAP;
    container.style.height = `${height}px`;
    svg.setAttribute('width', width);
    svg.setAttribute('height', height);
    const step = (width - size - 2 * GAP) / (counts.length - 1);
    columns = counts.map((count, c) => {
      const x = GAP + c * step;
      const top = (height - count * (size + GAP) + GAP) / 2;
      return Array.from({ length: count }, (_, u) => {
        const y = top + u * (size + GAP);
        const button = document.createElement('button');
        button.type = 'button';
        button.className = 'node';
        Object.assign(button.style, { left: `${x}px`, top: `${y}px`, width: `${size}px`, height: `${size}px` });
        const canvas = document.createElement('canvas');
        button.append(canvas);
        const node = { button, heat: createHeatmap(canvas), x: x + size / 2, y: y + size / 2, column: c, unit: u };
        if (c === 0) {
          const [name, label] = FEATURES[u];
          button.dataset.feature = name;
          button.classList.add('feature');
          button.append(Object.assign(document.createElement('span'), { textContent: label, className: 'node-label' }));
          button.addEventListener('click', () => handlers.onToggleFeature(name));
        } else {
          const layer = c - 1;
          const output = c === counts.length - 1;
          button.dataset.neuron = `${layer}:${u}`;
          button.title = `${output ? 'Output' : `Hidden layer ${c}`}, unit ${u + 1}. Click (or Enter) to edit its bias; hover or focus to see its map large.`;
          button.addEventListener('click', () => handlers.onEditBias({ layer, unit: u }));
        }
        const hover = () => handlers.onHover(node);
        button.addEventListener('pointerenter', hover);
        button.addEventListener('focus', hover);
        button.addEventListener('pointerleave', () => handlers.onHover(null));
        button.addEventListener('blur', () => handlers.onHover(null));
        container.append(button);
        return node;
      });
    });
    // Column 0 shows every feature; links leave only from the active ones.
    inputNodes = inputs.map((name) => columns[0][FEATURES.findIndex(([f]) => f === name)]);
    links = units.map((cols, layer) => {
      const from = layer === 0 ? inputNodes : sources(columns[layer], rows[layer]);
      return from.map((a, i) => Array.from({ length: cols }, (_, j) => {
        const b = columns[layer + 1][j];
        const line = document.createElementNS(SVG, 'line');
        line.setAttribute('x1', a.x);
        line.setAttribute('y1', a.y);
        line.setAttribute('x2', b.x);
        line.setAttribute('y2', b.y);
        line.dataset.link = `${layer}:${i}:${j}`;
        const title = document.createElementNS(SVG, 'title');
        line.append(title);
        line.addEventListener('pointerenter', () => {
          const w = lastNet?.layers[layer]?.weights?.[i]?.[j];
          title.textContent = `Weight ${w?.toPrecision(3)} (layer ${layer}, from ${i} to ${j}). Click to edit it.`;
        });
        line.addEventListener('click', () => handlers.onEditWeight({ layer, from: i, to: j }));
        svg.append(line);
        return line;
      }));
    });
    if (focusKey) container.querySelector(focusKey)?.focus();
  }

  function showFeatures() {
    for (const node of columns[0] ?? []) {
      const on = active.includes(node.button.dataset.feature);
      node.button.setAttribute('aria-pressed', String(on));
      node.button.title = `Feature ${FEATURES[node.unit][1]}: ${on ? 'fed to the network' : 'not used'}. Click (or Enter) to switch it ${on ? 'off' : 'on'}.`;
    }
  }

  // Paints a node's map from the latest neuron maps onto `heat`; false if it has none.
  function paintMap(node, heat) {
    if (!neurons) return false;
    const { resolution: res, layout, maps } = neurons;
    // Maps of a network of another shape (the diagram is being rebuilt) are not drawn.
    if (layout.length !== columns.length || layout[0] !== inputNodes.length) return false;
    // A pair gate's two units share the map of the gate's output.
    const perMap = node.column === 0 ? 1 : columns[node.column].length / layout[node.column];
    const unit = node.column === 0 ? inputNodes.indexOf(node) : Math.floor(node.unit / perMap);
    if (node.column >= layout.length || unit < 0 || unit >= layout[node.column]) return false;
    let offset = unit;
    for (let c = 0; c < node.column; c++) offset += layout[c];
    offset *= res * res;
    if (probabilities && node.column === layout.length - 1) heat.signed(maps, offset, res, 0.5, 0.5);
    else heat.signed(maps, offset, res, mapScale(maps, offset, res * res));
    return true;
  }

  // The layout follows the container's width: a resize lays the same network out again.
  let builtWidth = 0;
  let lastNet = null;
  new ResizeObserver(() => {
    if (!lastNet || Math.abs(container.clientWidth - builtWidth) < 2) return;
    shape = null;
    diagram.setNetwork(lastNet);
    diagram.setNeurons(neurons, !probabilities);
  }).observe(container);

  const diagram = {
    // The active features of the spec (drawn pressed).
    setFeatures(names) {
      active = names;
      showFeatures();
    },
    // net: the worker's network() description; rebuilds the nodes when the shape changed.
    setNetwork(net) {
      lastNet = net;
      const units = net.layers.map((l) => l.units ?? 0);
      const rows = net.layers.map((l) => l.weights?.length ?? 0);
      const next = `${net.inputs.join(',')}|${units.join(',')}|${rows.join(',')}`;
      if (next !== shape) {
        shape = next;
        active = net.inputs;
        build(net.inputs, units, rows);
        showFeatures();
        // Paused, no update may follow: the new nodes show the latest maps now.
        diagram.setNeurons(neurons, !probabilities);
      }
      net.layers.forEach((layer, l) => {
        if (!layer.weights) return; // a layer that is not dense has no links to draw
        let scale = 0;
        for (const row of layer.weights) for (const w of row) scale = Math.max(scale, Math.abs(w));
        layer.weights.forEach((row, i) => row.forEach((w, j) => {
          const line = links[l]?.[i]?.[j];
          if (!line) return;
          // The DOM is only touched when the drawn colour or width changes.
          const look = signedIndex(w, scale) * 64 + Math.round((16 * Math.abs(w)) / (scale || 1));
          if (line.look === look) return;
          line.look = look;
          line.setAttribute('stroke', signedCss(w, scale));
          line.setAttribute('stroke-width', (0.6 + (4 * Math.abs(w)) / (scale || 1)).toFixed(2));
        }));
      });
    },
    // neurons: {resolution, layout, maps} from the update event: paints every thumbnail.
    // Class probabilities (the outputs unless `regression`) are centred on ½.
    setNeurons(views, regression) {
      neurons = views;
      probabilities = !regression;
      if (!views || !columns.length) return;
      for (const node of inputNodes) paintMap(node, node.heat);
      for (let c = 1; c < columns.length; c++) for (const node of columns[c]) paintMap(node, node.heat);
    },
    // Paints one node's map onto a larger heatmap (the hover zoom); false if it has none.
    paintLarge: (node, heat) => paintMap(node, heat),
  };
  return diagram;
}
