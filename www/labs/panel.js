// The Labs dialog: a menu of the labs (from the engine's catalogue), and for the chosen
// one its claim, paper and what to look at; Run (small or full scale) with progress, ETA
// and Cancel; then the verdict line, each check, and the figures with PNG/CSV export.
// Labs run in their own worker (www/labworker.js), started when first needed, so
// training and the page carry on. A lab's link is ?lab=<name>&scale=small|full.
import { startEngine } from '../engine.js';
import { renderFigure } from './figure.js';
import { saveText } from '../ui/download.js';

const el = (tag, className, text) => {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text != null) node.textContent = text;
  return node;
};

// The link that opens `name` at `scale` in the Labs dialog (no experiment fragment).
export const labLink = (name, scale) => `${location.origin}${location.pathname}?lab=${encodeURIComponent(name)}&scale=${scale}`;

export function createLabsPanel(dialog, { banner }) {
  let worker = null;
  let catalog = null;
  let chosen = null;
  // The running lab: {name, scale, started}; one at a time.
  let running = null;
  // Finished reports by `${name}/${scale}`, kept while the page lives.
  const reports = new Map();

  const head = el('div', 'labs-head');
  const heading = el('h2', null, 'Labs');
  heading.id = 'labs-heading';
  const close = el('button', null, 'Close');
  close.type = 'button';
  close.title = 'Close the labs (Esc); a running lab carries on';
  head.append(heading, close);
  const menu = el('nav', 'labs-menu');
  menu.setAttribute('aria-label', 'Labs');
  const article = el('article', 'lab');
  const title = el('h3', 'lab-title');
  const claim = el('p', 'lab-claim');
  const paper = el('p', 'lab-paper');
  const lookAt = el('p', 'lab-look');
  const controls = el('div', 'lab-run');
  const scaleLabel = el('label', null, 'Scale ');
  const scale = el('select', 'lab-scale');
  scale.title = 'Small: the CI-sized run, under a minute. Full: the lab as designed, a few minutes on two cores.';
  scale.append(new Option('full (a few minutes)', 'full'), new Option('small (under a minute)', 'small'));
  scaleLabel.append(scale);
  const button = (text, className, tip) => {
    const b = el('button', className, text);
    b.type = 'button';
    b.title = tip;
    return b;
  };
  const start = button('Run', 'lab-start', 'Run this lab in the background and compute its verdict');
  const cancel = button('Cancel', 'lab-cancel', 'Stop the running lab');
  cancel.disabled = true;
  const copy = button('Copy link', 'lab-link', 'Copy a link that opens this lab at this scale');
  const json = button('Report JSON', 'lab-json', 'Save the whole report (claims, checks, figures) as JSON');
  json.disabled = true;
  const bar = el('progress', 'lab-progress');
  bar.max = 1;
  bar.value = 0;
  bar.hidden = true;
  const status = el('span', 'lab-status');
  status.setAttribute('role', 'status');
  controls.append(scaleLabel, start, cancel, copy, json, bar, status);
  const verdict = el('p', 'lab-verdict');
  verdict.setAttribute('role', 'status');
  const checks = el('ul', 'lab-checks');
  const figures = el('div', 'lab-figures');
  article.append(title, claim, paper, lookAt, controls, verdict, checks, figures);
  const body = el('div', 'labs-body');
  body.append(menu, article);
  dialog.append(head, body);
  close.addEventListener('click', () => dialog.close());

  function labWorker() {
    if (!worker) {
      worker = startEngine('./labworker.js');
      worker.on('labProgress', progress);
      worker.on('crash', (e) => {
        worker = null;
        finish();
        status.textContent = `${e.message}. Run the lab again to restart its worker.`;
      });
    }
    return worker;
  }

  function progress({ name, done, total }) {
    if (!running || running.name !== name || chosen !== name) return;
    bar.hidden = false;
    bar.value = total ? done / total : 0;
    const elapsed = (performance.now() - running.started) / 1000;
    const eta = done > 0 && done < total ? `, about ${Math.ceil((elapsed * (total - done)) / done)} s left` : '';
    status.textContent = `Running: ${done} of ${total} steps${eta}.`;
  }

  function finish() {
    running = null;
    cancel.disabled = true;
    start.disabled = false;
    bar.hidden = true;
  }

  function showReport(report) {
    verdict.textContent = report ? `Verdict: ${report.verdict.line}` : '';
    verdict.className = `lab-verdict${report ? (report.verdict.reproduced ? ' reproduced' : ' not-reproduced') : ''}`;
    checks.replaceChildren(...(report?.verdict.checks ?? []).map((c) => {
      const item = el('li', c.holds ? 'holds' : 'fails', `${c.holds ? '✓' : '✗'} ${c.claim}: ${c.detail}`);
      return item;
    }));
    figures.replaceChildren(...(report?.figures ?? []).map((f) => renderFigure(f, `glassbox-lab-${report.lab}`)));
    json.disabled = !report;
  }

  function choose(name) {
    const about = catalog.find((l) => l.name === name);
    chosen = about.name;
    for (const b of menu.querySelectorAll('button')) b.setAttribute('aria-current', String(b.dataset.lab === chosen));
    title.textContent = about.title;
    claim.textContent = `Claim: ${about.claim}`;
    paper.textContent = `Paper: ${about.paper}`;
    lookAt.textContent = `What to look at: ${about.lookAt}`;
    const report = reports.get(`${chosen}/${scale.value}`);
    showReport(report);
    const busy = running && running.name !== chosen;
    start.disabled = Boolean(running);
    bar.hidden = !running || busy;
    status.textContent = busy ? `The ${running.name} lab is running; it finishes or can be cancelled there.` : running ? status.textContent : report ? 'Finished.' : '';
  }

  async function run() {
    if (running) return;
    const name = chosen;
    const size = scale.value;
    running = { name, scale: size, started: performance.now() };
    start.disabled = true;
    cancel.disabled = false;
    bar.hidden = false;
    bar.value = 0;
    status.textContent = 'Starting…';
    showReport(null);
    try {
      const report = await labWorker().call('run', { name, small: size === 'small' });
      reports.set(`${name}/${size}`, report);
      const seconds = ((performance.now() - running.started) / 1000).toFixed(1);
      finish();
      if (chosen === name && scale.value === size) {
        showReport(report);
        status.textContent = `Finished in ${seconds} s.`;
      }
    } catch (e) {
      finish();
      if (chosen === name) status.textContent = e.message === 'cancelled' ? 'Cancelled; nothing was kept from the run.' : `The lab failed: ${e.message}`;
    }
  }

  start.addEventListener('click', run);
  cancel.addEventListener('click', () => worker?.call('cancel'));
  scale.addEventListener('change', () => chosen && choose(chosen));
  copy.addEventListener('click', async () => {
    const link = labLink(chosen, scale.value);
    try {
      await navigator.clipboard.writeText(link);
      status.textContent = 'Link copied.';
    } catch {
      status.textContent = `Link: ${link}`;
    }
  });
  json.addEventListener('click', () => {
    const report = reports.get(`${chosen}/${scale.value}`);
    if (report) saveText(JSON.stringify(report, null, 2), `glassbox-lab-${report.lab}.json`);
  });

  async function load() {
    if (catalog) return;
    catalog = await labWorker().call('catalog');
    menu.replaceChildren(...catalog.map((about) => {
      const b = button(about.title, 'lab-choice', about.claim);
      b.dataset.lab = about.name;
      b.addEventListener('click', () => choose(about.name));
      return b;
    }));
    choose(catalog[0].name);
  }

  return {
    // Opens the dialog on `name` (default: the one shown last) at `size` ('small' | 'full').
    async open(name = null, size = null) {
      dialog.showModal();
      try {
        await load();
      } catch (e) {
        status.textContent = `The labs could not start: ${e.message}`;
        return;
      }
      if (size === 'small' || size === 'full') scale.value = size;
      if (name && !catalog.some((l) => l.name === name)) {
        banner.show(`There is no lab called "${String(name).slice(0, 40)}"; the labs are ${catalog.map((l) => l.name).join(', ')}.`, 'notice');
      } else if (name) choose(name);
      else choose(chosen);
      start.focus();
    },
  };
}
