// The README's first ten minutes, shared by both browsers' walk-throughs
// (tests/e2e/first-minutes.test.mjs, tests/firefox/first-minutes.test.mjs): `./run.sh` started
// as a new user starts it (on a fresh temporary database and a free port; the debug build of
// the server, which the other e2e tests build too), the guide it prints read back, and the
// people, declaration and tracker page of the walk.
//
//   const run = await startRunSh();   // run.guide: { team, url, database, chromeDir, links, … }
//   await run.close();                // stops the server (SIGTERM to run.sh's process group)
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { access, copyFile, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { prPage } from './generated-pages.mjs';
import { ROOT } from './harness.mjs';
import { freePort } from './team-server.mjs';

/** Who joins through the printed links, in order. */
export const PEOPLE = [
  { name: 'Ann', github: 'ann-gh' },
  { name: 'Bo', github: 'bo-gh' },
];
export const HEADLINE = 'Payments PR ready for review';
/** Ann's pull request, where Bo sees her badge: beside the author, her comment and in the
 *  participants. */
export const PR_URL = 'https://github.com/acme/widgets/pull/42';
export const PR_PAGE = prPage({ number: 42, title: 'Retry failed payments', author: 'ann-gh', timeline: [['ann-gh', 'c']] });
export const PR_BADGES = 3;
/** Every badge on the PR is Ann's, with her status. `state` is trackers.mjs's (Chromium) or
 *  tests/firefox/inline.mjs's (the same shape). */
export function assertAnnsBadges(state) {
  const labels = state.hosts.map((h) => h.labels.join(' '));
  for (const label of labels) assert.match(label, /Ann/);
  assert.match(labels.join(' '), /online/i);
}
/** The README's pictures of the walk, in order (Chromium's; docs/first-minutes-*.png). */
export const SHOTS = ['first-minutes-1-joined', 'first-minutes-2-declared', 'first-minutes-3-badge'];

/**
 * A fresh install: the popup's invitation shows the default hours in the browser's zone; the
 * user changes the end and saves. On the `evening` (a Friday, after the default hours'
 * reminder at 16:30 and the new one at 17:00) a reminder is due only once the hours are saved.
 */
export const FRESH = {
  evening: { date: '2026-11-27', time: '17:15' },
  start: '09:00',
  end: '17:00',
  typedEnd: '17:30',
  saved: /^Saved: working hours 09:00–17:30\. The reminder comes 30 minutes before the end of each working day\.$/,
  /** storage.sync "settings" after the save: the hours, in the zone the invitation showed. */
  stored: (zone) => ({
    display_name: '',
    handles: {},
    timezone: zone,
    working_hours: { days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '09:00', end: '17:30' },
  }),
};

/** The instant when the wall clock in `zone` shows `date` `time` (no DST change that day). */
export function wallClock(zone, { date, time }) {
  const guess = Date.parse(`${date}T${time}:00Z`);
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' })
      .formatToParts(guess)
      .map((p) => [p.type, p.value]),
  );
  const shown = Date.parse(`${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}:00Z`);
  return guess - (shown - guess);
}

/**
 * Starts ./run.sh and resolves once it printed its guide. `host` is the address it listens on;
 * `env` adds to its environment.
 */
export async function startRunSh({ host = '127.0.0.1', env = {} } = {}) {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'standin-run-'));
  const database = path.join(dir, 'standin.db');
  const port = await freePort();
  const child = spawn(path.join(ROOT, 'run.sh'), ['--listen', `${host}:${port}`], {
    cwd: dir,
    env: { ...process.env, STANDIN_DATABASE_URL: `sqlite://${database}`, STANDIN_RUN_PROFILE: 'dev', STANDIN_LOG: 'warn', ...env },
    // Its own process group: run.sh pipes the server's output, and both stop together.
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const close = async () => {
    if (child.exitCode === null) process.kill(-child.pid, 'SIGTERM');
    await exited;
    await rm(dir, { recursive: true, force: true });
  };
  // A first run may build the server (the debug build is shared with the other e2e tests).
  const deadline = Date.now() + 900_000;
  while (!/More invite codes and links: .*\n/.test(output)) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await close();
      throw new Error(`./run.sh printed no guide:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { guide: readGuide(output), database, port, url: `http://${host}:${port}`, output, close };
}

/** The guide's parts, as a reader finds them. */
function readGuide(text) {
  const line = (pattern) => {
    const found = text.match(pattern);
    assert.ok(found, `${pattern} in:\n${text}`);
    return found[1];
  };
  return {
    team: line(/team "([^"]+)" at /),
    url: line(/team "[^"]+" at (\S+)/),
    database: line(/Database: (\S+)/),
    chromeDir: line(/Load unpacked: (\S+)/),
    firefoxManifest: line(/Load Temporary Add-on…: (\S+)/),
    links: [...text.matchAll(/chrome-extension:\/\/\S+/g)].map((m) => m[0]),
    codes: line(/an unused invite code: (.+)/).trim().split(/\s+/),
  };
}

/** The checks on the guide that do not depend on the browser. */
export function assertGuide(run) {
  const { guide } = run;
  assert.equal(guide.team, 'local', 'a fresh database gets the team "local"');
  assert.equal(guide.url, run.url);
  assert.equal(guide.database, run.database);
  assert.equal(guide.chromeDir, path.join(ROOT, 'dist', 'chrome'));
  assert.equal(guide.firefoxManifest, path.join(ROOT, 'dist', 'firefox', 'manifest.json'));
  assert.equal(guide.links.length, 2, 'a link per browser profile');
  guide.links.forEach((link, i) => {
    const url = new URL(link);
    assert.equal(url.pathname, '/options.html');
    assert.equal(url.searchParams.get('server'), run.url);
    assert.equal(url.searchParams.get('invite'), guide.codes[i], 'the link carries the code printed for Firefox');
  });
}

/** The link's path and query, for an extension whose origin differs (Firefox's). */
export const linkQuery = (link) => link.slice(link.indexOf('/options.html') + 1);

/** Copies a screenshot to docs/ (the README's) when missing or with UPDATE_SCREENSHOTS=1. */
export async function keepForReadme(shot, name) {
  const readme = path.join(ROOT, 'docs', `${name}.png`);
  const missing = await access(readme).then(() => false, () => true);
  if (missing || process.env.UPDATE_SCREENSHOTS === '1') await copyFile(shot, readme);
}
