// A hostile team server for both browsers' end-to-end suites (tests/e2e/team.test.mjs,
// tests/firefox/hostile.test.mjs): it speaks StandIn for /healthz and /v1/join, then answers
// the team requests as its mode says, and what the extension must then report and show.
import http from 'node:http';

/** Each hostile mode and the problem the worker stores (storage.local "sync".team_problem);
 *  the last good team is kept through every one of them. */
export const HOSTILE_ANSWERS = [
  ['html', /the server's team changes is unreadable: not JSON/],
  ['huge', /the server's team changes was refused: the answer is larger than 2 MiB/],
  ['huge-chunked', /the server's team changes was refused: the answer is larger than 2 MiB/],
  ['types', /the server's team changes is unreadable: cursor: invalid type: string "one", expected u64/],
  ['implausible', /the server's team changes is implausible: the state of m_mal: .*headline/],
  ['states', /the server's team states is unreadable: cursor: invalid type: string "one", expected u64/],
];

/** What the user sees while a hostile answer is the latest (checked on the `mode` one). */
export const HOSTILE_SHOWN = {
  mode: 'types',
  connected: 'Connected to Evil as Mallory',
  notice: 'The team view may be out of date',
  teamStatus: /^Evil: not updated \(.*\); showing the last good copy\.$/,
  row: /Mallory.*Plotting/,
};

/**
 * A server that speaks StandIn for /healthz and /v1/join, then answers the team requests as
 * `mode` says: valid, or hostile (not JSON, over 2 MiB with or without Content-Length, wrong
 * types, implausible values). The long poll is held until the mode changes, so a change takes
 * effect at once.
 */
export async function hostileServer() {
  let mode = 'good';
  // The first long poll after a hostile answer is answered at once, so recovery shows at once.
  let recovering = false;
  const waiting = new Set();
  const member = { id: 'm_mal', display_name: 'Mallory', timezone: 'UTC', handles: {} };
  const team = { id: 't_evil', name: 'Evil' };
  const goodStates = {
    team,
    cursor: 1,
    states: [{ member_id: 'm_mal', version: 1, state: { declaration: { status: 'away', headline: 'Plotting', timezone: 'UTC' }, declared_at: new Date().toISOString(), version: 1 } }],
  };
  const goodChanges = { cursor: 1, states: [], members: [], removed_members: [] };
  const hostile = {
    html: () => ({ type: 'text/html', body: '<!doctype html><h1>Welcome to the proxy</h1>' }),
    huge: () => ({ body: `{"pad":"${'x'.repeat(3 * 1024 * 1024)}"}` }),
    'huge-chunked': () => ({ chunked: true }),
    types: () => ({ body: JSON.stringify({ team, cursor: 'one', states: {}, members: 7, removed_members: null }) }),
    // A valid "start over" answer, after which the states themselves come back hostile.
    states: () => ({ body: JSON.stringify({ ...goodChanges, reset: true }) }),
    implausible: () => ({
      body: JSON.stringify({
        ...goodChanges,
        cursor: 2,
        states: [{ member_id: 'm_mal', version: 2, state: { declaration: { status: 'away', headline: 'x'.repeat(10_000), timezone: 'UTC' }, declared_at: new Date().toISOString(), version: 2 } }],
      }),
    }),
  };
  function answer(res, { status = 200, type = 'application/json', body, chunked }) {
    if (chunked) {
      // No Content-Length: only the cap while reading can stop it.
      res.writeHead(status, { 'content-type': type });
      const chunk = 'y'.repeat(64 * 1024);
      let sent = 0;
      const more = () => {
        while (sent < 4 * 1024 * 1024) {
          sent += chunk.length;
          if (!res.write(chunk)) return res.once('drain', more);
        }
        res.end();
      };
      res.on('error', () => {});
      return more();
    }
    res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body) });
    res.end(body);
  }
  const server = http.createServer((req, res) => {
    const { pathname } = new URL(req.url, 'http://x');
    res.on('error', () => {});
    if (pathname === '/healthz') return answer(res, { body: '{"status":"ok"}' });
    if (pathname === '/v1/join') {
      return answer(res, { status: 201, body: JSON.stringify({ token: 'tok-hostile-0123456789', member, team }) });
    }
    if (pathname === '/v1/team/states') {
      return answer(res, mode === 'states' ? hostile.types() : { body: JSON.stringify(goodStates) });
    }
    if (pathname === '/v1/team') return answer(res, { body: JSON.stringify({ team, members: [member] }) });
    if (pathname === '/v1/team/changes') {
      if (mode !== 'good') return answer(res, hostile[mode]());
      if (recovering) {
        recovering = false;
        return answer(res, { body: JSON.stringify(goodChanges) });
      }
      const entry = { res, timer: setTimeout(() => finish(entry), 20_000) };
      waiting.add(entry);
      return undefined;
    }
    if (pathname === '/favicon.ico') return answer(res, { status: 204, body: '' });
    return answer(res, { status: 404, body: '{"error":"not_found","message":"No such endpoint."}' });
  });
  function finish(entry) {
    clearTimeout(entry.timer);
    waiting.delete(entry);
    if (mode === 'good') answer(entry.res, { body: JSON.stringify(goodChanges) });
    else answer(entry.res, hostile[mode]());
  }
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    setMode(next) {
      recovering = next === 'good' && mode !== 'good';
      mode = next;
      for (const entry of [...waiting]) finish(entry);
    },
    close: () => {
      for (const entry of [...waiting]) finish(entry);
      server.closeAllConnections?.();
      return new Promise((resolve) => server.close(resolve));
    },
  };
}
