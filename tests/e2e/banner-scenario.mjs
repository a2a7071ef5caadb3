// The item banner and the badge card as their reader sees them: the scenario both browsers'
// suites share (tests/e2e/banner.test.mjs, tests/firefox/banner.test.mjs), on the real team
// server (tests/e2e/team-server.mjs). No browser-driving code here.
//
// Team Core: Ann Ito (Kolkata) is out of office for two weeks and hands her PR and her cover
// duty to Bob; Cleo Park is away and Dan Ruiz offline (for the status colours). Bob, the
// reader, connects from the browser under test (`BOB`), then the others declare: the server
// refuses a hand-off to a name no member goes by, so Bob joins first. Bob opens the PR: a long
// page (40 comments by Ann and a non-member), Cleo and Dan its assignees.
import assert from 'node:assert/strict';
import { prPage, timelineItem } from './generated-pages.mjs';

export const PR = 'https://github.com/acme/widgets/pull/12';
export const PR_REF = 'github.com/acme/widgets/pull/12';
const DAY = 86_400_000;

/** Bob's storage.sync settings (the reminder off: it is not this scenario's concern). */
export const BOB = {
  display_name: 'Bob',
  handles: { github: 'bob' },
  timezone: 'Europe/Berlin',
  reminder: { enabled: false, lead_minutes: 30 },
};

/** [name, profile, declaration (made when called: times from now)] of the declaring members. */
const MEMBERS = [
  [
    'ann',
    { display_name: 'Ann Ito', handles: { github: 'ann' }, timezone: 'Asia/Kolkata' },
    () => ({
      status: 'ooo',
      headline: 'Two weeks off',
      items: [{ url: PR, canonical_ref: PR_REF, title: 'Retry exports', note: 'One flaky test left', state: 'needs_review', handoff_to: 'Bob' }],
      cover: '@bob',
      back_at: new Date(Date.now() + 14 * DAY).toISOString(),
      timezone: 'Asia/Kolkata',
    }),
  ],
  ['cleo', { display_name: 'Cleo Park', handles: { github: 'cleo' }, timezone: 'Europe/London' }, () => ({ status: 'away', headline: 'At the dentist', timezone: 'Europe/London' })],
  ['dan', { display_name: 'Dan Ruiz', handles: { github: 'dan' }, timezone: 'America/New_York' }, () => ({ status: 'offline', headline: 'Done for today', timezone: 'America/New_York' })],
];

/** Creates team Core with Ann, Cleo and Dan as members: → { ann: { token, id }, cleo, dan }. */
export async function createTeam(server) {
  await server.cli('team', 'create', 'Core');
  const team = {};
  for (const [name, profile] of MEMBERS) {
    const joined = await server.api('POST', '/v1/join', { body: { invite: await server.invite('Core'), ...profile } });
    assert.equal(joined.status, 201, JSON.stringify(joined.body));
    team[name] = { token: joined.body.token, id: joined.body.member.id };
  }
  return team;
}

/** Each member of `team` declares (once Bob has joined). */
export async function declareAll(server, team) {
  for (const [name, , declaration] of MEMBERS) {
    const put = await server.api('PUT', '/v1/me/state', { token: team[name].token, headers: { 'if-match': '0' }, body: declaration() });
    assert.equal(put.status, 200, `${name}: ${JSON.stringify(put.body)}`);
  }
}

/** The acknowledgements of Ann's declaration on the server: [{ item, by, at }]. */
export async function annsAcks(server, team) {
  const states = await server.api('GET', '/v1/team/states', { token: team.ann.token });
  return states.body.states.find((s) => s.member_id === team.ann.id).acks ?? [];
}

/** Bob's view of the PR, light or dark (the page's own colours: the shim follows them). */
export function prBody(dark) {
  const timeline = Array.from({ length: 40 }, (_, i) => timelineItem(i, i % 2 ? 'ann' : 'zed', 'c'));
  const extraHead = dark ? '<style>body{background:#0d1117;color:#f0f6fc}</style>' : '';
  return prPage({ number: 12, title: 'Retry exports', author: 'ann', assignees: ['cleo', 'dan'], timeline, extraHead });
}

/** What Bob reads: the banner, Ann's badge (text and accessible name) and her card. */
export const READS = {
  banner: /Ann Ito.*Needs review.*handed to you.*Acknowledge.*One flaky test left.*out of office, back \d{1,2} [A-Z][a-z]{2} \(your time\)/,
  notBanner: 'handed to Bob',
  ackLabel: "Acknowledge Ann Ito's hand-off",
  badge: /^OOO until \d{1,2} [A-Z][a-z]{2}/,
  badgeLabel: /^Ann Ito: out of office, back \w{3} \d{1,2} [A-Z][a-z]{2}, \d\d:\d\d$/,
  card: [
    /Back \w{3} \d{1,2} [A-Z][a-z]{2}, \d\d:\d\d your time \(in 1[34] d\)/,
    /back \w{3} \d{1,2} [A-Z][a-z]{2}, \d\d:\d\d their time · now \d\d:\d\d there/,
    /Cover: you/,
    /handed to: you/,
  ],
  /** After the banner's click, and after the card's. */
  bannerAcked: 'handed to you✓ acknowledged',
  cardAcked: /Cover: you✓ acknowledged/,
};

/** An attribute of an element as either browser's `inlineState` lists it ([name, value, …]). */
export const attr = (node, name) => node.attributes?.[node.attributes.indexOf(name) + 1];

/** Checks a state (as either browser's `inlineState` reads it) against READS: the banner,
 *  Ann's badge and (when `card`, the host with her card drawn) the card with its two
 *  Acknowledge buttons. */
export function assertReads(state, card) {
  const banner = state.hosts.find((h) => h.feature === 'banner');
  assert.match(banner.text, READS.banner);
  assert.ok(!banner.text.includes(READS.notBanner), banner.text);
  const ack = banner.inside.find((e) => attr(e, 'data-action') === 'acknowledge');
  assert.equal(attr(ack, 'aria-label'), READS.ackLabel);
  const badge = state.hosts.find((h) => h.labels[0]?.startsWith('Ann Ito'));
  assert.match(badge.text, READS.badge);
  assert.match(badge.labels[0], READS.badgeLabel);
  for (const line of READS.card) assert.match(card.text, line);
  assert.equal(card.inside.filter((e) => attr(e, 'data-action') === 'acknowledge').length, 2, 'the cover and the PR');
}
