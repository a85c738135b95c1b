// The console's one way to the server: the DynamoDB JSON API (POST /, X-Amz-Target) and GET /metrics,
// each request SigV4-signed in the browser (WebCrypto) with the key the user entered, or with a
// placeholder key when the server runs without --auth (it asks for a well-formed signature only).
const enc = new TextEncoder();
const hex = (buf) => Array.from(new Uint8Array(buf), (b) => b.toString(16).padStart(2, '0')).join('');

export const session = {
  key: JSON.parse(sessionStorage.getItem('ddbd.key') || 'null'), // {id, secret, region}
  placeholder: { id: 'console', secret: 'console', region: 'us-east-1' },
};

export function setKey(key) {
  session.key = key;
  if (key) sessionStorage.setItem('ddbd.key', JSON.stringify(key));
  else sessionStorage.removeItem('ddbd.key');
}

export class ApiError extends Error {
  constructor(type, message, status) {
    super(message);
    this.type = type;
    this.status = status;
  }
  toString() { return `${this.type}: ${this.message}`; }
}

const subtle = globalThis.crypto?.subtle;
const bytes = (x) => (typeof x === 'string' ? enc.encode(x) : new Uint8Array(x));

/* WebCrypto's hashes; where it is not offered (plain http from another host), sha256.js's, but only
   for the placeholder key: a secret typed into such a page could be read by whoever alters its
   traffic, so a real key asks for a secure context. */
async function sha256(text) {
  return hex(subtle ? await subtle.digest('SHA-256', enc.encode(text)) : plain.sha256(enc.encode(text)));
}

async function hmac(key, text) {
  if (!subtle) return plain.hmacSha256(bytes(key), enc.encode(text));
  const k = await subtle.importKey('raw', bytes(key), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  return subtle.sign('HMAC', k, enc.encode(text));
}

let plain = null;

/* The SigV4 headers (x-amz-date, authorization) of a request to this page's host. */
export async function sign(method, path, headers, body, key) {
  if (!subtle && key !== session.placeholder) {
    throw new ApiError('InsecureContext', 'a key is used only on a secure page: https, or http://127.0.0.1 or '
      + 'http://localhost (an SSH tunnel, for a server on another host)', 0);
  }
  if (!subtle && !plain) plain = await import('./sha256.js');
  const amzDate = new Date().toISOString().replace(/[-:]|\.\d{3}/g, '');
  const day = amzDate.slice(0, 8);
  const all = { ...headers, host: location.host, 'x-amz-date': amzDate };
  const names = Object.keys(all).map((n) => n.toLowerCase()).sort();
  const lower = Object.fromEntries(Object.entries(all).map(([n, v]) => [n.toLowerCase(), String(v).trim()]));
  const q = path.indexOf('?'); // a query (/ddbd/usage?since=...): SigV4 signs it apart, already in canonical form
  const canonical = [method, q < 0 ? path : path.slice(0, q), q < 0 ? '' : path.slice(q + 1),
    names.map((n) => `${n}:${lower[n]}\n`).join(''), names.join(';'), await sha256(body)].join('\n');
  const scope = `${day}/${key.region}/dynamodb/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', amzDate, scope, await sha256(canonical)].join('\n');
  let k = await hmac(`AWS4${key.secret}`, day);
  for (const part of [key.region, 'dynamodb', 'aws4_request']) k = await hmac(k, part);
  return {
    'x-amz-date': amzDate,
    authorization: `AWS4-HMAC-SHA256 Credential=${key.id}/${scope}, SignedHeaders=${names.join(';')}, `
      + `Signature=${hex(await hmac(k, toSign))}`,
  };
}

function errorOf(status, text) {
  let data = {};
  try { data = JSON.parse(text); } catch { data = { message: text }; }
  const type = (data.__type || '').split('#').pop() || `HTTP ${status}`;
  return new ApiError(type, data.message || data.Message || text || '', status);
}

/* One DynamoDB operation (a DynamoDB Streams one with prefix 'DynamoDBStreams_20120810'): resolves to
   its answer, or rejects with the API's error. */
export async function call(op, input = {}, prefix = 'DynamoDB_20120810') {
  const body = JSON.stringify(input);
  const headers = { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': `${prefix}.${op}` };
  Object.assign(headers, await sign('POST', '/', headers, body, session.key || session.placeholder));
  const res = await fetch('/', { method: 'POST', headers, body, cache: 'no-store' });
  const text = await res.text();
  if (!res.ok) throw errorOf(res.status, text);
  return text ? JSON.parse(text) : {};
}

/* GET /metrics (Prometheus text): { 'name{labels}': value }, or rejects as call does. */
export async function metrics() {
  const headers = await sign('GET', '/metrics', {}, '', session.key || session.placeholder);
  const res = await fetch('/metrics', { headers, cache: 'no-store' });
  const text = await res.text();
  if (res.status === 404) {
    throw new ApiError('NotServedHere', 'this server serves /metrics on its --metrics-port, not on the API port the console '
      + 'reads it from', 404);
  }
  if (!res.ok) throw errorOf(res.status, text);
  const out = new Map();
  for (const line of text.split('\n')) {
    if (!line || line[0] === '#') continue;
    const cut = line.lastIndexOf(' ');
    out.set(line.slice(0, cut), Number(line.slice(cut + 1)));
  }
  return out;
}

/* /ddbd/... (the admin door, --admin): GET, POST or DELETE, signed as the API's calls are (under
   --auth the key needs rights=admin); resolves to the answer's JSON, or rejects with the door's
   message. Called only when session.js says the door is open, so no request fails by design. */
/* A query's value as SigV4's canonical query writes it (RFC 3986: encodeURIComponent leaves !'()*). */
export function queryValue(v) {
  return encodeURIComponent(v).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/* path and its parameters (name -> value; empty ones left out) in canonical order: sorted names. */
export function withQuery(path, params) {
  const q = Object.entries(params).filter(([, v]) => v !== undefined && v !== null && v !== '')
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, v]) => `${queryValue(k)}=${queryValue(String(v))}`);
  return q.length ? `${path}?${q.join('&')}` : path;
}

export async function admin(method, path, body) {
  const text = body === undefined ? '' : JSON.stringify(body);
  // a POST or DELETE must say application/json (docs/admin.md: no cross-site form can send one)
  const headers = method === 'GET' ? {} : { 'content-type': 'application/json' };
  Object.assign(headers, await sign(method, path, headers, text, session.key || session.placeholder));
  const res = await fetch(path, { method, headers, body: method === 'GET' ? undefined : text, cache: 'no-store' });
  const answer = await res.text();
  if (!res.ok) throw errorOf(res.status, answer);
  return answer ? JSON.parse(answer) : {};
}
