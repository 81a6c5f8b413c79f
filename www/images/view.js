// The image track's page: mounted instead of the 2-D plane view when the experiment's
// data are images or signals. It wires the dataset picker, uploads, the stack editor,
// the views of predictions and layers, the explanation panel, the guidance panel (with its
// mask painter), the judge (leaderboard) panel and the concepts (PRCA/DRSA) panel to the
// engine worker.
import { createDatasetForm } from './datasetform.js';
import { createUploader } from './upload.js';
import { createStackEditor } from './stackeditor.js';
import { createEpochProgress } from './progress.js';
import { testPredictions } from './samples.js';
import { createSampleGrid } from './samplegrid.js';
import { createConfusion } from './confusion.js';
import { createLayerView } from './filters.js';
import { createDrawPad } from './draw.js';
import { createExplainPanel } from './explain.js';
import { createGuidePanel } from '../guide/panel.js';
import { createJudgePanel } from '../judge/panel.js';
import { createConceptsPanel } from '../concepts/panel.js';

// Predictions are refreshed at most this often while training runs.
const REFRESH_MS = 1500;

const PANELS = [
  ['data', 'Image data', 'wide'],
  ['stack', 'CNN layers', 'wide'],
  ['progress', 'Training', ''],
  ['samples', 'Test samples', 'wide'],
  ['confusion', 'Confusion matrix', ''],
  ['layers', 'What the conv layers see', 'wide'],
  ['draw', 'Draw a digit', ''],
  ['explain', 'Explanations', 'wide'],
  ['guide', 'Guide training with masks', 'wide'],
  ['judge', 'Judge explanations', 'wide'],
  ['concepts', 'Concepts (PRCA, DRSA)', 'wide'],
];

export function createImageView(root, { call, on, load, apply, opened, onError, onUploadProgress }) {
  root.replaceChildren(...PANELS.map(([id, title, cls]) => {
    const section = document.createElement('section');
    section.className = `panel ${cls}`.trim();
    section.setAttribute('aria-label', title);
    const heading = document.createElement('h2');
    heading.textContent = title;
    const body = document.createElement('div');
    body.className = `image-${id}`;
    section.append(heading, body);
    return section;
  }));
  const box = (id) => root.querySelector(`.image-${id}`);
  box('data').innerHTML = '<form class="spec-form dataset-form" aria-label="Image dataset settings"></form><div class="upload"></div>';
  let spec = null;
  let info = null;
  let lastRefresh = 0;
  let shownEpoch = -1;
  let trailing = null;
  let latestEpoch = -1;

  const datasetForm = createDatasetForm(box('data').querySelector('form'), (s) => load(s));
  const uploader = createUploader(box('data').querySelector('.upload'), {
    open: async (files) => opened(await call('openFiles', files)),
    onError,
    onProgress: onUploadProgress,
  });
  const classes = () => info?.classes ?? 10;
  const stack = createStackEditor(box('stack'), {
    shapesOf: (model) => call('layerShapes', { model }),
    onApply: (layers) => load({ ...spec, model: { ...spec.model, hidden: [], layers } }),
    classes,
  });
  const progress = createEpochProgress(box('progress'));
  const layerView = createLayerView(box('layers'));
  const pickSample = async (features, index, truth) => {
    explain.addRow(features, index, truth);
    try {
      const maps = await call('activations', { features: Array.from(features) });
      layerView.showMaps(maps, features, info.image, index == null ? '(drawn)' : `(test sample ${index})`);
    } catch (e) {
      onError(e.message);
    }
  };
  const grid = createSampleGrid(box('samples'), { onPick: pickSample });
  const confusion = createConfusion(box('confusion'));
  const pad = createDrawPad(box('draw'), { classify: (pixels) => call('classify', { features: pixels }) });
  const explain = createExplainPanel(box('explain'), { call, on, onError, drawing: () => pad.drawing() });
  const guide = createGuidePanel(box('guide'), { call, apply, onError });
  const judge = createJudgePanel(box('judge'), { call, on, onError });
  const concepts = createConceptsPanel(box('concepts'), { call, on });

  // Refreshes run one after another, each reading the latest state.
  let chain = Promise.resolve();
  function refresh() {
    chain = chain.then(async () => {
      const epoch = shownEpoch;
      try {
        const predictions = await testPredictions(call);
        info = predictions.info;
        grid.show(predictions);
        confusion.show(predictions);
        layerView.showFilters(await call('filters'));
        root.dataset.refreshed = String(epoch);
      } catch (e) {
        onError(e.message);
      } finally {
        lastRefresh = performance.now();
      }
    });
    return chain;
  }

  return {
    async show(next) {
      spec = next;
      datasetForm.show(spec);
      info = await call('dataInfo');
      pad.setImage(spec.dataset.kind === 'digits' || spec.dataset.kind === 'upload' ? info.image : null);
      stack.show(spec.model);
      explain.show(spec, info);
      guide.show(spec, info);
      judge.show(spec, info);
      concepts.show(spec, info).catch((e) => onError(e.message));
      shownEpoch = -1;
      refresh();
    },
    update(update) {
      progress.update(update);
      latestEpoch = update.metrics.epoch;
      if (latestEpoch === shownEpoch || trailing) return;
      const wait = Math.max(0, REFRESH_MS - (performance.now() - lastRefresh));
      trailing = setTimeout(() => {
        trailing = null;
        shownEpoch = latestEpoch;
        refresh();
      }, wait);
    },
    // Re-reads predictions now (after a step, for tests and the Step button).
    refresh,
    askForFiles: (upload) => uploader.ask(upload),
    // After a refused edit: the forms show the experiment in force again.
    restore() {
      datasetForm.restore();
      if (spec && info) guide.show(spec, info);
    },
  };
}

// Experiments whose data this view shows.
export const isImageSpec = (spec) => ['shapes', 'digits', 'signals', 'upload'].includes(spec.dataset.kind);
