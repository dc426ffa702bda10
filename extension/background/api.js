/* Paperlens background, the API client: the only code that sends requests to the server. */
'use strict';

const REQUEST_TIMEOUT_MS = 10000;

class ApiError extends Error {
  // code is what the pages show: unreachable | unauthorized | server | not-found | bad-request
  constructor(code, message, status) {
    super(message);
    this.code = code;
    this.status = status || 0;
  }
}

const NO_TOKEN = 'Connect Paperlens to your server to save papers.';

function errorCode(status) {
  if (status === 401 || status === 403) return 'unauthorized';
  if (status === 404) return 'not-found';
  return status >= 500 || status === 429 ? 'server' : 'bad-request';
}

// What a 422 says about each field ({"abstract": ["Longer than ..."]}, one level of nesting for
// lists): the page shows it beside the message, so the user learns what to change.
function fieldProblems(details) {
  if (!details || typeof details !== 'object') return '';
  const parts = [];
  for (const [field, problems] of Object.entries(details).slice(0, 3)) {
    const nested = problems && typeof problems === 'object' && !Array.isArray(problems)
      ? Object.entries(problems).slice(0, 2) : [['', problems]];
    for (const [key, texts] of nested) {
      const words = (Array.isArray(texts) ? texts : []).filter((t) => typeof t === 'string').join(' ');
      const name = [field === '_schema' ? '' : field, key].filter(Boolean).join(' ');
      if (words) parts.push(name ? `${name}: ${words}` : words);
    }
  }
  return parts.join('; ');
}

/* One request to the server. `auth: false` leaves the token out; `text: true` returns the body
 * as text (exports). The token travels only in the Authorization header: never in a URL, never
 * logged. */
async function api(path, { method = 'GET', body, auth = true, text = false, serverUrl, token, timeoutMs } = {}) {
  const s = await getSettings();
  const base = serverUrl || s.serverUrl;
  const bearer = token === undefined ? s.token : token;
  const headers = { Accept: text ? '*/*' : 'application/json' };
  if (auth && bearer) headers.Authorization = `Bearer ${bearer}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs || REQUEST_TIMEOUT_MS);
  let res;
  try {
    res = await fetch(`${base}/api/v1${path}`, {
      method, headers, body: body === undefined ? undefined : JSON.stringify(body),
      signal: controller.signal, credentials: 'omit', cache: 'no-store',
    });
  } catch (_) {
    clearTimeout(timer);
    throw new ApiError('unreachable', `Can't reach the Paperlens server at ${base}.`);
  }
  try {
    if (res.status === 204) return null;
    if (res.ok) return text ? await res.text() : await res.json();
  } catch (e) {
    // A body that is not JSON is the server's fault; one cut short (or timed out) is the network's.
    if (e instanceof SyntaxError) throw new ApiError('server', `The Paperlens server at ${base} sent an answer it could not have meant.`);
    throw new ApiError('unreachable', `The Paperlens server at ${base} stopped answering.`);
  } finally {
    clearTimeout(timer);
  }
  let message = `The server answered ${res.status}.`;
  try {
    const err = (await res.json()).error;
    if (err && err.message) message = String(err.message);
    const problems = res.status === 422 && err ? fieldProblems(err.details) : '';
    if (problems) message = `${message} (${problems})`;
    message = message.slice(0, 300);
  } catch (_) { /* not JSON: keep the status line */ }
  const code = errorCode(res.status);
  if (code === 'unauthorized' && auth) message = bearer ? 'The server rejected the token: connect Paperlens again.' : NO_TOKEN;
  throw new ApiError(code, message, res.status);
}

const paperPath = (id) => `/library/${encodeURIComponent(id)}`;
