// StartBulkPutItems, DescribeBulkOperation, ListBulkOperations and CancelBulkOperation through the
// AWS SDK for JavaScript v3 (boto3 1.26 lacks them), with buckets as directories of --export-dir:
// every validation rule and message, a missing table, a missing bucket, ClientToken idempotency,
// cancelling a finished operation, list paging (most recent first), a 50,000-item load equal to its
// source with its GSI and stream, GZIP and ION input, failed items in the report, the
// MaxWriteRequestUnits rate limit, a cancelled load, and a kill -9 mid-load resumed to the exact table.
//
// Starts its own ddbd ($DDBD_BIN) on a free loopback port.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';

import {
  CancelBulkOperationCommand, CreateTableCommand, DeleteTableCommand, DescribeBulkOperationCommand, DescribeTableCommand,
  ListBulkOperationsCommand, PutItemCommand, QueryCommand, RestoreTableFromBackupCommand, ScanCommand,
  StartBulkPutItemsCommand, UpdateTableCommand,
} from '@aws-sdk/client-dynamodb';
import { DescribeStreamCommand, DynamoDBStreamsClient, GetRecordsCommand, GetShardIteratorCommand } from '@aws-sdk/client-dynamodb-streams';

import { createBackup, makeClients, rejects, sleep, startServer, stopServer } from './helpers.mjs';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ddbd-bulk-'));
const exportDir = path.join(dir, 'buckets');
let server;
let client;
let seq = 0;

before(async () => {
  fs.mkdirSync(path.join(exportDir, 'out'), { recursive: true });
  server = await startServer(['--in-memory', '--export-dir', exportDir]);
  ({ client } = makeClients(server.endpoint));
});

after(async () => {
  await stopServer(server);
  fs.rmSync(dir, { recursive: true, force: true });
});


async function table(c = client, extra = {}) {
  const TableName = `bulk_${process.pid}_${++seq}`;
  await c.send(new CreateTableCommand({
    TableName,
    AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
    KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
    BillingMode: 'PAY_PER_REQUEST',
    ...extra,
  }));
  return TableName;
}

/** Writes bucket/prefix objects of DYNAMODB_JSON lines; returns the source items by pk. */
function writeSource(bucket, prefix, count, { objects = 1, gzip = false, bad = [] } = {}) {
  const source = new Map();
  const base = path.join(exportDir, bucket, prefix);
  fs.mkdirSync(base, { recursive: true });
  const per = Math.ceil(count / objects);
  for (let o = 0; o < objects; o++) {
    const lines = [];
    for (let i = o * per; i < Math.min(count, (o + 1) * per); i++) {
      const item = { pk: { S: `k${i}` }, g: { N: String(i % 7) }, v: { S: `value-${i}` } };
      source.set(`k${i}`, item);
      lines.push(JSON.stringify({ Item: item }));
    }
    if (o === 0) lines.push(...bad);
    const text = lines.join('\n') + '\n';
    fs.writeFileSync(path.join(base, `part-${String(o).padStart(3, '0')}.json${gzip ? '.gz' : ''}`),
      gzip ? zlib.gzipSync(text) : text);
  }
  return source;
}

function start(TableName, bucket, prefix, extra = {}) {
  return client.send(new StartBulkPutItemsCommand({
    TableName,
    InputS3Configuration: { S3Bucket: bucket, S3KeyPrefix: prefix, InputFormat: 'DYNAMODB_JSON' },
    OutputS3Configuration: { S3Bucket: 'out', OutputType: ['ERROR'] },
    ...extra,
  }));
}

async function waitDone(arn, c = client, ms = 120000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const d = (await c.send(new DescribeBulkOperationCommand({ BulkOperationArn: arn }))).BulkOperationDescription;
    if (!['IN_PROGRESS', 'CANCELLING'].includes(d.BulkOperationStatus)) return d;
    assert.ok(Date.now() < deadline, `still ${d.BulkOperationStatus}`);
    await sleep(100);
  }
}

