// Benchmark of the inline context (DESIGN.md §5 budgets). Not a test: it prints figures.
//
//   ./build.sh && node tests/bench/inline.mjs [--runs N] [--team-runs N] [--dist DIR]...
//
//   --runs N        page loads of each kind per build (default 15)
//   --team-runs N   render round trips of each kind per build for the 1,000-member team (default 30)
//   --dist DIR      a build to measure: a dist/ directory (its chrome/ is loaded) or an unpacked
//                   Chrome extension. Repeat it to compare builds in one run, e.g. before and after
//                   a change: --dist ../before-dist --dist dist. Default: this checkout's dist.
//
// A generated heavy PR page (GitHub React markup, served at its real URL with GitHub's CSP):
// ≥ 300 timeline items by ≥ 50 distinct people, half of them teammates in the seeded team cache.
// The same page is loaded in the same run by three kinds of Chromium, round after round in
// alternating order (so none always goes first): one without any extension, one with an
// extension whose content script is empty, on StandIn's matches and run_at (the floor any
// extension pays), and one per build. It prints for each build:
//   - time to all badges attached, from DOMContentLoaded and from the load event, with a warm
//     worker and with a stopped worker (it must start and instantiate the wasm module first);
//   - the cold path broken down by the worker's User Timing marks (extension/background.js),
//     put on the page's clock through each side's performance.timeOrigin: wake (the page's
//     DOMContentLoaded, when the shim asks, to the worker's global created), worker start (to
//     the loader's first line), wasm instantiation, start_background, team-cache read (the
//     first message, the shim's plan request: the worker reads and decodes the team cache) and
//     render (plan answered to all badges: scan, render round trip, match, draw after load);
//   - the longest main-thread task StandIn causes (from a Chrome trace: the longest top-level
//     task that runs content.js; where the page's own code runs in the same task, as when a
//     MutationObserver callback follows the page's insertions, the task counts whole), and the
//     long tasks (> 50 ms) the page observes with vs without StandIn;
//   - page-load time (loadEventEnd): none, the floor, and StandIn with a warm and a cold
//     worker, StandIn's cost counted over the floor;
//   - the cost of 1,000 incremental insertions (one batch of 1,000, and 10 "load more" batches
//     of 100): time until their badges are attached, and StandIn's main-thread time;
//   - the worker's time to read and match a 1,000-member team cache (the page's 30 teammates
//     and 970 others, each with a declaration and a work item, the others' on other PRs): the
//     shim's own full render request of the page, captured in the content script's world and
//     sent again from there, timed from sendMessage to its reply. With `fresh: true` the worker
//     drops its snapshot, so the time covers reading and decoding the cache from storage.local
//     plus matching every descriptor against it; with `fresh: false` (the snapshot kept) it is
//     the matching alone. The same for the page's own 30-member team shows what the 970 more
//     members cost.
// Budgets (medians): ≤ 50 ms warm, ≤ 250 ms cold, no task > 50 ms, load within 5 % of the floor.
import { existsSync } from 'node:fs';
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { DIST_CHROME, contentWorld, launchExtension, poll } from '../e2e/harness.mjs';
import { prPage, timelineItem } from '../e2e/generated-pages.mjs';
import { teamCache } from '../e2e/team-fixture.mjs';
import { routeTrackers } from '../e2e/trackers.mjs';
import { manifestFor } from '../../extension/manifest.mjs';

const PEOPLE = 60; // u0 … u59; the even ones are teammates
const ITEMS = 320;
const BIG_TEAM = 1000;
const URL_PR = 'https://github.com/acme/widgets/pull/4242';
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** The command line: { runs, teamRuns, dists: [{ label, dir }] }. */
function options(argv) {
  const count = (flag, value) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1) throw new Error(`${flag} needs a positive whole number, not ${value}`);
    return n;
  };
  const opts = { runs: 15, teamRuns: 30, dists: [] };
  for (let i = 0; i < argv.length; i += 2) {
    const [flag, value] = [argv[i], argv[i + 1]];
    if (flag === '--runs') opts.runs = count(flag, value);
    else if (flag === '--team-runs') opts.teamRuns = count(flag, value);
    else if (flag === '--dist' && value) opts.dists.push({ label: value, dir: unpacked(value) });
    else throw new Error(`unknown option or missing value: ${flag} (the options are at the top of ${path.relative(process.cwd(), new URL(import.meta.url).pathname)})`);
  }
  if (!opts.dists.length) opts.dists.push({ label: 'dist', dir: DIST_CHROME });
  return opts;
}

