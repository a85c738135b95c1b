// Kinesis streaming destinations through the AWS SDK for JavaScript v3: Enable, Disable, Update and
// Describe KinesisStreamingDestination with DynamoDB's rules and messages, and the change records
// delivered to kinesalite (a local Kinesis, from npm: tests/kinesis/package.json), read back with
// @aws-sdk/client-kinesis and checked one by one: the record format, INSERT/MODIFY/REMOVE with
// their images, the order of each item's records, the precision, nothing lost while the Kinesis
// endpoint is down or after ddbd is killed with SIGKILL, nothing delivered after Disable.
//
// Starts its own kinesalite and `ddbd --data-dir` (DDBD_BIN) on free loopback ports.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import {
  DeleteItemCommand, DescribeKinesisStreamingDestinationCommand, DescribeTableCommand,
  DisableKinesisStreamingDestinationCommand, EnableKinesisStreamingDestinationCommand, PutItemCommand,
  UpdateItemCommand, UpdateKinesisStreamingDestinationCommand, UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';

import { createTable, freePort, makeClients, rejects, sleep, startServer, stopServer } from './helpers.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const kinesisDir = path.join(here, '..', 'kinesis');
const require = createRequire(path.join(kinesisDir, 'package.json'));
const {
  CreateStreamCommand, DescribeStreamCommand, GetRecordsCommand, GetShardIteratorCommand, KinesisClient,
} = require('@aws-sdk/client-kinesis');
const { NodeHttpHandler } = require('@smithy/node-http-handler');

const STATE = 'Table is not in a valid state to enable Kinesis Streaming Destination: ';
const MUST_BE_DISABLED = `${STATE}EnableKinesisStreamingDestination must be DISABLED or ENABLE_FAILED to perform ENABLE operation.`;
const MUST_BE_ACTIVE = `${STATE}KinesisStreamingDestination must be ACTIVE to perform DISABLE operation.`;

let kinesalite; // { proc, port }
let kinesisPort;
let kinesisPath;
let kinesis;
let server;
let client;
let dataDir;

async function startKinesalite() {
  const proc = spawn(process.execPath, [path.join(kinesisDir, 'node_modules', 'kinesalite', 'cli.js'),
    '--port', String(kinesisPort), '--path', kinesisPath, '--createStreamMs', '0', '--deleteStreamMs', '0'],
  { stdio: ['ignore', 'pipe', 'pipe'] });
  await new Promise((resolve, reject) => {
    proc.stdout.on('data', (d) => { if (/Listening/.test(d)) resolve(); });
    proc.once('exit', (code) => reject(new Error(`kinesalite exited ${code}`)));
  });
  return proc;
}

function stopKinesalite() {
  return new Promise((resolve) => {
    kinesalite.once('exit', resolve);
    kinesalite.kill('SIGKILL');
  });
}

async function startDdbd() {
  server = await startServer(['--data-dir', dataDir, '--kinesis-endpoint', `http://127.0.0.1:${kinesisPort}`,
    '--ttl-interval', '1']);
  ({ client } = makeClients(server.endpoint));
}

async function createStream(name, shards = 2) {
  await kinesis.send(new CreateStreamCommand({ StreamName: name, ShardCount: shards }));
  for (let i = 0; i < 100; i++) {
    const d = await kinesis.send(new DescribeStreamCommand({ StreamName: name }));
    if (d.StreamDescription.StreamStatus === 'ACTIVE') return d.StreamDescription.StreamARN;
    await sleep(20);
  }
  throw new Error(`stream ${name} never ACTIVE`);
}

/** Every record of the stream, each shard read from its start; [{data, partitionKey, shard}]. */
async function readStream(name) {
  const d = await kinesis.send(new DescribeStreamCommand({ StreamName: name }));
  const out = [];
  for (const shard of d.StreamDescription.Shards) {
    let { ShardIterator: it } = await kinesis.send(new GetShardIteratorCommand({
      StreamName: name, ShardId: shard.ShardId, ShardIteratorType: 'TRIM_HORIZON',
    }));
    for (;;) {
      const r = await kinesis.send(new GetRecordsCommand({ ShardIterator: it }));
      for (const rec of r.Records) {
        out.push({ data: JSON.parse(Buffer.from(rec.Data).toString()), partitionKey: rec.PartitionKey, shard: shard.ShardId });
      }
      if (r.Records.length === 0) break;
      it = r.NextShardIterator;
    }
  }
  return out;
}

