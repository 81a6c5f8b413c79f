// The user's own data: drop (or choose) MNIST-style IDX files (raw or .gz), a zip or a
// folder of PNG/JPEG images labelled by folder, or a CSV table. Files are read here and
// handed to the engine worker; nothing leaves the browser.
const MAX_BYTES = 256 << 20;
const IMAGE = /\.(png|jpe?g)$/i;

// The format of a set of file names, or a message saying why there is none.
export function detectFormat(names) {
  const lower = names.map((n) => n.toLowerCase());
  if (lower.length === 1 && lower[0].endsWith('.csv')) return { format: 'csv' };
  if (lower.length === 1 && lower[0].endsWith('.zip')) return { format: 'zip' };
  if (lower.every((n) => /idx[13]|ubyte/.test(n))) return { format: 'idx' };
  if (lower.every((n) => IMAGE.test(n))) return { format: 'folder' };
  return { error: `Cannot tell what ${names.slice(0, 3).join(', ')}${names.length > 3 ? ', …' : ''} are: drop IDX files (names with idx3/idx1 or ubyte), one .zip, a folder of .png/.jpg images, or one .csv.` };
}

// Files of a dropped folder, with paths relative to the drop.
async function entries(item, prefix = '') {
  if (item.isFile) return [await new Promise((ok, fail) => item.file((f) => ok({ file: f, path: prefix + f.name }), fail))];
  const reader = item.createReader();
  const all = [];
  for (;;) {
    const batch = await new Promise((ok, fail) => reader.readEntries(ok, fail));
    if (batch.length === 0) break;
    for (const e of batch) all.push(...(await entries(e, `${prefix}${item.name}/`)));
  }
  return all;
}

export function createUploader(root, { open, onError, onProgress }) {
  root.innerHTML = `<div class="drop" tabindex="0" role="button" title="Drop IDX (.gz or raw), a .zip or folder of images (labels = folder names), or a .csv; or press Enter to choose files">
      Drop your data here, or <label class="pick">choose files <input type="file" multiple class="files" title="IDX, zip, images or CSV"></label>
      or <label class="pick">a folder <input type="file" webkitdirectory class="folder" title="A folder whose subfolders are the classes"></label>.
      <small>Up to 256 MB; the data stays in this browser.</small></div>
    <progress class="upload-progress" max="1" value="0" hidden title="Reading and checking the files"></progress>
    <p class="upload-status" role="status"></p>`;
  const drop = root.querySelector('.drop');
  const bar = root.querySelector('.upload-progress');
  const status = root.querySelector('.upload-status');
  let needed = null;

  async function handle(items) {
    const names = items.map((i) => i.path);
    const total = items.reduce((a, i) => a + i.file.size, 0);
    const fail = (message) => {
      status.textContent = message;
      bar.hidden = true;
      onError(message);
    };
    if (items.length === 0) return fail('No files were dropped.');
    if (total > MAX_BYTES) return fail(`These files hold ${(total / 2 ** 20).toFixed(0)} MB; the limit is ${MAX_BYTES / 2 ** 20} MB.`);
    const { format, error } = detectFormat(names);
    if (error) return fail(error);
    bar.hidden = false;
    bar.value = 0;
    status.textContent = `Reading ${items.length} file${items.length > 1 ? 's' : ''} (${format})…`;
    const buffers = [];
    for (const [i, item] of items.entries()) {
      buffers.push(await item.file.arrayBuffer());
      bar.value = (0.2 * (i + 1)) / items.length;
    }
    try {
      await open({ format, names, buffers });
      bar.value = 1;
      status.textContent = `Loaded ${names.length === 1 ? names[0] : `${names.length} files`}.`;
      needed = null;
    } catch (e) {
      const reason = /[.!?]$/.test(e.message) ? e.message : `${e.message}.`;
      fail(`Your data could not be used: ${reason} The current experiment is unchanged.`);
    }
  }

  const fromInput = (input) => handle([...input.files].map((f) => ({ file: f, path: f.webkitRelativePath || f.name })));
  root.querySelector('.files').addEventListener('change', (e) => fromInput(e.target));
  root.querySelector('.folder').addEventListener('change', (e) => fromInput(e.target));
  drop.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      root.querySelector('.files').click();
    }
  });
  drop.addEventListener('dragover', (e) => { e.preventDefault(); drop.classList.add('over'); });
  drop.addEventListener('dragleave', () => drop.classList.remove('over'));
  drop.addEventListener('drop', async (e) => {
    e.preventDefault();
    drop.classList.remove('over');
    const found = [];
    for (const item of [...e.dataTransfer.items]) {
      const entry = item.webkitGetAsEntry?.();
      if (entry) found.push(...(await entries(entry)));
    }
    handle(found);
  });
  onProgress((fraction) => { bar.value = 0.2 + 0.8 * fraction; });

  return {
    // A link over the user's files: say which ones to bring.
    ask(upload) {
      needed = upload;
      const files = upload.files.map((f) => `${f.name} (${f.bytes.toLocaleString('en')} bytes)`).join(', ');
      status.textContent = `This link trains on your own ${upload.format} data: ${files}. Drop the same files here to open it.`;
      drop.focus();
    },
    get waiting() {
      return needed;
    },
  };
}
