/**
 * Searching the scroll-back: every match is highlighted (the CSS Custom Highlight API, so the
 * pane's nodes are never rewritten), Enter steps to the next older one and scrolls it into view,
 * Shift+Enter back to newer ones. The count is a text ("3 of 12"), announced to screen readers.
 */

/** @param {HTMLElement} pane @param {HTMLInputElement} field @param {HTMLElement} countEl */
export function scrollbackSearch(pane, field, countEl) {
  /** @type {Range[]} */
  let matches = [];
  let current = -1;
  // @ts-ignore  CSS.highlights and Highlight are not in every browser (nor in TypeScript's DOM lib yet)
  const highlights = typeof CSS !== 'undefined' && CSS.highlights && typeof Highlight === 'function' ? CSS.highlights : null;

  function find() {
    matches = [];
    const wanted = field.value.toLowerCase();
    if (wanted) {
      const walker = document.createTreeWalker(pane, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const text = (node.nodeValue ?? '').toLowerCase();
        for (let at = text.indexOf(wanted); at >= 0; at = text.indexOf(wanted, at + wanted.length)) {
          const range = document.createRange();
          range.setStart(node, at);
          range.setEnd(node, at + wanted.length);
          matches.push(range);
        }
      }
    }
    current = matches.length;
  }

  function show() {
    if (highlights) {
      // @ts-ignore  see above
      highlights.set('search', new Highlight(...matches));
      // @ts-ignore
      if (matches[current]) highlights.set('search-current', new Highlight(matches[current]));
      else highlights.delete('search-current');
    }
    const range = matches[current];
    if (range) {
      const box = range.getBoundingClientRect();
      const paneBox = pane.getBoundingClientRect();
      if (box.top < paneBox.top || box.bottom > paneBox.bottom) pane.scrollTop += box.top - paneBox.top - pane.clientHeight / 3;
    }
    if (!field.value) countEl.textContent = '';
    else if (!matches.length) countEl.textContent = 'No match';
    else countEl.textContent = `${current + 1} of ${matches.length}`;
  }

  /** @param {-1 | 1} step  -1: older, 1: newer */
  function go(step) {
    if (!matches.length) return show();
    current = (current + step + matches.length) % matches.length;
    show();
  }

  field.addEventListener('input', () => {
    find();
    go(-1);
  });
  field.addEventListener('keydown', (event) => {
    if (event.key === 'Enter') {
      event.preventDefault();
      // New output may have come since: look again, keeping the place.
      const before = matches.length - current;
      find();
      current = Math.max(0, matches.length - before);
      go(event.shiftKey ? 1 : -1);
    } else if (event.key === 'Escape') {
      field.value = '';
      find();
      show();
    }
  });
}