async function scanAll(c, TableName, IndexName) {
  const items = [];
  let ExclusiveStartKey;
  do {
    const r = await c.send(new ScanCommand({ TableName, IndexName, ExclusiveStartKey }));
    items.push(...r.Items);
    ExclusiveStartKey = r.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  return items;
}

function assertEqualsSource(items, source) {
  assert.equal(items.length, source.size);
  for (const it of items) assert.deepEqual(it, source.get(it.pk.S));
}

const VE = 'ValidationException';

describe('validation', () => {
  const input = { S3Bucket: 'src', InputFormat: 'DYNAMODB_JSON' };
  const output = { S3Bucket: 'out', OutputType: ['ERROR'] };
  const cases = [
    [{ InputS3Configuration: input, OutputS3Configuration: output, TableName: 't', MaxWriteRequestUnits: 10 },
      "1 validation error detected: Value '10' at 'maxWriteRequestUnits' failed to satisfy constraint: Member must have value greater than or equal to 1024"],
    [{ InputS3Configuration: { ...input, InputFormat: 'CSV' }, OutputS3Configuration: output, TableName: 't' },
      "1 validation error detected: Value 'CSV' at 'inputS3Configuration.inputFormat' failed to satisfy constraint: Member must satisfy enum value set: [DYNAMODB_JSON, ION]"],
    [{ InputS3Configuration: { ...input, InputCompressionType: 'LZ4' }, OutputS3Configuration: output, TableName: 't' },
      "1 validation error detected: Value 'LZ4' at 'inputS3Configuration.inputCompressionType' failed to satisfy constraint: Member must satisfy enum value set: [GZIP, ZSTD, NONE]"],
    [{ InputS3Configuration: input, OutputS3Configuration: { ...output, OutputType: ['ALL'] }, TableName: 't' },
      "1 validation error detected: Value 'ALL' at 'outputS3Configuration.outputType.1.member' failed to satisfy constraint: Member must satisfy enum value set: [ERROR, CONDITION_CHECK_FAILURE]"],
    [{ InputS3Configuration: input, OutputS3Configuration: output, TableName: 't', PerformanceTier: 'FAST' },
      "1 validation error detected: Value 'FAST' at 'performanceTier' failed to satisfy constraint: Member must satisfy enum value set: [STANDARD, ACCELERATED]"],
    [{ InputS3Configuration: input, TableName: 't' },
      "1 validation error detected: Value null at 'outputS3Configuration' failed to satisfy constraint: Member must not be null"],
    [{ InputS3Configuration: input, OutputS3Configuration: output, TableName: '' },
      "1 validation error detected: Value '' at 'tableName' failed to satisfy constraint: Member must have length greater than or equal to 1"],
    // the API reference's patterns (issue 42): S3Bucket, S3BucketOwner [0-9]{12}, ClientToken ^[^\$]+$
    [{ InputS3Configuration: { ...input, S3Bucket: '-bad-' }, OutputS3Configuration: output, TableName: 't' },
      "1 validation error detected: Value '-bad-' at 'inputS3Configuration.s3Bucket' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-z0-9A-Z]+[\\.\\-\\w]*[a-z0-9A-Z]+$"],
    [{ InputS3Configuration: { ...input, S3BucketOwner: 'abc' }, OutputS3Configuration: output, TableName: 't' },
      "1 validation error detected: Value 'abc' at 'inputS3Configuration.s3BucketOwner' failed to satisfy constraint: Member must satisfy regular expression pattern: [0-9]{12}"],
    [{ InputS3Configuration: input, OutputS3Configuration: { ...output, S3BucketOwner: '1234567890123' }, TableName: 't' },
      "1 validation error detected: Value '1234567890123' at 'outputS3Configuration.s3BucketOwner' failed to satisfy constraint: Member must satisfy regular expression pattern: [0-9]{12}"],
    [{ InputS3Configuration: input, OutputS3Configuration: output, TableName: 't', ClientToken: 'a$b' },
      "1 validation error detected: Value 'a$b' at 'clientToken' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[^\\$]+$"],
  ];
  for (const [params, message] of cases) {
    test(message.slice(0, 90), async () => {
      await rejects(client.send(new StartBulkPutItemsCommand(params)), VE, message);
    });
  }

  test('DescribeBulkOperation and CancelBulkOperation: a short ARN', async () => {
    const m = "1 validation error detected: Value 'arn:x' at 'bulkOperationArn' failed to satisfy constraint: Member must have length greater than or equal to 37";
    await rejects(client.send(new DescribeBulkOperationCommand({ BulkOperationArn: 'arn:x' })), VE, m);
    await rejects(client.send(new CancelBulkOperationCommand({ BulkOperationArn: 'arn:x' })), VE, m);
  });

  test('ListBulkOperations: a NextToken it did not give', async () => {
    for (const NextToken of ['garbage', '99999999999999-ffffffff', '0']) {
      await rejects(client.send(new ListBulkOperationsCommand({ NextToken })), VE, 'Invalid NextToken');
    }
  });

  test('ListBulkOperations: MaxResults out of range', async () => {
    await rejects(client.send(new ListBulkOperationsCommand({ MaxResults: 0 })), VE,
      "1 validation error detected: Value '0' at 'maxResults' failed to satisfy constraint: Member must have value greater than or equal to 1");
  });
});

describe('errors', () => {
  test('a missing table', async () => {
    await rejects(start('nope', 'src', 'x/'), 'ResourceNotFoundException',
      'Requested resource not found: Table: nope not found');
  });

  test('an unknown operation', async () => {
    const arn = 'arn:aws:dynamodb:us-east-1:000000000000:table/t/bulk-operation/00000000000000-00000000';
    await rejects(client.send(new DescribeBulkOperationCommand({ BulkOperationArn: arn })),
      'ResourceNotFoundException', `Bulk operation not found: ${arn}`);
    await rejects(client.send(new CancelBulkOperationCommand({ BulkOperationArn: arn })),
      'ResourceNotFoundException', `Bulk operation not found: ${arn}`);
  });

  test('a missing bucket fails the operation with S3NoSuchBucket', async () => {
    const t = await table();
    const { BulkOperationDescription: d0 } = await start(t, 'no-such-bucket', '');
    assert.equal(d0.BulkOperationStatus, 'IN_PROGRESS');
    const d = await waitDone(d0.BulkOperationArn);
    assert.equal(d.BulkOperationStatus, 'FAILED');
    assert.equal(d.FailureCode, 'S3NoSuchBucket');
    assert.ok(d.EndTime instanceof Date);
  });

  test('ClientToken: the same request returns the same operation, another one is a mismatch', async () => {
    const t = await table();
    writeSource('tok', 'a/', 10);
    const a = (await start(t, 'tok', 'a/', { ClientToken: 'tok-1' })).BulkOperationDescription;
    const b = (await start(t, 'tok', 'a/', { ClientToken: 'tok-1' })).BulkOperationDescription;
    assert.equal(b.BulkOperationArn, a.BulkOperationArn);
    await rejects(start(t, 'tok', 'b/', { ClientToken: 'tok-1' }), 'IdempotentParameterMismatchException',
      'Request parameters do not match the original request that used this ClientToken');
    await waitDone(a.BulkOperationArn);
  });

  test('cancelling a finished operation', async () => {
    const t = await table();
    writeSource('fin', '', 5);
    const { BulkOperationArn } = (await start(t, 'fin', '')).BulkOperationDescription;
    assert.equal((await waitDone(BulkOperationArn)).BulkOperationStatus, 'COMPLETED');
    await rejects(client.send(new CancelBulkOperationCommand({ BulkOperationArn })), VE,
      `Bulk operation ${BulkOperationArn} cannot be cancelled because it is COMPLETED`);
  });
});

test('a table ARN in TableName names the table', async () => {
  const t = await table();
  writeSource('arn', '', 4);
  const arn = (await client.send(new DescribeTableCommand({ TableName: t }))).Table.TableArn;
  const d0 = (await start(arn, 'arn', '')).BulkOperationDescription;
  assert.equal(d0.TableDetails[0].TableName, t);
  assert.match(d0.TableDetails[0].TableId, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  assert.ok(d0.BulkOperationArn.startsWith(`${arn}/bulk-operation/`));
  assert.equal((await waitDone(d0.BulkOperationArn)).ProcessedItemCount, 4);
  assert.equal((await client.send(new ScanCommand({ TableName: t, Select: 'COUNT' }))).Count, 4);
});

test('ListBulkOperations pages the most recent first', async () => {
  writeSource('list', '', 3);
  const arns = [];
  for (let i = 0; i < 3; i++) {
    arns.push((await start(await table(), 'list', '')).BulkOperationDescription.BulkOperationArn);
    await sleep(5);
  }
  const seen = [];
  let NextToken;
  do {
    const r = await client.send(new ListBulkOperationsCommand({ MaxResults: 2, NextToken }));
    assert.ok(r.BulkOperationsSummaryList.length <= 2);
    for (const s of r.BulkOperationsSummaryList) {
      assert.ok(s.StartTime instanceof Date);
      assert.ok(s.BulkOperationStatus);
      seen.push(s.BulkOperationArn);
    }
    NextToken = r.NextToken;
  } while (NextToken);
  assert.deepEqual(seen.slice(0, 3), arns.slice().reverse());
  for (const a of arns) await waitDone(a);
});

test('a 50,000-item load equals its source, with its GSI and stream', async () => {
  const t = await table(client, {
    AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }, { AttributeName: 'g', AttributeType: 'N' }],
    GlobalSecondaryIndexes: [{ IndexName: 'byg', KeySchema: [{ AttributeName: 'g', KeyType: 'HASH' }], Projection: { ProjectionType: 'ALL' } }],
    StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_IMAGE' },
  });
  const source = writeSource('big', 'data/', 50000, { objects: 4 });
  const d0 = (await start(t, 'big', 'data/')).BulkOperationDescription;
  assert.equal(d0.PerformanceTier, 'STANDARD');
  assert.equal(d0.InputS3Configuration.InputCompressionType, 'NONE');
  assert.equal(d0.TableDetails[0].TableName, t);
  const d = await waitDone(d0.BulkOperationArn);
  assert.equal(d.BulkOperationStatus, 'COMPLETED');
  assert.equal(d.ProcessedItemCount, 50000);
  assert.equal(d.FailedItemCount, 0);
  const size = fs.readdirSync(path.join(exportDir, 'big', 'data')).reduce((n, f) => n + fs.statSync(path.join(exportDir, 'big', 'data', f)).size, 0);
  assert.equal(d.ProcessedInputBytes, size);
  assert.equal(d.TotalInputBytes, size);
  // the bytes written, per table and per index: the table was empty and each item is put once, so
  // they are the table's and the index's sizes
  const desc = (await client.send(new DescribeTableCommand({ TableName: t }))).Table;
  const u = d.BulkOperationUsage[0];
  assert.equal(u.TableName, t);
  assert.equal(u.Table.BulkPutBytes, desc.TableSizeBytes);
  assert.equal(u.GlobalSecondaryIndexes.byg.BulkPutBytes, desc.GlobalSecondaryIndexes[0].IndexSizeBytes);
  assert.ok(u.GlobalSecondaryIndexes.byg.BulkPutBytes > 0);
  assert.equal(u.BulkPutBytes, u.Table.BulkPutBytes + u.GlobalSecondaryIndexes.byg.BulkPutBytes);
  assert.equal(u.LocalSecondaryIndexes, undefined);
  assert.equal(u.VectorIndexes, undefined);
  assert.equal(d.FailureCode, undefined);
  assertEqualsSource(await scanAll(client, t), source);
  const q = await client.send(new QueryCommand({ TableName: t, IndexName: 'byg', KeyConditionExpression: 'g = :g', ExpressionAttributeValues: { ':g': { N: '3' } }, Select: 'COUNT' }));
  assert.equal(q.Count, [...source.values()].filter((it) => it.g.N === '3').length);
  const streams = new DynamoDBStreamsClient({ endpoint: server.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' }, maxAttempts: 1 });
  const arn = (await client.send(new DescribeTableCommand({ TableName: t }))).Table.LatestStreamArn;
  const shard = (await streams.send(new DescribeStreamCommand({ StreamArn: arn }))).StreamDescription.Shards[0];
  const it = (await streams.send(new GetShardIteratorCommand({ StreamArn: arn, ShardId: shard.ShardId, ShardIteratorType: 'TRIM_HORIZON' }))).ShardIterator;
  const recs = (await streams.send(new GetRecordsCommand({ ShardIterator: it, Limit: 5 }))).Records;
  assert.equal(recs.length, 5);
  assert.equal(recs[0].eventName, 'INSERT');
  assert.deepEqual(recs[0].dynamodb.NewImage, source.get(recs[0].dynamodb.Keys.pk.S));
});

test('GZIP input and failed items in the report', async () => {
  const t = await table();
  const bad = ['not json', JSON.stringify({ Item: { v: { S: 'no key' } } }), JSON.stringify({ Nope: 1 })];
  const source = writeSource('gz', 'p/', 100, { gzip: true, bad });
  const d0 = (await start(t, 'gz', 'p/', { InputS3Configuration: { S3Bucket: 'gz', S3KeyPrefix: 'p/', InputFormat: 'DYNAMODB_JSON', InputCompressionType: 'GZIP' },
    OutputS3Configuration: { S3Bucket: 'out', S3KeyPrefix: 'reports', OutputType: ['ERROR'] } })).BulkOperationDescription;
  const d = await waitDone(d0.BulkOperationArn);
  assert.equal(d.BulkOperationStatus, 'COMPLETED_WITH_ERRORS');
  assert.equal(d.ProcessedItemCount, 103);
  assert.equal(d.FailedItemCount, 3);
  assertEqualsSource(await scanAll(client, t), source);
  const id = d.BulkOperationArn.split('/').pop();
  const rdir = path.join(exportDir, 'out', 'reports', 'bulk-operation', id);
  const lines = fs.readdirSync(rdir).flatMap((f) => fs.readFileSync(path.join(rdir, f), 'utf8').trim().split('\n')).map((l) => JSON.parse(l));
  assert.equal(lines.length, 3);
  assert.deepEqual(lines.map((l) => l.record), bad);
  assert.deepEqual(lines.map((l) => l.itemS3Pointer.itemIndex), [50, 51, 52].map((i) => i + 50));
  assert.equal(lines[0].bulkOperationArn, d.BulkOperationArn);
  assert.deepEqual(lines[0].errorMessages, ['Invalid JSON: the line is not a JSON document']);
  assert.deepEqual(lines[1].errorMessages, ['One or more parameter values were invalid: Missing the key pk in the item']);
  assert.deepEqual(lines[2].errorMessages, ['Invalid item: the line has no Item object']);
});

test('a batch keeps each line\'s outcome: PutItem\'s errors in line order, a repeated key last wins', async () => {
  const t = await table(client, {
    AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }, { AttributeName: 'g', AttributeType: 'S' }],
    GlobalSecondaryIndexes: [{ IndexName: 'byg', KeySchema: [{ AttributeName: 'g', KeyType: 'HASH' }], Projection: { ProjectionType: 'ALL' } }],
  });
  const items = [
    { pk: { S: 'a' }, g: { S: 'x' } },
    { pk: { S: 'b' }, g: { N: '1' } }, // the index key's type is wrong: only the commit finds it
    { pk: { S: 'a' }, g: { S: 'y' } }, // the same key again in the batch
    { pk: { S: 'c' }, big: { S: 'x'.repeat(400 * 1024) } },
    { pk: { N: '1' } },
  ];
  for (let i = 0; i < 250; i++) items.push({ pk: { S: `k${i}` }, g: { S: `g${i % 3}` } });
  fs.mkdirSync(path.join(exportDir, 'mixed'), { recursive: true });
  fs.writeFileSync(path.join(exportDir, 'mixed', 'a.json'), items.map((Item) => JSON.stringify({ Item })).join('\n') + '\n');
  const d = await waitDone((await start(t, 'mixed', '')).BulkOperationDescription.BulkOperationArn);
  assert.equal(d.BulkOperationStatus, 'COMPLETED_WITH_ERRORS');
  assert.equal(d.ProcessedItemCount, 255);
  assert.equal(d.FailedItemCount, 3);
  const putError = (Item) => client.send(new PutItemCommand({ TableName: `${t}_check`, Item })).then(() => null, (e) => e.message);
  await table(client, { TableName: `${t}_check`, AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }, { AttributeName: 'g', AttributeType: 'S' }],
    GlobalSecondaryIndexes: [{ IndexName: 'byg', KeySchema: [{ AttributeName: 'g', KeyType: 'HASH' }], Projection: { ProjectionType: 'ALL' } }] });
  const id = d.BulkOperationArn.split('/').pop();
  const rdir = path.join(exportDir, 'out', 'bulk-operation', id);
  const lines = fs.readdirSync(rdir).sort().flatMap((f) => fs.readFileSync(path.join(rdir, f), 'utf8').trim().split('\n')).map((l) => JSON.parse(l));
  assert.deepEqual(lines.map((l) => l.itemS3Pointer.itemIndex), [1, 3, 4]);
  assert.deepEqual(lines.map((l) => l.errorMessages[0]), [await putError(items[1]), await putError(items[3]), await putError(items[4])]);
  assert.match(lines[0].errorMessages[0], /Type mismatch for Index Key g/);
  const got = await scanAll(client, t);
  assert.equal(got.length, 251);
  assert.deepEqual(got.find((it) => it.pk.S === 'a'), items[2]);
  assert.equal((await client.send(new QueryCommand({ TableName: t, IndexName: 'byg', KeyConditionExpression: 'g = :g',
    ExpressionAttributeValues: { ':g': { S: 'y' } } }))).Count, 1);
});

