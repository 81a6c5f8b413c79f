// The confusion matrix of the test predictions (rows: true class, columns: predicted),
// shaded by row share in viridis, with per-class accuracy.
import { viridis } from '../plots/viridis.js';

export function createConfusion(root) {
  return {
    show({ labels, predicted, info }) {
      const k = info.classes;
      const counts = Array.from({ length: k }, () => new Array(k).fill(0));
      labels.forEach((l, i) => { counts[l][predicted[i]] += 1; });
      const table = document.createElement('table');
      table.className = 'confusion';
      table.createCaption().textContent = 'Test samples: rows are the true class, columns the prediction';
      const head = table.createTHead().insertRow();
      head.append(Object.assign(document.createElement('th'), { textContent: 'true \\ pred.' }));
      for (let c = 0; c < k; c += 1) head.append(Object.assign(document.createElement('th'), { textContent: c, scope: 'col' }));
      head.append(Object.assign(document.createElement('th'), { textContent: 'accuracy', scope: 'col' }));
      const body = table.createTBody();
      counts.forEach((row, t) => {
        const tr = body.insertRow();
        tr.append(Object.assign(document.createElement('th'), { textContent: t, scope: 'row' }));
        const total = row.reduce((a, b) => a + b, 0);
        row.forEach((n, p) => {
          const td = tr.insertCell();
          td.textContent = n;
          const share = total ? n / total : 0;
          const [r, g, b] = viridis(share);
          td.style.background = `rgb(${r},${g},${b})`;
          td.style.color = share > 0.55 ? '#000' : '#fff';
          td.title = `${n} samples of class ${t} predicted as ${p} (${(share * 100).toFixed(1)}% of the row)`;
        });
        const acc = tr.insertCell();
        acc.className = 'class-accuracy';
        acc.textContent = total ? `${((row[t] / total) * 100).toFixed(1)}%` : '–';
        acc.title = `Accuracy on test samples of class ${t}`;
      });
      root.replaceChildren(table);
    },
  };
}
