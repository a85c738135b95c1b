// Runs the vitest suite in test/vitest (ddbd.mjs's globalSetup and ddbd-each.mjs) as a user runs
// it, and checks what it must show: every test passes because each starts from the snapshot, the
// workers share one server in namespaces of their own, and without the restore the same tests fail.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
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
