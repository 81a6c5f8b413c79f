// Shared end-to-end fixtures: the system Chromium through playwright-core (no browser
// downloads), the built dist/ served under a sub-path, console capture, screenshots.
import { chromium } from 'playwright-core';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { serve } from './server.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
export const DIST = path.join(here, '..', 'dist');
export const ARTIFACTS = path.join(here, 'artifacts');

export const CHROMIUM_FLAGS = [
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
  '--disable-dev-shm-usage',
];

export async function launch({ webgpu = true } = {}) {
  if (!fs.existsSync(path.join(DIST, 'index.html'))) throw new Error('dist/ is missing: run `trunk build --release --offline` first');
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: [...CHROMIUM_FLAGS, ...(webgpu ? ['--enable-unsafe-webgpu'] : [])],
  });
  const app = await serve(DIST, '/glassbox/');
  return {
    browser,
    appUrl: app.url,
    async close() {
      await browser.close();
      await app.close();
    },
  };
}

// Opens a page that records console errors/warnings and uncaught exceptions. The
// visitor has seen the guided tour unless `firstVisit` is set (the tour would cover
// the controls a test clicks).
export async function openPage(browser, url, { context, firstVisit = false } = {}) {
  const ctx = context ?? (await browser.newContext());
  if (!firstVisit) await ctx.addInitScript(() => localStorage.setItem('glassbox.tourSeen', '1'));
  const page = await ctx.newPage();
  const problems = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`uncaught: ${e.message}`));
  await page.goto(url);
  await page.evaluate(() => window.glassbox.ready);
  return { page, problems, context: ctx };
}

export function screenshot(page, name) {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  return page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`) });
}

// Loads the current spec with its dataset, model and training sections patched.
export async function loadPatched(page, { dataset = {}, model = {}, training = {} }) {
  return page.evaluate(async (p) => {
    const s = await window.glassbox.spec();
    return window.glassbox.load({
      ...s,
      dataset: { ...s.dataset, ...p.dataset },
      model: { ...s.model, ...p.model },
      training: { ...s.training, ...p.training },
    });
  }, { dataset, model, training });
}

// Waits until `fn(arg)` evaluated in the page, which may be async, gives a truthy value,
// and returns it. (Playwright's waitForFunction takes the promise an async function
// returns as truthy, so it would not wait at all.)
export async function until(page, fn, arg, { timeout = 30000, interval = 50 } = {}) {
  const deadline = Date.now() + timeout;
  for (;;) {
    const value = await page.evaluate(fn, arg);
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeout} ms waiting for ${String(fn).slice(0, 160)}`);
    await new Promise((resolve) => setTimeout(resolve, interval));
  }
}
