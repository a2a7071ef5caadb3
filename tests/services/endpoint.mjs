// What the local service endpoints share (github.mjs, gitlab.mjs, slack.mjs): a server on
// 127.0.0.1 at a free port (HTTP, or HTTPS with a certificate made at run time), a log of every
// request, failures a test arms, and the hostile answers any service can give. A service is
// `{ handle(request), failures }`: `handle` checks a request against the service's published
// contract and answers it; `failures` gives the service's own answer for each failure mode.
//
//   const gh = await startEndpoint(service);          // { origin, requests, rejected, fail, … }
//   gh.fail('rate-limited', { times: 1, retryAfter: 30 });
//   … gh.requests[0].headers.authorization …  await gh.close();
//
// Nothing here reaches the network: the server listens on loopback only.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

/** A request body larger than this is refused (413) before the service sees it. */
export const REQUEST_LIMIT = 1024 * 1024;
/** The size of an oversized answer: well past any cap a client should keep (the team server's is 2 MiB). */
export const OVERSIZED_BYTES = 4 * 1024 * 1024;

/** Answers any service can give when a test arms them: not its API at all. */
const HOSTILE = {
  // A captive portal or proxy page in place of the API, with a script in it.
  html: () => ({
    status: 200,
    headers: { 'content-type': 'text/html; charset=utf-8' },
    body: '<!doctype html><title>Sign in</title><script>alert(document.cookie)</script><h1>Welcome to the proxy</h1>',
  }),
  // JSON of the wrong shape whose strings carry markup and a prototype-pollution key.
  // (Written out: an object literal's __proto__ would set the prototype, not a key.)
  'hostile-json': () => ({
    status: 200,
    headers: { 'content-type': 'application/json; charset=utf-8' },
    body: '[{"__proto__":{"polluted":true},"login":"<img src=x onerror=alert(1)>","ok":"yes"},"</script><script>alert(1)</script>"]',
  }),
  // Valid JSON far past any sane size, announced by Content-Length …
  oversized: () => json(200, { pad: 'x'.repeat(OVERSIZED_BYTES) }),
  // … and the same streamed in chunks with no Content-Length, so only a cap while reading stops it.
  'oversized-chunked': () => ({ ...json(200, { pad: 'x'.repeat(OVERSIZED_BYTES) }), chunked: true }),
};

/** A JSON answer. */
export function json(status, value, headers = {}) {
  return { status, headers: { 'content-type': 'application/json; charset=utf-8', ...headers }, body: JSON.stringify(value) };
}

/** The token of an `Authorization: <scheme> <token>` header whose scheme is one of `schemes`
 *  (case-insensitive), or null. */
export function bearer(headers, schemes) {
  const match = /^(\S+) +(\S+)$/.exec(headers.authorization ?? '');
  return match && schemes.includes(match[1].toLowerCase()) ? match[2] : null;
}

/** A request body as its Content-Type says: `{ type: 'json', value }` (any JSON value),
 *  `{ type: 'form', value }` (an object of strings), `{ type: 'none' }` when empty, or
 *  `{ type: 'unreadable', reason, brokenJson }`. Parameters keep their JSON types, so a check can refuse a
 *  number where a string is documented. */
export function readBody({ headers, body }) {
  const contentType = (headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  if (body === '') return { type: 'none' };
  if (contentType === 'application/json') {
    try {
      return { type: 'json', value: JSON.parse(body) };
    } catch {
      return { type: 'unreadable', reason: 'the body is not valid JSON', brokenJson: true };
    }
  }
  if (contentType === 'application/x-www-form-urlencoded') return { type: 'form', value: Object.fromEntries(new URLSearchParams(body)) };
  return { type: 'unreadable', reason: `Content-Type ${JSON.stringify(contentType)} is neither application/json nor application/x-www-form-urlencoded` };
}

/** Length in characters as the services count them (code points, not UTF-16 units). */
export const chars = (text) => [...text].length;

/** A self-signed certificate for 127.0.0.1 and localhost, made now in `dir`. */
async function certificate(dir) {
  const [key, cert] = [path.join(dir, 'key.pem'), path.join(dir, 'cert.pem')];
  await promisify(execFile)('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
    '-keyout', key, '-out', cert, '-subj', '/CN=StandIn service endpoint',
    '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost',
  ]);
  return { key: await readFile(key), cert: await readFile(cert) };
}

