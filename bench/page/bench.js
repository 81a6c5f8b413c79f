// Benchmark workloads, written once per library on identical shapes and data:
// W1 = the 2→8 tanh→8 tanh→2 softmax MLP on the two-spiral set, SGD lr 0.03, batch 10
// (ms per training step of the real trainer, its per-epoch evaluation off, as TF.js has
// none), and W1-grid = class probabilities on a 100×100 grid.
// W2 = the 784→256 relu→256 relu→10 softmax MLP, Adam lr 1e-3, batch 128, on one
// seeded synthetic batch (ms per training step).
// W3 = the CNN 28×28×1: conv3×3 8 same relu → maxpool2 → conv3×3 16 same relu →
// maxpool2 → dense 10, Adam lr 1e-3, batch 64, on one seeded synthetic batch (ms per
// training step). W4 = saliency on the (untrained) W3 network: the input gradient of each
// image's top logit for 64 seeded images, the top class read back once before timing
// (ms per batch of 64). W5 = Integrated Gradients of one seeded image on the W3 network:
// the input gradient of its top logit at IG_STEPS points of the straight path from a zero
// baseline (trapezoid weights), the logits at the image and the baseline for the
// completeness gap, and the map (x − x')·Σ w·g; ms per explanation, the map and the gap
// read back to the host every time (the top class is found once, before timing).
// mm64/mm256/mm1024 = Glassbox's n×n matmul (GFLOP/s); simd = one core's SIMD128
// multiply-add peak (GFLOP/s).
// window.bench(workload, impl, backend, repeats, smoke) → array of samples (ms or
// GFLOP/s); `smoke` shrinks the timing budgets (BUDGET) to a quick end-to-end check.
import init, { Bench, Session, defaultSpec, simdPeak, simdPeakFlopsPerRound } from './glassbox/glassbox.js';

// Timing budgets: W1 steps per sample (10 epochs of the spiral), W2 steps per sample
// (SwiftShader takes seconds per step), the time other samples fill, and the warm-up
// time before the first sample (V8 compiles wasm and JS in tiers: the optimised code
// only runs after a function has been hot for a while).
const BUDGET = { steps: 250, w2Steps: 3, minSampleMs: 200, warmUpMs: 1500 };
const SMOKE_BUDGET = { steps: 10, w2Steps: 1, minSampleMs: 5, warmUpMs: 5 };
const GRID = 100;

await init({ module_or_path: './glassbox/glassbox_bg.wasm' });
tf.wasm.setWasmPaths('./tf/tfjs-backend-wasm/dist/');

const specJson = defaultSpec();

async function glassboxSession(backend) {
  return backend === 'webgpu' ? Session.onGpu(specJson) : new Session(specJson);
}

const W2_SIZES = [784, 256, 256, 10];
const W2_BATCH = 128;
const CNN_CLASSES = 10;
const W3_BATCH = 64;
const W4_IMAGES = 64;
const IG_STEPS = 32; // as crate::bench::IG_STEPS

// Runs `once()` (awaited) until it has run for BUDGET.warmUpMs, at least once: shaders,
// pipelines and pools are made, and the engines' optimising compilers have kicked in.
async function warmUp(once) {
  const t0 = performance.now();
  do await once();
  while (performance.now() - t0 < BUDGET.warmUpMs);
}

// Median-friendly samples of a Glassbox workload: each sample runs `reps` repetitions
// and waits for the device; returns ms per repetition.
async function timeBench(b, reps, repeats) {
  await warmUp(async () => {
    await b.run(reps);
    await b.sync();
  });
  const samples = [];
  for (let r = 0; r < repeats; r++) {
    const t0 = performance.now();
    await b.run(reps);
    await b.sync();
    samples.push((performance.now() - t0) / reps);
  }
  return samples;
}

// Repetitions that fill at least BUDGET.minSampleMs: doubled until one timed `run(reps)`
// (which waits for the device) does, so a fast workload is never timed below the
// clock's resolution (0.1 ms in a page that is not cross-origin isolated).
async function fillingReps(run) {
  for (let reps = 1; ; reps *= 2) {
    const t0 = performance.now();
    await run(reps);
    if (performance.now() - t0 >= BUDGET.minSampleMs || reps >= 1 << 20) return reps;
  }
}

const calibrate = (b) => fillingReps(async (reps) => {
  await b.run(reps);
  await b.sync();
});

async function matmulGflops(backend, n, repeats) {
  const b = await Bench.matmul(backend, n);
  const samples = await timeBench(b, await calibrate(b), repeats);
  const flops = b.flops;
  b.free();
  return samples.map((ms) => flops / ms / 1e6);
}

