// Exports: a PNG button on every view (any element with data-view="<name>": its canvases
// stacked into one image), the training curves as CSV, and the model as JSON (save and
// load through the engine's exportModel / importModel).
import { saveBlob, saveText } from './download.js';

// Draws the view's visible canvases one under another on a white background.
function composite(view) {
  const canvases = [...view.querySelectorAll('canvas')].filter((c) => c.width > 0 && c.height > 0 && c.offsetParent !== null);
  if (!canvases.length) return null;
  const out = document.createElement('canvas');
  out.width = Math.max(...canvases.map((c) => c.width));
  out.height = canvases.reduce((h, c) => h + c.height, 0);
  const ctx = out.getContext('2d');
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, out.width, out.height);
  let y = 0;
  for (const c of canvases) {
    ctx.drawImage(c, 0, y);
    y += c.height;
  }
  return out;
}

export function addPngButton(view, banner) {
  const name = view.dataset.view;
  const title = view.getAttribute('aria-label') ?? name;
  const button = document.createElement('button');
  button.type = 'button';
  button.className = 'export-png mini';
  button.id = `png-${name}`;
  button.textContent = 'PNG';
  button.title = `Save the ${title} view as a PNG image`;
  button.setAttribute('aria-label', button.title);
  button.addEventListener('click', () => {
    const image = composite(view);
    if (!image) return banner.show(`The ${title} view has nothing drawn to save yet.`, 'notice');
    image.toBlob((blob) => (blob ? saveBlob(blob, `glassbox-${name}.png`) : banner.show('The image could not be encoded.')), 'image/png');
  });
  (view.querySelector('h2') ?? view).append(button);
}

const CSV_COLUMNS = ['epoch', 'trainLoss', 'testLoss', 'trainAcc', 'testAcc'];

export function curvesCsv(history) {
  const rows = [CSV_COLUMNS.join(',')];
  for (let i = 0; i < history.epoch.length; i++) rows.push(CSV_COLUMNS.map((c) => history[c][i]).join(','));
  return `${rows.join('\n')}\n`;
}

export function createExports({ engine, banner, onModelLoaded, buttons }) {
  for (const view of document.querySelectorAll('[data-view]')) addPngButton(view, banner);

  buttons.csv.addEventListener('click', async () => {
    const history = await engine.call('history');
    if (!history.epoch.length) return banner.show('No epochs trained yet: the curves are empty.', 'notice');
    saveText(curvesCsv(history), 'glassbox-curves.csv', 'text/csv');
  });

  buttons.saveModel.addEventListener('click', async () => {
    try {
      saveText(await engine.call('exportModel'), 'glassbox-model.json');
    } catch (e) {
      banner.show(`The model could not be saved: ${e.message}`);
    }
  });

  buttons.loadModel.addEventListener('change', async () => {
    const file = buttons.loadModel.files[0];
    buttons.loadModel.value = '';
    if (!file) return;
    try {
      onModelLoaded(await engine.call('importModel', { json: await file.text() }));
      banner.show(`Loaded the model from ${file.name}.`, 'notice');
    } catch (e) {
      banner.show(`${file.name} could not be loaded: ${e.message} The current model is unchanged.`);
    }
  });
}
