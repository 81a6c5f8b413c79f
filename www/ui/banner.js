// The message banner: errors (the app carries on) and notices (e.g. a link made by
// another engine version). Text only: no HTML is ever built from messages.
export function createBanner(root) {
  const text = root.querySelector('#banner-text');
  root.querySelector('#banner-close').addEventListener('click', () => (root.hidden = true));
  return {
    show(message, kind = 'error') {
      text.textContent = message;
      root.dataset.kind = kind;
      root.hidden = false;
    },
    hide() {
      root.hidden = true;
    },
    get message() {
      return root.hidden ? null : text.textContent;
    },
  };
}