/** The unpacked Chrome extension a --dist names: DIR itself, or DIR/chrome. */
function unpacked(dir) {
  for (const candidate of [dir, path.join(dir, 'chrome')]) {
    if (existsSync(path.join(candidate, 'manifest.json'))) return path.resolve(candidate);
  }
  throw new Error(`--dist ${dir}: neither it nor its chrome/ holds a manifest.json (run ./build.sh?)`);
}

const login = (n) => `u${n}`;
const isTeammate = (n) => n % 2 === 0;

function heavyPage() {
  const timeline = Array.from({ length: ITEMS }, (_, i) => {
    const who = (i * 7) % PEOPLE;
    const kind = i % 4 === 3 ? 'e' : 'c';
    const mention = i % 5 === 0 ? login((i * 3 + 1) % PEOPLE) : undefined;
    return timelineItem(i, login(who), kind, mention);
  });
  return prPage({ number: 4242, title: 'Heavy PR', author: login(0), assignees: [login(2), login(3)], timeline });
}

/** A team of `size` declared members: the page's teammates (u0, u2 … u58) first, then others
 *  (x<n>) whom the page does not name, so every size gives the page the same badges and banner. */
function team(size) {
  const people = [];
  for (let i = 0; i < size; i++) {
    const teammate = i < PEOPLE / 2;
    const n = teammate ? 2 * i : PEOPLE + i;
    const handle = teammate ? login(n) : `x${n}`;
    people.push({
      id: `m${n}`,
      name: `Member ${n}`,
      handles: { github: handle },
      declaration: {
        status: ['online', 'focus', 'away', 'offline', 'ooo'][n % 5],
        headline: `Working on thing ${n}`,
        note: 'A note of reasonable length that a teammate would write about their day.',
        back_at: new Date(Date.now() + 3_600_000 * (1 + (n % 9))).toISOString(),
        // Teammates work on this PR (its banner); the others on PRs of their own.
        items: [{ url: teammate ? URL_PR : `https://github.com/acme/widgets/pull/${n}`, canonical_ref: '', title: 'Heavy PR', note: 'Reviewing', state: 'in_progress' }],
      },
    });
  }
  return teamCache(people);
}

/** Records, in the page's main world, when badges appear and when the page was ready. */
const PROBE = () => {
  const probe = (window.__bench = { badges: [], longTasks: [] });
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) probe.longTasks.push(e.duration);
  }).observe({ type: 'longtask', buffered: true });
  new MutationObserver((records) => {
    for (const r of records) {
      for (const n of r.addedNodes) {
        if (n.localName === 'standin-inline' && n.dataset.feature === 'badges') probe.badges.push(performance.now());
      }
    }
  }).observe(document, { childList: true, subtree: true });
};

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor((s.length - 1) / 2)] : NaN;
};
const max = (xs) => (xs.length ? Math.max(...xs) : 0);
const ms = (x) => `${x.toFixed(1)} ms`;

/** Loads the page once; waits for `expected` badges (0: none expected) and settles. */
async function load(context, expected, { trace } = {}) {
  const page = await context.newPage();
  if (trace) await context.browser().startTracing(page, { categories: TRACE_CATEGORIES });
  await page.goto(URL_PR, { waitUntil: 'load' });
  if (expected) {
    await poll(() => page.evaluate((n) => window.__bench.badges.length >= n, expected), `${expected} badges`, 20_000);
  }
  await page.waitForTimeout(300);
  const result = await page.evaluate(() => {
    const nav = performance.getEntriesByType('navigation')[0];
    return {
      origin: performance.timeOrigin,
      dclStart: nav.domContentLoadedEventStart,
      dcl: nav.domContentLoadedEventEnd,
      load: nav.loadEventEnd,
      lastBadge: max(window.__bench.badges),
      badges: window.__bench.badges.length,
      longTasks: window.__bench.longTasks,
    };
    function max(xs) {
      return xs.length ? Math.max(...xs) : 0;
    }
  });
  if (trace) result.trace = analyse(await context.browser().stopTracing());
  return { page, result };
}

