// The sample grid: test images with the predicted and true label, filtered by
// correct/incorrect and class; with the filter on "incorrect" it is the misclassified
// gallery. Choosing a sample (click or Enter) shows its activation maps and adds it to
// the explanation panel.
import { paintSample, figure } from './paint.js';

const SHOWN = 60;

export function createSampleGrid(root, { onPick }) {
  root.innerHTML = `<div class="grid-tools">
      <label>Show <select class="which" title="Which test samples to show">
        <option value="all">all</option><option value="correct">correct</option><option value="incorrect">misclassified</option></select></label>
      <label>True class <select class="klass" title="Only samples of this true class"><option value="">any</option></select></label>
      <span class="count" role="status"></span></div>
    <div class="gallery" role="list"></div>`;
  const gallery = root.querySelector('.gallery');
  const which = root.querySelector('.which');
  const klass = root.querySelector('.klass');
  let data = null;

  function render() {
    if (!data) return;
    const want = which.value;
    const cls = klass.value === '' ? null : Number(klass.value);
    const chosen = [];
    for (let i = 0; i < data.labels.length && chosen.length < SHOWN; i += 1) {
      const ok = data.predicted[i] === data.labels[i];
      if ((want === 'correct' && !ok) || (want === 'incorrect' && ok) || (cls !== null && data.labels[i] !== cls)) continue;
      chosen.push(i);
    }
    const wrong = data.labels.filter((l, i) => l !== data.predicted[i]).length;
    root.querySelector('.count').textContent = `${wrong} of ${data.labels.length} test samples misclassified`;
    gallery.replaceChildren(...chosen.map((i) => {
      const ok = data.predicted[i] === data.labels[i];
      const { fig, canvas } = figure(`${ok ? '✓' : '✗'} ${data.predicted[i]} / ${data.labels[i]}`,
        `Test sample ${data.indices[i]}: predicted ${data.predicted[i]} (${(data.confidence[i] * 100).toFixed(0)}%), true ${data.labels[i]}. Enter shows its activation maps and adds it to the explanations.`);
      fig.className = ok ? 'sample correct' : 'sample wrong';
      fig.tabIndex = 0;
      fig.setAttribute('role', 'listitem');
      paintSample(canvas, data.features[i], data.info.image);
      const pick = () => onPick(data.features[i], data.indices[i], { label: data.labels[i], predicted: data.predicted[i] });
      fig.addEventListener('click', pick);
      fig.addEventListener('keydown', (e) => {
        if (e.key === 'Enter' || e.key === ' ') {
          e.preventDefault();
          pick();
        }
      });
      return fig;
    }));
  }

  which.addEventListener('change', render);
  klass.addEventListener('change', render);
  return {
    show(predictions) {
      data = predictions;
      const keep = klass.value;
      klass.replaceChildren(new Option('any', ''), ...Array.from({ length: predictions.info.classes }, (_, k) => new Option(String(k), String(k))));
      klass.value = keep;
      render();
    },
    showOnly(filter) {
      which.value = filter;
      render();
    },
  };
}
