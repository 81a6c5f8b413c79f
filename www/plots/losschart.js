// The live loss chart (uPlot): train and test loss per epoch. Rows arrive in batches
// from the worker; the chart redraws at most once per animation frame.
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { SERIES_COLORS } from './colormap.js';

export function createLossChart(container) {
  const data = [[], [], []];
  const chart = new uPlot(
    {
      width: 420,
      height: 260,
      scales: { x: { time: false } },
      axes: [{ label: 'epoch' }, { label: 'loss' }],
      series: [
        { label: 'epoch' },
        { label: 'train', stroke: SERIES_COLORS.train, width: 2 },
        { label: 'test', stroke: SERIES_COLORS.test, width: 2, dash: [6, 3] },
      ],
    },
    data,
    container,
  );
  return {
    clear() {
      data.forEach((col) => (col.length = 0));
      chart.setData(data);
    },
    append(history) {
      for (let i = 0; i < history.epoch.length; i++) {
        data[0].push(history.epoch[i]);
        data[1].push(history.trainLoss[i]);
        data[2].push(history.testLoss[i]);
      }
    },
    redraw() {
      chart.setData(data);
    },
  };
}
