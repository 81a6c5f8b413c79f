// Runs every workload on every Glassbox backend (cpu, webgpu) and every TF.js backend
// (cpu, wasm, webgl, webgpu) in one headless Chromium, then prints a table (median ms,
// steps/s, Glassbox ÷ fastest TF.js; GFLOP/s for the matmul and SIMD rows) and writes
// bench/results/latest.json.
//   node bench/run.mjs [--smoke] [workload…]   (after `trunk build --release --offline`
//   and `npm ci` in bench/). Naming workloads runs only those; the other workloads' rows
//   are kept from the previous latest.json. --smoke is CI's quick end-to-end check: every
//   workload on Glassbox cpu and TF.js wasm only, SMOKE_REPEATS samples on tiny budgets,
//   one browser for all runs, and the JSON goes to a temporary file (named on stderr),
//   never to latest.json.
import { chromium } from 'playwright-core';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { serve } from '../e2e/server.mjs';
import { CHROMIUM_FLAGS } from '../e2e/browser.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const site = fs.mkdtempSync(path.join(os.tmpdir(), 'glassbox-bench-'));
for (const f of fs.readdirSync(path.join(here, 'page'))) fs.symlinkSync(path.join(here, 'page', f), path.join(site, f));
fs.symlinkSync(path.join(here, '..', 'dist'), path.join(site, 'glassbox'));
fs.symlinkSync(path.join(here, 'node_modules', '@tensorflow'), path.join(site, 'tf'));

const ALL = [
  ['glassbox', 'cpu'], ['glassbox', 'webgpu'],
  ['tfjs', 'cpu'], ['tfjs', 'wasm'], ['tfjs', 'webgl'], ['tfjs', 'webgpu'],
];
const GLASSBOX = ALL.slice(0, 2);
// `rate` rows are GFLOP/s samples (higher is better); the others ms samples.
const WORKLOADS = [
  { id: 'w1', name: 'W1 MLP 2-8-8-2 step (batch 10)', unit: 'ms/step', runs: ALL },
  { id: 'w1grid', name: 'W1 100×100 decision grid', unit: 'ms/grid', runs: ALL },
  { id: 'w2', name: 'W2 MLP 784-256-256-10 step (batch 128, Adam)', unit: 'ms/step', runs: ALL },
  { id: 'w3', name: 'W3 CNN 28×28×1 conv8-pool-conv16-pool-dense10 step (batch 64, Adam)', unit: 'ms/step', runs: ALL },
  { id: 'w4', name: 'W4 saliency, 64 images on the W3 net', unit: 'ms/batch', runs: ALL },
  { id: 'w5', name: 'W5 Integrated Gradients, 32 steps, one image on the W3 net', unit: 'ms/image', runs: ALL },
  { id: 'mm64', name: 'matmul 64²', unit: 'GFLOP/s', rate: true, runs: GLASSBOX },
  { id: 'mm256', name: 'matmul 256²', unit: 'GFLOP/s', rate: true, runs: GLASSBOX },
  { id: 'mm1024', name: 'matmul 1024²', unit: 'GFLOP/s', rate: true, runs: GLASSBOX },
  { id: 'simd', name: 'SIMD128 f32x4 mul+add peak, one core', unit: 'GFLOP/s', rate: true, runs: [['glassbox', 'cpu']] },
];
const args = process.argv.slice(2);
const smoke = args.includes('--smoke');
const chosen = args.filter((a) => a !== '--smoke');
const SMOKE_RUNS = [['glassbox', 'cpu'], ['tfjs', 'wasm']];
for (const id of chosen) if (!WORKLOADS.some((w) => w.id === id)) throw new Error(`unknown workload ${id}`);
const selected = chosen.length ? WORKLOADS.filter((w) => chosen.includes(w.id)) : WORKLOADS;
const latest = path.join(here, 'results', 'latest.json');
const out = smoke ? path.join(os.tmpdir(), `glassbox-bench-smoke-${process.pid}.json`) : latest;
const previous = !smoke && chosen.length && fs.existsSync(latest) ? JSON.parse(fs.readFileSync(latest, 'utf8')).results : [];
const REPEATS = smoke ? 2 : 7;

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const launch = () =>
  chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: [...CHROMIUM_FLAGS, '--enable-unsafe-webgpu'],
  });
const RUN_TIMEOUT_MS = 180_000;