/** Waits until the stream holds at least n records; resolves to them. */
async function waitRecords(name, n, ms = 60000) { // real deliveries: a deadline for a loaded machine
  const deadline = Date.now() + ms;
  for (;;) {
    const recs = await readStream(name);
    if (recs.length >= n || Date.now() > deadline) return recs;
    await sleep(50);
  }
}

async function destinations(TableName) {
  const d = await client.send(new DescribeKinesisStreamingDestinationCommand({ TableName }));
  return d.KinesisDataStreamDestinations;
}

async function waitStatus(TableName, StreamArn, status, ms = 60000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const dest = (await destinations(TableName)).find((x) => x.StreamArn === StreamArn);
    if (dest?.DestinationStatus === status || Date.now() > deadline) return dest;
    await sleep(20);
  }
}

const enable = (TableName, StreamArn, precision) => client.send(new EnableKinesisStreamingDestinationCommand({
  TableName, StreamArn,
  ...(precision ? { EnableKinesisStreamingConfiguration: { ApproximateCreationDateTimePrecision: precision } } : {}),
}));
const disable = (TableName, StreamArn) => client.send(new DisableKinesisStreamingDestinationCommand({ TableName, StreamArn }));
const update = (TableName, StreamArn, precision) => client.send(new UpdateKinesisStreamingDestinationCommand({
  TableName, StreamArn,
  ...(precision ? { UpdateKinesisStreamingConfiguration: { ApproximateCreationDateTimePrecision: precision } } : {}),
}));
const put = (TableName, pk, v) => client.send(new PutItemCommand({ TableName, Item: { pk: { S: pk }, v: { N: String(v) } } }));

/** The records of one item, in the order its shard holds them (Kinesis keeps a partition key's order). */
function ofItem(recs, pk) {
  return recs.filter((r) => r.data.dynamodb.Keys.pk.S === pk);
}

before(async () => {
  kinesisPort = await freePort();
  kinesisPath = fs.mkdtempSync(path.join(os.tmpdir(), 'kinesalite-'));
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ddbd-kinesis-'));
  kinesalite = await startKinesalite();
  kinesis = new KinesisClient({
    endpoint: `http://127.0.0.1:${kinesisPort}`, region: 'us-east-1', requestHandler: new NodeHttpHandler(),
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
  });
  await startDdbd();
});

after(async () => {
  client?.destroy();
  kinesis?.destroy();
  const code = await stopServer(server);
  if (kinesalite) await stopKinesalite();
  fs.rmSync(dataDir, { recursive: true, force: true });
  fs.rmSync(kinesisPath, { recursive: true, force: true });
  assert.equal(code, 0, `ddbd did not exit 0 on SIGTERM (${code}): ${server?.stderr()}`);
});

