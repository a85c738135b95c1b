// ddbd.mjs's clock: startDdbd({ clock }) and globalSetup({ clock }) start the server's clock frozen,
// clock(endpoint) steps it (docs/testing.md, "The frozen clock"), and ddbd-each.mjs lets a clock a
// test froze run again after it; test/clock/ run under vitest and jest, frozen and running.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { DescribeTableCommand, DynamoDBClient, CreateTableCommand } from '@aws-sdk/client-dynamodb';
import { clock, startDdbd } from '../ddbd.mjs';
import { runSuite } from './suite_checks.mjs';

const T0 = 1700000000000;
const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'clock');
const vitest = path.join(dir, '../../node_modules/.bin/vitest');
const jest = path.join(dir, '../../node_modules/jest/bin/jest.js');
const passed = (r, n) => { assert.equal(r.status, 0, r.stderr); assert.equal(r.report.numPassedTests, n); };
const vitestRun = (env) => runSuite([vitest, 'run', '--config', 'vitest.config.mjs', '--reporter', 'json',
  '--maxWorkers', '1', '--minWorkers', '1'], dir, env);
const jestRun = (env) => runSuite([process.execPath, '--experimental-vm-modules', jest, '-c', 'jest.config.mjs', '--json',
  '--maxWorkers=1', '--cacheDirectory', mkdtempSync(path.join(os.tmpdir(), 'ddbd-jest-cache-'))], dir, env);

test('startDdbd({ clock: "frozen@T0" }) stands at T0 until a step; each call answers the new time', async () => {
  const server = await startDdbd({ clock: `frozen@${T0}` });
  try {
    const c = clock(server.endpoint);
    assert.deepEqual({ ...(await c.state()), offset: 0 }, { now: T0, offset: 0, frozen: true });
    const db = new DynamoDBClient({ endpoint: server.endpoint, region: 'us-east-1', maxAttempts: 1,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    await db.send(new CreateTableCommand({ TableName: 'things', BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }], KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }] }));
    assert.equal((await db.send(new DescribeTableCommand({ TableName: 'things' }))).Table.CreationDateTime.getTime(), T0);
    assert.equal(await c.advance(1500), T0 + 1500);
    assert.equal(await c.set(T0 + 86400000), T0 + 86400000);
    assert.equal(await c.now(), T0 + 86400000);
    const ran = await c.run();
    assert.equal((await c.state()).frozen, false);
    assert.ok(ran >= T0 + 86400000);
    const at = await c.freeze();
    assert.equal(await c.now(), at);
    await assert.rejects(c.set(-1), { message: 'ddbd POST /ddbd/clock: 400 {"message":"the clock must stay between the '
      + 'epoch and the end of year 9999 (0 to 253402300799999 ms since the epoch)"}' });
  } finally {
    assert.equal(await server.stop(), 0);
  }
});

for (const [runner, run] of [['vitest', vitestRun], ['jest', jestRun]]) {
  test(`${runner}: globalSetup({ clock: "frozen@T0" }) starts the run's server frozen; a step expires a TTL'd item`, () => {
    passed(run({ DDBD_CLOCK: `frozen@${T0}` }), 2);
  });
  test(`${runner}: on a running clock a test freezes it, and it runs again after the test`, () => {
    passed(run({}), 2);
  });
}

test('without ddbd-each.mjs\'s afterEach the clock a test froze stays frozen (the control)', () => {
  const r = vitestRun({ DDBD_RESTORE_ONLY: '1' });
  assert.equal(r.status, 1);
  assert.equal(r.report.numFailedTests, 1);
});
