// The end-of-day scenarios both browsers run, as data: the reminder (tests/e2e/reminder.test.mjs
// on a shifted clock, tests/firefox/reminder.test.mjs on the real one) and the digest of
// hand-offs with its acknowledgements (tests/e2e/digest.test.mjs, tests/firefox/digest.test.mjs).

const MIN = 60_000;
const ALL_DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

// The reminder.

/** What the reminder shows: the toolbar's tooltip, the notification, the popup's answers. */
export const REMINDER = {
  badgeTitle: /^StandIn: end of your day: declare before you go · /,
  notification: {
    id: 'standin-eod',
    title: 'End of your day: declare before you go',
    message: 'Tell the next shift what you are on, what is blocked and who covers.',
  },
  alarm: 'eod-reminder',
  snoozed: (hhmm) => `Snoozed until ${hhmm}.`,
  skipped: 'No more reminders today.',
  quietTitle: 'StandIn: no state declared',
};

/** A state declared at `at` (ms), as the worker stores one. */
export function declaredState(status, at, items = [], timezone = 'Europe/Berlin') {
  return {
    declaration: { status, headline: `${status} since then`, items, timezone },
    declared_at: new Date(at).toISOString(),
    version: 0,
  };
}

/**
 * storage.local at the reminder `remindAt` (ms) of a shift that began at `shiftStart`: two
 * items viewed today, and a declaration from the day before with one item not done. The popup
 * proposes the three, in the order of `PROPOSED`.
 */
export function reminderStorage(remindAt, shiftStart, timezone) {
  const viewed = (url, canonical_ref, title, site, minutesBefore) => ({
    url,
    canonical_ref,
    title,
    site,
    viewed_at: new Date(remindAt - minutesBefore * MIN).toISOString(),
  });
  const pr = (n, title, note, state) => ({
    url: `https://github.com/acme/api/pull/${n}`,
    canonical_ref: `github.com/acme/api/pull/${n}`,
    title,
    note,
    state,
  });
  return {
    activity: [
      viewed('https://github.com/acme/api/pull/7/files', 'github.com/acme/api/pull/7', 'Retry exports on timeouts', 'github', 30),
      viewed('https://acme.atlassian.net/browse/OPS-12', 'acme.atlassian.net/browse/OPS-12', 'Staging database is slow', 'jira', 10),
    ],
    history: [
      declaredState(
        'offline',
        shiftStart - 15 * 60 * MIN,
        [pr(3, 'Token refresh', 'one review left', 'needs_review'), pr(2, 'Done already', '', 'done')],
        timezone,
      ),
    ],
  };
}

/** The proposals' lines (newest viewed first, then the unfinished carried-over item). */
export const PROPOSED = [
  'Staging database is slow · viewed todayAdd',
  'Retry exports on timeouts · viewed todayAdd',
  'Token refresh · from your last declaration: Needs reviewAdd',
];
/** `#suggest-2` adds the carried-over item, with its state and note. */
export const CARRIED_OVER = { url: 'https://github.com/acme/api/pull/3', state: 'needs_review', note: 'one review left' };

// The digest: teammates hand work to Bob, who acknowledges it.

export const PR = 'https://github.com/acme/api/pull/12';
export const PR_REF = 'github.com/acme/api/pull/12';

/** Bob's settings: his working hours are the four hours around now (UTC; "22:00"–"02:00" wraps,
 *  as a night shift does), so a popup opening now is "coming online in your working hours": it
 *  still opens on the form, the digest behind its chip. The reminder is reminder.test.mjs's. */
export function bobSettings() {
  const h = new Date().getUTCHours();
  const hh = (n) => `${String((n + 24) % 24).padStart(2, '0')}:00`;
  return {
    display_name: 'Bob',
    handles: { github: 'bob-gh' },
    timezone: 'UTC',
    working_hours: { days: ALL_DAYS, start: hh(h - 2), end: hh(h + 2) },
    reminder: { enabled: false, lead_minutes: 30 },
  };
}

/** Ann's profile for POST /v1/join (with an invite). */
export const ANN = {
  display_name: 'Ann',
  handles: { github: 'ann-gh' },
  timezone: 'Asia/Kolkata',
  working_hours: { days: ALL_DAYS.slice(0, 5), start: '10:00', end: '18:00' },
};