/** Writes one object of the given records (objects, or text) as lines; returns the operation's report lines. */
async function runLines(t, bucket, records, OutputType) {
  fs.mkdirSync(path.join(exportDir, bucket), { recursive: true });
  fs.writeFileSync(path.join(exportDir, bucket, 'a.json'),
    records.map((r) => (typeof r === 'string' ? r : JSON.stringify(r))).join('\n') + '\n');
  const d0 = (await start(t, bucket, '', { OutputS3Configuration: { S3Bucket: 'out', S3KeyPrefix: bucket, OutputType } }))
    .BulkOperationDescription;
  const d = await waitDone(d0.BulkOperationArn);
  const rdir = path.join(exportDir, 'out', bucket, 'bulk-operation', d.BulkOperationArn.split('/').pop());
  const lines = fs.existsSync(rdir) ? fs.readdirSync(rdir).sort()
    .flatMap((f) => fs.readFileSync(path.join(rdir, f), 'utf8').trim().split('\n')).map((l) => JSON.parse(l)) : [];
  return { d, lines };
}

// The developer guide ("Amazon S3 input formats for bulk put items": per-item condition expressions,
// condition failure reporting) and the API reference (BulkOperationDescription: a condition-check
// failure is processed, not failed, and does not make the operation COMPLETED_WITH_ERRORS).
test('per-item conditions: a false one leaves the item, is processed not failed, and is reported when asked', async () => {
  for (const OutputType of [['ERROR', 'CONDITION_CHECK_FAILURE'], ['ERROR']]) {
    const t = await table();
    await client.send(new PutItemCommand({ TableName: t, Item: { pk: { S: 'k0' }, v: { S: 'old' } } }));
    await client.send(new PutItemCommand({ TableName: t, Item: { pk: { S: 'k2' }, v: { S: 'keep' } } }));
    const records = [
      { Item: { pk: { S: 'k0' }, v: { S: 'new' } }, ConditionExpression: 'attribute_not_exists(pk)' },
      { Item: { pk: { S: 'k1' }, v: { S: 'new' } }, ConditionExpression: 'attribute_not_exists(pk)' },
      { Item: { pk: { S: 'k2' }, v: { S: 'new' } }, ConditionExpression: '#v = :v',
        ExpressionAttributeNames: { '#v': 'v' }, ExpressionAttributeValues: { ':v': { S: 'keep' } } },
      { Item: { pk: { S: 'k3' } }, ConditionExpression: 'attribute_not_exists(' },
    ];
    const { d, lines } = await runLines(t, `cond${OutputType.length}`, records, OutputType);
    assert.equal(d.BulkOperationStatus, 'COMPLETED_WITH_ERRORS'); // the malformed expression alone
    assert.equal(d.ProcessedItemCount, 4);
    assert.equal(d.FailedItemCount, 1);
    const items = Object.fromEntries((await scanAll(client, t)).map((it) => [it.pk.S, it.v?.S]));
    assert.deepEqual(items, { k0: 'old', k1: 'new', k2: 'new' });
    const byIndex = Object.fromEntries(lines.map((l) => [l.itemS3Pointer.itemIndex, l.errorMessages]));
    assert.deepEqual(Object.keys(byIndex).map(Number), OutputType.length === 2 ? [0, 3] : [3]);
    if (OutputType.length === 2) {
      assert.deepEqual(byIndex[0], ['The conditional request failed']);
      assert.equal(lines[0].record, JSON.stringify(records[0]));
    }
    assert.match(byIndex[3][0], /^Invalid ConditionExpression: Syntax error; /);
  }
});