describe('rules and messages', () => {
  const arn = 'arn:aws:kinesis:us-east-1:000000000000:stream/never-made-stream';

  test('a missing table is ResourceNotFoundException, for each operation', async () => {
    const msg = 'Requested resource not found: Table: no_such_table not found';
    await rejects(enable('no_such_table', arn), 'ResourceNotFoundException', msg);
    await rejects(disable('no_such_table', arn), 'ResourceNotFoundException', msg);
    await rejects(update('no_such_table', arn, 'MICROSECOND'), 'ResourceNotFoundException', msg);
    await rejects(destinations('no_such_table'), 'ResourceNotFoundException', msg);
  });

  test('StreamArn shorter than 37 and a precision outside the enum are ValidationException', async () => {
    const t = await createTable(client, 'kds_rules');
    await rejects(enable(t, 'arn:aws:kinesis:short'), 'ValidationException',
      "1 validation error detected: Value 'arn:aws:kinesis:short' at 'streamArn' failed to satisfy constraint: "
      + 'Member must have length greater than or equal to 37');
    await rejects(enable(t, arn, 'SECOND'), 'ValidationException',
      "1 validation error detected: Value 'SECOND' at 'enableKinesisStreamingConfiguration.approximateCreationDateTimePrecision' "
      + 'failed to satisfy constraint: Member must satisfy enum value set: [MILLISECOND, MICROSECOND]');
    await rejects(update(t, arn, 'HOUR'), 'ValidationException',
      "1 validation error detected: Value 'HOUR' at 'updateKinesisStreamingConfiguration.approximateCreationDateTimePrecision' "
      + 'failed to satisfy constraint: Member must satisfy enum value set: [MILLISECOND, MICROSECOND]');
  });

  test('Disable and Update of a stream never enabled', async () => {
    const t = await createTable(client, 'kds_rules');
    assert.deepEqual(await destinations(t), []);
    await rejects(disable(t, arn), 'ValidationException', MUST_BE_ACTIVE);
    await rejects(update(t, arn, 'MICROSECOND'), 'ValidationException',
      `${STATE}No streaming destination with streamArn: ${arn} found for table with tableName: ${t}`);
  });

  test('a stream Kinesis does not have fails ENABLE_FAILED later, as DynamoDB (never synchronously)', async () => {
    const t = await createTable(client, 'kds_missing');
    const got = await enable(t, arn);
    assert.equal(got.DestinationStatus, 'ENABLING');
    const dest = await waitStatus(t, arn, 'ENABLE_FAILED');
    assert.deepEqual(dest, { StreamArn: arn, DestinationStatus: 'ENABLE_FAILED',
      DestinationStatusDescription: 'User does not have a permission to use kinesis stream' });
    await rejects(disable(t, arn), 'ValidationException', MUST_BE_ACTIVE);
    const other = 'arn:aws:kinesis:eu-west-1:000000000000:stream/elsewhere-stream';
    await enable(t, other);
    assert.equal((await waitStatus(t, other, 'ENABLE_FAILED')).DestinationStatusDescription,
      'The kinesis Arn used to enable kinesis replication belongs to a stream which is not in the current region');
    assert.equal((await destinations(t)).length, 2);
  });
});