const TRACE_CATEGORIES = ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'toplevel', 'v8.execute'];

/** From a Chrome trace: the top-level tasks on renderer main threads that ran content.js. */
function analyse(buffer) {
  const { traceEvents } = JSON.parse(buffer.toString());
  const main = new Set(
    traceEvents.filter((e) => e.name === 'thread_name' && e.args?.name === 'CrRendererMain').map((e) => `${e.pid}:${e.tid}`),
  );
  const onMain = traceEvents.filter((e) => main.has(`${e.pid}:${e.tid}`) && e.ph === 'X');
  const tasks = onMain.filter((e) => e.name === 'RunTask' || e.name === 'ThreadControllerImpl::RunTask').sort((a, b) => a.ts - b.ts);
  const ours = onMain.filter((e) => JSON.stringify(e.args?.data ?? {}).includes('/content.js'));
  let longest = 0;
  let total = 0;
  const counted = new Set();
  for (const o of ours) {
    const task = tasks.find((t) => t.pid === o.pid && t.tid === o.tid && t.ts <= o.ts && o.ts + (o.dur ?? 0) <= t.ts + t.dur);
    if (!task || counted.has(task)) continue;
    counted.add(task);
    longest = Math.max(longest, task.dur / 1000);
    total += task.dur / 1000;
  }
  return { longest, total, tasks: counted.size };
}

async function insertions(page, count, batches, expected) {
  return page.evaluate(
    async ([html, count, batches, expected]) => {
      const box = document.querySelector('[data-testid="issue-timeline"]');
      const before = window.__bench.badges.length;
      const per = count / batches;
      const start = performance.now();
      let inserted = 0;
      for (let b = 0; b < batches; b++) {
        const chunk = html.slice(b * per, (b + 1) * per);
        // "Load more": one element per item, appended one by one like a virtualised list.
        for (const item of chunk) {
          const t = document.createElement('template');
          t.innerHTML = item;
          box.append(t.content);
          inserted++;
        }
        await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
      }
      const inserted_at = performance.now();
      const deadline = performance.now() + 10_000;
      while (window.__bench.badges.length - before < expected && performance.now() < deadline) {
        await new Promise((r) => setTimeout(r, 5));
      }
      return { all: performance.now() - start, insertion: inserted_at - start, badges: window.__bench.badges.length - before, inserted };
    },
    [Array.from({ length: count }, (_, i) => timelineItemHtml(1000 + i)), count, batches, expected],
  );
}

function timelineItemHtml(i) {
  return timelineItem(i, login(i % PEOPLE), 'c');
}

/** Serves the heavy page in `context` and records badges in every page of it. */
async function prepare(context, html) {
  const site = await routeTrackers(context);
  site.page(URL_PR, html);
  await context.addInitScript(PROBE);
}

/** The builds in the order of round `run`: alternating, so neither always goes first. */
const inOrder = (builds, run) => (run % 2 ? [...builds].reverse() : builds);

/**
 * The worker's read and match of a team cache of `size` members, per build: see the header.
 * Leaves each build's team as it found it.
 */