test('conditions alone: COMPLETED with a failed condition, and several objects on one line are each a record', async () => {
  const t = await table();
  await client.send(new PutItemCommand({ TableName: t, Item: { pk: { S: 'a' }, v: { S: 'old' } } }));
  const rec = (pk) => JSON.stringify({ Item: { pk: { S: pk }, v: { S: 'new' } }, ConditionExpression: 'attribute_not_exists(pk)' });
  const { d, lines } = await runLines(t, 'cond-line', [rec('a') + rec('b') + ' ' + rec('c'), rec('d')], ['CONDITION_CHECK_FAILURE']);
  assert.equal(d.BulkOperationStatus, 'COMPLETED');
  assert.equal(d.ProcessedItemCount, 4);
  assert.equal(d.FailedItemCount, 0);
  assert.deepEqual(lines.map((l) => [l.itemS3Pointer.itemIndex, l.record]), [[0, rec('a')]]);
  const items = Object.fromEntries((await scanAll(client, t)).map((it) => [it.pk.S, it.v.S]));
  assert.deepEqual(items, { a: 'old', b: 'new', c: 'new', d: 'new' });
});

test('ION input', async () => {
  const t = await table();
  fs.mkdirSync(path.join(exportDir, 'ion'), { recursive: true });
  fs.writeFileSync(path.join(exportDir, 'ion', 'a.ion'), '$ion_1_0 {Item:{pk:"a",g:1.,v:"x"}}\n$ion_1_0 {Item:{pk:"b",g:2.,v:"y"}}\n');
  const d0 = (await start(t, 'ion', '', { InputS3Configuration: { S3Bucket: 'ion', InputFormat: 'ION' } })).BulkOperationDescription;
  const d = await waitDone(d0.BulkOperationArn);
  assert.equal(d.BulkOperationStatus, 'COMPLETED');
  const items = (await scanAll(client, t)).sort((a, b) => a.pk.S.localeCompare(b.pk.S));
  assert.deepEqual(items, [{ pk: { S: 'a' }, g: { N: '1' }, v: { S: 'x' } }, { pk: { S: 'b' }, g: { N: '2' }, v: { S: 'y' } }]);
});

