// Live item state and drift as the user sees them (issue 16, the views): the scenario both
// browsers' suites share (tests/e2e/live.test.mjs, tests/firefox/live.test.mjs). No
// browser-driving code here.
//
// The team of tests/e2e/banner-scenario.mjs: Ann Ito, out of office, hands her PR (acme/widgets
// #12, declared "needs review") to Bob, who reads. Bob declares first, from his popup, his own
// PR (acme/api #15, "in progress"). Then the browser's `live` storage is written as the worker
// writes it (a `live::LiveMap`: `"<member id> <item ref>"` → `{ since, baseline, current }`),
// in three stages:
// - `changed`: Ann's PR turned red and was retitled and labelled; Bob's own PR was merged by
//   Ann overnight;
// - `merged`: then Cleo merged Ann's PR (the views must follow without being reopened);
// - `hostile`: the XSS corpus in the titles, labels and assignees (and in the name of the
//   merger of Bob's PR); `hostileMerged`: then in the name of the merger of Ann's.
import { PAYLOADS } from './xss-corpus.mjs';

/** Bob's own declaration, typed into the popup: [selector, value]. */
export const OWN = {
  url: 'https://github.com/acme/api/pull/15',
  ref: 'github.com/acme/api/pull/15',
  fill: [
    ['#headline', 'Export metrics in review'],
    ['#items-0-url', 'https://github.com/acme/api/pull/15'],
    ['#items-0-title', 'Export metrics'],
  ],
  state: ['#items-0-state', 'in_progress'],
};

/** An observation by GitHub at `at` (ISO), open unless `fields` say otherwise. */
function seen(at, fields = {}) {
  return { kind: 'change', lifecycle: 'open', checks: 'pending', review: 'required', assignees: ['cleo', 'dan'], observed_at: at, source: 'github', ...fields };
}

/** `{ since, baseline, current }` for an item declared at `since`, first seen just after. */
function tracked(since, current) {
  const first = new Date(Date.parse(since) + 1000).toISOString();
  return { since, baseline: seen(first), current };
}

/**
 * The `live` value for `stage`. `ids` = { ann, bob } member ids, `since` = { ann, bob } their
 * declarations' `declared_at`, `at` the instant the worker "saw" it (ISO).
 */
export function liveMap(stage, ids, since, at) {
  const ann = {
    changed: seen(at, { checks: 'failing', title: 'Retry exports, take 2', labels: ['ci', 'flaky'] }),
    merged: seen(at, { lifecycle: 'merged', ended_at: at, ended_by: 'CLEO', title: 'Retry exports, take 2' }),
    hostile: seen(at, { assignees: [PAYLOADS[2], PAYLOADS[26]], title: PAYLOADS[0], labels: [PAYLOADS[1], PAYLOADS[8], ...PAYLOADS.slice(9, 20)] }),
    hostileMerged: seen(at, { lifecycle: 'merged', ended_at: at, ended_by: MERGER, title: PAYLOADS[0], labels: [PAYLOADS[1], PAYLOADS[8]] }),
  }[stage];
  const bob = stage.startsWith('hostile') ? { ended_by: PAYLOADS[3], title: PAYLOADS[4] } : { ended_by: 'ann' };
  return {
    [`${ids.ann} github.com/acme/widgets/pull/12`]: tracked(since.ann, ann),
    [`${ids.bob} ${OWN.ref}`]: tracked(since.bob, seen(at, { lifecycle: 'merged', ended_at: at, ...bob })),
  };
}

/** "17:42" in Bob's zone (Europe/Berlin): every time the views say contains it. */
export function hm(iso) {
  return new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Berlin', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date(iso));
}

/** What each stage reads, the times as seen at `at` (a pattern matches inside a banner's or
 *  card's text; a popup line must be all of it). */
export function reads(stage, at) {
  const t = hm(at);
  return {
    changed: {
      state: `Now open · CI failing · review required · assigned to Cleo Park, Dan Ruiz · “Retry exports, take 2” · labels: ci, flaky · GitHub ${t}`,
      drift: 'CI failing, after Ann Ito declared it needs review',
      own: new RegExp(`merged (\\w{3} \\d{1,2} \\w{3}, )?${t} by Ann Ito, after you declared it in progress`),
      mark: '1 item changed since declared',
    },
    merged: {
      state: `Now merged · “Retry exports, take 2” · GitHub ${t}`,
      drift: new RegExp(`merged (\\w{3} \\d{1,2} \\w{3}, )?${t} by Cleo Park, after Ann Ito declared it needs review`),
    },
  }[stage];
}

/** The markup payloads that must be shown as text wherever live state is: in the title, in
 *  the labels, an assignee, the merger of Bob's PR. */
export const SHOWN_AS_TEXT = [PAYLOADS[0], PAYLOADS[1], PAYLOADS[2], PAYLOADS[8]];
export const OWN_SHOWN_AS_TEXT = [PAYLOADS[3]];
/** Who merged Ann's PR in `hostileMerged`. */
export const MERGER = PAYLOADS[5];
