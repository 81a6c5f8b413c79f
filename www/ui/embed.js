// Embed / classroom mode: `?embed=1&hide=<comma list of control ids>` hides the chosen
// controls (and the page chrome meant for the author), and a checklist dialog builds
// such a URL for the current experiment, as TensorFlow Playground's does.

// The element that stands for control `id`: its labelled wrapper, or the element itself.
function controlElement(id) {
  return document.querySelector(`[data-control="${CSS.escape(id)}"]`) ?? document.getElementById(id);
}

// Applies the page's embed parameters; `known` lists ids of controls that may not exist
// yet (layer rows). Returns the ids it did not recognise.
export function applyEmbed(known, params = new URLSearchParams(location.search)) {
  const embed = params.get('embed') === '1';
  document.body.classList.toggle('embed', embed);
  const hide = (params.get('hide') ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = [];
  const rules = [];
  for (const id of hide) {
    if (!/^[\w-]{1,40}$/.test(id) || !(known.has(id) || controlElement(id))) {
      unknown.push(id.slice(0, 40));
      continue;
    }
    // A rule, not the element's `hidden`, so controls rebuilt later (layer rows) stay
    // hidden; a constructed sheet, since the CSP forbids inline <style>.
    rules.push(`[data-control="${id}"], #${id} { display: none !important; }`);
  }
  if (rules.length) {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(rules.join('\n'));
    document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
  }
  return { embed, hidden: hide.filter((id) => !unknown.includes(id)), unknown };
}

// The checklist dialog: `controls()` lists {id, label}; the URL follows the ticks.
export function createEmbedDialog(dialog, controls) {
  const list = dialog.querySelector('.embed-list');
  const output = dialog.querySelector('#embed-url');
  const copy = dialog.querySelector('#embed-copy');
  const hidden = new Set();

  function url() {
    const params = new URLSearchParams({ embed: '1' });
    if (hidden.size) params.set('hide', [...hidden].join(','));
    return `${location.origin}${location.pathname}?${params.toString().replace(/%2C/g, ',')}${location.hash}`;
  }

  function render() {
    list.replaceChildren(
      ...controls().map(({ id, label }) => {
        const item = document.createElement('label');
        const box = document.createElement('input');
        box.type = 'checkbox';
        box.id = `embed-hide-${id}`;
        box.checked = hidden.has(id);
        box.addEventListener('change', () => {
          if (box.checked) hidden.add(id);
          else hidden.delete(id);
          output.value = url();
        });
        item.title = `Hide "${label}" in the embedded page`;
        item.append(box, ` ${label}`);
        return item;
      }),
    );
    output.value = url();
  }

  copy.addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(output.value);
      copy.textContent = 'Copied';
    } catch {
      output.select();
      copy.textContent = 'Press Ctrl+C';
    }
  });
  dialog.querySelector('#embed-close').addEventListener('click', () => dialog.close());
  return {
    open() {
      copy.textContent = 'Copy URL';
      render();
      dialog.showModal();
    },
    url,
  };
}

// The visible words of a control's label (its first text, not the options of a select).
function labelText(control) {
  if (control.tagName === 'BUTTON') return control.textContent.trim().slice(0, 40);
  const label = control.closest('label');
  const text = label && [...label.childNodes].find((n) => n.nodeType === Node.TEXT_NODE && n.textContent.trim());
  return (text?.textContent ?? control.getAttribute('aria-label') ?? control.title ?? '').trim().slice(0, 40);
}

// Every control the checklist offers: `first` in its order, then each element of <main>
// marked data-control, then any other control in <main> with an id that no marked
// element holds (e.g. the views').
export function listControls(first) {
  const seen = new Set(first.map((c) => c.id));
  const out = [...first];
  const add = (id, label) => {
    if (!id || seen.has(id)) return;
    seen.add(id);
    out.push({ id, label: label || id });
  };
  for (const e of document.querySelectorAll('main [data-control]')) add(e.dataset.control, e.getAttribute('aria-label') ?? e.title);
  for (const e of document.querySelectorAll('main input[id], main select[id], main button[id]')) {
    if (!e.closest('#spec-form, main [data-control]') && e.type !== 'file' && !e.classList.contains('export-png')) add(e.id, labelText(e));
  }
  return out;
}
