// Benchmark workloads, written once per library on identical shapes and data:
// W1 = the 2→8 tanh→8 tanh→2 softmax MLP on the two-spiral set, SGD lr 0.03, batch 10
// (ms per training step), and W1-grid = class probabilities on a 100×100 grid.
// window.bench(workload, impl, backend, repeats) → array of samples in ms.
import init, { Session, defaultSpec } from './glassbox/glassbox.js';

const STEPS = 250; // timed steps per sample (10 epochs of the spiral)
const GRID = 100;

await init({ module_or_path: './glassbox/glassbox_bg.wasm' });
tf.wasm.setWasmPaths('./tf/tfjs-backend-wasm/dist/');

const specJson = defaultSpec();

async function glassboxSession(backend) {
  return backend === 'webgpu' ? Session.onGpu(specJson) : new Session(specJson);
}

const glassbox = {
  async w1(backend, repeats) {
    const s = await glassboxSession(backend);
    s.train(STEPS); // warm-up: pipelines, pools
    await s.syncWeights();
    const samples = [];
    for (let r = 0; r < repeats; r++) {
      const t0 = performance.now();
      s.train(STEPS);
      await s.syncWeights(); // waits for the device
      samples.push((performance.now() - t0) / STEPS);
    }
    s.free();
    return samples;
  },
  async w1grid(backend, repeats) {
    const s = await glassboxSession(backend);
    await s.grid(GRID);
    const samples = [];
    for (let r = 0; r < repeats; r++) {
      const t0 = performance.now();
      await s.grid(GRID);
      samples.push(performance.now() - t0);
    }
    s.free();
    return samples;
  },
};

// The same data Glassbox trains on, one-hot labels, batches in Glassbox's epoch-0 order
// (order does not change the cost).
function spiralTensors() {
  const s = new Session(specJson);
  const { features, labels, nTrain } = s.points();
  s.free();
  const x = tf.tensor2d(features.slice(0, nTrain * 2), [nTrain, 2]);
  const y = tf.oneHot(tf.tensor1d(Array.from(labels.slice(0, nTrain)), 'int32'), 2).toFloat();
  return { x, y, nTrain };
}

function tfModel() {
  const model = tf.sequential();
  model.add(tf.layers.dense({ units: 8, activation: 'tanh', inputShape: [2], kernelInitializer: 'glorotUniform' }));
  model.add(tf.layers.dense({ units: 8, activation: 'tanh', kernelInitializer: 'glorotUniform' }));
  model.add(tf.layers.dense({ units: 2, kernelInitializer: 'glorotUniform' }));
  return model;
}

const tensorflow = {
  async w1(backend, repeats) {
    await tf.setBackend(backend);
    await tf.ready();
    const { x, y, nTrain } = spiralTensors();
    const batches = [];
    for (let i = 0; i < nTrain; i += 10) batches.push([x.slice([i, 0], [10, 2]), y.slice([i, 0], [10, 2])]);
    const model = tfModel();
    const opt = tf.train.sgd(0.03);
    const step = (k) => {
      const [xb, yb] = batches[k % batches.length];
      opt.minimize(() => tf.losses.softmaxCrossEntropy(yb, model.apply(xb)));
    };
    const sync = () => model.layers[0].getWeights()[0].data();
    for (let k = 0; k < STEPS; k++) step(k);
    await sync();
    const samples = [];
    for (let r = 0; r < repeats; r++) {
      const t0 = performance.now();
      for (let k = 0; k < STEPS; k++) step(k);
      await sync();
      samples.push((performance.now() - t0) / STEPS);
    }
    tf.disposeVariables();
    tf.dispose([x, y, ...batches.flat()]);
    return samples;
  },
  async w1grid(backend, repeats) {
    await tf.setBackend(backend);
    await tf.ready();
    const model = tfModel();
    const cells = [];
    for (let i = 0; i < GRID; i++) for (let j = 0; j < GRID; j++) cells.push(-6 + (j + 0.5) * 0.12, 6 - (i + 0.5) * 0.12);
    const grid = tf.tensor2d(cells, [GRID * GRID, 2]);
    const once = async () => {
      const p = tf.tidy(() => tf.softmax(model.predict(grid)));
      await p.data();
      p.dispose();
    };
    await once();
    const samples = [];
    for (let r = 0; r < repeats; r++) {
      const t0 = performance.now();
      await once();
      samples.push(performance.now() - t0);
    }
    tf.disposeVariables();
    grid.dispose();
    return samples;
  },
};

window.bench = (workload, impl, backend, repeats) =>
  (impl === 'glassbox' ? glassbox : tensorflow)[workload](backend, repeats);
document.getElementById('status').textContent = 'ready';
