// ddbd.mjs: start ddbd for a JavaScript test run, and reset it to a known state before each test.
//
//   startDdbd()          one `ddbd --in-memory --admin --port 0` on loopback: resolves once it
//                        answers GET / with 200 (the port is read from its "listening on" line).
//   globalSetup({seed})  a vitest or jest globalSetup: a server per worker (their tests run in
//                        parallel, and a snapshot restore resets a whole store, so workers never
//                        share one), each seeded by `seed(endpoint)` and saved as a snapshot.
//   ddbd-each.mjs        the setup file that restores that snapshot before every test.
import { spawn } from 'node:child_process';
import os from 'node:os';

export const SNAPSHOT = 'ddbd-test-baseline';
const LISTENING = /listening on http:\/\/[^ ]*:(\d+)/;

async function admin(endpoint, method, path, body) {
  const res = await fetch(endpoint + path, { method, body: body && JSON.stringify(body) });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`ddbd ${method} ${path}: ${res.status} ${text}`);
  return JSON.parse(text);
}

export const snapshot = (endpoint, name = SNAPSHOT) => admin(endpoint, 'POST', '/ddbd/snapshots', { name });
export const restore = (endpoint, name = SNAPSHOT) => admin(endpoint, 'POST', `/ddbd/snapshots/${name}/restore`);

export async function waitReady(endpoint, deadline = Date.now() + 10000) {
  while (Date.now() < deadline) {
    try {
      if ((await fetch(endpoint + '/')).status === 200) return;
    } catch { /* not serving yet: the line comes just before the loops start */ }
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error(`ddbd at ${endpoint} did not answer GET / in time`);
}

export function startDdbd({ bin = process.env.DDBD_BIN || 'ddbd', args = [], timeoutMs = 10000 } = {}) {
  const argv = ['--in-memory', '--admin', '--host', '127.0.0.1', '--port', '0', ...args];
  const proc = spawn(bin, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  return new Promise((resolve, reject) => {
    const fail = (why) => { proc.kill('SIGKILL'); reject(new Error(`ddbd did not start: ${why}\n${output}`)); };
    const timer = setTimeout(() => fail(`no "listening" line in ${timeoutMs} ms`), timeoutMs);
    const onData = (chunk) => {
      output += chunk;
      const m = LISTENING.exec(output);
      if (!m) return;
      clearTimeout(timer);
      proc.stderr.off('data', onData);
      proc.stdout.off('data', onData);
      const endpoint = `http://127.0.0.1:${m[1]}`;
      const stop = () => new Promise((done) => {
        if (proc.exitCode !== null) return done(proc.exitCode);
        proc.once('exit', (code) => done(code));
        proc.kill('SIGTERM');
      });
      waitReady(endpoint, Date.now() + timeoutMs).then(() => resolve({ endpoint, proc, stop }),
        (e) => { stop(); reject(e); });
    };
    proc.stderr.setEncoding('utf8').on('data', onData);
    proc.stdout.setEncoding('utf8').on('data', onData);
    proc.on('error', (e) => { clearTimeout(timer); reject(new Error(`ddbd did not start: ${e.message}`)); });
    proc.on('exit', (code) => { clearTimeout(timer); reject(new Error(`ddbd did not start: exit ${code}\n${output}`)); });
  });
}

// The worker's server: vitest numbers its workers VITEST_POOL_ID, jest JEST_WORKER_ID, from 1.
export function ddbdEndpoint() {
  const endpoints = JSON.parse(process.env.DDBD_ENDPOINTS || '[]');
  if (!endpoints.length) throw new Error('no ddbd servers: add ddbd globalSetup to the test runner config');
  const id = Number(process.env.VITEST_POOL_ID || process.env.JEST_WORKER_ID || 1);
  if (id > endpoints.length) {   // sharing a server would let one worker's restore clobber another's test
    throw new Error(`worker ${id} has no ddbd server of its own: globalSetup({ workers }) started ${endpoints.length}; ` +
                    'make it the runner\'s maxWorkers');
  }
  return endpoints[id - 1];
}

// workers: the runner's parallelism (vitest's and jest's default is one fewer than the CPUs).
export function globalSetup({ seed = async () => {}, workers = Math.max(os.availableParallelism() - 1, 1), ...opts } = {}) {
  return async function setup() {
    const servers = await Promise.all(Array.from({ length: workers }, () => startDdbd(opts)));
    await Promise.all(servers.map(async (s) => { await seed(s.endpoint); await snapshot(s.endpoint); }));
    process.env.DDBD_ENDPOINTS = JSON.stringify(servers.map((s) => s.endpoint));
    globalThis.__ddbdServers = servers;   // jest: read by globalTeardown in the same process
    return globalTeardown;                // vitest: the teardown is what setup returns
  };
}

export async function globalTeardown() {
  await Promise.all((globalThis.__ddbdServers || []).map((s) => s.stop()));
}
