// Sharing: "Copy link" copies the page URL (its fragment always holds the experiment),
// or with "include trained weights" a link that opens the trained network. A link over
// MAX_LINK_CHARS is not copied: the banner says so and offers an experiment file instead
// (JSON: the spec with its recorded edits, plus the model with its trained weights when
// asked for), which "Open file…" loads back.
import { saveText } from './download.js';

export const MAX_LINK_CHARS = 4096;

export function createShare({ copyButton, weightsBox, openInput, engine, banner, load, onModelLoaded }) {
  const pageUrl = (fragment) => `${location.origin}${location.pathname}${location.search}#${fragment}`;

  async function currentLink() {
    if (!weightsBox.checked) return location.hash.slice(1);
    const { fragment } = await engine.call('linkWithWeights');
    return fragment;
  }

  async function offerFile(why) {
    const spec = await engine.call('spec');
    const model = weightsBox.checked ? JSON.parse(await engine.call('exportModel')) : undefined;
    const file = JSON.stringify({ glassbox: 'experiment', spec, model });
    banner.show(`${why} Download it as an experiment file instead; "Open file…" opens it again.`, 'notice', {
      label: 'Download experiment file',
      run: () => saveText(file, 'glassbox-experiment.json'),
    });
  }

  copyButton.addEventListener('click', async () => {
    try {
      const fragment = await currentLink();
      const url = pageUrl(fragment);
      if (url.length > MAX_LINK_CHARS) {
        await offerFile(`This link is ${(url.length / 1024).toFixed(1)} KB, too long to share reliably.`);
        return;
      }
      try {
        await navigator.clipboard.writeText(url);
        const what = weightsBox.checked ? 'it opens the trained network' : 'it rebuilds this experiment, bit for bit on the CPU backend';
        banner.show(`Link copied: ${what}.`, 'notice');
      } catch {
        banner.show(`Copy this link: ${url}`, 'notice');
      }
    } catch (e) {
      banner.show(`No link could be made: ${e.message}`);
    }
  });

  // An experiment file ({glassbox: 'experiment', spec, model?}), a spec JSON, or a link.
  openInput.addEventListener('change', async () => {
    const file = openInput.files[0];
    openInput.value = '';
    if (!file) return;
    const text = await file.text();
    let parsed = null;
    try {
      parsed = JSON.parse(text);
    } catch {
      // Not JSON: a link or fragment in a text file; load names the problem if it is neither.
    }
    if (parsed?.glassbox !== 'experiment') return load(text);
    if (!(await load(parsed.spec)) || !parsed.model) return;
    try {
      onModelLoaded(await engine.call('importModel', { json: JSON.stringify(parsed.model) }));
    } catch (e) {
      banner.show(`The experiment opened, but its trained weights could not be loaded: ${e.message}`);
    }
  });
}
