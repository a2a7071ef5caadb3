// Background loader (Chrome: module service worker; Firefox: module event page).
//
// Every listener is registered synchronously at top level, before anything is awaited: a
// service worker woken by an event only delivers it to listeners that exist when the script's
// first run ends. Each event then waits for the wasm module and start_background, and is
// handed to Rust in arrival order (promise callbacks run in the order they were attached, so
// `ready.then` is the queue); a shim's plan and render requests wait for the module alone
// (`readsOnly` below).
//
// The contract with Rust (src/wasm/):
//   start_background()          called once per worker start, after init; may return a Promise.
//                               Runs alongside plan and render requests, before any other event.
//   handle_event(kind, payload) kind and payload:
//     "installed"        { reason, previousVersion? }   runtime.onInstalled details
//     "startup"          null                            runtime.onStartup
//     "storage_changed"  { area, changes }               storage.onChanged, changes as given
//     "alarm"            { name, scheduledTime, periodInMinutes? }
//     "notification_clicked"  { id }                     notifications.onClicked
//     "notification_button"   { id, button }             notifications.onButtonClicked (Chrome)
//     "permissions_changed"   null                       permissions.onAdded / onRemoved
//     "message"          { message, sender: { id, url, origin, tab_id, frame_id } }
//                        from runtime.sendMessage (the extension's pages), or posted on a port
//                        (the content script: one port a request, see `ask` in content.js)
//   For "message" it returns a Promise; what it resolves to is the reply (sendResponse); a
//   plan reply gets the shadow roots' stylesheet here, as `plan.style`. It
//   answers every message with a value, unknown ones included (an error value), never undefined.
//   If it rejects, the reply is { error: "internal", message } so the sender never hangs.
//   globalThis.standinSecrets   { get(name), set(name, token), forget(name) }, each a Promise:
//                               the bearer tokens (the team server's, each status-mirror
//                               account's), kept below (src/wasm/secret.rs).
// The glue is imported statically: service workers cannot use dynamic import(). The worker
// has a wasm module of its own (standin_worker), built with only the worker's entry points.
import init, { start_background, handle_event } from './standin_worker.js';

const ext = globalThis.browser ?? globalThis.chrome;

// The bearer tokens live in this origin's IndexedDB: content scripts run in the page's origin,
// so no tracker tab can open it, whereas every storage area but `session` is open to them
// (Firefox cannot close storage.local). Plain browser plumbing, so it is here rather than as
// IndexedDB futures in the wasm module (docs/architecture.md, "The token has a home of its own").
let database = null;
function onSecrets(mode, op) {
  database ??= new Promise((resolve, reject) => {
    const open = indexedDB.open('standin', 1);
    open.onupgradeneeded = () => open.result.createObjectStore('secrets');
    open.onsuccess = () => resolve(open.result);
    open.onerror = () => reject(open.error);
  });
  const pending = database.then(
    (db) =>
      new Promise((resolve, reject) => {
        const request = op(db.transaction('secrets', mode).objectStore('secrets'));
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error);
      }),
  );
  pending.catch(() => {
    database = null; // open again next time
  });
  return pending;
}
globalThis.standinSecrets = {
  get: (name) => onSecrets('readonly', (store) => store.get(name)),
  set: (name, token) => onSecrets('readwrite', (store) => store.put(token, name)),
  forget: (name) => onSecrets('readwrite', (store) => store.delete(name)),
};

// User Timing marks of each start, a handful per worker, so they never pile up:
// tests/bench/inline.mjs breaks a cold worker's path down by them.
performance.mark('standin:script');
// The shadow roots' stylesheet (inline.css, src/features/mod.rs `PlanReply` says what it
// holds), read from the package beside the module and added to every plan reply below. As a
// file rather than text compiled into the module it costs the worker's wasm budget nothing.
let style = '';
const styleRead = fetch(ext.runtime.getURL('inline.css'))
  .then((response) => (response.ok ? response.text() : Promise.reject(new Error(`HTTP ${response.status}`))))
  .then(
    (text) => void (style = text),
    (err) => console.error('StandIn: could not read inline.css', err),
  );
