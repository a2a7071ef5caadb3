// The options page and team scenarios that both browsers' end-to-end suites run: inputs,
// expected texts and server steps as data, no browser-driving code (Chromium's in
// tests/e2e/declare.test.mjs and team.test.mjs, Firefox's in tests/firefox/declare.test.mjs and
// team.test.mjs).

const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri'];

/** The options page's validation: bad values refused beside their fields, nothing stored and
 *  nothing the user typed lost; then valid values saved as typed, normalised. */
export const OPTIONS_VALIDATION = {
  invalid: {
    fill: [
      ['#handles-github', 'not a login'],
      ['#timezone', 'Mars/Olympus_Mons'],
    ],
    uncheck: WEEKDAYS.map((day) => `#working_hours-days-${day}`),
  },
  /** Control id → the error shown beside it. */
  errors: [
    ['display_name', /^Required\.$/],
    ['handles-github', /^Not a GitHub login/],
    ['timezone', /^Unknown time zone “Mars\/Olympus_Mons”\.$/],
    ['working_hours-days', /^Pick at least one working day\.$/],
  ],
  valid: {
    fill: [
      ['#display_name', 'Ana Lima'],
      ['#handles-github', '@ana-l'],
      ['#handles-jira', 'Ana Lima'],
      ['#timezone', 'Asia/Tokyo'],
      ['#working_hours-start', '08:00'],
      ['#working_hours-end', '16:30'],
    ],
    check: WEEKDAYS.slice(0, 4).map((day) => `#working_hours-days-${day}`),
  },
  /** storage.sync "settings" after the valid save. */
  stored: {
    display_name: 'Ana Lima',
    handles: { github: 'ana-l', jira: 'Ana Lima' },
    timezone: 'Asia/Tokyo',
    working_hours: { days: ['mon', 'tue', 'wed', 'thu'], start: '08:00', end: '16:30' },
  },
  /** What the page shows once saved: the stored (normalised) value. */
  shown: [['#handles-github', 'ana-l']],
};

/** The text beside Server URL when the browser's permission prompt is refused. */
export const permissionRefused = (host) =>
  `StandIn needs your permission to reach ${host}: click Connect again and allow it.`;

/**
 * 412: another browser of the same member wrote a newer copy to the server (`laptop`, with
 * `If-Match` of the version this browser last saw) before this browser's declaration
 * (`localHeadline`, declared with no items) went out. The conflict view shows both sides;
 * each choice's outcome is what the server and this browser then hold.
 */
export const CONFLICT = {
  laptop: {
    status: 'ooo',
    headline: 'Set from the laptop',
    timezone: 'Europe/Berlin',
    items: [
      {
        url: 'https://linear.app/acme/issue/ENG-7/x',
        canonical_ref: 'linear.app/acme/issue/ENG-7',
        title: 'ENG-7 from the laptop',
        state: 'waiting',
      },
    ],
  },
  localHeadline: 'Declared in this browser',
  localSide: /In this browser.*Online: Declared in this browser/,
  serverSide: /On the server \(Declared \d\d:\d\d\).*Out of office: Set from the laptop.*ENG-7 from the laptop \(Waiting\)/,
  /** Per choice: its button, whether it publishes (a new server version) or only takes the
   *  server's copy, and the headline and item titles both sides then hold. */
  outcomes: {
    merge: {
      button: '#conflict-merge',
      publishes: true,
      headline: 'Declared in this browser',
      items: ['ENG-7 from the laptop'],
    },
    keepLocal: {
      button: '#conflict-keep-local',
      publishes: true,
      headline: 'Declared in this browser',
      items: [],
    },
    keepServer: {
      button: '#conflict-keep-server',
      publishes: false,
      headline: 'Set from the laptop',
      items: ['ENG-7 from the laptop'],
    },
  },
};

/** The server trusts a confirmed token for up to 2 s before asking its database again: a
 *  revocation is certain after this long. */
export const TOKEN_TRUST_MS = 2_500;

/** `token revoke` on the CLI: what the popup's status line, its Team tab and the options page
 *  then say. */
export const REVOKED = {
  syncStatus: /^Disconnected: the team server no longer accepts this browser/,
  teamStatus: /^Disconnected: /,
  notice: 'Disconnected: the team server no longer accepts this browser',
};

/** Joining again under names another member holds (409): the errors beside those fields. */
export const NAME_CLASH = {
  handle: 'Another member of your team already goes by this handle.',
  displayName: /already goes by this display name/,
};

/** An invite link (the options page's query) that pre-fills plain http to another computer:
 *  refused on Connect like typed input. */
export const INSECURE_LINK = { query: '?server=http%3A%2F%2Fstandin.example.com&invite=abc', server: 'http://standin.example.com', error: /unencrypted/ };

/**
 * Connect input refused beside the field it concerns, each case real against `server`: a
 * port nobody listens on, a web server that is no StandIn server (`serve` from
 * tests/e2e/harness.mjs), an invite already redeemed by someone else and one that expired.
 * Resolves to { cases: [{ serverUrl, invite, field, error, also? }], close }; `also` is a
 * second [field, error] shown at the same time.
 */
export async function connectErrorCases(server, team, { serve, freePort }) {
  const used = await server.invite(team);
  const joined = await server.api('POST', '/v1/join', { body: { invite: used, display_name: 'Cy', timezone: 'UTC' } });
  if (joined.status !== 201) throw new Error(`redeeming the used invite: ${joined.status}`);
  const notStandin = await serve({ '/': { body: '<!doctype html><title>Intranet</title>' } });
  const expired = await server.invite(team, '1s');
  await new Promise((r) => setTimeout(r, 1_500));
  return {
    cases: [
      { serverUrl: '', invite: '', field: 'server_url', error: /Enter the team server's address/, also: ['invite', /Paste the invite code/] },
      { serverUrl: 'ftp://x.example', invite: 'code', field: 'server_url', error: /https:\/\// },
      // Plain http only to this computer: the invite and the token would cross the network in clear.
      { serverUrl: 'http://standin.example.com', invite: 'code', field: 'server_url', error: /unencrypted/ },
      { serverUrl: `http://127.0.0.1:${await freePort()}`, invite: 'code', field: 'server_url', error: /^Cannot reach 127\.0\.0\.1: / },
      { serverUrl: notStandin.url('/'), invite: 'code', field: 'server_url', error: /answers, but not as a StandIn team server/ },
      { serverUrl: server.url, invite: 'no-such-code', field: 'invite', error: /Unknown invite code/ },
      { serverUrl: server.url, invite: used, field: 'invite', error: /already used/ },
      { serverUrl: server.url, invite: expired, field: 'invite', error: /expired/ },
    ],
    close: () => notStandin.close(),
  };
}

/**
 * Run in the extension's origin (Chromium's worker, a Firefox extension page): the bearer token
 * where the worker keeps it, IndexedDB database `standin`, store `secrets`, out of the content
 * scripts' reach; undefined when there is none. Creates nothing.
 */
export const readToken = () =>
  new Promise((resolve, reject) => {
    const open = indexedDB.open('standin');
    open.onupgradeneeded = () => open.transaction.abort(); // no database yet: none made
    open.onerror = () => resolve(undefined);
    open.onsuccess = () => {
      const db = open.result;
      if (!db.objectStoreNames.contains('secrets')) return resolve(undefined);
      const get = db.transaction('secrets').objectStore('secrets').get('token');
      get.onsuccess = () => resolve(get.result);
      get.onerror = () => reject(get.error);
    };
  });
