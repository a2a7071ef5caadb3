// A team cache (crate::team::TeamCache, the JSON the worker keeps under storage.local "team")
// for the inline-context tests: teammates who match some of the people on the fixture pages,
// by the handles the roster gives for each site.

const iso = (ms) => new Date(ms).toISOString();
export const hoursFromNow = (h) => iso(Date.now() + h * 3_600_000);

/** How the server compares names (`standin::api::name_key`). */
const nameKey = (name) => name.trim().replace(/^@+/, '').split(/\s+/).filter(Boolean).join(' ').toLowerCase();

/** The member a hand-off names, as the server resolves it on writing (`api::resolve`): a
 *  member id first, else the only member going by that name or handle. */
function resolve(reference, people) {
  const wanted = nameKey(reference ?? '');
  if (!wanted) return null;
  const byId = people.find((p) => nameKey(p.id) === wanted);
  if (byId) return byId.id;
  const named = people.filter((p) => [p.name, ...Object.values(p.handles ?? {})].some((n) => n && nameKey(n) === wanted));
  return named.length === 1 ? named[0].id : null;
}

/** The `recipients` the server serves beside a declaration. */
function recipients(declaration, people) {
  const found = [];
  const cover = resolve(declaration.cover, people);
  if (cover) found.push({ member: cover });
  for (const i of declaration.items ?? []) {
    const member = resolve(i.handoff_to, people);
    if (member) found.push({ item: i.canonical_ref || i.url, member });
  }
  return found;
}

/** `{ id, name, handles, timezone, declaration? , declaredHoursAgo? }` → TeamCache JSON. */
export function teamCache(people, { cursor = 1 } = {}) {
  const members = {};
  const states = {};
  for (const p of people) {
    members[p.id] = {
      id: p.id,
      display_name: p.name,
      handles: p.handles,
      timezone: p.timezone ?? 'Europe/Berlin',
    };
    if (p.declaration) {
      states[p.id] = {
        member_id: p.id,
        version: p.version ?? 1,
        state: {
          declaration: { note: '', items: [], blockers: '', timezone: p.timezone ?? 'Europe/Berlin', ...p.declaration },
          declared_at: p.declaredAt ?? hoursFromNow(-(p.declaredHoursAgo ?? 3)),
          version: p.version ?? 1,
        },
        recipients: recipients(p.declaration, people),
      };
    }
  }
  return { team: { id: 't1', name: 'Core' }, cursor, members, states };
}

export function item(url, state, extra = {}) {
  return { url, canonical_ref: '', title: 'Work item', note: '', state, ...extra };
}

/**
 * The roster. Teammates per page (the rest of each page's people are strangers):
 * - GitHub React issue (acme/widgets#42): ada (author), carol (commenter), dave (assignee)
 * - GitHub PR list: ada (author), carol and dave (assignees)
 * - real saved pages: stefanbuck (OctoLinker), beyang and chrismwendt (sourcegraph#3221),
 *   felixfbecker (GitLab 2019)
 * - GitLab 16 MR: ana (author), cleo (assignee), eve (review commenter)
 * - Jira Cloud: Ana Lima by account id, Ben Weiss by display name
 * - Jira Data Center: jdoe
 * - Linear: alice (assignee), chen (commenter)
 */
export function roster() {
  return [
    {
      id: 'm-ada',
      name: 'Ada Lovelace',
      handles: { github: 'Ada' },
      declaration: {
        status: 'offline',
        headline: 'Done for today',
        emoji: '🌙',
        note: 'Ping Carol for anything urgent on the widget crash.',
        back_at: hoursFromNow(14),
        cover: 'carol',
        items: [
          item('https://github.com/acme/widgets/issues/42', 'blocked', {
            title: 'Widget crashes on resize',
            note: 'Waiting for the layout fix to land',
            handoff_to: 'carol',
          }),
        ],
      },
    },
    {
      id: 'm-carol',
      name: 'Carol Chen',
      handles: { github: 'carol' },
      timezone: 'America/New_York',
      declaration: { status: 'focus', headline: 'Reviewing widget PRs' },
    },
    { id: 'm-dave', name: 'Dave Diaz', handles: { github: 'dave' } },
    {
      id: 'm-stefan',
      name: 'Stefan Buck',
      handles: { github: 'stefanbuck' },
      declaration: {
        status: 'away',
        headline: 'Lunch',
        back_at: hoursFromNow(1),
        items: [item('https://github.com/OctoLinker/testrepo/pull/1', 'needs_review', { title: 'Test PR', note: 'Only the fixtures changed' })],
      },
    },
    {
      id: 'm-beyang',
      name: 'Beyang Liu',
      handles: { github: 'beyang' },
      timezone: 'America/Los_Angeles',
      declaration: {
        status: 'ooo',
        headline: 'Conference',
        back_at: hoursFromNow(72),
        cover: 'chrismwendt',
        items: [item('https://github.com/sourcegraph/sourcegraph/pull/3221/files', 'waiting', { title: 'Browser extension fix', handoff_to: 'chrismwendt' })],
      },
    },
    { id: 'm-chris', name: 'Chris Wendt', handles: { github: 'chrismwendt' }, declaration: { status: 'online', headline: 'Here' } },
    { id: 'm-felix', name: 'Felix Becker', handles: { gitlab: 'felixfbecker' }, declaration: { status: 'online', headline: 'On it' } },
    {
      id: 'm-ana',
      name: 'Ana Lima',
      handles: { gitlab: 'ana', jira: '5b10ac8d82e05b22cc7d4ef5' },
      timezone: 'America/Sao_Paulo',
      declaration: {
        status: 'away',
        headline: 'Dentist',
        back_at: hoursFromNow(2),
        items: [
          item('https://gitlab.example.org/team/sub/app/-/merge_requests/12/diffs', 'needs_review', { title: 'Add retries', note: 'Second review welcome' }),
          item('https://acme.atlassian.net/browse/KEY-1', 'in_progress', { title: 'Login fails on Safari' }),
        ],
      },
    },
    { id: 'm-cleo', name: 'Cleo Ray', handles: { gitlab: 'cleo' }, declaration: { status: 'online', headline: 'Merging' } },
    { id: 'm-eve', name: 'Eve Park', handles: { gitlab: 'EVE' } },
    { id: 'm-ben', name: 'Ben Weiss', handles: { jira: 'Ben Weiss' }, declaration: { status: 'offline', headline: 'Night' } },
    {
      id: 'm-jdoe',
      name: 'John Doe',
      handles: { jira: 'jdoe' },
      declaration: {
        status: 'focus',
        headline: 'Export timeouts',
        items: [item('https://jira.corp.example/jira/browse/KEY-1', 'in_progress', { title: 'Export times out', note: 'Profiling the query' })],
      },
    },
    {
      id: 'm-alice',
      name: 'Alice Martin',
      handles: { linear: 'alice' },
      declaration: {
        status: 'ooo',
        headline: 'Holiday',
        back_at: hoursFromNow(24 * 5),
        cover: 'chen',
        items: [item('https://linear.app/acme/issue/ENG-7/fix-the-login-bug', 'blocked', { title: 'Fix the login bug', handoff_to: 'chen' })],
      },
    },
    { id: 'm-chen', name: 'Chen Wu', handles: { linear: 'chen' }, declaration: { status: 'online', headline: 'Covering for Alice' } },
  ];
}
