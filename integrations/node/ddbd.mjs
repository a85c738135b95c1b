// ddbd.mjs: start ddbd for a JavaScript test run, and reset it to a known state before each test.
//
//   startDdbd()          one `ddbd --in-memory --admin --port 0` on loopback: resolves once it
//                        answers GET / with 200 (the port is read from its "listening on" line).
//   globalSetup({seed})  a vitest or jest globalSetup: ONE server for the run (--namespaces), and a
//                        namespace per worker the runner may start, whatever its pool (its clients
//                        use region `ddbd-w<N>`), each seeded by `seed(endpoint, region)` and saved
//                        as a snapshot of that namespace alone.
//   ddbd-each.mjs        the setup file that restores the worker's namespace before every test:
//                        the other workers' namespaces are left alone and keep serving.
//   seedFrom(endpoint, region, paths, { params })
//                        the tables (and items) of seed files, infrastructure code included
//                        (CloudFormation, SAM, CDK's cdk.out, `terraform show -json`: docs/seeding.md),
//                        created in one namespace; globalSetup({ templates, params }) does it for
//                        every worker's before its `seed`.
//   faults(endpoint, [...]) injected faults (listFaults, clearFaults): docs/testing.md.
//   clock(endpoint)      the server's clock: freeze(), run(), advance(ms), set(ms), now(), state();
//                        startDdbd({ clock: 'frozen' }) / globalSetup({ clock: 'frozen' }) start it
//                        stopped (docs/testing.md, "The frozen clock").
//   usageSummary(endpoint) what the run's requests would cost in DynamoDB (GET /ddbd/usage,
//                        docs/usage.md), a line a table (the workers' namespaces added up); the
//                        global teardown prints it on stderr when DDBD_USAGE_SUMMARY=1.
//   usageReport(endpoint) the same report with the workers' namespaces added up by table name,
//                        shaped as GET /ddbd/usage's; the global teardown writes it to the file
//                        DDBD_USAGE_JSON names, for `ddb usage diff BASE.json HEAD.json`.
import { execFile, spawn } from 'node:child_process';
import { createHash, createHmac } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import os from 'node:os';

export const SNAPSHOT = 'ddbd-test-baseline';
const ACCOUNT = '000000000000';   // the account of any credentials without --auth
const LISTENING = /listening on http:\/\/[^ ]*:(\d+)/;

async function admin(endpoint, method, path, body) {
  // JSON, as ddbd's doors take every change (a text/plain POST could come from any web page)
  const res = await fetch(endpoint + path, { method, body: body && JSON.stringify(body),
    headers: { 'content-type': 'application/json' } });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`ddbd ${method} ${path}: ${res.status} ${text}`);
  return JSON.parse(text);
}

// namespace: "<account>:<region>" saves that namespace alone; absent, the whole store.
export const snapshot = (endpoint, name = SNAPSHOT, namespace = undefined) =>
  admin(endpoint, 'POST', '/ddbd/snapshots', namespace === undefined ? { name } : { name, namespace });
export const restore = (endpoint, name = SNAPSHOT) => admin(endpoint, 'POST', `/ddbd/snapshots/${name}/restore`);

// Injected faults (docs/testing.md, "Injected faults"): faults(endpoint, [{ operation: 'PutItem',
// table: 'Orders', error: 'InternalServerError', count: 3 }], { seed }) adds them and resolves to those
// in force, each with its `remaining` count and the times it was `injected` (listFaults reads them,
// clearFaults removes them all). They are the whole server's, every namespace's: a worker's test
// names its own tables, and a test that sets some clears them when it ends.
export const faults = (endpoint, list, { seed } = {}) =>
  admin(endpoint, 'POST', '/ddbd/faults', seed === undefined ? { faults: list } : { faults: list, seed })
    .then((a) => a.faults);
export const listFaults = (endpoint) => admin(endpoint, 'GET', '/ddbd/faults').then((a) => a.faults);
export const clearFaults = (endpoint) => admin(endpoint, 'DELETE', '/ddbd/faults').then(() => undefined);

