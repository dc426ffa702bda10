/* arXiv: abstract pages (/abs/, the current and older layouts), the HTML full text
 * (arxiv.org/html/<id>, any version) and ar5iv (ar5iv.labs.arxiv.org/html/<id>, ar5iv.org/abs/<id>). */
(function (root) {
  'use strict';
  const P = typeof require === 'function' ? require('../paper.js') : root.PaperlensPaper;

  const ARXIV_HOST = /^(www\.)?arxiv\.org$/;
  const AR5IV_HOST = /^(ar5iv\.labs\.arxiv\.org|(www\.)?ar5iv\.org)$/;

  function idFromUrl(url) {
    const m = url.pathname.match(/^\/(?:abs|html)\/(.+?)\/?$/);
    return m ? P.arxivId(m[1]) : '';
  }

  // "[Submitted on 12 Jun 2017 (v1), last revised ...]" is the only date older pages give.
  function datelineDate(doc) {
    const line = P.blockText(doc, '.dateline');
    const m = line.match(/Submitted on (\d{1,2} \w+ \d{4})/);
    return m ? m[1] : '';
  }

  // LaTeXML (arXiv HTML, ar5iv) puts a whole \author{} in one ltx_personname: the names on the
  // first line (separated by em spaces, runs of spaces, commas or "and"), then after a line
  // break the affiliations and e-mails; affiliation marks are <sup>s.
  function latexmlAuthors(doc) {
    const names = [];
    for (const node of doc.querySelectorAll('.ltx_authors .ltx_personname')) {
      const copy = node.cloneNode(true);
      copy.querySelectorAll('sup, .ltx_note, .ltx_contact, .ltx_role_email, .ltx_role_affiliation')
        .forEach((n) => n.remove());
      const br = copy.querySelector('br');
      if (br) {
        const range = doc.createRange();
        range.setStartBefore(br);
        range.setEndAfter(copy.lastChild);
        range.deleteContents();
      }
      for (const part of (copy.textContent || '').split(/\s{2,}|[\u2002\u2003\u2009]|,|\s+(?:and|&)\s+/)) {
        const name = part.replace(/[*†‡§¶∗]/g, '').trim();
        if (name && !name.includes('@') && name.split(/\s+/).length <= 6) names.push(name);
      }
    }
    return names;
  }

  const adapter = {
    site: 'arxiv',
    label: 'arXiv (abstracts, HTML full text, ar5iv)',
    matches: ['*://arxiv.org/abs/*', '*://arxiv.org/html/*', '*://ar5iv.labs.arxiv.org/html/*',
      '*://ar5iv.org/abs/*', '*://ar5iv.org/html/*'],
    priority: 10,
    // PDFs: /pdf/<id>[vN][.pdf], new and old style ids; the paper is the one of the id.
    pdf: {
      matches: ['*://arxiv.org/pdf/*'],
      read(url) {
        const m = ARXIV_HOST.test(url.hostname) && url.pathname.match(/^\/pdf\/(.+?)(?:\.pdf)?\/?$/);
        const arxiv = m ? P.arxivId(m[1]) : '';
        return arxiv ? { ids: { arxiv }, pages: [`https://arxiv.org/abs/${arxiv}`] } : null;
      },
    },
    detect(doc, url) {
      return (ARXIV_HOST.test(url.hostname) || AR5IV_HOST.test(url.hostname)) && /^\/(abs|html)\/.+/.test(url.pathname);
    },
    // Full-text pages get the docked panel, which moves the text aside instead of covering it.
    fullText(doc, url) {
      return AR5IV_HOST.test(url.hostname) || /^\/html\//.test(url.pathname);
    },
    extract(doc, url) {
      const arxiv = P.meta(doc, 'citation_arxiv_id') || idFromUrl(url);
      const title = P.meta(doc, 'citation_title')
        || P.blockText(doc, 'h1.title', '.descriptor')
        || P.blockText(doc, 'h1.ltx_title_document', '.ltx_note, sup')
        || P.meta(doc, 'og:title');
      // Older pages lack citation_abstract: the abstract block, then og:description.
      const abstract = P.meta(doc, 'citation_abstract')
        || P.blockText(doc, 'blockquote.abstract', '.descriptor')
        || P.blockText(doc, '.ltx_abstract', '.ltx_title_abstract')
        || P.meta(doc, 'og:description');
      let authors = P.metaAll(doc, 'citation_author').map(P.authorName);
      if (!authors.length) authors = Array.from(doc.querySelectorAll('.authors a')).map((a) => a.textContent);
      if (!authors.length) authors = latexmlAuthors(doc);
      return P.makePaper({
        ids: { arxiv },
        title,
        abstract,
        authors,
        date: P.meta(doc, 'citation_date') || datelineDate(doc),
        url: arxiv ? `https://arxiv.org/abs/${P.arxivId(arxiv)}` : url.href,
      });
    },
  };

  (root.PaperlensSites = root.PaperlensSites || []).push(adapter);
  if (typeof module !== 'undefined' && module.exports) module.exports = adapter;
})(globalThis);
