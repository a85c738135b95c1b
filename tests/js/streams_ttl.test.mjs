// DynamoDB Streams and Time to Live through the AWS SDK for JavaScript v3: the streams client's
// ListStreams, DescribeStream (with ShardFilter), GetShardIterator and GetRecords, their errors by
// name and message, and UpdateTimeToLive/DescribeTimeToLive with the TTL sweep driven by the
// server's clock (ddbd --admin).
//
// Starts its own `ddbd --in-memory --admin` ($DDBD_BIN) on a free loopback port.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';

import {
  DescribeTimeToLiveCommand,
  PutItemCommand,
  ScanCommand,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  ListStreamsCommand,
} from '@aws-sdk/client-dynamodb-streams';
import { CreateTableCommand } from '@aws-sdk/client-dynamodb';

import { makeClients, rejects, startServer, stopServer } from './helpers.mjs';

let server;
let client;
let streams;
let seq = 0;

before(async () => {
  // the frozen clock: nothing expires until a test steps it, and a step answers once the sweep ran
  server = await startServer(['--in-memory', '--admin', '--clock', 'frozen', '--ttl-interval', '3600']);
  ({ client } = makeClients(server.endpoint));
  streams = new DynamoDBStreamsClient({
    endpoint: server.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
    maxAttempts: 1,
  });
});

after(async () => {
  assert.equal(await stopServer(server), 0);
});

async function createTable(view) {
  const TableName = `js_st_${process.pid}_${++seq}`;
  const out = await client.send(new CreateTableCommand({
    TableName,
    AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
    KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
    BillingMode: 'PAY_PER_REQUEST',
    ...(view ? { StreamSpecification: { StreamEnabled: true, StreamViewType: view } } : {}),
  }));
  return { TableName, arn: out.TableDescription.LatestStreamArn };
}


async function clock(change) {
  const res = await fetch(`${server.endpoint}/ddbd/clock`, change ? { method: 'POST', body: JSON.stringify(change), headers: { 'content-type': 'application/json' } } : {});
  return res.json();
}

async function readAll(arn) {
  const { StreamDescription: d } = await streams.send(new DescribeStreamCommand({ StreamArn: arn }));
  const out = [];
  for (const sh of d.Shards) {
    let { ShardIterator: it } = await streams.send(new GetShardIteratorCommand({
      StreamArn: arn, ShardId: sh.ShardId, ShardIteratorType: 'TRIM_HORIZON',
    }));
    for (;;) {
      const r = await streams.send(new GetRecordsCommand({ ShardIterator: it }));
      out.push(...r.Records);
      if (r.Records.length === 0 || !r.NextShardIterator) break;
      it = r.NextShardIterator;
    }
  }
  return out;
}

