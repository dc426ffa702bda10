/* Paperlens background, saving through to Zotero: with "Also save to Zotero" on, each save also
 * goes to the Zotero desktop app's connector server (the endpoint Zotero Connector uses), which
 * puts the item in the collection selected in Zotero. Request shape from Zotero's source
 * (chrome/content/zotero/xpcom/server/server_connector.js, /connector/saveItems: {sessionID, uri,
 * items: [Zotero item JSON]} → 201; server.js: a request from a browser must carry
 * X-Zotero-Connector-API-Version, or Zotero drops it). Only loopback, only the port the user set;
 * the Paperlens save never waits on Zotero's answer for its own success. */
'use strict';

const ZOTERO_TIMEOUT_MS = 5000;
const ZOTERO_API_VERSION = '3'; // CONNECTOR_API_VERSION in server_connector.js

// "Ashish Vaswani" → {firstName: "Ashish", lastName: "Vaswani"}; one word stays one field.
function creator(name) {
  const parts = String(name).trim().split(/\s+/);
  if (parts.length < 2) return { name: parts[0] || '', creatorType: 'author' };
  return { firstName: parts.slice(0, -1).join(' '), lastName: parts[parts.length - 1], creatorType: 'author' };
}

/* A Paperlens entry (PUT /library's answer: {paper, tags}) as a Zotero item. */
function zoteroItem(entry) {
  const p = entry.paper || {};
  const item = {
    itemType: p.arxiv_id ? 'preprint' : 'journalArticle',
    title: p.title || '',
    creators: (p.authors || []).slice(0, 200).map(creator),
    abstractNote: p.abstract || '',
    date: p.published || '',
    url: p.url || '',
    tags: (entry.tags || []).map((tag) => ({ tag })),
    attachments: [],
    id: Math.random().toString(36).slice(2, 10),
  };
  if (p.doi) item.DOI = p.doi;
  if (p.arxiv_id) {
    item.archiveID = `arXiv:${p.arxiv_id}`; // as Zotero's arXiv translator writes it
    item.repository = 'arXiv';
  }
  return item;
}

/* 'saved' | 'not-reached' (nothing answered: Zotero is not running) | 'refused' (it answered
 * something else). Never throws: the Paperlens save has already succeeded. */
async function saveToZotero(entry, port) {
  const p = Number(port);
  if (!Number.isInteger(p) || p < 1 || p > 65535) return 'not-reached';
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), ZOTERO_TIMEOUT_MS);
  try {
    const res = await fetch(`http://127.0.0.1:${p}/connector/saveItems`, {
      method: 'POST', credentials: 'omit', cache: 'no-store', signal: controller.signal,
      headers: { 'Content-Type': 'application/json', 'X-Zotero-Connector-API-Version': ZOTERO_API_VERSION },
      body: JSON.stringify({ sessionID: `paperlens-${Date.now()}-${Math.random().toString(36).slice(2, 10)}`,
        uri: (entry.paper && entry.paper.url) || '', items: [zoteroItem(entry)] }),
    });
    return res.status === 201 ? 'saved' : 'refused';
  } catch (_) {
    return 'not-reached';
  } finally {
    clearTimeout(timer);
  }
}

/* 'running' when Zotero answers /connector/ping (GET: 200 "Zotero is running"), else 'not-reached'. */
async function pingZotero(port) {
  const p = Number(port);
  if (!Number.isInteger(p) || p < 1 || p > 65535) return 'not-reached';
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), ZOTERO_TIMEOUT_MS);
  try {
    const res = await fetch(`http://127.0.0.1:${p}/connector/ping`, { credentials: 'omit', cache: 'no-store',
      signal: controller.signal, headers: { 'X-Zotero-Connector-API-Version': ZOTERO_API_VERSION } });
    return res.ok ? 'running' : 'not-reached';
  } catch (_) {
    return 'not-reached';
  } finally {
    clearTimeout(timer);
  }
}
