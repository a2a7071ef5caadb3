// The evening of issue 13, the one fixture of every test of it (the form's walks in
// evening.test.mjs and evening-walk.mjs, the popup's views in views.test.mjs, and Firefox's
// views.test.mjs, declare.test.mjs and evening.test.mjs): Bob in Berlin at 19:30 on Friday 4
// December 2026, when his end-of-day reminder is due (Mon–Fri 10:00–20:00, 30 minutes' lead), with seven teammates
// across Tokyo, Los Angeles, São Paulo, Kolkata (out of office for 14 days), Sydney, London and
// New York. Four hand-offs wait for him: two items from Shun, an item and the cover from Ana.
// He viewed two items today, which the popup proposes for his declaration. As storage.local
// values (activity, connection and team cache) and storage.sync settings.
import { teamCache, item } from './team-fixture.mjs';

export const AT = Date.parse('2026-12-04T18:30:00Z'); // Friday 19:30 in Berlin
const at = (hours) => new Date(AT + hours * 3_600_000).toISOString();
/** The evening's end-of-day default for "Back at": the next working day, Monday 10:00 in Berlin. */
export const NEXT_WORKING_DAY = { local: '2026-12-07T10:00', utc: '2026-12-07T09:00:00Z' };
const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri'];
const hours = (start, end) => ({ days: WEEKDAYS, start, end });

export const ME = { id: 'm-bob', name: 'Bob Brandt', timezone: 'Europe/Berlin' };

export const SETTINGS = {
  display_name: ME.name,
  timezone: ME.timezone,
  working_hours: hours('10:00', '20:00'),
  reminder: { enabled: true, lead_minutes: 30 },
};

const people = [
  { ...ME, handles: {}, hours: hours('10:00', '20:00') },
  {
    id: 'm-shun',
    name: 'Shun Ueda',
    handles: { github: 'shun-u' },
    timezone: 'Asia/Tokyo',
    hours: hours('09:00', '18:00'),
    declaredAt: at(-10),
    declaration: {
      status: 'offline',
      emoji: '🌙',
      headline: 'Release notes drafted, two PRs for Bob',
      back_at: at(62.5),
      blockers: 'Staging is slow since Thursday',
      items: [
        item('https://github.com/acme/api/pull/41', 'needs_review', { canonical_ref: 'github.com/acme/api/pull/41', title: 'Retry exports on timeouts', handoff_to: 'm-bob', note: 'Second review, then merge' }),
        item('https://github.com/acme/api/pull/44', 'in_progress', { canonical_ref: 'github.com/acme/api/pull/44', title: 'Export metrics', handoff_to: 'm-bob' }),
        item('https://github.com/acme/api/issues/7', 'waiting', { canonical_ref: 'github.com/acme/api/issues/7', title: 'Flaky upload test' }),
      ],
    },
  },
  {
    id: 'm-lena',
    name: 'Lena Ortiz',
    handles: { github: 'lena-o' },
    timezone: 'America/Los_Angeles',
    hours: hours('09:00', '17:00'),
    declaredAt: at(-1),
    declaration: { status: 'online', emoji: '☕', headline: 'Reviewing the export PRs' },
  },
  {
    id: 'm-ana',
    name: 'Ana Souza',
    handles: { github: 'ana-s' },
    timezone: 'America/Sao_Paulo',
    hours: hours('09:00', '18:00'),
    declaredAt: at(-0.5),
    declaration: {
      status: 'away',
      headline: 'At the dentist, back at 17:00 my time',
      back_at: at(1.5),
      cover: 'm-bob',
      items: [item('https://acme.atlassian.net/browse/OPS-12', 'blocked', { canonical_ref: 'acme.atlassian.net/browse/OPS-12', title: 'Staging database is slow', handoff_to: 'm-bob' })],
    },
  },
  {
    id: 'm-priya',
    name: 'Priya Nair',
    handles: { github: 'priya-n' },
    timezone: 'Asia/Kolkata',
    hours: hours('10:00', '18:00'),
    declaredAt: at(-3),
    declaration: { status: 'ooo', emoji: '🏝', headline: 'On leave', back_at: '2026-12-19T04:30:00Z', cover: 'm-lena' },
  },
  {
    id: 'm-jack',
    name: 'Jack Reid',
    handles: { github: 'jack-r' },
    timezone: 'Australia/Sydney',
    hours: hours('09:00', '17:00'),
    declaredAt: at(-14),
    declaration: { status: 'offline', headline: 'Weekend', back_at: at(52.5) },
  },
  {
    id: 'm-olivia',
    name: 'Olivia Hart',
    handles: { github: 'olivia-h' },
    timezone: 'Europe/London',
    hours: hours('09:00', '18:00'),
    declaredAt: at(-1.5),
    declaration: {
      status: 'offline',
      headline: 'Done for the week',
      note: 'The release branch is cut; tags on Monday.',
      items: [item('https://github.com/acme/api/pull/39', 'done', { canonical_ref: 'github.com/acme/api/pull/39', title: 'Cut release branch' })],
    },
  },
  {
    id: 'm-noah',
    name: 'Noah Kim',
    handles: { github: 'noah-k' },
    timezone: 'America/New_York',
    hours: hours('09:00', '17:00'),
    declaredAt: at(-2),
    declaration: { status: 'focus', emoji: '🎧', headline: 'Incident review write-up' },
  },
];

/** Viewed today, the newest last: the popup proposes both, the newest first. */
const activity = [
  {
    url: 'https://github.com/acme/api/pull/7',
    canonical_ref: 'github.com/acme/api/pull/7',
    title: 'Retry exports on timeouts',
    site: 'github',
    viewed_at: at(-40 / 60),
  },
  {
    url: 'https://acme.atlassian.net/browse/OPS-12',
    canonical_ref: 'acme.atlassian.net/browse/OPS-12',
    title: 'Staging database is slow',
    site: 'jira',
    viewed_at: at(-10 / 60),
  },
];

/**
 * storage.local: today's activity and, when `team`, connected as Bob to a team whose cache
 * holds everyone above. With `declarations: false` the cache holds the roster only and the
 * digest was seen at AT, so nothing waits behind a chip: the form's own walks
 * (evening.test.mjs), which with the four hand-offs' chip need a scroll (see there).
 */
export function eveningLocal({ team = true, declarations = true } = {}) {
  if (!team) return { activity };
  const cache = teamCache(declarations ? people : people.map(({ declaration, ...p }) => p));
  for (const p of people) cache.members[p.id].working_hours = p.hours;
  return {
    activity,
    connection: {
      server: 'https://standin.example.com',
      team: { id: 't1', name: 'Core' },
      member: { id: ME.id, display_name: ME.name, timezone: ME.timezone },
      connected_at: at(-24 * 7),
    },
    team: cache,
    ...(declarations ? {} : { digest_seen: at(0) }),
  };
}
