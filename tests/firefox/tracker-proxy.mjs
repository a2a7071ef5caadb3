// Tracker pages for Firefox at their real URLs (https://github.com/…, gitlab.com,
// *.atlassian.net, linear.app and the self-hosted test hosts), with their sites' CSP headers.
// Firefox has no request routing like Playwright's, so it is pointed at this local proxy: it
// answers CONNECT for the tracker hosts by terminating TLS itself with a certificate made at
// run time (openssl; the key lives in a temporary directory and is deleted on close) and serves
// every request with the same `trackerSite().respond` as the Chromium routes. A request for any
// other host gets a 502 and is recorded in `unexpected`: nothing reaches the network.
// `services` puts the local service endpoints (tests/services) at their real API origins: each
// request whose URL starts with a prefix is answered by that endpoint's `answer`.
//
//   const site = trackerSite();  site.page(url, html);
//   const proxy = await startTrackerProxy(site, { services: [['https://api.github.com/', gh]] });
//   const ff = await launchFirefox(proxy.firefox);   // prefs + acceptInsecureCerts
//   …  assert.deepEqual(proxy.unexpected, []);  await proxy.close();
//
// Firefox accepts the certificate through WebDriver's acceptInsecureCerts capability, which
// holds for this session only. The other way, a test CA trusted by the profile, needs NSS's
// certutil (not installed) or a policies.json inside Firefox's installation, which would change
// the browser for every user of the machine.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { promisify } from 'node:util';
import { SELF_HOSTED } from '../e2e/tracker-pages.mjs';

const run = promisify(execFile);

/** The hosts the proxy serves: the trackers, their asset and avatar hosts, the self-hosted
 *  test origins and the fixtures' made-up hosts (.example is reserved: never a real site). */
const KNOWN = [
  /^github\.com$/,
  /^github\.example\.com$/,
  /(^|\.)githubassets\.com$/,
  /(^|\.)githubusercontent\.com$/,
  /^gitlab\.com$/,
  /(^|\.)gitlab-static\.net$/,
  /^secure\.gravatar\.com$/,
  /^[a-z0-9-]+\.atlassian\.net$/,
  /(^|\.)atl-paas\.net$/,
  /(^|\.)linear\.app$/,
  /\.example$/,
];
const SELF_HOSTED_HOSTS = new Set(SELF_HOSTED.map(([, base]) => new URL(base).hostname));
const known = (host) => SELF_HOSTED_HOSTS.has(host) || KNOWN.some((re) => re.test(host));
const TRACKER_SAN = [
  'github.com',
  'github.example.com',
  '*.githubassets.com',
  '*.githubusercontent.com',
  'gitlab.com',
  '*.gitlab-static.net',
  'secure.gravatar.com',
  '*.atlassian.net',
  '*.atl-paas.net',
  'linear.app',
  '*.linear.app',
  '*.example',
  ...SELF_HOSTED_HOSTS,
];

/** Sec-Fetch-Dest (Firefox sends it on https) → the resource type `respond` takes. */
function resourceType(req) {
  const dest = req.headers['sec-fetch-dest'];
  if (dest === 'document' || dest === 'iframe' || dest === 'frame') return 'document';
  if (dest === 'style') return 'stylesheet';
  return dest ?? 'other';
}

/** A self-signed certificate for `hosts`, made now; its key never leaves `dir`. */
async function makeCertificate(dir, hosts) {
  const key = path.join(dir, 'key.pem');
  const cert = path.join(dir, 'cert.pem');
  await run('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=StandIn test trackers',
    '-addext', `subjectAltName=${hosts.map((h) => `DNS:${h}`).join(',')}`,
  ]);
  return { key: await readFile(key), cert: await readFile(cert) };
}

export async function startTrackerProxy(site, { services = [] } = {}) {
  const serviceHosts = new Set(services.map(([prefix]) => new URL(prefix).hostname));
  const served = (host) => serviceHosts.has(host) || known(host);
  const dir = await mkdtemp(path.join(os.tmpdir(), 'standin-proxy-'));
  const credentials = await makeCertificate(dir, [...new Set([...TRACKER_SAN, ...serviceHosts])]);
  const unexpected = [];
  const sockets = new Set();

  const answer = async (req, res, url) => {
    const service = services.find(([prefix]) => url.href.startsWith(prefix))?.[1];
    if (service) {
      const chunks = [];
      for await (const chunk of req) chunks.push(chunk);
      const { status, headers, body } = await service.answer({ method: req.method, url: url.href, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(status, headers).end(body);
      return;
    }
    if (!known(url.hostname)) {
      unexpected.push(`${req.method} ${url.href}`);
      res.writeHead(502).end();
      return;
    }
    const { status, contentType, headers, body } = site.respond(url.href, resourceType(req));
    res.writeHead(status, { ...headers, ...(contentType ? { 'content-type': contentType } : {}) });
    res.end(body);
  };
  // Requests inside a tunnel: the Host header names the site.
  const inner = http.createServer((req, res) => answer(req, res, new URL(req.url, `https://${req.headers.host}`)));
  // Plain-http proxy requests carry the absolute URL.
  const proxy = http.createServer((req, res) => answer(req, res, new URL(req.url)));
  proxy.on('connect', (req, socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    socket.on('error', () => {}); // Firefox drops tunnels when a tab closes
    const host = req.url.replace(/:\d+$/, '');
    if (!served(host)) {
      unexpected.push(`CONNECT ${req.url}`);
      socket.end('HTTP/1.1 502 Bad Gateway\r\n\r\n');
      return;
    }
    socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
    const secure = new tls.TLSSocket(socket, { isServer: true, ...credentials, ALPNProtocols: ['http/1.1'] });
    secure.on('error', () => {});
    inner.emit('connection', secure);
  });
  await new Promise((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const { port } = proxy.address();

  return {
    port,
    /** Every request for a host the proxy does not serve (answered 502). */
    unexpected,
    /** launchFirefox options: every http(s) request through this proxy (loopback, where the
     *  team server runs, stays direct), and this session's trust in the test certificate. */
    firefox: {
      prefs: {
        'network.proxy.type': 1,
        'network.proxy.http': '127.0.0.1',
        'network.proxy.http_port': port,
        'network.proxy.ssl': '127.0.0.1',
        'network.proxy.ssl_port': port,
        'network.proxy.no_proxies_on': '',
        'network.proxy.allow_hijacking_localhost': false,
      },
      capabilities: { acceptInsecureCerts: true },
      // A release build ignores geckodriver's dummy remote-settings server (so Firefox's own
      // settings sync would knock on the proxy) unless this is set.
      env: { MOZ_REMOTE_SETTINGS_DEVTOOLS: '1' },
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => proxy.close(resolve));
      await rm(dir, { recursive: true, force: true });
    },
  };
}
