// Chooses where a session trains. A request ("cpu", "gpu" or "auto", from ?backend= or
// the spec) is honoured when it can be; "auto" picks WebGPU only on a hardware adapter
// that a short probe on the current model shows to be faster than the CPU.
const PROBE_STEPS = 30;

let inspection = null;

// What this worker's WebGPU offers: {available, why} or {available, software, name}.
export function inspectWebGpu() {
  inspection ??= (async () => {
    if (!self.navigator?.gpu) return { available: false, why: 'this browser has no navigator.gpu' };
    let adapter = null;
    try {
      adapter = await navigator.gpu.requestAdapter();
    } catch {
      adapter = null;
    }
    if (!adapter) return { available: false, why: 'the browser offers no adapter' };
    const info = adapter.info ?? {};
    const text = `${info.vendor ?? ''} ${info.architecture ?? ''} ${info.description ?? ''}`;
    const software = Boolean(info.isFallbackAdapter || adapter.isFallbackAdapter) || /swiftshader|llvmpipe|lavapipe/i.test(text);
    const name = text.trim().replace(/\s+/g, ' ') || 'unnamed adapter';
    return { available: true, software, name };
  })();
  return inspection;
}

// Milliseconds per step of `session`, including waiting for its results.
async function timeSteps(session) {
  session.train(3); // warm-up: pipelines, pools, first submissions
  await session.metrics();
  const start = performance.now();
  session.train(PROBE_STEPS);
  await session.syncWeights();
  return (performance.now() - start) / PROBE_STEPS;
}

// → {kind: 'cpu' | 'gpu', reason}. `makeSessions` builds throwaway sessions for the probe.
export async function chooseBackend(request, makeSessions) {
  if (request === 'cpu') return { kind: 'cpu', reason: 'CPU: forced by backend=cpu' };
  const gpu = await inspectWebGpu();
  if (request === 'gpu') {
    return gpu.available
      ? { kind: 'gpu', reason: `WebGPU: forced by backend=gpu${gpu.software ? ' (on a software adapter, slower than the CPU)' : ''}` }
      : { kind: 'cpu', reason: `CPU: WebGPU was requested but is unavailable (${gpu.why})` };
  }
  if (!gpu.available) return { kind: 'cpu', reason: `CPU: WebGPU is unavailable (${gpu.why})` };
  if (gpu.software) return { kind: 'cpu', reason: `CPU: the WebGPU adapter is a software emulation (${gpu.name})` };
  const { cpu, gpu: gpuSession } = await makeSessions();
  try {
    const [cpuMs, gpuMs] = [await timeSteps(cpu), await timeSteps(gpuSession)];
    const ratio = cpuMs / gpuMs;
    return ratio > 1
      ? { kind: 'gpu', reason: `WebGPU: ${ratio.toFixed(1)}× faster than CPU on this model` }
      : { kind: 'cpu', reason: `CPU: ${(1 / ratio).toFixed(1)}× faster than WebGPU on this model` };
  } finally {
    cpu.free();
    gpuSession.free();
  }
}
