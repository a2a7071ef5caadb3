// The real team server for the end-to-end tests: `standin-server` (target/debug, built on
// first use) on a temporary SQLite file and a free loopback port, plus its admin CLI on the
// same database. Stop and start it again on the same port to simulate an outage.
//
//   const server = await TeamServer.start();
//   await server.cli('team', 'create', 'Core');
//   const code = (await server.cli('invite', '--team', 'Core')).trim();
//   await server.stop(); await server.restart();
//   await server.api('GET', '/v1/me', { token });   // { status, body }
//   await server.close();                            // stops it and deletes the database
import { execFile, spawn } from 'node:child_process';
import { access, cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { DIST_CHROME, ROOT } from './harness.mjs';

const run = promisify(execFile);
const TARGET_DIR = process.env.CARGO_TARGET_DIR ?? path.join(ROOT, 'target');
export const SERVER_BIN = path.join(TARGET_DIR, 'debug', 'standin-server');

/** Builds the server binary once per run (cargo is quick when it is up to date). */
async function ensureBuilt() {
  await run('cargo', ['build', '-q', '-p', 'standin-server'], { cwd: ROOT, timeout: 900_000 });
  await access(SERVER_BIN);
}

/**
 * A copy of dist/chrome with http://127.0.0.1/* granted at install: Connect asks for the
 * server's host permission, and headless Chromium cannot show that prompt (the request would
 * wait forever); granted at install, the same permissions.request answers at once. The copy
 * keeps the manifest's development key, so its id is the one join links name. Delete it after.
 */
export async function loopbackBuild() {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'standin-team-ext-'));
  await cp(DIST_CHROME, dir, { recursive: true });
  const file = path.join(dir, 'manifest.json');
  const manifest = JSON.parse(await readFile(file, 'utf8'));
  manifest.host_permissions = [...(manifest.host_permissions ?? []), 'http://127.0.0.1/*'];
  await writeFile(file, JSON.stringify(manifest, null, 2));
  return dir;
}

/** A port nobody listens on right now. */
export async function freePort() {
  const probe = net.createServer();
  await new Promise((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address();
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

export class TeamServer {
  static async start() {
    await ensureBuilt();
    const dir = await mkdtemp(path.join(os.tmpdir(), 'standin-server-'));
    const server = new TeamServer(dir, await freePort());
    await server.restart();
    return server;
  }

  constructor(dir, port) {
    this.dir = dir;
    this.port = port;
    this.url = `http://127.0.0.1:${port}`;
    this.env = {
      ...process.env,
      STANDIN_DATABASE_URL: `sqlite://${path.join(dir, 'standin.db')}`,
      STANDIN_LOG: 'warn,sqlx=warn',
    };
    this.child = null;
  }

  /** Starts `serve` (again) on the same port and database; resolves once /healthz answers. */
  async restart() {
    if (this.child) throw new Error('the server is already running');
    const child = spawn(SERVER_BIN, ['serve', '--listen', `127.0.0.1:${this.port}`], {
      env: this.env,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    this.log = '';
    child.stderr.on('data', (chunk) => {
      this.log += chunk;
    });
    this.child = child;
    this.exited = new Promise((resolve) => child.once('exit', resolve));
    const deadline = Date.now() + 30_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`standin-server exited: ${this.log}`);
      try {
        const res = await fetch(`${this.url}/healthz`);
        if (res.ok) return;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) throw new Error(`standin-server did not start: ${this.log}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** Stops the process (as an outage would) and waits until it is gone. */
  async stop() {
    if (!this.child) return;
    this.child.kill('SIGKILL');
    await this.exited;
    this.child = null;
  }

  /** Runs an admin command on the same database; resolves to its stdout. */
  async cli(...args) {
    const { stdout } = await run(SERVER_BIN, args, { env: this.env, timeout: 60_000 });
    return stdout;
  }

  /** A new one-time invite code for `team` (`--expires` e.g. '1s' for an expired one). */
  async invite(team, expires = '1d') {
    return (await this.cli('invite', '--team', team, '--expires', expires)).trim();
  }

  /** One API request: { status, body } (body parsed when it is JSON). */
  async api(method, pathname, { token, body, headers = {} } = {}) {
    const res = await fetch(`${this.url}${pathname}`, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body ? { 'content-type': 'application/json' } : {}),
        ...headers,
      },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    let parsed = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // not JSON: keep the text
    }
    return { status: res.status, body: parsed };
  }

  async close() {
    await this.stop();
    await rm(this.dir, { recursive: true, force: true });
  }
}
