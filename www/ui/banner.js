// The message banner: errors (the app carries on) and notices (e.g. a link made by
// another engine version), optionally with one action button. Text only: no HTML is
// ever built from messages.
export function createBanner(root) {
  const text = root.querySelector('#banner-text');
  const action = root.querySelector('#banner-action');
  let onAction = null;
  root.querySelector('#banner-close').addEventListener('click', () => (root.hidden = true));
  action.addEventListener('click', () => {
    root.hidden = true;
    onAction?.();
  });
  return {
    // `act` = {label, run} adds a button that dismisses the banner and runs `run`.
    show(message, kind = 'error', act = null) {
      text.textContent = message;
      root.dataset.kind = kind;
      action.hidden = !act;
      action.textContent = act?.label ?? '';
      onAction = act?.run ?? null;
      root.hidden = false;
      if (act) action.focus();
    },
    hide() {
      root.hidden = true;
    },
    get message() {
      return root.hidden ? null : text.textContent;
    },
  };
}