const glassbox = {
  async w1(backend, repeats) {
    const s = await glassboxSession(backend);
    // Plain training steps, as on the TF.js side: no per-epoch evaluation of both splits.
    s.setEvaluation('onDemand');
    await warmUp(async () => {
      s.train(BUDGET.steps);
      await s.syncWeights();
    });
    const samples = [];
    for (let r = 0; r < repeats; r++) {
      const t0 = performance.now();
      s.train(BUDGET.steps);
      await s.syncWeights(); // waits for the device
      samples.push((performance.now() - t0) / BUDGET.steps);
    }
    s.free();
    return samples;
  },
  async w1grid(backend, repeats) {
    const s = await glassboxSession(backend);
    await warmUp(() => s.grid(GRID));
    const samples = [];
    for (let r = 0; r < repeats; r++) {
      const t0 = performance.now();
      await s.grid(GRID);
      samples.push(performance.now() - t0);
    }
    s.free();
    return samples;
  },
  async w2(backend, repeats) {
    const b = await Bench.mlp(backend, Uint32Array.from(W2_SIZES), W2_BATCH, 1e-3, 1);
    const samples = await timeBench(b, BUDGET.w2Steps, repeats);
    b.free();
    return samples;
  },
  async w3(backend, repeats) {
    const b = await Bench.cnn(backend, CNN_CLASSES, W3_BATCH, 1e-3, 1);
    const samples = await timeBench(b, await calibrate(b), repeats);
    b.free();
    return samples;
  },
  async w4(backend, repeats) {
    const b = await Bench.saliency(backend, CNN_CLASSES, W4_IMAGES, 1);
    const samples = await timeBench(b, await calibrate(b), repeats);
    b.free();
    return samples;
  },
  async w5(backend, repeats) {
    const b = await Bench.integratedGradients(backend, CNN_CLASSES, 1);
    const samples = await timeBench(b, await calibrate(b), repeats);
    b.free();
    return samples;
  },
  mm64: (backend, repeats) => matmulGflops(backend, 64, repeats),
  mm256: (backend, repeats) => matmulGflops(backend, 256, repeats),
  mm1024: (backend, repeats) => matmulGflops(backend, 1024, repeats),
  async simd(_backend, repeats) {
    const rounds = 1 << 22;
    simdPeak(rounds);
    const samples = [];
    for (let r = 0; r < repeats; r++) {
      const t0 = performance.now();
      simdPeak(rounds);
      samples.push((rounds * simdPeakFlopsPerRound()) / (performance.now() - t0) / 1e6);
    }
    return samples;
  },
};