async function teamRoundTrips(builds, runs, size) {
  const cache = team(size);
  const kib = JSON.stringify(cache).length / 1024;
  for (const b of builds) {
    await b.ext.setStorage('local', { team: cache });
    b.teamPage = (await load(b.ext.context, b.expected)).page;
    b.shim = await contentWorld(b.ext, b.teamPage);
    // Keep the shim's next full render request, then make the worker ask for one: a changed
    // team cache makes it tell every tab, and the shim renders again from scratch.
    // The shim posts each request on a port of its own (builds before that sent it with
    // runtime.sendMessage: kept from either).
    await b.shim.evaluate(`(() => {
      const runtime = chrome.runtime;
      const keep = (message) => {
        if (message?.render?.fresh) globalThis.__render = message;
      };
      const send = runtime.sendMessage.bind(runtime);
      runtime.sendMessage = (message, ...rest) => (keep(message), send(message, ...rest));
      const connect = runtime.connect.bind(runtime);
      runtime.connect = (...args) => {
        const port = connect(...args);
        const post = port.postMessage.bind(port);
        port.postMessage = (message) => (keep(message), post(message));
        return port;
      };
    })()`);
    await b.ext.setStorage('local', { team: { ...cache, cursor: cache.cursor + 1 } });
    b.descriptors = await poll(
      () => b.shim.evaluate('globalThis.__render && JSON.parse(__render.render.descriptors).length'),
      "the shim's render request",
    );
    b.dropped = [];
    b.kept = [];
  }
  const roundTrip = (fresh) => `(async () => {
    const message = { render: { ...__render.render, fresh: ${fresh} } };
    const start = performance.now();
    const reply = await chrome.runtime.sendMessage(message);
    return { ms: performance.now() - start, mounts: reply?.rendered?.mounts?.length ?? -1 };
  })()`;
  for (let run = 0; run < runs; run++) {
    for (const b of inOrder(builds, run)) {
      b.dropped.push(await b.shim.evaluate(roundTrip(true)));
      b.kept.push(await b.shim.evaluate(roundTrip(false)));
    }
  }
  for (const b of builds) {
    await b.shim.detach();
    await b.teamPage.close();
    await b.ext.setStorage('local', { team: team(PEOPLE / 2) });
    const mounts = new Set([...b.dropped, ...b.kept].map((r) => r.mounts));
    const times = (xs) => xs.map((r) => r.ms);
    console.log(
      `${b.prefix}worker read and match of a ${size.toLocaleString('en')}-member team cache (${kib.toFixed(0)} KiB as JSON; the page's ${b.descriptors} descriptors, ${[...mounts].join('/')} mounts in the reply), render request to reply, ${runs} of each: snapshot dropped (read + match) ${ms(median(times(b.dropped)))} (max ${ms(max(times(b.dropped)))}); snapshot kept (match alone) ${ms(median(times(b.kept)))} (max ${ms(max(times(b.kept)))})`,
    );
  }
}