// One run in a fresh browser, so a backend that crashes or hangs costs only its own row
// (a smoke run shares one browser, `shared`, and opens a fresh page per run).
async function measure(url, workload, impl, backend, shared) {
  const browser = shared ?? (await launch());
  const page = await browser.newPage();
  let timer;
  try {
    page.on('pageerror', (e) => process.stderr.write(`  page error: ${e.message}\n`));
    await page.goto(url);
    await page.waitForFunction(() => document.getElementById('status').textContent === 'ready', null, { timeout: 60000 });
    const timeout = new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error('timed out')), RUN_TIMEOUT_MS);
    });
    return await Promise.race([page.evaluate((a) => window.bench(...a), [workload, impl, backend, REPEATS, smoke]), timeout]);
  } finally {
    clearTimeout(timer); // else the last run's timer keeps node alive for RUN_TIMEOUT_MS
    await (shared ? page : browser).close().catch(() => {});
  }
}

const server = await serve(site, '/');
const results = previous.filter((r) => !selected.some((w) => w.id === r.workload));
const shared = smoke ? await launch() : null;
try {
  for (const w of selected) {
    const runs = smoke ? w.runs.filter(([i, b]) => SMOKE_RUNS.some(([si, sb]) => si === i && sb === b)) : w.runs;
    for (const [impl, backend] of runs) {
      try {
        const samples = await measure(`${server.url}index.html`, w.id, impl, backend, shared);
        results.push({ workload: w.id, impl, backend, [w.rate ? 'medianGflops' : 'medianMs']: median(samples), samples });
        process.stderr.write(`${w.id} ${impl}/${backend}: ${median(samples).toFixed(4)} ${w.unit}\n`);
      } catch (e) {
        const error = String(e.message).split('\n')[0].replace(/^.*?(unsupported: )/, '$1');
        results.push({ workload: w.id, impl, backend, error });
        process.stderr.write(`${w.id} ${impl}/${backend}: failed (${error})\n`);
      }
    }
  }
} finally {
  await shared?.close().catch(() => {});
  await server.close();
  fs.rmSync(site, { recursive: true, force: true });
}

const version = (await (await import('node:child_process')).execFileSync('/usr/bin/chromium', ['--version'])).toString().trim();
const machine = `${os.cpus().length} cores (${os.cpus()[0].model}), ${Math.round(os.totalmem() / 2 ** 30)} GiB, ${version}; WebGPU = SwiftShader`;
console.log(`\n${machine}\n`);
console.log('| workload | engine | backend | median | per second | ÷ fastest TF.js |');
console.log('| --- | --- | --- | --- | --- | --- |');
const peak = results.find((r) => r.workload === 'simd' && !r.error)?.medianGflops;
for (const w of WORKLOADS) {
  const rows = results.filter((r) => r.workload === w.id);
  const fastestTf = Math.min(...rows.filter((r) => r.impl === 'tfjs' && !r.error).map((r) => r.medianMs));
  for (const r of rows) {
    if (r.error) {
      // The page says "unsupported: …" when a backend lacks a kernel the workload needs.
      const why = r.error.startsWith('unsupported') ? r.error : `failed: ${r.error}`;
      console.log(`| ${w.name} | ${r.impl} | ${r.backend} | ${why} | | |`);
      continue;
    }
    if (w.rate) {
      // The CPU matmuls also show their share of the SIMD peak.
      const share = peak && r.backend === 'cpu' && w.id !== 'simd' ? ` (${((100 * r.medianGflops) / peak).toFixed(0)}% of SIMD peak)` : '';
      console.log(`| ${w.name} | ${r.impl} | ${r.backend} | ${r.medianGflops.toFixed(2)} ${w.unit}${share} | | |`);
      continue;
    }
    r.ratioToFastestTfjs = Number.isFinite(fastestTf) ? r.medianMs / fastestTf : undefined;
    const ratio = r.ratioToFastestTfjs === undefined ? '' : r.ratioToFastestTfjs.toFixed(2);
    console.log(`| ${w.name} | ${r.impl} | ${r.backend} | ${r.medianMs.toFixed(4)} ${w.unit} | ${(1000 / r.medianMs).toFixed(0)} | ${ratio} |`);
  }
}
fs.mkdirSync(path.dirname(out), { recursive: true });
fs.writeFileSync(out, JSON.stringify({ date: new Date().toISOString(), machine, smoke, results }, null, 2));
process.stderr.write(`results written to ${out}\n`);
