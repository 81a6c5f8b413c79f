// A small labelled button (text or a symbol, with its meaning as tooltip and accessible name).
export function labelledButton(text, label, onClick, className = '') {
  const b = document.createElement('button');
  b.type = 'button';
  if (className) b.className = className;
  b.textContent = text;
  b.title = label;
  b.setAttribute('aria-label', label);
  b.addEventListener('click', onClick);
  return b;
}