test('MaxWriteRequestUnits limits the write rate', async () => {
  const t = await table();
  const source = writeSource('rate', '', 2048);
  const began = Date.now();
  const d0 = (await start(t, 'rate', '', { MaxWriteRequestUnits: 1024 })).BulkOperationDescription;
  assert.equal(d0.MaxWriteRequestUnits, 1024);
  const d = await waitDone(d0.BulkOperationArn);
  assert.equal(d.BulkOperationStatus, 'COMPLETED');
  assert.ok(Date.now() - began >= 1900, `took ${Date.now() - began} ms`);
  assert.ok(d.EndTime - d.StartTime >= 1900);
  assertEqualsSource(await scanAll(client, t), source);
});

test('a cancelled load stops', async () => {
  const t = await table();
  writeSource('cancel', '', 10000);
  const { BulkOperationArn } = (await start(t, 'cancel', '', { MaxWriteRequestUnits: 1024 })).BulkOperationDescription;
  await sleep(600);
  const c = await client.send(new CancelBulkOperationCommand({ BulkOperationArn }));
  assert.equal(c.BulkOperationArn, BulkOperationArn);
  assert.equal(c.BulkOperationStatus, 'CANCELLING');
  const d = await waitDone(BulkOperationArn);
  assert.equal(d.BulkOperationStatus, 'CANCELLED');
  assert.equal(d.FailureCode, 'BulkOperationCancelled');
  assert.ok(d.ProcessedItemCount > 0 && d.ProcessedItemCount < 10000, String(d.ProcessedItemCount));
  const n = (await client.send(new ScanCommand({ TableName: t, Select: 'COUNT' }))).Count;
  assert.equal(n, d.ProcessedItemCount);
});

