// End-to-end hostile input: links that try to inject script into every string field,
// carry huge numbers, name other format versions, are cut off or a megabyte long; and
// corrupt uploads (truncated IDX, a PNG named like IDX, a huge IDX header, a points
// CSV with NaN and words). Each gets a clear banner, the previous experiment stays,
// and nothing runs: no dialog, no injected element, no CSP violation. The page boots
// under its Content-Security-Policy, and no www/ code builds HTML from data.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { launch, openPage, screenshot } from './browser.mjs';

const WWW = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'www');
const PWN = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=1</script>';

let env;
before(async () => {
  env = await launch();
});
after(async () => {
  await env?.close();
});

const SKELETON = {
  dataset: { kind: 'spiral', points: 500, trainFraction: 0.5, noise: 0, seed: 1 },
  model: { hidden: [8, 8], activation: 'tanh' },
  training: { loss: 'softmaxCrossEntropy', optimizer: 'sgd', learningRate: 0.03, batchSize: 10, seed: 1 },
};
const link = (spec, v = '1') => {
  const json = typeof spec === 'string' ? spec : JSON.stringify(spec);
  return `v=${v}&s=${zlib.deflateRawSync(Buffer.from(json)).toString('base64url')}&engine=0.1.0`;
};
const edit = (fn) => {
  const s = structuredClone(SKELETON);
  fn(s);
  return s;
};

