// A global table replica's throughput settings through the AWS SDK for JavaScript v3 (botocore 1.29
// has no OnDemandThroughputOverride): ReplicaUpdates' OnDemandThroughputOverride in Create and
// Update sets the replica's own read maximum (the API reference: only MaxReadRequestUnits is a
// replica's own, write maximums are shared), shown in the other regions' Replicas[] and in the
// replica's OnDemandThroughput; -1 in an Update removes it. A new replica takes the table's
// OnDemandThroughput and WarmThroughput. docs/compatibility.md, "Global tables", says what is not
// kept in step.
//
// Starts its own `ddbd --in-memory --namespaces` ($DDBD_BIN) on a free loopback port.
// Run: cd tests/js && DDBD_BIN=... node --test replica_throughput.test.mjs
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';

import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  UpdateTableCommand,
} from '@aws-sdk/client-dynamodb';

import { rejects, startServer, stopServer } from './helpers.mjs';

const EAST = 'us-east-1';
const WEST = 'us-west-2';
const OUT_OF_RANGE = 'One or more parameter values were invalid: Requested MaxReadRequestUnits for '
  + 'OnDemandThroughput for table is outside of valid range';

let server;
const clients = {};
let seq = 0;

before(async () => {
  server = await startServer(['--in-memory', '--namespaces']);
  for (const region of [EAST, WEST]) {
    clients[region] = new DynamoDBClient({
      endpoint: server.endpoint,
      region,
      credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
      maxAttempts: 1,
    });
  }
});

after(async () => {
  assert.equal(await stopServer(server), 0);
});

const uniq = (prefix) => `${prefix}_${process.pid}_${++seq}`;

/** An on-demand table in EAST with these maximums and warm throughput. */
async function makeTable(OnDemandThroughput, WarmThroughput) {
  const TableName = uniq('rtp');
  await clients[EAST].send(new CreateTableCommand({
    TableName,
    AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
    KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
    BillingMode: 'PAY_PER_REQUEST',
    ...(OnDemandThroughput ? { OnDemandThroughput } : {}),
    ...(WarmThroughput ? { WarmThroughput } : {}),
  }));
  return TableName;
}

/** The table in `region`, each of its Replicas[] without its ReplicaArn once that is checked. */
async function describe(region, TableName) {
  const t = (await clients[region].send(new DescribeTableCommand({ TableName }))).Table;
  for (const r of t.Replicas || []) {
    assert.match(r.ReplicaArn, new RegExp(`^arn:aws:dynamodb:${r.RegionName}:\\d{12}:table/${TableName}$`));
    delete r.ReplicaArn;
  }
  return t;
}

/** Waits until the table is ACTIVE in both regions with every replica ACTIVE. */
async function waitActive(TableName) {
  const deadline = Date.now() + 10000;
  for (;;) {
    const both = [await describe(EAST, TableName), await describe(WEST, TableName).catch(() => null)];
    if (both.every((t) => t && t.TableStatus === 'ACTIVE' && (t.Replicas || []).every((r) => r.ReplicaStatus === 'ACTIVE'))) {
      return both;
    }
    assert.ok(Date.now() < deadline, `not ACTIVE: ${JSON.stringify(both)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function replicaUpdate(TableName, action, body) {
  return clients[EAST].send(new UpdateTableCommand({ TableName, ReplicaUpdates: [{ [action]: body }] }));
}

test('Create: the override is the replica\'s read maximum, the rest is the table\'s', async () => {
  const name = await makeTable({ MaxReadRequestUnits: 100, MaxWriteRequestUnits: 200 },
    { ReadUnitsPerSecond: 15000, WriteUnitsPerSecond: 5000 });
  await replicaUpdate(name, 'Create', { RegionName: WEST, OnDemandThroughputOverride: { MaxReadRequestUnits: 50 } });
  const [east, west] = await waitActive(name);
  assert.deepEqual(east.Replicas, [{ RegionName: WEST, ReplicaStatus: 'ACTIVE',
    OnDemandThroughputOverride: { MaxReadRequestUnits: 50 } }]);
  assert.deepEqual(east.OnDemandThroughput, { MaxReadRequestUnits: 100, MaxWriteRequestUnits: 200 });
  assert.deepEqual(west.OnDemandThroughput, { MaxReadRequestUnits: 50, MaxWriteRequestUnits: 200 });
  assert.deepEqual(west.WarmThroughput, { ReadUnitsPerSecond: 15000, WriteUnitsPerSecond: 5000, Status: 'ACTIVE' });
  // the source has no override of its own
  assert.deepEqual(west.Replicas, [{ RegionName: EAST, ReplicaStatus: 'ACTIVE' }]);
});

test('Create without an override: the replica takes the table\'s maximums', async () => {
  const name = await makeTable({ MaxWriteRequestUnits: 300 });
  await replicaUpdate(name, 'Create', { RegionName: WEST });
  const [east, west] = await waitActive(name);
  assert.deepEqual(east.Replicas, [{ RegionName: WEST, ReplicaStatus: 'ACTIVE' }]);
  assert.deepEqual(west.OnDemandThroughput, { MaxWriteRequestUnits: 300 });
});

test('Update sets the override, and -1 removes it', async () => {
  const name = await makeTable({ MaxReadRequestUnits: 100, MaxWriteRequestUnits: 200 });
  await replicaUpdate(name, 'Create', { RegionName: WEST });
  await waitActive(name);
  await replicaUpdate(name, 'Update', { RegionName: WEST, OnDemandThroughputOverride: { MaxReadRequestUnits: 75 } });
  let [east, west] = await waitActive(name);
  assert.deepEqual(east.Replicas[0].OnDemandThroughputOverride, { MaxReadRequestUnits: 75 });
  assert.deepEqual(west.OnDemandThroughput, { MaxReadRequestUnits: 75, MaxWriteRequestUnits: 200 });
  await replicaUpdate(name, 'Update', { RegionName: WEST, OnDemandThroughputOverride: { MaxReadRequestUnits: -1 } });
  [east, west] = await waitActive(name);
  assert.deepEqual(east.Replicas, [{ RegionName: WEST, ReplicaStatus: 'ACTIVE' }]);
  assert.deepEqual(west.OnDemandThroughput, { MaxReadRequestUnits: 100, MaxWriteRequestUnits: 200 });
});

test('an override out of range is refused, and nothing is made', async () => {
  const name = await makeTable();
  for (const units of [0, -1, -5]) {
    await rejects(replicaUpdate(name, 'Create', { RegionName: WEST, OnDemandThroughputOverride: { MaxReadRequestUnits: units } }),
      'ValidationException', OUT_OF_RANGE);
  }
  assert.equal((await describe(EAST, name)).Replicas, undefined);
  await replicaUpdate(name, 'Create', { RegionName: WEST });
  await waitActive(name);
  for (const units of [0, -2]) {
    await rejects(replicaUpdate(name, 'Update', { RegionName: WEST, OnDemandThroughputOverride: { MaxReadRequestUnits: units } }),
      'ValidationException', OUT_OF_RANGE);
  }
  assert.deepEqual((await describe(EAST, name)).Replicas, [{ RegionName: WEST, ReplicaStatus: 'ACTIVE' }]);
});
