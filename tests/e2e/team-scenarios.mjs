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