// A page on a known experiment (the "previous state"), watching for anything executing.
async function hostilePage() {
  const context = await env.browser.newContext();
  await context.addInitScript(() => {
    window.__csp = [];
    document.addEventListener('securitypolicyviolation', (e) => window.__csp.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  const opened = await openPage(env.browser, env.appUrl, { context });
  const dialogs = [];
  opened.page.on('dialog', (d) => {
    dialogs.push(d.message());
    d.dismiss();
  });
  const previous = await opened.page.evaluate(async () => {
    const s = await window.glassbox.spec();
    return window.glassbox.load({ ...s, model: { ...s.model, hidden: [5, 3] } });
  });
  return { ...opened, dialogs, previous };
}

async function assertNothingRan(page, dialogs) {
  assert.deepEqual(dialogs, [], 'no dialog opened');
  const state = await page.evaluate(() => ({
    pwned: window.__pwned ?? null,
    injected: document.querySelectorAll('img[src="x"], script:not([src])').length,
    csp: window.__csp,
  }));
  assert.deepEqual(state, { pwned: null, injected: 0, csp: [] });
}

// Pastes a fragment as a user would (the address bar) and returns the banner it gets.
async function paste(page, fragment) {
  await page.evaluate(() => document.querySelector('#banner').setAttribute('hidden', ''));
  await page.evaluate((f) => (location.hash = f), fragment);
  await page.waitForFunction(() => !document.querySelector('#banner').hidden, null, { timeout: 20000 });
  return page.textContent('#banner-text');
}

test('the page boots under a strict CSP, with no violations, and builds no HTML from data', async () => {
  const { page, problems, dialogs } = await hostilePage();
  const csp = await page.getAttribute('meta[http-equiv="Content-Security-Policy"]', 'content');
  for (const part of ["default-src 'self'", "script-src 'self' 'wasm-unsafe-eval'", "object-src 'none'", "base-uri 'none'"]) {
    assert.ok(csp.includes(part), `the CSP has ${part}: ${csp}`);
  }
  assert.doesNotMatch(csp, /https?:|\*|'unsafe-inline'|'unsafe-eval'/, 'no remote origins, no inline script');
  // The page trains (so the worker and wasm run under the policy).
  const m = await page.evaluate(() => window.glassbox.step(20));
  assert.ok(m.step >= 20);
  await assertNothingRan(page, dialogs);
  assert.deepEqual(problems, []);

  // Static check: an innerHTML template may only interpolate CONSTANTS.
  const offenders = [];
  const walk = (dir) => fs.readdirSync(dir, { withFileTypes: true }).forEach((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return walk(p);
    if (!p.endsWith('.js')) return;
    const text = fs.readFileSync(p, 'utf8');
    for (const m of text.matchAll(/(innerHTML|outerHTML)\s*\+?=\s*`([^`]*)`|insertAdjacentHTML\(/g)) {
      const bad = m[2] === undefined ? ['insertAdjacentHTML'] : [...m[2].matchAll(/\$\{([^}]*)\}/g)].map((x) => x[1]).filter((x) => !/^[A-Z][A-Z0-9_]*$/.test(x.trim()));
      if (bad.length) offenders.push(`${path.relative(WWW, p)}: ${bad.join(', ')}`);
    }
    for (const m of text.matchAll(/innerHTML\s*\+?=\s*([^`'"\s][^;\n]*)/g)) {
      if (!/^[A-Z][A-Z0-9_]*$/.test(m[1].trim())) offenders.push(`${path.relative(WWW, p)}: innerHTML from ${m[1].trim()}`);
    }
  });
  walk(WWW);
  assert.deepEqual(offenders, []);
});

test('hostile links get a clear banner, keep the previous experiment and run nothing', async () => {
  const { page, problems, dialogs, previous } = await hostilePage();
  const cases = [
    ['script in the activation', link(edit((s) => (s.model.activation = PWN))), /unknown variant/],
    ['script in the dataset kind', link(edit((s) => (s.dataset.kind = PWN))), /unknown variant/],
    ['script in the loss', link(edit((s) => (s.training.loss = PWN))), /unknown variant/],
    ['script in the optimizer', link(edit((s) => (s.training.optimizer = PWN))), /unknown variant/],
    ['script as a field name', link(edit((s) => (s.training[PWN] = 1))), /unknown field/],
    ['script in the version', link(SKELETON, encodeURIComponent(PWN)), /format version/],
    ['huge point count', link(edit((s) => (s.dataset.points = 4294967295))), /dataset\.points must be between 10 and 10000/],
    ['a learning rate that overflows', link(edit((s) => (s.training.learningRate = 1e39))), /learningRate|invalid value|out of range/],
    ['negative units', link(edit((s) => (s.model.hidden = [-4]))), /invalid value|model\.hidden/],
    ['a network over the parameter budget', link({
      ...SKELETON,
      dataset: { kind: 'shapes', points: 100, trainFraction: 0.5, noise: 0, seed: 1, imageSize: 64, color: true },
      model: { hidden: [], activation: 'relu', layers: [...Array(40).fill({ type: 'dense', units: 4096 }), { type: 'dense', units: 4 }] },
    }), /more than \d+ parameters/],
    ['a future version', link(SKELETON, '2'), /made by a newer Glassbox/],
    ['a version that is no number', link(SKELETON, 'abc'), /format version "abc"/],
    ['truncated base64', link(SKELETON).slice(0, 60), /corrupt or cut off|base64url/],
    ['a one-megabyte fragment', `v=1&s=${'A'.repeat(1 << 20)}`, /too long/],
    ['deep nesting', link(`{"dataset":${'['.repeat(5000)}${']'.repeat(5000)}}`), /not a valid Glassbox spec/],
  ];
  for (const [name, fragment, expected] of cases) {
    const message = await paste(page, fragment);
    console.log(`# ${name}: ${message.slice(0, 160)}`);
    assert.match(message, /could not be opened/, name);
    assert.match(message, expected, name);
    assert.match(message, /unchanged/, name);
    assert.ok(message.length < 1200, `${name}: a readable message (${message.length} characters)`);
    assert.deepEqual((await page.evaluate(() => window.glassbox.spec())).model.hidden, previous.model.hidden, `${name}: the experiment stays`);
    assert.match(await page.evaluate(() => location.hash), /^#v=1&s=/, `${name}: the fragment is the current experiment's again`);
  }
  await screenshot(page, 'hostile-link');
  // A valid experiment from an "engine" named with markup opens, with the name as text.
  const notice = await paste(page, link(SKELETON).replace('engine=0.1.0', `engine=${encodeURIComponent(PWN)}`));
  assert.match(notice, /made by Glassbox engine %3Cimg/);
  await assertNothingRan(page, dialogs);
  assert.deepEqual(problems, []);
});

test('a link with a bad field offers its readable part, and opening it keeps the rest', async () => {
  const { page, problems, dialogs } = await hostilePage();
  const fragment = link(edit((s) => {
    s.dataset.kind = 'moons';
    s.dataset.points = 50_000_000;
    s.model.hidden = [6, 2];
    s.model.activation = PWN;
    s.training.learningRate = 0.1;
  }));
  const message = await paste(page, fragment);
  assert.match(message, /readable part can be opened without: dataset\.points: .*; model\.activation: unknown variant/);
  assert.equal(await page.textContent('#banner-action'), 'Open the readable part');
  await page.click('#banner-action');
  await page.waitForFunction(() => window.glassbox.spec().then((s) => s.dataset.kind === 'moons'));
  const spec = await page.evaluate(() => window.glassbox.spec());
  assert.deepEqual([spec.dataset.kind, spec.dataset.points, spec.model.hidden, spec.model.activation, spec.training.learningRate], ['moons', 500, [6, 2], 'tanh', 0.1]);
  await assertNothingRan(page, dialogs);
  assert.deepEqual(problems, []);
});

test('a bad link on first visit shows the default with the reason and its readable part', async () => {
  const fragment = link(edit((s) => {
    s.model.hidden = [7];
    s.training.batchSize = 1e9;
  }));
  const { page, problems } = await openPage(env.browser, `${env.appUrl}#${fragment}`);
  await page.waitForFunction(() => /readable part/.test(document.querySelector('#banner-text').textContent));
  assert.match(await page.textContent('#banner-text'), /This link could not be opened: .*batchSize.*Showing the default experiment/);
  await page.click('#banner-action');
  await page.waitForFunction(() => window.glassbox.spec().then((s) => s.model.hidden.length === 1));
  assert.deepEqual((await page.evaluate(() => window.glassbox.spec())).model.hidden, [7]);
  assert.deepEqual(problems, []);
});

const be = (...words) => Buffer.concat(words.map((w) => { const b = Buffer.alloc(4); b.writeUInt32BE(w >>> 0); return b; }));

test('corrupt uploads get clear errors and change nothing', async () => {
  const { page, problems, dialogs } = await hostilePage();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'glassbox-hostile-'));
  const file = (name, bytes) => {
    const p = path.join(dir, name);
    fs.writeFileSync(p, bytes);
    return p;
  };
  // Points CSV: NaN and words in the numbers.
  const rows = Array.from({ length: 12 }, (_, i) => `${i * 0.1},${-i * 0.2},${i % 2}`);
  for (const [name, text, expected] of [
    ['nan.csv', ['x1,x2,label', ...rows.slice(0, 4), 'NaN,1,0', ...rows.slice(4)].join('\n'), /line 6, column 1: values must be finite/],
    ['words.csv', [...rows.slice(0, 3), `1,${PWN},0`, ...rows.slice(3)].join('\n'), /line 4, column 2: .* is not a number/],
  ]) {
    await page.evaluate(() => document.querySelector('#banner').setAttribute('hidden', ''));
    await page.setInputFiles('#csv-upload', file(name, text));
    await page.waitForFunction(() => !document.querySelector('#banner').hidden);
    const message = await page.textContent('#banner-text');
    console.log(`# ${name}: ${message}`);
    assert.match(message, expected);
    assert.match(message, /unchanged/);
    assert.equal((await page.evaluate(() => window.glassbox.spec())).dataset.kind, 'spiral');
  }

  // IDX uploads on the image track.
  await page.evaluate(async () => {
    const s = await window.glassbox.spec();
    await window.glassbox.load({ ...s, dataset: { kind: 'digits', points: 100, trainFraction: 0.5, noise: 0, seed: 1 }, model: { hidden: [8], activation: 'relu' } });
  });
  const before = await page.evaluate(() => window.glassbox.spec());
  const labels = file('train-labels-idx1-ubyte', Buffer.concat([be(0x801, 3), Buffer.from([0, 1, 2])]));
  const png = Buffer.from('89504e470d0a1a0a0000000d49484452000000040000000408000000008c9ac1a20000001c49444154789c6360606462666061656367e0e0e4e266e0e1e5e30700032000798b01f5440000000049454e44ae426082', 'hex');
  const cases = [
    ['truncated IDX', file('train-images-idx3-ubyte', Buffer.concat([be(0x803, 3, 4, 4), Buffer.alloc(20)])), /header says 3 × 4 × 4 but 20 bytes/],
    ['a PNG named like IDX', file('png-images-idx3-ubyte', png), /magic number 0x89504e47/],
    ['a huge IDX header', file('huge-images-idx3-ubyte', Buffer.concat([be(0x803, 0xffffffff, 0xffffffff, 0xffffffff), Buffer.alloc(16)])), /header says 4294967295/],
  ];
  for (const [name, images, expected] of cases) {
    await page.evaluate(() => document.querySelector('#banner').setAttribute('hidden', ''));
    await page.setInputFiles('.image-data input.files', [images, labels]);
    await page.waitForFunction(() => /could not be used/.test(document.querySelector('#banner-text').textContent) && !document.querySelector('#banner').hidden);
    const message = await page.textContent('#banner-text');
    console.log(`# ${name}: ${message}`);
    assert.match(message, expected, name);
    assert.match(message, /unchanged/, name);
    assert.deepEqual(await page.evaluate(() => window.glassbox.spec()), before, `${name}: the experiment stays`);
  }
  await screenshot(page, 'hostile-upload');
  fs.rmSync(dir, { recursive: true });
  await assertNothingRan(page, dialogs);
  assert.deepEqual(problems, []);
});
