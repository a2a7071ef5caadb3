// Popup loader: instantiate the wasm module, then Rust renders into <main id="app">.
// body[data-standin] says how far it got ("ready" or "failed"); tests wait for it.
import init, { start_popup } from './standin.js';

try {
  await init();
  await start_popup();
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
