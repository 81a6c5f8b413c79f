// The single owner of the URL fragment, which always holds the current experiment's
// link (#v=1&s=…&engine=…). Writes never add history entries; edits by the user
// (typing or pasting a link, back/forward) are reported to the listener.
let written = null;

export function readFragment() {
  return location.hash.replace(/^#/, '');
}

export function writeFragment(link) {
  written = link;
  if (readFragment() !== link) history.replaceState(null, '', `#${link}`);
}

export function onFragmentEdited(listener) {
  window.addEventListener('hashchange', () => {
    const now = readFragment();
    if (now !== written) listener(now);
  });
}
