// Runs the jest suite in test/jest (ddbd.mjs's globalSetup, ddbd-teardown.mjs and ddbd-each.mjs)
// as a user runs it, and checks what it must show: every test passes because each starts from the
// snapshot, the workers share one server in namespaces of their own, without the restore the same
// tests fail, and the teardown stops the server.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { assertNoRestoreFails, assertSharedServer, runSuite } from './suite_checks.mjs';

const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'jest');
const jest = path.join(dir, '../../node_modules/jest/bin/jest.js');
// a fresh cache each run: with the timings of an earlier run under a second a file, jest would run
// the files in band, in one worker
const run = (env, workers = 2) => runSuite([process.execPath, '--experimental-vm-modules', jest, '-c', 'jest.config.mjs',
  '--json', `--maxWorkers=${workers}`, '--cacheDirectory', mkdtempSync(path.join(os.tmpdir(), 'ddbd-jest-cache-'))],
  dir, env);

test('every test starts from the snapshot, the workers sharing one server in their own namespaces', () => {
  assert.equal(assertSharedServer(run()), 2);
});

// more workers than this machine has CPUs: every worker jest starts has a namespace (globalSetup
// reads --maxWorkers from jest's globalConfig)
test('eight workers, more than the CPUs, each in a namespace of its own', () => {
  const workers = assertSharedServer(run({}, 8));
  assert.ok(workers > os.availableParallelism(), `${workers} workers ran tests on ${os.availableParallelism()} CPUs`);
});

test('without the restore, a test sees the tests before it in its namespace', () => {
  assertNoRestoreFails(run({ DDBD_NO_RESTORE: '1' }), 2);
});

test('the teardown stops the server', async () => {
  const result = run();
  assert.equal(result.status, 0);
  await assert.rejects(fetch(result.rows[0].endpoint));   // nothing answers any more
});

// DDBD_USAGE_SUMMARY=1: ddbd-teardown.mjs prints the run's cost before it stops the server, on
// stderr (--json's report is stdout). The figures as vitest.test.mjs works them: 24 tests of 1 read
// and 1 write unit each, and a seed write in each of max(2 workers, CPUs - 1) namespaces.
test('DDBD_USAGE_SUMMARY=1: the teardown prints the run\'s cost a table', () => {
  const { status, stderr } = run({ DDBD_USAGE_SUMMARY: '1' });
  assert.equal(status, 0, stderr);
  const users = stderr.split('\n').find((l) => l.startsWith('users ')).trim().split(/\s+/);
  assert.deepEqual(users.slice(1, 3).map(Number), [24, 24 + Math.max(2, os.availableParallelism() - 1)]);
});
