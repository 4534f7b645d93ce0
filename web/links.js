/**
 * Clickable addresses in game text: the text split into plain pieces and http(s) links. No DOM
 * here; the page makes each link an <a> whose text is set with textContent and whose href is the
 * address parsed again by URL, so no other scheme (javascript:, data:) can ever become a link.
 */

/** What counts as an address: http:// or https:// and what follows up to a space or a quote. */
const ADDRESS = /\bhttps?:\/\/[^\s<>"'`\\]+/gi;
/** Sentence punctuation after an address belongs to the sentence ("see https://x.org."). */
const TRAILING = /[.,;:!?)\]}*]+$/;

/**
 * @param {string} text
 * @returns {{ text: string, href?: string }[]}  pieces in order; `href` on the links
 */
export function splitLinks(text) {
  /** @type {{ text: string, href?: string }[]} */
  const pieces = [];
  let at = 0;
  for (const match of text.matchAll(ADDRESS)) {
    const start = match.index ?? 0;
    const address = match[0].replace(TRAILING, '');
    const href = safeHref(address);
    if (!href) continue;
    if (start > at) pieces.push({ text: text.slice(at, start) });
    pieces.push({ text: address, href });
    at = start + address.length;
  }
  if (at < text.length) pieces.push({ text: text.slice(at) });
  return pieces;
}

/** The address as the browser will follow it, or null unless it is plain http or https. */
export function safeHref(address) {
  try {
    const url = new URL(address);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
  } catch {
    return null;
  }
}