describe('delivery', () => {
  let table;
  let arn;
  const stream = `ddb_changes_${process.pid}`;

  test('Enable answers ENABLING, Describe goes to ACTIVE; one live destination per table', async () => {
    table = await createTable(client, 'kds_items');
    arn = await createStream(stream);
    const got = await enable(table, arn);
    assert.equal(got.TableName, table);
    assert.equal(got.StreamArn, arn);
    assert.equal(got.DestinationStatus, 'ENABLING');
    assert.deepEqual(got.EnableKinesisStreamingConfiguration, {});
    const dest = await waitStatus(table, arn, 'ACTIVE');
    assert.deepEqual(dest, { StreamArn: arn, DestinationStatus: 'ACTIVE' });
    await rejects(enable(table, arn), 'ValidationException', MUST_BE_DISABLED);
    const second = await createStream(`${stream}_2`, 1);
    await rejects(enable(table, second, 'MICROSECOND'), 'ValidationException', MUST_BE_DISABLED);
    const { Table } = await client.send(new DescribeTableCommand({ TableName: table }));
    await rejects(update(table, arn, 'MILLISECOND'), 'ValidationException',
      `Invalid Request: Precision is already set to the desired value of MILLISECOND for tableId: ${Table.TableId}, kdsArn: ${arn}`);
    await rejects(update(table, arn), 'ValidationException',
      'Streaming destination cannot be updated with given parameters: UpdateKinesisStreamingConfiguration cannot be null or contain only null values');
  });

  test('INSERT, MODIFY and REMOVE records in DynamoDB\'s format, each item\'s in order', async () => {
    const before = Date.now();
    for (let i = 0; i < 5; i++) await put(table, `item${i}`, 1);
    for (let i = 0; i < 5; i++) {
      await client.send(new UpdateItemCommand({
        TableName: table, Key: { pk: { S: `item${i}` } }, UpdateExpression: 'SET v = v + :one',
        ExpressionAttributeValues: { ':one': { N: '1' } },
      }));
    }
    await client.send(new DeleteItemCommand({ TableName: table, Key: { pk: { S: 'item0' } } }));
    await put(table, 'item1', 1); // rewritten with what it had before the update: a MODIFY back
    await put(table, 'item2', 2); // the same item again: no change, no record (as Streams)
    const recs = await waitRecords(stream, 12);
    assert.equal(recs.length, 12);
    const first = recs.find((r) => r.data.eventName === 'INSERT' && r.data.dynamodb.Keys.pk.S === 'item3');
    assert.deepEqual(Object.keys(first.data).sort(),
      ['awsRegion', 'dynamodb', 'eventID', 'eventName', 'eventSource', 'recordFormat', 'tableName', 'userIdentity']);
    assert.equal(first.data.awsRegion, 'us-east-1');
    assert.equal(first.data.eventSource, 'aws:dynamodb');
    assert.equal(first.data.recordFormat, 'application/json');
    assert.equal(first.data.tableName, table);
    assert.equal(first.data.userIdentity, null);
    assert.match(first.data.eventID, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    assert.match(first.partitionKey, /^[0-9A-F]{32}$/);
    const dyn = first.data.dynamodb;
    assert.equal(dyn.ApproximateCreationDateTimePrecision, 'MILLISECOND');
    assert.ok(dyn.ApproximateCreationDateTime >= before - 1000 && dyn.ApproximateCreationDateTime <= Date.now() + 1000,
      `ApproximateCreationDateTime ${dyn.ApproximateCreationDateTime} is not in ms`);
    assert.deepEqual(dyn.Keys, { pk: { S: 'item3' } });
    assert.deepEqual(dyn.NewImage, { pk: { S: 'item3' }, v: { N: '1' } });
    assert.equal(dyn.OldImage, undefined);
    assert.equal(typeof dyn.SizeBytes, 'number');

    const item0 = ofItem(recs, 'item0').map((r) => r.data);
    assert.deepEqual(item0.map((r) => r.eventName), ['INSERT', 'MODIFY', 'REMOVE']);
    assert.deepEqual(item0[1].dynamodb.OldImage, { pk: { S: 'item0' }, v: { N: '1' } });
    assert.deepEqual(item0[1].dynamodb.NewImage, { pk: { S: 'item0' }, v: { N: '2' } });
    assert.deepEqual(item0[2].dynamodb.OldImage, { pk: { S: 'item0' }, v: { N: '2' } });
    assert.equal(item0[2].dynamodb.NewImage, undefined);
    const item1 = ofItem(recs, 'item1').map((r) => r.data);
    assert.deepEqual(item1.map((r) => r.eventName), ['INSERT', 'MODIFY', 'MODIFY']);
    assert.deepEqual(item1.map((r) => r.dynamodb.NewImage.v.N), ['1', '2', '1']);
    // one item, one partition key, one shard
    for (let i = 0; i < 5; i++) assert.equal(new Set(ofItem(recs, `item${i}`).map((r) => r.partitionKey)).size, 1);
    assert.equal(new Set(recs.map((r) => r.data.eventID)).size, 12);
  });

  test('Update changes the precision: UPDATING, then ACTIVE, and records in microseconds', async () => {
    const got = await update(table, arn, 'MICROSECOND');
    assert.deepEqual({ ...got, $metadata: undefined }, {
      $metadata: undefined, TableName: table, StreamArn: arn, DestinationStatus: 'UPDATING',
      UpdateKinesisStreamingConfiguration: { ApproximateCreationDateTimePrecision: 'MICROSECOND' },
    });
    const dest = await waitStatus(table, arn, 'ACTIVE');
    assert.deepEqual(dest, { StreamArn: arn, DestinationStatus: 'ACTIVE', ApproximateCreationDateTimePrecision: 'MICROSECOND' });
    await put(table, 'micro', 1);
    const rec = ofItem(await waitRecords(stream, 13), 'micro')[0].data.dynamodb;
    assert.equal(rec.ApproximateCreationDateTimePrecision, 'MICROSECOND');
    assert.ok(rec.ApproximateCreationDateTime > Date.now() * 100, `${rec.ApproximateCreationDateTime} is not in µs`);
  });

  test('the Kinesis endpoint stopped and started again mid-way: nothing lost, order kept, still ACTIVE', async () => {
    await stopKinesalite();
    for (let i = 0; i < 20; i++) await put(table, `down${i % 4}`, i);
    await sleep(300);
    assert.equal((await destinations(table))[0].DestinationStatus, 'ACTIVE');
    kinesalite = await startKinesalite();
    const recs = await waitRecords(stream, 33);
    assert.equal(recs.length, 33);
    for (let k = 0; k < 4; k++) {
      assert.deepEqual(ofItem(recs, `down${k}`).map((r) => Number(r.data.dynamodb.NewImage.v.N)),
        [0, 1, 2, 3, 4].map((j) => j * 4 + k));
    }
  });

  test('ddbd killed with SIGKILL mid-way: the records committed before are delivered after the restart', async () => {
    await stopKinesalite(); // nothing can be delivered before the kill
    for (let i = 0; i < 10; i++) await put(table, `crash${i % 2}`, i);
    server.proc.kill('SIGKILL');
    await new Promise((r) => server.proc.once('exit', r));
    client.destroy();
    kinesalite = await startKinesalite();
    await startDdbd();
    const recs = await waitRecords(stream, 43);
    assert.equal(recs.length, 43);
    for (let k = 0; k < 2; k++) {
      assert.deepEqual(ofItem(recs, `crash${k}`).map((r) => Number(r.data.dynamodb.NewImage.v.N)),
        [0, 1, 2, 3, 4].map((j) => j * 2 + k));
    }
    assert.equal((await destinations(table))[0].DestinationStatus, 'ACTIVE');
  });

  test('Disable: DISABLING, then DISABLED; later changes are not delivered; Enable again reuses the entry', async () => {
    await put(table, 'last', 1);
    const got = await disable(table, arn);
    assert.equal(got.DestinationStatus, 'DISABLING');
    assert.equal(got.StreamArn, arn);
    assert.deepEqual(await waitStatus(table, arn, 'DISABLED'), { StreamArn: arn, DestinationStatus: 'DISABLED' });
    await rejects(disable(table, arn), 'ValidationException', MUST_BE_ACTIVE);
    await rejects(update(table, arn, 'MILLISECOND'), 'ValidationException',
      `${STATE}Kinesis streaming is not in ACTIVE state. Updates are only allowed in ACTIVE state. TableName: ${table}, kdsArn: ${arn}`);
    await put(table, 'after_disable', 1);
    await sleep(500);
    const recs = await readStream(stream);
    assert.equal(recs.length, 44); // 'last' went out before DISABLED; 'after_disable' never does
    assert.equal(ofItem(recs, 'after_disable').length, 0);
    const again = await enable(table, arn, 'MILLISECOND');
    assert.deepEqual(again.EnableKinesisStreamingConfiguration, { ApproximateCreationDateTimePrecision: 'MILLISECOND' });
    await waitStatus(table, arn, 'ACTIVE');
    assert.equal((await destinations(table)).length, 1);
  });
});

describe('deletes by Time to Live', () => {
  test('a TTL delete is a REMOVE whose userIdentity is the service', async () => {
    const table = await createTable(client, 'kds_ttl');
    const stream = `ddb_ttl_${process.pid}`;
    const arn = await createStream(stream, 1);
    await client.send(new UpdateTimeToLiveCommand({
      TableName: table, TimeToLiveSpecification: { AttributeName: 'exp', Enabled: true },
    }));
    await enable(table, arn);
    await waitStatus(table, arn, 'ACTIVE');
    const exp = String(Math.floor(Date.now() / 1000) - 60); // expired a minute ago
    await client.send(new PutItemCommand({ TableName: table, Item: { pk: { S: 'old' }, exp: { N: exp } } }));
    const recs = await waitRecords(stream, 2);
    assert.deepEqual(recs.map((r) => r.data.eventName), ['INSERT', 'REMOVE']);
    assert.equal(recs[0].data.userIdentity, null);
    assert.deepEqual(recs[1].data.userIdentity, { type: 'Service', principalId: 'dynamodb.amazonaws.com' });
    assert.deepEqual(recs[1].data.dynamodb.OldImage, { pk: { S: 'old' }, exp: { N: exp } });
  });
});