// Seeded uniform numbers in [0, 1) (mulberry32), for W2's synthetic batch.
function uniforms(n, seed) {
  const out = new Float32Array(n);
  let a = seed >>> 0;
  for (let i = 0; i < n; i++) {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  return out;
}

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

// Median-friendly samples of a TF.js workload: `once()` runs one repetition (awaited,
// for a workload that reads its result back), `sync()` waits for the device;
// repetitions per sample fill about BUDGET.minSampleMs.
async function timeTf(once, sync, repeats) {
  await warmUp(async () => {
    await once();
    await sync();
  });
  const reps = await fillingReps(async (n) => {
    for (let k = 0; k < n; k++) await once();
    await sync();
  });
  const samples = [];
  for (let r = 0; r < repeats; r++) {
    const t0 = performance.now();
    for (let k = 0; k < reps; k++) await once();
    await sync();
    samples.push((performance.now() - t0) / reps);
  }
  return samples;
}

// The W3 network in TF.js (NHWC; with one input channel the batch is laid out as
// Glassbox's NCHW rows).
function tfCnn() {
  const model = tf.sequential();
  const conv = (filters, extra) => tf.layers.conv2d({ filters, kernelSize: 3, padding: 'same', activation: 'relu', ...extra });
  model.add(conv(8, { inputShape: [28, 28, 1] }));
  model.add(tf.layers.maxPooling2d({ poolSize: 2 }));
  model.add(conv(16));
  model.add(tf.layers.maxPooling2d({ poolSize: 2 }));
  model.add(tf.layers.flatten());
  model.add(tf.layers.dense({ units: CNN_CLASSES, kernelInitializer: 'glorotUniform' }));
  return model;
}

const cnnImages = (n, seed) => tf.tensor4d(uniforms(n * 28 * 28, seed).map((u) => 2 * u - 1), [n, 28, 28, 1]);

// Refuses a backend without the kernels the gradient needs (TF.js wasm has no
// Conv2DBackpropFilter), so that the row says why rather than failing mid-step.
function requireKernels(backend, names) {
  const missing = names.filter((k) => !tf.getKernel(k, backend));
  if (missing.length) throw new Error(`unsupported: TF.js ${backend} has no ${missing.join(', ')} kernel`);
}

const tensorflow = {
  async w3(backend, repeats) {
    await tf.setBackend(backend);
    await tf.ready();
    requireKernels(backend, ['Conv2DBackpropFilter', 'Conv2DBackpropInput', 'MaxPoolGrad']);
    const x = cnnImages(W3_BATCH, 1);
    const labels = Array.from(uniforms(W3_BATCH, 2), (u) => Math.floor(u * CNN_CLASSES));
    const y = tf.oneHot(tf.tensor1d(labels, 'int32'), CNN_CLASSES).toFloat();
    const model = tfCnn();
    const opt = tf.train.adam(1e-3);
    const step = () => opt.minimize(() => tf.losses.softmaxCrossEntropy(y, model.apply(x)));
    const samples = await timeTf(step, () => model.layers[0].getWeights()[0].data(), repeats);
    tf.disposeVariables();
    tf.dispose([x, y]);
    return samples;
  },
  async w4(backend, repeats) {
    await tf.setBackend(backend);
    await tf.ready();
    requireKernels(backend, ['Conv2DBackpropInput', 'MaxPoolGrad']);
    const x = cnnImages(W4_IMAGES, 1);
    const model = tfCnn();
    const top = tf.tidy(() => model.apply(x).argMax(1));
    const seed = tf.oneHot(top, CNN_CLASSES).toFloat();
    const saliency = tf.grad((images) => tf.sum(tf.mul(model.apply(images), seed)));
    let g = null;
    const once = () => {
      if (g) g.dispose();
      g = saliency(x);
    };
    // One image is enough to wait for the device, as on the Glassbox side.
    const sync = async () => {
      const first = g.slice(0, 1);
      await first.data();
      first.dispose();
    };
    const samples = await timeTf(once, sync, repeats);
    tf.disposeVariables();
    tf.dispose([x, top, seed, g]);
    return samples;
  },
  async w5(backend, repeats) {
    await tf.setBackend(backend);
    await tf.ready();
    requireKernels(backend, ['Conv2DBackpropInput', 'MaxPoolGrad']);
    const x = cnnImages(1, 1);
    const baseline = tf.zerosLike(x);
    const model = tfCnn();
    const top = tf.tidy(() => model.apply(x).argMax(1));
    const seed = tf.oneHot(top, CNN_CLASSES).toFloat();
    // Trapezoid rule: IG_STEPS evenly spaced points on [0, 1], weights h halved at the ends.
    const h = 1 / (IG_STEPS - 1);
    const alphas = tf.linspace(0, 1, IG_STEPS).reshape([IG_STEPS, 1, 1, 1]);
    const weights = tf.tensor1d(Array.from({ length: IG_STEPS }, (_, k) => (k === 0 || k === IG_STEPS - 1 ? h / 2 : h))).reshape([IG_STEPS, 1, 1, 1]);
    const scoreGrad = tf.grad((images) => tf.sum(tf.mul(model.apply(images), seed)));
    const once = async () => {
      const [map, gap] = tf.tidy(() => {
        const diff = x.sub(baseline);
        const g = scoreGrad(baseline.add(alphas.mul(diff)));
        const map = g.mul(weights).sum(0, true).mul(diff);
        const ends = tf.sum(tf.mul(model.apply(tf.concat([x, baseline])), seed), 1);
        const gap = map.sum().sub(ends.slice(0, 1).sub(ends.slice(1, 1)).sum());
        return [map, gap];
      });
      await Promise.all([map.data(), gap.data()]);
      tf.dispose([map, gap]);
    };
    const samples = await timeTf(once, async () => {}, repeats);
    tf.disposeVariables();
    tf.dispose([x, baseline, top, seed, alphas, weights]);
    return samples;
  },
  async w2(backend, repeats) {
    await tf.setBackend(backend);
    await tf.ready();
    const [inputs, hidden1, hidden2, classes] = W2_SIZES;
    const x = tf.tensor2d(uniforms(W2_BATCH * inputs, 1).map((u) => 2 * u - 1), [W2_BATCH, inputs]);
    const labels = Array.from(uniforms(W2_BATCH, 2), (u) => Math.floor(u * classes));
    const y = tf.oneHot(tf.tensor1d(labels, 'int32'), classes).toFloat();
    const model = tf.sequential();
    model.add(tf.layers.dense({ units: hidden1, activation: 'relu', inputShape: [inputs], kernelInitializer: 'glorotUniform' }));
    model.add(tf.layers.dense({ units: hidden2, activation: 'relu', kernelInitializer: 'glorotUniform' }));
    model.add(tf.layers.dense({ units: classes, kernelInitializer: 'glorotUniform' }));
    const opt = tf.train.adam(1e-3);
    const step = () => opt.minimize(() => tf.losses.softmaxCrossEntropy(y, model.apply(x)));
    const sync = () => model.layers[0].getWeights()[0].data();
    await warmUp(async () => {
      step();
      await sync();
    });
    const samples = [];
    for (let r = 0; r < repeats; r++) {
      const t0 = performance.now();
      for (let k = 0; k < BUDGET.w2Steps; k++) step();
      await sync();
      samples.push((performance.now() - t0) / BUDGET.w2Steps);
    }
    tf.disposeVariables();
    tf.dispose([x, y]);
    return samples;
  },
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
    await warmUp(async () => {
      for (let k = 0; k < BUDGET.steps; k++) step(k);
      await sync();
    });
    const samples = [];
    for (let r = 0; r < repeats; r++) {
      const t0 = performance.now();
      for (let k = 0; k < BUDGET.steps; k++) step(k);
      await sync();
      samples.push((performance.now() - t0) / BUDGET.steps);
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
    await warmUp(once);
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

window.bench = (workload, impl, backend, repeats, smoke) => {
  if (smoke) Object.assign(BUDGET, SMOKE_BUDGET);
  return (impl === 'glassbox' ? glassbox : tensorflow)[workload](backend, repeats);
};
document.getElementById('status').textContent = 'ready';
