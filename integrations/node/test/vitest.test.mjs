// Runs the vitest suite in test/vitest (ddbd.mjs's globalSetup and ddbd-each.mjs) as a user runs
// it, and checks what it must show: every test passes because each starts from the snapshot, the
// workers share one server in namespaces of their own, and without the restore the same tests fail.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { assertNoRestoreFails, assertSharedServer, runSuite } from './suite_checks.mjs';

const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'vitest');
const vitest = path.join(dir, '../../node_modules/.bin/vitest');
// the runner's own choice of pool and worker count, as a user's command line gives it
const run = (env, args = ['--maxWorkers', '2', '--minWorkers', '2']) =>
  runSuite([vitest, 'run', '--config', 'vitest.config.mjs', '--reporter', 'json', ...args], dir, env);

test('every test starts from the snapshot, the workers sharing one server in their own namespaces', () => {
  assert.equal(assertSharedServer(run()), 2);
});

// more workers than this machine has CPUs, on each pool: every worker the runner starts has a
// namespace (globalSetup reads the count from vitest's config), not only the first few
for (const pool of ['forks', 'threads']) {
  test(`eight workers on the ${pool} pool, more than the CPUs, each in a namespace of its own`, () => {
    const workers = assertSharedServer(run({}, ['--pool', pool, '--maxWorkers', '8', '--minWorkers', '8']));
    assert.ok(workers > os.availableParallelism(), `${workers} workers ran tests on ${os.availableParallelism()} CPUs`);
  });
}

test('a whole-store restore on the shared server would reset the other worker mid-test', () => {
  const { status, report } = run({ DDBD_WHOLE_STORE: '1' });
  assert.equal(status, 1);
  assert.ok(report.numFailedTests >= 1);
});

test('without the restore, a test sees the tests before it in its namespace', () => {
  assertNoRestoreFails(run({ DDBD_NO_RESTORE: '1' }), 2);
});

test('a missing binary fails the run saying so', () => {
  const r = spawnSync(vitest, ['run', '--config', 'vitest.config.mjs'],
    { cwd: dir, encoding: 'utf8', env: { ...process.env, DDBD_BIN: '/nonexistent/ddbd' } });
  assert.equal(r.status, 1);
  assert.match(r.stdout + r.stderr, /ddbd did not start: spawn \/nonexistent\/ddbd ENOENT/);
});

// DDBD_USAGE_SUMMARY=1: the global teardown prints what the run would cost (issue 53), on stderr
// (stdout is the reporter's). Worked by hand: each of the 24 tests scans users (alice, 7 bytes:
// 0.5 read unit, eventually consistent), puts its own item (1 write unit) and reads it back (0.5);
// each namespace's seed puts alice (1 write unit). globalSetup makes max(2 workers, CPUs - 1)
// namespaces. $0.125 and $0.625 a million read and write units.
test('DDBD_USAGE_SUMMARY=1 prints the run\'s cost a table at the end', () => {
  const { status, stderr } = run({ DDBD_USAGE_SUMMARY: '1' });
  assert.equal(status, 0, stderr);
  const namespaces = Math.max(2, os.availableParallelism() - 1);
  assert.match(stderr, /^ddbd usage: what this run's requests would cost in DynamoDB \(us-east-1 prices, docs\/usage\.md\)$/m);
  const users = stderr.split('\n').find((l) => l.startsWith('users ')).trim().split(/\s+/);
  assert.deepEqual(users.slice(1, 3).map(Number), [24, 24 + namespaces]);
  assert.ok(Math.abs(Number(users[3]) - (24 * 0.125e-6 + (24 + namespaces) * 0.625e-6)) < 1e-8);
  assert.ok(stderr.split('\n').some((l) => /^total\s+24\s/.test(l)));
});

// DDBD_USAGE_JSON=PATH: the global teardown writes the run's report (issue 64), the namespaces
// added up by table name: per test a Scan, a PutItem and a GetItem; per namespace the seed's PutItem.
test('DDBD_USAGE_JSON writes the run\'s report, which ddb usage diff reads', () => {
  const out = path.join(os.tmpdir(), `ddbd-usage-${process.pid}.json`);
  const { status, stderr } = run({ DDBD_USAGE_JSON: out });
  assert.equal(status, 0, stderr);
  const namespaces = Math.max(2, os.availableParallelism() - 1);
  const report = JSON.parse(fs.readFileSync(out, 'utf8'));
  const users = report.tables.filter((t) => t.table === 'users');
  assert.equal(users.length, 1);
  assert.deepEqual([users[0].requests, users[0].readUnits, users[0].writeUnits], [3 * 24 + namespaces, 24, 24 + namespaces]);
  assert.deepEqual(Object.fromEntries(users[0].operations.map((o) => [o.operation, o.requests])),
    { PutItem: 24 + namespaces, Scan: 24, GetItem: 24 });
  const ddb = path.join(path.dirname(process.env.DDBD_BIN), 'ddb');
  const diff = spawnSync(ddb, ['usage', 'diff', out, out], { encoding: 'utf8' });
  assert.equal(diff.status, 0, diff.stderr);
  assert.match(diff.stdout, new RegExp(`\\| requests \\| ${3 * 24 + namespaces} \\| ${3 * 24 + namespaces} \\| 0 \\|`));
  fs.unlinkSync(out);
});

test('no summary unless asked', () => {
  const { status, stderr } = run();
  assert.equal(status, 0, stderr);
  assert.doesNotMatch(stderr, /ddbd usage:/);
});
