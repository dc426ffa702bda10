/* Building DOM from untrusted text, the one way Paperlens does it: createElement + textContent,
 * links only for http(s). Shared by the overlay, the popup and the options page; no innerHTML. */
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

  // Only http(s) becomes a link; anything else (javascript:, data:, relative junk) is plain text.
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

  root.PaperlensDom = { el, clip, safeHref, linkOrText };
})(globalThis);