// The server's clock (docs/admin.md, "The clock"; POST/GET /ddbd/clock): frozen, nothing that
// depends on it happens by itself (TTL, index lag, stale reads, replication lag, capacity refill,
// fault windows); a step answers after every background worker ran what came due meanwhile, in
// time order. Times are ms since the epoch; each call resolves to the clock's time after it.
// It is the whole server's, every worker's namespace included.
let frozeRunningClock = false;   // this worker's test froze a clock that ran: ddbd-each.mjs runs it again
export function clock(endpoint = process.env.DDBD_ENDPOINT) {
  const move = (body) => admin(endpoint, 'POST', '/ddbd/clock', body).then((a) => a.now);
  const state = () => admin(endpoint, 'GET', '/ddbd/clock');   // { now, offset, frozen }
  return {
    state,
    now: () => state().then((a) => a.now),
    async freeze() {
      if (!(await state()).frozen) frozeRunningClock = true;
      return move({ freeze: true });
    },
    run() { frozeRunningClock = false; return move({ run: true }); },
    advance: (ms) => move({ advance: Math.trunc(ms) }),
    set: (ms) => move({ set: Math.trunc(ms) }),
  };
}
// After each test (ddbd-each.mjs): a clock the test froze on a server started running runs again.
export async function clockAfterTest(endpoint = process.env.DDBD_ENDPOINT) {
  if (frozeRunningClock) await clock(endpoint).run();
}

export async function waitReady(endpoint, deadline = Date.now() + 10000) {
  while (Date.now() < deadline) {
    try {
      if ((await fetch(endpoint + '/')).status === 200) return;
    } catch { /* not serving yet: the line comes just before the loops start */ }
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error(`ddbd at ${endpoint} did not answer GET / in time`);
}

// clock: 'running' (the default), 'frozen' or 'frozen@MS' (ddbd --clock: stopped from the start).
export function startDdbd({ bin = process.env.DDBD_BIN || 'ddbd', args = [], clock = 'running', timeoutMs = 10000 } = {}) {
  const argv = ['--in-memory', '--admin', '--host', '127.0.0.1', '--port', '0',
    ...(clock === 'running' ? [] : ['--clock', clock]), ...args];
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

// One DynamoDB request as JSON, signed (SigV4, any credentials) for `region`: the members whatever
// an SDK's version knows. Resolves to the answer; rejects with the API's error.
export async function ddbRequest(endpoint, region, op, request) {
  const body = JSON.stringify(request), url = new URL(endpoint);
  const amzDate = new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, ''), day = amzDate.slice(0, 8);
  const headers = { 'content-type': 'application/x-amz-json-1.0', host: url.host, 'x-amz-date': amzDate,
    'x-amz-target': `DynamoDB_20120810.${op}` };
  const names = Object.keys(headers).sort(), hash = (t) => createHash('sha256').update(t).digest('hex');
  const canonical = ['POST', '/', '', ...names.map((n) => `${n}:${headers[n]}`), '', names.join(';'), hash(body)].join('\n');
  const scope = `${day}/${region}/dynamodb/aws4_request`;
  const hmac = (key, text) => createHmac('sha256', key).update(text).digest();
  const key = ['dynamodb', 'aws4_request'].reduce(hmac, hmac(hmac('AWS4local', day), region));
  const signature = createHmac('sha256', key).update(`AWS4-HMAC-SHA256\n${amzDate}\n${scope}\n${hash(canonical)}`).digest('hex');
  const res = await fetch(endpoint + '/', { method: 'POST', body, headers: { ...headers,
    authorization: `AWS4-HMAC-SHA256 Credential=local/${scope}, SignedHeaders=${names.join(';')}, Signature=${signature}` } });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`ddbd ${op} ${request.TableName || ''}: ${res.status} ${text}`);
  return JSON.parse(text);
}

// The requests `ddbd --seed-requests` prints for seed files (read as --seed reads them), sent to
// one namespace (region) in order. params: the templates' parameters ({ Stage: 'test' }). omit:
// operations not to send, each named on stderr (a namespace snapshot cannot hold a table with
// point-in-time recovery on: ['UpdateContinuousBackups'] for the per-worker snapshots).
export async function seedFrom(endpoint, region, paths, { params = {}, omit = [], bin = process.env.DDBD_BIN || 'ddbd' } = {}) {
  const argv = [...[].concat(paths).flatMap((p) => ['--seed-requests', p]),
    ...Object.entries(params).flatMap(([k, v]) => ['--seed-param', `${k}=${v}`])];
  const out = await new Promise((resolve, reject) => execFile(bin, argv, { maxBuffer: 1 << 30 }, (err, stdout, stderr) =>
    err ? reject(new Error(`ddbd: the seed was refused:\n${stderr || err.message}`)) : resolve(stdout)));
  for (const line of out.split('\n').filter(Boolean)) {
    const { op, request, replica } = JSON.parse(line);
    // (a replica in another region: a worker's namespace is one region's)
    if (omit.includes(op) || replica) console.error(`ddbd seedFrom: ${op} of ${request.TableName} not sent (${replica ? `replica in ${replica}` : 'omit'})`);
    else await ddbRequest(endpoint, region, op, request);
  }
}