/** A Chromium like the builds' (launchExtension's flags), with `extension` loaded or none. */
async function launchChromium(userDataDir, extension) {
  const load = extension ? [`--disable-extensions-except=${extension}`, `--load-extension=${extension}`] : [];
  return chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    ignoreDefaultArgs: extension ? ['--disable-extensions'] : [],
    args: [...load, '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** Writes the floor extension into `dir`: StandIn's content-script entry (matches, run_at)
 *  with an empty script, and nothing else. */
async function writeFloor(dir) {
  const [entry] = manifestFor('chrome', '1').content_scripts;
  const manifest = { manifest_version: 3, name: 'Empty content script', version: '1', content_scripts: [{ ...entry, js: ['empty.js'] }] };
  await writeFile(path.join(dir, 'manifest.json'), JSON.stringify(manifest));
  await writeFile(path.join(dir, 'empty.js'), '');
}

/** Fails unless an extension's content script ran on the page in `context` (Chromium creates
 *  its isolated world, whose origin is the extension's): an arm that silently loaded no
 *  extension would measure nothing. */
async function assertContentScriptRuns(context) {
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  const worlds = [];
  cdp.on('Runtime.executionContextCreated', ({ context: c }) => {
    if (c.auxData?.type === 'isolated' && c.origin.startsWith('chrome-extension://')) worlds.push(c);
  });
  await cdp.send('Runtime.enable');
  await page.goto(URL_PR, { waitUntil: 'load' });
  await poll(() => worlds.length > 0, "the empty content script's world");
  await cdp.detach();
  await page.close();
}

/** The worker's start marks (extension/background.js), in ms on the clock of the page whose
 *  performance.timeOrigin is `origin`, with `created` for the worker's own time origin. */
async function workerMarks(ext, origin) {
  return (await ext.worker()).evaluate((pageOrigin) => {
    const at = (t) => performance.timeOrigin + t - pageOrigin;
    const marks = { created: at(0) };
    for (const m of performance.getEntriesByType('mark')) {
      if (m.name.startsWith('standin:')) marks[m.name.slice('standin:'.length)] = at(m.startTime);
    }
    return marks;
  }, origin);
}

/** The cold path's stages of one load (ms), or null for a build without the marks. */
function coldStages({ result, marks }) {
  if (!marks?.['first-answer']) return null;
  return {
    wake: marks.created - result.dclStart,
    start: marks.script - marks.created,
    wasm: marks.wasm - marks.script,
    startBackground: marks.ready - marks.wasm,
    teamRead: marks['first-answer'] - marks['first-message'],
    render: result.lastBadge - marks['first-answer'],
    answeredFromLoad: marks['first-answer'] - result.load,
  };
}

async function main() {
  const opts = options(process.argv.slice(2));
  const html = heavyPage();
  const dirs = [];
  const builds = [];
  let plain = null;
  let floor = null;
  try {
    for (const { label, dir: source } of opts.dists) {
      // A copy: a rebuild during the run must not change what is measured.
      const dir = await mkdtemp(path.join(os.tmpdir(), 'standin-bench-'));
      dirs.push(dir);
      await cp(source, dir, { recursive: true });
      const ext = await launchExtension({ dir });
      builds.push({ label, ext, prefix: opts.dists.length > 1 ? `[${label}] ` : '' });
      await prepare(ext.context, html);
      await ext.workerReady();
      await ext.setStorage('local', { team: team(PEOPLE / 2) });
    }
    const [plainDir, floorDir, floorExt] = await Promise.all(
      ['plain', 'floor', 'floor-ext'].map((name) => mkdtemp(path.join(os.tmpdir(), `standin-bench-${name}-`))),
    );
    dirs.push(plainDir, floorDir, floorExt);
    plain = await launchChromium(plainDir, null);
    await prepare(plain, html);
    await writeFloor(floorExt);
    floor = await launchChromium(floorDir, floorExt);
    await prepare(floor, html);
    await assertContentScriptRuns(floor);

    // How many badges the page gets: learnt from a first (warm-up) load.
    for (const b of builds) {
      const first = await load(b.ext.context, 1);
      await first.page.waitForTimeout(1000);
      b.expected = await first.page.evaluate(() => window.__bench.badges.length);
      await first.page.close();
      b.cdp = await b.ext.context.newCDPSession(await b.ext.context.newPage());
      await b.cdp.send('ServiceWorker.enable');
      b.warm = [];
      b.cold = [];
      b.stages = [];
    }
    const people = new Set(Array.from({ length: ITEMS }, (_, i) => (i * 7) % PEOPLE)).size;
    console.log(`page: ${ITEMS} timeline items, ${people} distinct commenters (${PEOPLE} people in all), ${PEOPLE / 2} teammates, ${(html.length / 1024).toFixed(0)} KiB of HTML; badges: ${builds.map((b) => `${b.prefix}${b.expected}`).join(', ')}`);

    const off = [];
    const floorLoads = [];
    const arms = [{ context: plain, loads: off }, { context: floor, loads: floorLoads }, ...builds];
    for (let run = 0; run < opts.runs; run++) {
      for (const arm of inOrder(arms, run)) {
        if (arm.loads) {
          const r = await load(arm.context, 0);
          arm.loads.push(r.result);
          await r.page.close();
          continue;
        }
        const b = arm;
        // Warm worker (the previous load woke it).
        let r = await load(b.ext.context, b.expected, { trace: run === 0 });
        b.warm.push(r.result);
        await r.page.close();
        // Cold: the worker is stopped and must start (module instantiation, storage read). The
        // traced round's marks are left out of the breakdown, as tracing slows it.
        await b.cdp.send('ServiceWorker.stopAllWorkers');
        r = await load(b.ext.context, b.expected, { trace: run === 0 });
        b.cold.push(r.result);
        if (run > 0) b.stages.push(coldStages({ result: r.result, marks: await workerMarks(b.ext, r.result.origin) }));
        await r.page.close();
      }
    }

    const fromDcl = (xs) => xs.map((x) => x.lastBadge - x.dcl);
    const fromLoad = (xs) => xs.map((x) => x.lastBadge - x.load);
    const loadOff = median(off.map((x) => x.load));
    const loadFloor = median(floorLoads.map((x) => x.load));
    const over = (x, base) => `${x >= base ? '+' : ''}${(((x - base) / base) * 100).toFixed(1)} %`;
    const lt = (xs) => max(xs.flatMap((x) => x.longTasks));
    console.log(`\nruns: ${opts.runs} of each, alternating (median, max); machine load (uptime): ${os.loadavg().map((x) => x.toFixed(2)).join(', ')} on ${os.cpus().length} cores`);
    console.log(`page load (loadEventEnd) without any extension ${ms(loadOff)}; with the empty content script (the floor) ${ms(loadFloor)} (${over(loadFloor, loadOff)}); long tasks (> 50 ms) max ${ms(lt(off))} / ${ms(lt(floorLoads))}`);
    for (const { prefix, warm, cold, stages } of builds) {
      console.log(`${prefix}all badges attached, warm worker: ${ms(median(fromDcl(warm)))} after DOMContentLoaded (max ${ms(max(fromDcl(warm)))}), ${ms(median(fromLoad(warm)))} after load (max ${ms(max(fromLoad(warm)))})   budget 50 ms`);
      console.log(`${prefix}all badges attached, cold worker: ${ms(median(fromDcl(cold)))} after DOMContentLoaded (max ${ms(max(fromDcl(cold)))}), ${ms(median(fromLoad(cold)))} after load (max ${ms(max(fromLoad(cold)))})   budget 250 ms`);
      const known = stages.filter(Boolean);
      if (known.length) {
        const stage = (name) => ms(median(known.map((x) => x[name])));
        console.log(
          `${prefix}cold path, median of ${known.length} (worker marks on the page's clock): wake ${stage('wake')} (DOMContentLoaded to the worker's global), worker start ${stage('start')} (to the loader's first line), wasm instantiation ${stage('wasm')}, start_background ${stage('startBackground')}, team-cache read ${stage('teamRead')} (the plan request's answer), render ${stage('render')} (plan answered to all badges: scan, render round trip and match, draw after load); the plan was answered ${stage('answeredFromLoad')} from the load event`,
        );
      }
      const loadOn = median(warm.map((x) => x.load));
      const loadCold = median(cold.map((x) => x.load));
      console.log(`${prefix}page load (loadEventEnd): with StandIn ${ms(loadOn)} (${over(loadOn, loadFloor)} over the floor, ${over(loadOn, loadOff)} over none), with a cold worker ${ms(loadCold)} (${over(loadCold, loadFloor)} over the floor)   budget 5 % over the floor`);
      console.log(`${prefix}long tasks (> 50 ms) seen by the page: without StandIn max ${ms(lt(off))}, with max ${ms(lt([...warm, ...cold]))}`);
      for (const [label, xs] of [['warm', warm], ['cold', cold]]) {
        const t = xs[0].trace;
        console.log(`${prefix}StandIn's main-thread tasks on one ${label} load (trace): ${t.tasks} tasks, longest ${ms(t.longest)}, total ${ms(t.total)}   budget: none > 50 ms`);
      }
    }

    // Incremental insertions on a decorated page.
    const newBadges = Array.from({ length: 1000 }, (_, i) => isTeammate(i % PEOPLE)).filter(Boolean).length;
    for (const [batches, label] of [[1, 'one batch of 1,000'], [10, '10 batches of 100 ("load more")']]) {
      const offPage = await load(plain, 0);
      const without = await insertions(offPage.page, 1000, batches, 0);
      await offPage.page.close();
      for (const b of builds) {
        const on = await load(b.ext.context, b.expected);
        await b.ext.context.browser().startTracing(on.page, { categories: TRACE_CATEGORIES });
        const withExt = await insertions(on.page, 1000, batches, newBadges);
        const trace = analyse(await b.ext.context.browser().stopTracing());
        console.log(
          `${b.prefix}1,000 insertions, ${label}: ${withExt.badges} new badges attached ${ms(withExt.all)} after the first insertion; the insertions and the frames after them took ${ms(withExt.insertion)} (without StandIn ${ms(without.insertion)}); tasks running StandIn: ${trace.tasks}, ${ms(trace.total)} in all (the page's insertions included), longest ${ms(trace.longest)}`,
        );
        await on.page.close();
      }
    }

    // The worker's read and match: the 1,000-member team, and the page's own team to compare.
    for (const size of [BIG_TEAM, PEOPLE / 2]) await teamRoundTrips(builds, opts.teamRuns, size);
  } finally {
    for (const b of builds) await b.ext.close();
    await plain?.close();
    await floor?.close();
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  }
}

await main();
