// The guided tour: five short cards pointing at the main parts of the page, shown on a
// first visit (remembered in localStorage once finished or dismissed) and reopened by
// the "?" button. The card does not trap focus or block the page.

const SEEN_KEY = 'glassbox.tourSeen';

const STEPS = [
  { target: '#play', title: 'Train', text: 'Play trains the network in the background; Step runs one epoch and Reset goes back to the same initial weights. Keys: Space, S, R.' },
  { target: '#spec-form', title: 'Every option', text: 'Loss, optimiser, learning rate and schedule, regularisation, initialisation and the layers: change any of them, even while training runs.' },
  { target: '#boundary', title: 'What the network sees', text: 'The decision boundary over the input plane, with the training points filled and the test points ringed.' },
  { target: '#curves', title: 'Curves and history', text: 'Loss and accuracy per epoch. Earlier runs are kept below the charts: tick one to overlay it.' },
  { target: '#copy-link', title: 'Share', text: 'The link always holds the whole experiment. Copy it, optionally with the trained weights, or build a classroom embed.' },
];

export function createTour(card, { seenStorage = localStorage } = {}) {
  const title = card.querySelector('#tour-title');
  const text = card.querySelector('#tour-text');
  const count = card.querySelector('#tour-count');
  const back = card.querySelector('#tour-back');
  const next = card.querySelector('#tour-next');
  let index = 0;

  function place() {
    const step = STEPS[index];
    title.textContent = step.title;
    text.textContent = step.text;
    count.textContent = `${index + 1} / ${STEPS.length}`;
    back.disabled = index === 0;
    next.textContent = index === STEPS.length - 1 ? 'Done' : 'Next';
    document.querySelectorAll('.tour-highlight').forEach((e) => e.classList.remove('tour-highlight'));
    const target = document.querySelector(step.target);
    if (!target) return;
    target.classList.add('tour-highlight');
    const r = target.getBoundingClientRect();
    const top = Math.min(window.innerHeight - card.offsetHeight - 8, Math.max(8, r.bottom + 10));
    const left = Math.min(window.innerWidth - card.offsetWidth - 8, Math.max(8, r.left));
    card.style.top = `${top + window.scrollY}px`;
    card.style.left = `${left + window.scrollX}px`;
  }

  function close() {
    card.hidden = true;
    document.querySelectorAll('.tour-highlight').forEach((e) => e.classList.remove('tour-highlight'));
    try {
      seenStorage.setItem(SEEN_KEY, '1');
    } catch {
      // Storage may be disabled; the tour then simply shows again next time.
    }
  }

  function open(at = 0) {
    index = at;
    card.hidden = false;
    place();
  }

  back.addEventListener('click', () => (index > 0 ? ((index -= 1), place()) : null));
  next.addEventListener('click', () => (index < STEPS.length - 1 ? ((index += 1), place()) : close()));
  card.querySelector('#tour-close').addEventListener('click', close);
  card.addEventListener('keydown', (e) => {
    if (e.key === 'Escape') close();
  });

  let seen = false;
  try {
    seen = seenStorage.getItem(SEEN_KEY) === '1';
  } catch {
    seen = false;
  }
  return { open, close, seen };
}