// The worker's number: vitest numbers its workers VITEST_POOL_ID, jest JEST_WORKER_ID, from 1.
const workerId = () => Number(process.env.VITEST_POOL_ID || process.env.JEST_WORKER_ID || 1);
// The worker's region, so its namespace: its clients must use it (tables are per region).
export const ddbdRegion = (id = workerId()) => `ddbd-w${id}`;
export const ddbdSnapshot = (id = workerId()) => `${SNAPSHOT}-${ddbdRegion(id)}`;

// Eventual consistency for `table` (docs/testing.md, "Eventual consistency"): its GSIs see a write
// indexLagMs later (a number, or "MIN-MAX" drawn per write), its eventually consistent reads may miss
// writes younger than staleReadsMs; the same seed, the same draws. In the worker's namespace (region
// null: the table of that name in every namespace); all 0 turns it off.
export const consistency = (endpoint, table, { indexLagMs = 0, staleReadsMs = 0, seed } = {}, region = ddbdRegion()) =>
  admin(endpoint, 'POST', '/ddbd/consistency', {
    table: region === null ? table : `${ACCOUNT}:${region}|${table}`, indexLagMs, staleReadsMs,
    ...(seed === undefined ? {} : { seed }),
  });

// The run's server, checking that globalSetup seeded this worker's namespace.
export function ddbdEndpoint() {
  const endpoint = process.env.DDBD_ENDPOINT;
  const workers = Number(process.env.DDBD_WORKERS || 0);
  if (!endpoint) throw new Error('no ddbd server: add ddbd globalSetup to the test runner config');
  if (workerId() > workers) {   // its namespace would be empty: no seed, no snapshot to restore
    throw new Error(`worker ${workerId()} has no ddbd namespace: globalSetup seeded ${workers} (the runner's ` +
                    'maxWorkers as its config said, or globalSetup({ workers }))');
  }
  return endpoint;
}

// The most workers the runner may start, read from what it hands a global setup: vitest's context
// ({ config }: maxWorkers, or the pool's own maxThreads/maxForks, which win over it) or jest's
// globalConfig (maxWorkers, --maxWorkers resolved). 0 when called otherwise.
function runnerWorkers(arg) {
  const c = arg && arg.config ? arg.config : arg;
  if (!c || typeof c !== 'object') return 0;
  const p = c.poolOptions || {};
  const counts = [c.maxWorkers, p.threads?.maxThreads, p.forks?.maxForks, p.vmThreads?.maxThreads, p.vmForks?.maxForks];
  return Math.max(0, ...counts.filter(Number.isFinite));
}

// workers: at least this many namespaces (default: the runner's own count, whatever its pool, and
// never fewer than its default of one less than the CPUs), so that every worker it starts has one.
// templates (with params): seed files and infrastructure code every namespace starts from (seedFrom).
// clock: 'frozen' (or 'frozen@MS') starts the server's clock stopped, for every worker (startDdbd).
export function globalSetup({ seed = async () => {}, workers = 0, templates = [], params = {}, omit = [], ...opts } = {}) {
  return async function setup(runnerConfig) {
    const count = Math.max(workers, runnerWorkers(runnerConfig), os.availableParallelism() - 1, 1);
    // the workers' regions (ddbd-w1, ...) are no AWS region: --regions serves them beside AWS's
    const server = await startDdbd({ ...opts, args: ['--namespaces', '--regions', 'aws,ddbd-*', ...(opts.args || [])] });
    await Promise.all(Array.from({ length: count }, async (_, i) => {
      if (templates.length > 0) await seedFrom(server.endpoint, ddbdRegion(i + 1), templates, { params, omit, bin: opts.bin });
      await seed(server.endpoint, ddbdRegion(i + 1));
      await snapshot(server.endpoint, ddbdSnapshot(i + 1), `${ACCOUNT}:${ddbdRegion(i + 1)}`);
    }));
    process.env.DDBD_ENDPOINT = server.endpoint;
    process.env.DDBD_WORKERS = String(count);
    globalThis.__ddbdServer = server;   // jest: read by globalTeardown in the same process
    return globalTeardown;              // vitest: the teardown is what setup returns
  };
}