test('kill -9 mid-load: the restarted server resumes to the exact table', async () => {
  const dataDir = path.join(dir, 'data');
  const args = ['--data-dir', dataDir, '--export-dir', exportDir];
  let s = await startServer(args);
  let { client: c } = makeClients(s.endpoint);
  const t = await table(c);
  await c.send(new PutItemCommand({ TableName: t, Item: { pk: { S: 'k5' }, g: { N: '0' }, v: { S: 'old' } } }));
  const source = writeSource('crash', '', 4000, { objects: 2 }); // 2 s at 2,048 units/s: killed half-way
  const { BulkOperationArn } = (await c.send(new StartBulkPutItemsCommand({
    TableName: t, MaxWriteRequestUnits: 2048,
    InputS3Configuration: { S3Bucket: 'crash', InputFormat: 'DYNAMODB_JSON' },
    OutputS3Configuration: { S3Bucket: 'out', OutputType: ['ERROR'] },
  }))).BulkOperationDescription;
  for (;;) {
    const d = (await c.send(new DescribeBulkOperationCommand({ BulkOperationArn }))).BulkOperationDescription;
    if (d.ProcessedItemCount >= 1500) break;
    await sleep(50);
  }
  s.proc.kill('SIGKILL');
  await new Promise((r) => s.proc.once('exit', r));
  s = await startServer(args);
  ({ client: c } = makeClients(s.endpoint));
  try {
    const d = await waitDone(BulkOperationArn, c);
    assert.equal(d.BulkOperationStatus, 'COMPLETED');
    assert.equal(d.ProcessedItemCount, 4000);
    assertEqualsSource(await scanAll(c, t), source);
    assert.match(s.stderr(), /resumed/);
  } finally {
    await stopServer(s);
  }
});