/**
 * Starts `service` on 127.0.0.1 at a free port. `https: true` serves TLS with a certificate made
 * now (a browser must be told to accept it). Returns the endpoint:
 * - `origin` (e.g. http://127.0.0.1:41234);
 * - `requests`: every request received, in order: `{ method, path, query, headers, body, status, problem }`
 *   (`problem` says why a request was off the contract, else it is absent);
 * - `rejected()`: the requests that were off the contract (a client under test wants none);
 * - `fail(mode, { times = 1, retryAfter = 60 })`: the next `times` requests get the failure
 *   `mode` (the service's 'unauthorized', 'forbidden', 'rate-limited', 'server-error', GitHub's
 *   'rate-limit-exhausted', or any service's 'html', 'hostile-json', 'oversized',
 *   'oversized-chunked'); `fail(null)` disarms;
 * - `answer({ method, url, headers, body })`: the same answer without the server;
 * - `route(context, pattern)`: Chromium's requests to the service's real origin answered here;
 * - `close()`.
 */
export async function startEndpoint(service, { https: secure = false } = {}) {
  const requests = [];
  let armed = null;

  function fail(mode, { times = 1, retryAfter = 60 } = {}) {
    if (mode !== null && !service.failures[mode] && !HOSTILE[mode]) throw new Error(`unknown failure mode ${mode}`);
    armed = mode === null ? null : { mode, times, retryAfter };
  }

  async function respond({ method, url, headers, body = '' }) {
    const { pathname, searchParams } = new URL(url, 'http://127.0.0.1');
    const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
    const request = { method, path: pathname, query: searchParams, headers: lower, body };
    let result;
    if (armed) {
      const { mode, retryAfter } = armed;
      armed = --armed.times > 0 ? armed : null;
      result = (service.failures[mode] ?? HOSTILE[mode])({ retryAfter });
    } else if (Buffer.byteLength(body) > REQUEST_LIMIT) {
      result = { ...json(413, { message: 'request body too large' }), problem: 'request body too large' };
    } else {
      result = await service.handle(request);
    }
    const { status, problem } = result;
    requests.push({ method, path: pathname, query: Object.fromEntries(searchParams), headers: lower, body, status, ...(problem ? { problem } : {}) });
    return result;
  }

  async function answer(request) {
    const { status, headers, body } = await respond(request);
    return { status, headers, body };
  }

  const dir = secure ? await mkdtemp(path.join(os.tmpdir(), 'standin-service-')) : null;
  const listener = async (req, res) => {
    // Past the limit the rest is read and dropped: what is kept already fails the check.
    const chunks = [];
    let size = 0;
    for await (const chunk of req) {
      if (size <= REQUEST_LIMIT) chunks.push(chunk);
      size += chunk.length;
    }
    const body = Buffer.concat(chunks).toString('utf8');
    const { status, headers, body: out, chunked } = await respond({ method: req.method, url: req.url, headers: req.headers, body });
    res.on('error', () => {}); // a client that stops reading an oversized answer
    if (!chunked) {
      res.writeHead(status, { ...headers, 'content-length': Buffer.byteLength(out) }).end(out);
      return;
    }
    res.writeHead(status, headers);
    const bytes = Buffer.from(out);
    let sent = 0;
    const more = () => {
      while (sent < bytes.length) {
        const piece = bytes.subarray(sent, sent + 64 * 1024);
        sent += piece.length;
        if (!res.write(piece)) return res.once('drain', more);
      }
      res.end();
    };
    more();
  };
  const server = secure ? https.createServer(await certificate(dir), listener) : http.createServer(listener);
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `${secure ? 'https' : 'http'}://127.0.0.1:${server.address().port}`;

  return {
    origin,
    requests,
    rejected: () => requests.filter((r) => r.problem),
    fail,
    answer,
    /** Chromium: every request of the Playwright `context` that matches `pattern` (the
     *  service's real origin, e.g. 'https://api.github.com/**') is answered here, the
     *  extension's service worker's fetches included. */
    route(context, pattern) {
      return context.route(pattern, async (route) => {
        const r = route.request();
        await route.fulfill(await answer({ method: r.method(), url: r.url(), headers: await r.allHeaders(), body: r.postData() ?? '' }));
      });
    },
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      if (dir) await rm(dir, { recursive: true, force: true });
    },
  };
}