const instantiated = Promise.all([init().then(() => void performance.mark('standin:wasm')), styleRead]);
const ready = instantiated.then(() => start_background()).then(() => void performance.mark('standin:ready'));
// For the test harness (worker.evaluate) and the worker's devtools console: resolves once the
// wasm module is instantiated and start_background has finished, rejects if either failed.
globalThis.standinReady = ready;
ready.catch((err) => console.error('StandIn: the wasm module failed to start', err));

/** Hands one event to Rust once the module is ready, or once `after` resolved (marking that
 *  moment as `mark`, if given); returns Rust's result. */
function forward(kind, payload, mark, after = ready) {
  return after.then(() => {
    if (mark) performance.mark(mark);
    return handle_event(kind, payload);
  });
}

/** For events nobody replies to: report failures instead of leaving an unhandled rejection. */
function dispatch(kind, payload) {
  forward(kind, payload).catch((err) => console.error(`StandIn: ${kind} failed`, err));
}

ext.runtime.onInstalled.addListener((details) => {
  dispatch('installed', { reason: details.reason, previousVersion: details.previousVersion });
});

ext.runtime.onStartup.addListener(() => dispatch('startup', null));

ext.storage.onChanged.addListener((changes, area) => dispatch('storage_changed', { area, changes }));

ext.alarms.onAlarm.addListener((alarm) => dispatch('alarm', alarm));

// The end-of-day reminder's notification: a click on it, or on one of its buttons (Chrome only).
// Firefox defines notifications.onButtonClicked without implementing it (using it logs a
// warning), so its presence says nothing; Firefox is the browser with runtime.getBrowserInfo,
// the same test as notification_buttons_supported in src/wasm/ext.rs.
ext.notifications.onClicked.addListener((id) => dispatch('notification_clicked', { id }));
if (typeof ext.runtime.getBrowserInfo !== 'function') {
  ext.notifications.onButtonClicked.addListener((id, button) =>
    dispatch('notification_button', { id, button }),
  );
}

// Tracker access withdrawn or given back (about:addons in Firefox, site access in Chrome, or
// StandIn's own request): the worker checks every tracker again.
ext.permissions.onAdded.addListener(() => dispatch('permissions_changed', null));
ext.permissions.onRemoved.addListener(() => dispatch('permissions_changed', null));

// The first message after a start is marked too: a waking shim's plan request, whose answer
// reads the team cache (src/wasm/inline.rs then keeps it in memory).
let firstMessage = true;

// A shim's plan and render requests only read what src/wasm/inline.rs keeps of storage: a
// waking worker answers them as soon as the module is instantiated. start_background (the
// storage access level, the self-hosted registration, tracker access, sync, the toolbar badge)
// is nothing a page waits for, and on a cold start it took longer than the wasm module.
const readsOnly = (message) => Boolean(message?.plan || message?.render);

/** Rust's reply to one message, or an error reply: the sender never hangs. */
function answer(message, sender) {
  const from = {
    id: sender.id,
    url: sender.url,
    origin: sender.origin,
    tab_id: sender.tab?.id,
    frame_id: sender.frameId,
  };
  const first = firstMessage;
  firstMessage = false;
  const after = readsOnly(message) ? instantiated : ready;
  return forward('message', { message, sender: from }, first && 'standin:first-message', after).then(
    (reply) => {
      if (first) performance.mark('standin:first-answer');
      if (message?.plan && reply?.plan) reply.plan.style = style;
      return reply;
    },
    (err) => {
      console.error('StandIn: message failed', err);
      return { error: 'internal', message: String(err) };
    },
  );
}

ext.runtime.onMessage.addListener((message, sender, sendResponse) => {
  answer(message, sender).then(sendResponse);
  return true; // keeps the channel open for the asynchronous sendResponse
});

ext.runtime.onConnect.addListener((port) => {
  port.onMessage.addListener((message) =>
    answer(message, port.sender).then((reply) => {
      try {
        port.postMessage(reply);
      } catch {
        // The page left before its answer: nobody is waiting for it.
      }
    }),
  );
});