const LE = 'LimitExceededException';
const RIU = 'ResourceInUseException';

async function inProgress() {
  const arns = [];
  let NextToken;
  do {
    const r = await client.send(new ListBulkOperationsCommand({ MaxResults: 100, NextToken }));
    for (const s of r.BulkOperationsSummaryList)
      if (['IN_PROGRESS', 'CANCELLING'].includes(s.BulkOperationStatus)) arns.push(s.BulkOperationArn);
    NextToken = r.NextToken;
  } while (NextToken);
  return arns;
}

test('quotas: one operation in progress per table, 50 per account, refused past them and not queued', async () => {
  writeSource('quota', '', 3000);
  const slow = { MaxWriteRequestUnits: 1024 }; // 3 s each: they stay in progress while the test runs
  const tables = [];
  for (let i = 0; i < 51; i++) tables.push(await table());
  const first = (await start(tables[0], 'quota', '', slow)).BulkOperationDescription.BulkOperationArn;
  await rejects(start(tables[0], 'quota', ''), LE,
    `Subscriber limit exceeded: Only 1 bulk operation can be in progress on table ${tables[0]} at a time`);
  const arns = [first];
  for (let i = 1; i < 50; i++) arns.push((await start(tables[i], 'quota', '', slow)).BulkOperationDescription.BulkOperationArn);
  await rejects(start(tables[50], 'quota', ''), LE, 'Subscriber limit exceeded: Only 50 bulk operations can be in progress at a time');
  assert.deepEqual((await inProgress()).sort(), arns.slice().sort()); // the refused ones were not queued
  for (const a of arns) await client.send(new CancelBulkOperationCommand({ BulkOperationArn: a }));
  for (const a of arns) assert.equal((await waitDone(a)).BulkOperationStatus, 'CANCELLED');
  // the quotas free as operations end
  const again = (await start(tables[0], 'quota', '')).BulkOperationDescription.BulkOperationArn;
  assert.equal((await waitDone(again)).BulkOperationStatus, 'COMPLETED');
});

