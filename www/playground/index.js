// The playground's centre and right columns, mounted on the page: the network diagram
// (with feature toggles, neuron maps, hover zoom and weight/bias editing), the
// decision-boundary plot with its options and drawing tool, the per-feature attribution
// maps and bars beside it, the data panel and CSV upload/download. Edits go to the engine through `update`; what comes back is shown by
// the page's `shown` callback, so the URL and the other controls follow.
import { createNetworkDiagram, FEATURES } from './network.js';
import { createNeuronZoom } from './zoom.js';
import { createParamEditor } from './paramedit.js';
import { createDrawTool } from './draw.js';
import { createDataPanel, isRegression } from './datapanel.js';
import { createCsvTools } from './csv.js';
import { CLASS_COLORS } from '../plots/colormap.js';
import { createExplainControls } from './explaincontrols.js';
import { createExplainCaller } from './explaincall.js';
import { createAttributionMaps } from './attribution.js';
import { createFeatureBars } from './featurebars.js';

const $ = (id) => document.getElementById(id);
const NEURON_RESOLUTION = 24;
const NETWORK_POLL_MS = 250; // link colours follow training at most this often

export function mountPlayground({ engine, banner, boundary, shown }) {
  const regionCount = $('region-count');
  let spec = null;
  let net = null;
  let netRequested = false;
  let netForced = false;
  let netAt = 0;

  // Applies an edited copy of the spec; on failure the experiment stays and says why.
  async function apply(edit, what) {
    const next = structuredClone(spec);
    edit(next);
    try {
      const result = await engine.call('update', { spec: next });
      shown(result);
      return result;
    } catch (e) {
      banner.show(`${what} was not applied: ${e.message} The experiment is unchanged.`);
      draw.clear();
      data.show(spec);
      throw e;
    }
  }
  const tryApply = (edit, what) => apply(edit, what).catch(() => {});

  // After a data edit: regression trains on squared error (and a set that stops being
  // regression goes back to cross-entropy), and a batch larger than the new training
  // split shrinks to it (the engine's f32 count of training points).
  function fitTraining(s, wasRegression) {
    const regression = isRegression(s.dataset);
    if (regression) s.training.loss = 'mse';
    else if (wasRegression && s.training.loss === 'mse') s.training.loss = 'softmaxCrossEntropy';
    const train = Math.floor(Math.fround(Math.fround(s.dataset.points) * Math.fround(s.dataset.trainFraction)));
    s.training.batchSize = Math.max(1, Math.min(s.training.batchSize, train));
  }

  // Applies an edit of the dataset section, with the training fields it implies.
  const editData = (edit, what) => tryApply((s) => {
    const wasRegression = isRegression(s.dataset);
    edit(s.dataset);
    fitTraining(s, wasRegression);
  }, what);

  // Makes `d` a custom dataset of these [x, y, label or target] rows.
  function useCustom(d, rows, classes, regression) {
    Object.assign(d, { kind: 'custom', customPoints: rows, points: rows.length });
    if (regression) {
      d.regression = true;
      delete d.classes;
    } else {
      d.classes = classes;
      delete d.regression;
    }
  }

  // Reads the weights for the diagram, at most every NETWORK_POLL_MS unless forced (a
  // changed experiment); a forced read asked for during another one follows it.
  function refreshNetwork(force = false) {
    if (netRequested) {
      netForced ||= force;
      return;
    }
    if (!force && performance.now() - netAt < NETWORK_POLL_MS) return;
    netRequested = true;
    engine.call('network').then((n) => {
      net = n;
      diagram.setNetwork(n);
      editor.refresh();
    }).catch((e) => banner.show(`The network diagram could not be drawn: ${e.message}`)).finally(() => {
      netRequested = false;
      netAt = performance.now();
      if (netForced) {
        netForced = false;
        refreshNetwork(true);
      }
    });
  }

  const diagram = createNetworkDiagram($('network'), {
    onToggleFeature: (name) => editData((d) => {
      const on = new Set(d.features ?? ['x1', 'x2']);
      if (on.has(name)) on.delete(name);
      else on.add(name);
      d.features = FEATURES.map(([f]) => f).filter((f) => on.has(f));
    }, 'Switching that feature'),
    onEditWeight: (t) => editor.open({ kind: 'weight', ...t }),
    onEditBias: (t) => editor.open({ kind: 'bias', ...t }),
    onHover: (node) => zoom.show(node),
  });
  const zoom = createNeuronZoom($('neuron-zoom'), diagram);

  const editor = createParamEditor($('param-editor'), {
    currentValue: (t) => {
      const layer = net?.layers[t.layer];
      return t.kind === 'weight' ? layer?.weights[t.from]?.[t.to] : layer?.bias[t.unit];
    },
    async onApply({ kind, value, ...at }) {
      try {
        // The engine records the edit at the current step and publishes its effect.
        shown(await engine.call(kind === 'weight' ? 'setWeight' : 'setBias', { ...at, value }));
      } catch (e) {
        banner.show(`That ${kind} was not set: ${e.message}`);
      }
    },
  });

  const draw = createDrawTool($('draw-tools'), $('boundary'), boundary, {
    onCommit: (rows) => editData((d) => useCustom(d, rows, Math.max(2, ...rows.map((p) => p[2] + 1)), false), 'The drawn points'),
  });

  const data = createDataPanel({
    onEdit: (edit) => editData(edit, 'That data setting'),
    preview: (dataset, loss) => engine.call('preview', { dataset, loss }),
  });

  createCsvTools({ upload: $('csv-upload'), download: $('csv-download') }, {
    engine,
    banner,
    onPoints: ({ points, classes, regression }) => apply((s) => {
      const rows = [];
      for (let i = 0; i < points.length; i += 3) rows.push([points[i], points[i + 1], points[i + 2]]);
      const wasRegression = isRegression(s.dataset);
      useCustom(s.dataset, rows, classes, regression);
      fitTraining(s, wasRegression);
    }, 'The uploaded file').then(() => banner.show(`Loaded ${points.length / 3} points from the file.`, 'notice')),
  });

  for (const [id, option] of [['show-test', 'showTest'], ['discretize', 'discretize'], ['show-regions', 'regions']]) {
    $(id).addEventListener('change', (e) => {
      boundary.options[option] = e.target.checked;
      if (option === 'regions') setViews();
      boundary.draw();
    });
  }

  const setViews = () =>
    engine.call('setViews', { neurons: true, neuronResolution: NEURON_RESOLUTION, regions: boundary.options.regions })
      .catch((e) => banner.show(`The neuron maps are not available: ${e.message}`));

  // Explanations: shared settings, one queue of worker calls, the maps and the bars.
  const explainControls = createExplainControls($('explain-controls'));
  const caller = createExplainCaller(engine, { progress: $('explain-progress'), cancel: $('explain-cancel') });
  const attribution = createAttributionMaps(
    { maps: $('attribution-maps'), legend: $('attribution-legend'), status: $('attribution-status') },
    { engine, controls: explainControls, caller },
  );
  const bars = createFeatureBars($('feature-bars'), { boundary, canvas: $('boundary'), controls: explainControls, caller });
  $('attribution-live').addEventListener('change', (e) => attribution.setLive(e.target.checked));

  let points = null;
  function legend() {
    const el = $('boundary-legend');
    if (!spec || !points) return;
    if (isRegression(spec.dataset)) {
      el.textContent = 'Colour: the predicted value (blue low, orange high); points: their targets · filled: train, ringed: test';
      return;
    }
    el.replaceChildren(...Array.from({ length: points.classes }, (_, c) => {
      const s = document.createElement('span');
      s.className = 'legend-class';
      s.style.setProperty('--swatch', CLASS_COLORS[c]);
      s.textContent = `class ${c + 1}`;
      return s;
    }), ' · filled: train, ringed: test');
  }

  return {
    ready: () => setViews(),
    // A new or changed experiment (from any control).
    show(shownSpec) {
      spec = shownSpec;
      data.show(spec);
      diagram.setFeatures(spec.dataset.features ?? ['x1', 'x2']);
      const regression = isRegression(spec.dataset);
      boundary.options.regression = regression;
      draw.configure(Math.min(8, (spec.dataset.classes ?? 2) + 1), !regression);
      const inputs = spec.dataset.features ?? ['x1', 'x2'];
      explainControls.setClasses(spec.dataset.classes ?? 2, regression);
      attribution.setFeatures(inputs);
      bars.setFeatures(inputs);
      // The run's points arrive before the reply that describes it.
      if (points) data.thumbnail(points);
      legend();
      refreshNetwork(true);
    },
    // Every update event, as it arrives (points come with the first of a run).
    update(u) {
      boundary.setRegions(u.regions ?? null);
      if (u.points) {
        points = u.points;
        legend();
        bars.setPoints();
      }
      refreshNetwork();
      attribution.update(u);
      bars.update(u);
    },
    // Training started or stopped.
    setPlaying(on) {
      attribution.setPlaying(on);
      bars.setPlaying(on);
    },
    // The 2-D view is shown (not the image track): only then explanations run.
    setActive(on) {
      attribution.setActive(on);
      bars.setActive(on);
    },
    // Once per animation frame with the latest update.
    render(u) {
      diagram.setNeurons(u.neurons ?? null, boundary.options.regression);
      zoom.paint();
      const regions = !boundary.options.regions ? '' : u.regions ? `${u.regions.count} regions` : 'only ReLU-family nets have linear regions';
      if (regionCount.textContent !== regions) regionCount.textContent = regions;
    },
  };
}