const MONTH_SECONDS = 730 * 3600;   // as docs/usage.md's month

// The cost report as a short table: a line a table name (its namespaces' figures added up: each
// worker has its own copy of the seed's tables), then the total. A namespace's restore keeps a
// table's figures, so the report at the end holds the whole run, the seeds included.
export async function usageSummary(endpoint = process.env.DDBD_ENDPOINT) {
  const report = await admin(endpoint, 'GET', '/ddbd/usage');
  const rows = new Map();
  const total = { read: 0, write: 0, cost: 0, peak: 0 };
  for (const t of report.tables) {
    const row = rows.get(t.table) || { read: 0, write: 0, cost: 0, peak: 0 };
    const add = { read: t.readUnits, write: t.writeUnits, cost: t.cost, peak: t.provisionedAtPeak?.monthlyCost || 0 };
    for (const k of Object.keys(total)) {
      row[k] += add[k];
      total[k] += add[k];
    }
    rows.set(t.table, row);
  }
  const pad = (v, n) => String(v).padStart(n);
  const line = (name, r) => name.slice(0, 28).padEnd(28) + pad(r.read, 13) + pad(r.write, 13) +
    pad(r.cost.toFixed(8), 15) + pad((r.cost * MONTH_SECONDS / report.windowSeconds).toFixed(6), 15) +
    pad(r.peak.toFixed(6), 17);
  return [`ddbd usage: what this run's requests would cost in DynamoDB (${report.region} prices, docs/usage.md)`,
    'table'.padEnd(28) + pad('read units', 13) + pad('write units', 13) + pad('on-demand $', 15) +
      pad('$ a month', 15) + pad('provisioned $/mo', 17),
    ...[...rows.keys()].sort().map((name) => line(name, rows.get(name))), line('total', total)].join('\n') + '\n';
}

// What adds up in a table, an operation or an access pattern.
const ADDED = ['requests', 'readUnits', 'writeUnits', 'cost', 'monthlyCost'];

// Adds `from`'s figures into the element of `into` named `from[key]` (made when missing).
function addInto(into, key, from) {
  let row = into.find((r) => r[key] === from[key]);
  if (!row) into.push(row = { [key]: from[key], ...Object.fromEntries(ADDED.map((k) => [k, 0])) });
  for (const k of ADDED) row[k] += from[k] || 0;
  return row;
}

// The cost report with each table's namespaces (a worker's copy of the seed's tables each) added
// up by table name, shaped as GET /ddbd/usage's: what `ddb usage diff` compares (docs/usage.md,
// "Per test and per pull request"). A namespace's restore keeps a table's figures, so the report
// at the end holds the whole run.
export async function usageReport(endpoint = process.env.DDBD_ENDPOINT) {
  const report = await admin(endpoint, 'GET', '/ddbd/usage');
  const tables = [];
  for (const t of report.tables) {
    const row = addInto(tables, 'table', t);
    row.operations ||= [];
    row.accessPatterns ||= [];
    for (const o of t.operations || []) addInto(row.operations, 'operation', o);
    for (const p of t.accessPatterns || []) addInto(row.accessPatterns, 'pattern', p);
  }
  const per1000 = (r) => { if (r.requests > 0) r.costPer1000Requests = r.cost / r.requests * 1000; };
  for (const t of tables) [t, ...t.operations, ...t.accessPatterns].forEach(per1000);
  const seen = new Set();
  const warnings = (report.warnings || []).filter((w) => {   // one a rule and table name
    const id = `${w.warning} ${w.table} ${w.index || ''}`;
    return !seen.has(id) && seen.add(id);
  });
  return { ...report, tables: tables.sort((a, b) => a.table.localeCompare(b.table)), warnings };
}

const summaryWanted = () => !['', '0', undefined].includes(process.env.DDBD_USAGE_SUMMARY);

export async function globalTeardown() {
  const server = globalThis.__ddbdServer;
  if (server && summaryWanted()) process.stderr.write(await usageSummary(server.endpoint));
  if (server && process.env.DDBD_USAGE_JSON) {
    await writeFile(process.env.DDBD_USAGE_JSON, JSON.stringify(await usageReport(server.endpoint), null, 1));
  }
  if (server) await server.stop();
}
