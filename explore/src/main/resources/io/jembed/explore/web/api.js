// The page's one door to the server: JSON in, JSON (or bytes) out, the API key in memory only.

let apiKey = null;
let askForKey = null;

/** Called once by app.js: how to ask the user for a key when the server answers 401. */
export function onKeyNeeded(ask) {
  askForKey = ask;
}

export function setKey(key) {
  apiKey = key || null;
}

/** An error the server (or the network) gave, worded for a person. */
export class ApiError extends Error {
  constructor(message, status, type) {
    super(message);
    this.status = status;
    this.type = type;
  }
}

const STATUS_WORDS = {
  400: 'The request was not understood',
  401: 'The API key was refused',
  404: 'Not found',
  408: 'The request took too long to send',
  413: 'The request is too large for this server',
  422: 'The server could not use this input',
  429: 'The server is busy: try again in a moment',
  503: 'The server is busy or stopping: try again in a moment',
};

async function send(path, init, expect, retried = false) {
  const headers = new Headers(init.headers || {});
  if (apiKey) headers.set('Authorization', `Bearer ${apiKey}`);
  let response;
  try {
    response = await fetch(path, { ...init, headers });
  } catch (e) {
    throw new ApiError(`Cannot reach the server (${e.message}). Is jembed still running?`, 0, 'network');
  }
  if (response.status === 401 && askForKey && !retried) {
    await askForKey('The server wants an API key' + (apiKey ? ': the last one was refused.' : '.'));
    return send(path, init, expect, true);
  }
  if (!response.ok) throw await errorOf(response);
  if (expect === 'bytes') return response.arrayBuffer();
  return response.json();
}

async function errorOf(response) {
  let detail = '';
  let type = '';
  try {
    const body = await response.json();
    detail = body?.error?.message || '';
    type = body?.error?.type || '';
  } catch {
    // not JSON (a proxy's page, a cut connection): the status says enough
  }
  const head = STATUS_WORDS[response.status] || `The server answered ${response.status}`;
  const message = detail ? `${head}: ${detail}` : `${head}.`;
  return new ApiError(`${message} (HTTP ${response.status})`, response.status, type);
}

export function getJson(path) {
  return send(path, { method: 'GET' }, 'json');
}

export function postJson(path, body) {
  return send(
    path,
    { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) },
    'json',
  );
}

export function getBytes(path) {
  return send(path, { method: 'GET' }, 'bytes');
}

/** The page's config: whether a key is needed. Open, so no key is sent. */
export async function config() {
  try {
    const response = await fetch('explore/config.json');
    if (response.ok) return await response.json();
  } catch {
    // fall through: assume no key, a 401 later asks for one anyway
  }
  return { auth_required: false };
}