test('refused while an index is built or a restore fills the table', async () => {
  const t = await table();
  writeSource('fill', '', 20000);
  assert.equal((await waitDone((await start(t, 'fill', '')).BulkOperationDescription.BulkOperationArn)).BulkOperationStatus, 'COMPLETED');
  // 20,000 items take the backfill and the restore far longer than the next request
  await client.send(new UpdateTableCommand({
    TableName: t, AttributeDefinitions: [{ AttributeName: 'g', AttributeType: 'N' }],
    GlobalSecondaryIndexUpdates: [{ Create: { IndexName: 'byg', KeySchema: [{ AttributeName: 'g', KeyType: 'HASH' }], Projection: { ProjectionType: 'KEYS_ONLY' } } }],
  }));
  await rejects(start(t, 'fill', ''), RIU, `Attempt to change a resource which is still in use: Table is creating an index: ${t}`);
  const target = `${t}_restored`;
  await client.send(new RestoreTableFromBackupCommand({ TargetTableName: target, BackupArn: await createBackup(client, t, `${t}_b`) }));
  await rejects(start(target, 'fill', ''), RIU, `Attempt to change a resource which is still in use: Table is being created: ${target}`);
  for (let i = 0; ; i++) { // both end ACTIVE, and then take bulk puts again
    const a = (await client.send(new DescribeTableCommand({ TableName: t }))).Table;
    const b = (await client.send(new DescribeTableCommand({ TableName: target }))).Table;
    if (a.GlobalSecondaryIndexes[0].IndexStatus === 'ACTIVE' && b.TableStatus === 'ACTIVE') break;
    assert.ok(i < 600, 'index or restore never done');
    await sleep(50);
  }
  const arn = (await start(target, 'fill', '')).BulkOperationDescription.BulkOperationArn;
  assert.equal((await waitDone(arn)).BulkOperationStatus, 'COMPLETED');
  await client.send(new DeleteTableCommand({ TableName: t }));
  await rejects(start(t, 'fill', ''), 'ResourceNotFoundException', `Requested resource not found: Table: ${t} not found`);
});

test('global tables: refused on a replica group, and no replica is added during a load', async () => {
  const s = await startServer(['--in-memory', '--namespaces', '--export-dir', exportDir]);
  const { client: c } = makeClients(s.endpoint);
  try {
    const g = await table(c);
    await c.send(new UpdateTableCommand({ TableName: g, ReplicaUpdates: [{ Create: { RegionName: 'us-west-2' } }] }));
    const params = (TableName) => ({
      TableName, InputS3Configuration: { S3Bucket: 'quota', InputFormat: 'DYNAMODB_JSON' },
      OutputS3Configuration: { S3Bucket: 'out', OutputType: ['ERROR'] }, MaxWriteRequestUnits: 1024,
    });
    await rejects(c.send(new StartBulkPutItemsCommand(params(g))), RIU, `Bulk put items does not support global tables: ${g}`);
    const u = await table(c);
    const { BulkOperationArn } = (await c.send(new StartBulkPutItemsCommand(params(u)))).BulkOperationDescription;
    await rejects(c.send(new UpdateTableCommand({ TableName: u, ReplicaUpdates: [{ Create: { RegionName: 'us-west-2' } }] })), RIU,
      `Attempt to change a resource which is still in use: Table has a bulk operation in progress: ${u}`);
    await c.send(new CancelBulkOperationCommand({ BulkOperationArn }));
    assert.equal((await waitDone(BulkOperationArn, c)).BulkOperationStatus, 'CANCELLED');
    const d = (await c.send(new UpdateTableCommand({ TableName: u, ReplicaUpdates: [{ Create: { RegionName: 'us-west-2' } }] }))).TableDescription;
    assert.equal(d.TableStatus, 'UPDATING'); // once the load is over
  } finally {
    await stopServer(s);
  }
});
