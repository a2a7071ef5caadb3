// The one manifest source for every browser. build.sh runs
//     node extension/manifest.mjs <chrome|firefox> <version>  > dist/<browser>/manifest.json
// and everything that differs between browsers is in `forBrowser` below, nowhere else.

import { pathToFileURL } from 'node:url';

/** Firefox needs a fixed add-on id: storage, the pinned test UUID and updates hang on it. */
export const GECKO_ID = 'standin@standin.dev';

/**
 * The development build's public key: it fixes the id of an unpacked Chrome build to
 * gfphhdbndifanjakdneehfighdkdkokg on every machine, so `standin-server invite` can print a
 * join link (its DEV_EXTENSION_ID). Its private key was thrown away: nothing is signed with it.
 * build.sh leaves it out of dist/standin-chrome.zip, which the Chrome Web Store gives its own
 * id (docs/architecture.md, "A fixed id for the development build").
 */
export const DEV_KEY =
  'MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAu1OlWhkwezZqT5tM7yJUiDtLALmmdLTWFkOTh7OQdc7VYWVEymQSacAgBT5r9hOF0INtU5uDfD6mZsGcf3r/CAM9VbCWeOcO03xZL8QFiHbIGwtZPBEgKBDeGQjvQTVXy0jf4CAKS6tCdh513qis9qSnuvmNbvyt7LVxBUeG3ss4mhhLbu2oHxbKKgkrufCyjKNqpP4w3Sn9RA/q0jcZVGXGcfCMJUi7K/2/JBA9uoNSOtmD2qi0vQ3LexMSMrY6mhJeJUEOCsvxsFFm5v4hEnGHkRcJomxGbJy0AJlNBE8viaHoBPT794KYha3OkvL9p9LGdVocNUO/UaIWt/hhkQIDAQAB';

/** The public trackers' sites, whole (SPA navigation), as content-script match patterns. */
export const TRACKER_MATCHES = [
  'https://github.com/*',
  'https://gitlab.com/*',
  'https://*.atlassian.net/*',
  'https://linear.app/*',
];

/** Fields both browsers read the same way. */
function common(version) {
  return {
    manifest_version: 3,
    name: 'StandIn',
    short_name: 'StandIn',
    description:
      'Declare what you are on, what is blocked and who covers for you; see it on your teammates\u2019 pull requests and tickets.',
    version,
    icons: icons(),
    action: {
      default_title: 'StandIn',
      default_popup: 'popup.html',
      default_icon: icons(),
    },
    options_ui: {
      page: 'options.html',
      open_in_tab: true,
    },
    // storage: team cache and outbox (local), settings and own draft (sync).
    // alarms:  the sync tick and the end-of-day reminder.
    // activeTab, not tabs: "Add this tab" reads the URL and title of the tab the user is on when
    // they open the popup, and the popup can only be opened from the toolbar button or its
    // shortcut, both of which grant activeTab for that tab. `tabs` would show "Read your browsing
    // history" at install time for nothing more. The e2e harness opens the real popup through
    // the toolbar action (CDP Extensions.triggerAction), so tests exercise this same grant.
    // notifications: the end-of-day reminder ("Declare now", "Snooze 30 min"; no install-time
    // warning in either browser).
    // scripting: the content script is registered on the self-hosted trackers (GitHub
    // Enterprise, GitLab, Jira Data Center) the user adds in options, each granted through
    // optional_host_permissions at that moment, never at install. The team server's origin is
    // asked for the same way, when the user clicks Connect in the options' Team section.
    permissions: ['storage', 'alarms', 'activeTab', 'scripting', 'notifications'],
    // The public trackers again, as host permissions: the content scripts' matches alone grant
    // the same access (and the same install-time warning), but Chrome's permissions.contains
    // answers false for them, so the worker could not tell a withdrawn site from a granted one
    // (src/tracker_access.rs). Users can still withdraw them: Firefox in about:addons, Chrome
    // through the extension's site access.
    host_permissions: TRACKER_MATCHES,
    optional_host_permissions: ['https://*/*', 'http://*/*'],
    // The inline context (badges, item banner, activity log): a generic shim that asks the
    // worker what to do (DESIGN.md §1). It matches the whole site, not `/pull/*`: these sites
    // navigate without loading pages, and the worker decides per URL on every navigation.
    // document_end: once the page is parsed, the shim asks for its plan (a stopped worker
    // starts), scans at the page's first idle moment or its load event and draws after the
    // load event (docs/architecture.md). Chromium runs document_idle scripts as late as just
    // before the load event, so on a page still loading images the plan, the scan and the
    // worker's match now overlap that wait. Not document_start: a cold worker's start then
    // overlapped the page's parsing, and page load grew by half on a two-core machine.
    // The self-hosted trackers' registered script runs at the same point (src/wasm/ext.rs).
    content_scripts: [
      {
        matches: TRACKER_MATCHES,
        js: ['content.js'],
        run_at: 'document_end',
      },
    ],
    commands: {
      _execute_action: {
        suggested_key: { default: 'Alt+Shift+S' },
        description: 'Open StandIn',
      },
    },
    // MV3 pages default to script-src 'self'; compiling the wasm module needs 'wasm-unsafe-eval'.
    content_security_policy: {
      extension_pages: "script-src 'self' 'wasm-unsafe-eval'; object-src 'self'",
    },
  };
}

function icons() {
  return {
    16: 'icons/icon-16.png',
    32: 'icons/icon-32.png',
    48: 'icons/icon-48.png',
    128: 'icons/icon-128.png',
  };
}

/** The per-browser differences, and only those. */
function forBrowser(browser) {
  switch (browser) {
    case 'chrome':
      return {
        // A module service worker: the wasm-bindgen glue is imported statically (workers
        // cannot use dynamic import()).
        background: { service_worker: 'background.js', type: 'module' },
        // 120: alarms may fire every 30 s (the sync tick relies on it).
        minimum_chrome_version: '120',
        key: DEV_KEY,
      };
    case 'firefox':
      return {
        // Firefox runs an event page, and refuses a background with only `service_worker`.
        background: { scripts: ['background.js'], type: 'module' },
        browser_specific_settings: {
          gecko: {
            id: GECKO_ID,
            // 140 ESR: MV3 with ES-module background scripts and 'wasm-unsafe-eval' (both
            // older), and data_collection_permissions below (new in 140).
            strict_min_version: '140.0',
            // What leaves the browser goes to the team's own server, which the user configures:
            // their declared state (name, status, notes) and the links and titles of the work
            // items they choose to list.
            data_collection_permissions: {
              required: ['personallyIdentifyingInfo', 'websiteActivity'],
            },
          },
          // Firefox for Android: data_collection_permissions arrived there in 142.
          gecko_android: { strict_min_version: '142.0' },
        },
      };
    default:
      throw new Error(`unknown browser "${browser}" (expected chrome or firefox)`);
  }
}

/** The complete manifest for one browser. */
export function manifestFor(browser, version) {
  if (!/^\d+(\.\d+){0,3}$/.test(version)) {
    // Both stores accept only dotted integers; a Cargo pre-release suffix must not leak in.
    throw new Error(`manifest version must be 1-4 dot-separated integers, got "${version}"`);
  }
  return { ...common(version), ...forBrowser(browser) };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [browser, version] = process.argv.slice(2);
  process.stdout.write(JSON.stringify(manifestFor(browser, version), null, 2) + '\n');
}