/** Ann's declaration (PUT /v1/me/state): a PR and her cover handed to Bob, by handle and by
 *  name (the server refuses hand-offs to names no member goes by, so Bob joins first). */
export function annHandoff() {
  return {
    status: 'offline',
    headline: 'Export retries half done',
    note: 'CI is green; the flaky test is tracked in OPS-9.',
    items: [
      { url: PR, canonical_ref: PR_REF, title: 'Retry exports on timeouts', note: 'Needs a second review', state: 'needs_review', handoff_to: '@bob-gh' },
      { url: 'https://github.com/acme/api/pull/9', canonical_ref: 'github.com/acme/api/pull/9', title: 'Bump tokio', state: 'in_progress' },
    ],
    blockers: 'Staging database is slow',
    cover: 'Bob',
    back_at: new Date(Date.now() + 16 * 60 * MIN).toISOString(),
    timezone: 'Asia/Kolkata',
  };
}

/** What waits for Bob once Ann has declared. */
export const ANN_WAITING = { badge: '2', title: /^StandIn: 2 hand-offs for you to acknowledge · /, chip: '2 hand-offs for you' };

/** Cy's profile and declaration: three PRs and his cover for Bob, for "Acknowledge all". */
export const CY = { display_name: 'Cy', timezone: 'America/New_York' };
export const CY_REFS = [21, 22, 23].map((n) => `github.com/acme/api/pull/${n}`);
export const CY_HANDOFF = {
  status: 'offline',
  headline: 'Three PRs for Bob',
  items: CY_REFS.map((ref, i) => ({ url: `https://${ref}`, canonical_ref: ref, title: `PR ${i + 21}`, state: 'needs_review', handoff_to: 'Bob' })),
  cover: 'bob-gh',
  timezone: 'America/New_York',
};
export const CY_WAITING = { badge: '4', chip: '4 hand-offs for you', done: 'All 4 acknowledged.' };

/** Bob's own declaration handing a PR to Ann (after "Add a link"), which Ann acknowledges
 *  through the server (`acknowledge`); his popup then says so under the work items. */
export const OWN_HANDOFF = {
  fill: [
    ['#headline', 'Taking over the export work'],
    ['#items-0-url', 'https://github.com/acme/api/pull/15'],
    ['#items-0-title', 'Export metrics'],
    ['#items-0-handoff_to', 'ann-gh'],
  ],
  shown: /^“Export metrics” acknowledged by Ann \d\d:\d\d$/,
  /** Once the server serves Bob's declaration, `member` (Ann) acknowledges its item. */
  async acknowledge(server, member, bobId) {
    await servedState(server, member.token, bobId);
    return server.api('POST', '/v1/team/acks', {
      token: member.token,
      body: { member_id: bobId, item: 'github.com/acme/api/pull/15' },
    });
  },
};

/** Joins `server`'s team as `profile`, then declares `declaration`; resolves to { token, id }. */
export async function joinAndDeclare(server, team, profile, declaration) {
  const joined = await server.api('POST', '/v1/join', { body: { invite: await server.invite(team), ...profile } });
  if (joined.status !== 201) throw new Error(`join: ${joined.status} ${JSON.stringify(joined.body)}`);
  const member = { token: joined.body.token, id: joined.body.member.id };
  const declared = await server.api('PUT', '/v1/me/state', { token: member.token, headers: { 'if-match': '0' }, body: declaration });
  if (declared.status !== 200) throw new Error(`declare: ${declared.status} ${JSON.stringify(declared.body)}`);
  return member;
}

/** The acknowledgements on `member`'s declaration, as [item or null, by] sorted. */
export async function acksOn(server, member) {
  const me = await server.api('GET', '/v1/me', { token: member.token });
  return me.body.state.acks.map((a) => [a.item ?? null, a.by]).sort();
}

/** Waits until the server serves `memberId`'s declaration to the holder of `token`. */
export async function servedState(server, token, memberId, timeout = 20_000) {
  const deadline = Date.now() + timeout;
  for (;;) {
    const states = await server.api('GET', '/v1/team/states', { token });
    const state = states.body.states?.find((s) => s.member_id === memberId)?.state;
    if (state) return state;
    if (Date.now() > deadline) throw new Error(`no declaration of ${memberId} on the server after ${timeout} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