describe('streams', () => {
  test('records of writes, through the streams client', async () => {
    const { TableName, arn } = await createTable('NEW_AND_OLD_IMAGES');
    await client.send(new PutItemCommand({ TableName, Item: { pk: { S: 'a' }, v: { N: '1' } } }));
    await client.send(new PutItemCommand({ TableName, Item: { pk: { S: 'a' }, v: { N: '2' } } }));
    const listed = await streams.send(new ListStreamsCommand({ TableName }));
    assert.deepEqual(listed.Streams.map((s) => s.StreamArn), [arn]);
    const recs = await readAll(arn);
    assert.deepEqual(recs.map((r) => r.eventName), ['INSERT', 'MODIFY']);
    assert.deepEqual(recs[1].dynamodb.OldImage, { pk: { S: 'a' }, v: { N: '1' } });
    assert.deepEqual(recs[1].dynamodb.NewImage, { pk: { S: 'a' }, v: { N: '2' } });
    assert.ok(recs[1].dynamodb.ApproximateCreationDateTime instanceof Date);
    assert.equal(recs[1].dynamodb.StreamViewType, 'NEW_AND_OLD_IMAGES');
    // ShardFilter: the children of a shard (none in the first generation)
    const shard = (await streams.send(new DescribeStreamCommand({ StreamArn: arn }))).StreamDescription.Shards[0].ShardId;
    const children = await streams.send(new DescribeStreamCommand({
      StreamArn: arn, ShardFilter: { Type: 'CHILD_SHARDS', ShardId: shard },
    }));
    assert.deepEqual(children.StreamDescription.Shards, []);
  });

  test('errors', async () => {
    const { TableName, arn } = await createTable('KEYS_ONLY');
    const shard = (await streams.send(new DescribeStreamCommand({ StreamArn: arn }))).StreamDescription.Shards[0].ShardId;
    await rejects(streams.send(new DescribeStreamCommand({ StreamArn: `${arn}x` })), 'ResourceNotFoundException',
      `Requested resource not found: Stream: ${arn}x not found`);
    await rejects(streams.send(new DescribeStreamCommand({ StreamArn: 'x'.repeat(40) })), 'ValidationException', 'Invalid StreamArn');
    await rejects(streams.send(new GetShardIteratorCommand({ StreamArn: arn, ShardId: 'shardId-00000000000000000000-00000000', ShardIteratorType: 'LATEST' })),
      'ResourceNotFoundException', 'Requested resource not found: Shard: shardId-00000000000000000000-00000000 not found');
    await rejects(streams.send(new GetShardIteratorCommand({ StreamArn: arn, ShardId: shard, ShardIteratorType: 'AFTER_SEQUENCE_NUMBER' })),
      'ValidationException', 'One or more parameter values were invalid: SequenceNumber must be passed for this iterator type');
    await rejects(streams.send(new GetRecordsCommand({ ShardIterator: 'nope' })), 'ValidationException', 'Invalid ShardIterator');
    const { ShardIterator } = await streams.send(new GetShardIteratorCommand({ StreamArn: arn, ShardId: shard, ShardIteratorType: 'LATEST' }));
    await clock({ advance: 16 * 60 * 1000 });
    await assert.rejects(streams.send(new GetRecordsCommand({ ShardIterator })), (err) => {
      assert.equal(err.name, 'ExpiredIteratorException');
      assert.match(err.message, /^Iterator expired\. The iterator was created at time \w{3} \w{3} \d{2} [\d:]{8} UTC \d{4} while right now it is \w{3} \w{3} \d{2} [\d:]{8} UTC \d{4} which is further in the future than the tolerated delay of 900000 milliseconds\.$/);
      return true;
    });
    await rejects(client.send(new UpdateTableCommand({ TableName, StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_IMAGE' } })),
      'ValidationException', `Table already has an enabled stream: TableName: ${TableName}`);
  });
});

describe('time to live', () => {
  test('the sweep deletes expired items when the clock moves', async () => {
    const { TableName } = await createTable(null);
    await rejects(client.send(new UpdateTimeToLiveCommand({ TableName, TimeToLiveSpecification: { Enabled: false, AttributeName: 'exp' } })),
      'ValidationException', 'TimeToLive is already disabled');
    const out = await client.send(new UpdateTimeToLiveCommand({ TableName, TimeToLiveSpecification: { Enabled: true, AttributeName: 'exp' } }));
    assert.deepEqual(out.TimeToLiveSpecification, { Enabled: true, AttributeName: 'exp' });
    const desc = await client.send(new DescribeTimeToLiveCommand({ TableName }));
    assert.deepEqual(desc.TimeToLiveDescription, { TimeToLiveStatus: 'ENABLED', AttributeName: 'exp' });
    const now = Math.floor((await clock()).now / 1000);
    await client.send(new PutItemCommand({ TableName, Item: { pk: { S: 'soon' }, exp: { N: String(now + 60) } } }));
    await client.send(new PutItemCommand({ TableName, Item: { pk: { S: 'later' }, exp: { N: String(now + 7200) } } }));
    await clock({ advance: 60 * 1000 - 1000 }); // a second before 'soon' expires: both stay
    let left = await client.send(new ScanCommand({ TableName }));
    assert.deepEqual(left.Items.map((i) => i.pk.S).sort(), ['later', 'soon']);
    await clock({ advance: 61 * 1000 }); // the step answers once the sweep it made due has run
    left = await client.send(new ScanCommand({ TableName }));
    assert.deepEqual(left.Items.map((i) => i.pk.S), ['later']);
  });
});
