// Loader of the extension pages: instantiate the pages' wasm module (standin_pages), then the page's Rust entry
// (named by <body data-page>) fills and wires the page's markup in <main id="app">.
// body[data-standin] says how far it got ("ready" or "failed"); tests wait for it.
import init, { start_options, start_popup } from './standin_pages.js';

const entries = { popup: start_popup, options: start_options };

try {
  const start = entries[document.body.dataset.page];
  if (!start) throw new Error(`no entry for page "${document.body.dataset.page}"`);
  await init();
  await start();
  document.body.dataset.standin = 'ready';
} catch (err) {
  document.body.dataset.standin = 'failed';
  const app = document.getElementById('app');
  const message = document.createElement('p');
  message.className = 'load-error';
  message.setAttribute('role', 'alert');
  message.textContent = `StandIn could not start: ${err}`;
  app.replaceChildren(message);
  throw err; // keep it in the console and visible to tests as a page error
}
