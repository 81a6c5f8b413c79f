// Sharing: "Copy link" copies the page URL (its fragment always holds the experiment),
// or with "include trained weights" a link that opens the trained network. A link over
// MAX_LINK_CHARS is not copied: the banner says so and offers an experiment file (JSON
// holding the spec and the link) instead, which "Open file…" loads back.
import { saveText } from './download.js';

export const MAX_LINK_CHARS = 4096;

export function createShare({ copyButton, weightsBox, openInput, engine, banner, load }) {
  const pageUrl = (fragment) => `${location.origin}${location.pathname}${location.search}#${fragment}`;

  async function currentLink() {
    if (!weightsBox.checked) return location.hash.slice(1);
    const { fragment } = await engine.call('linkWithWeights');
    return fragment;
  }

  async function offerFile(fragment, why) {
    const spec = await engine.call('spec');
    const file = JSON.stringify({ glassbox: 'experiment', spec, link: `#${fragment}` }, null, 1);
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
        await offerFile(fragment, `This link is ${(url.length / 1024).toFixed(1)} KB, too long to share reliably.`);
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

  // An experiment file holds {link} (exact, with weights and events) or is a spec itself.
  openInput.addEventListener('change', async () => {
    const file = openInput.files[0];
    openInput.value = '';
    if (!file) return;
    let source = await file.text();
    try {
      const parsed = JSON.parse(source);
      if (typeof parsed?.link === 'string') source = parsed.link;
      else if (parsed?.glassbox === 'experiment') source = parsed.spec;
    } catch {
      // Not JSON: a link or fragment in a text file; load names the problem if it is neither.
    }
    load(source);
  });

  return { currentLink, pageUrl };
}
