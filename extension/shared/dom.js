/* Building DOM from untrusted text, the one way Paperlens does it: createElement + textContent,
 * links only for http(s). Shared by the panel, the popup, the options and the library page (and,
 * for safeHref, by paper.js); no innerHTML anywhere. */
(function (root) {
  'use strict';

  function el(tag, props, ...children) {
    const node = document.createElement(tag);
    if (props) {
      for (const [k, v] of Object.entries(props)) {
        if (v === undefined || v === null || v === false) continue;
        if (k === 'text') node.textContent = v;
        else if (k === 'class') node.className = v;
        else if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
        else node.setAttribute(k, String(v));
      }
    }
    for (const c of children) if (c) node.append(c);
    return node;
  }

  function clip(text, max) {
    const s = typeof text === 'string' ? text : '';
    return s.length > max ? s.slice(0, max - 1) + '…' : s;
  }

  // The one URL rule: only http(s) becomes a link or a paper URL; anything else (javascript:,
  // data:, relative junk) is dropped and the text stays plain.
  function safeHref(url) {
    if (typeof url !== 'string' || !url) return '';
    try {
      const u = new URL(url);
      return u.protocol === 'http:' || u.protocol === 'https:' ? u.href : '';
    } catch (_) {
      return '';
    }
  }

  function linkOrText(text, url, className) {
    const href = safeHref(url);
    if (!href) return el('span', { class: className, text });
    return el('a', { class: className, href, target: '_blank', rel: 'noopener noreferrer', text });
  }

  const api = { el, clip, safeHref, linkOrText };
  root.PaperlensDom = api;
  if (typeof module !== 'undefined' && module.exports) module.exports = api;
})(globalThis);
