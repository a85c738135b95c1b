// Injected faults by operation and table (issue 54, part 2; server/api/faults/inject.h) through the AWS SDK
// for JavaScript v3: each kind with its status, name, message and ThrottlingReasons; the SDK's own
// retries counted through the faults' counters ($metadata.attempts and /ddbd/faults' "injected");
// a BatchWriteCommand of lib-dynamodb left half unprocessed, completed by resending UnprocessedItems
// as the SDK's documentation says; a probability repeating exactly with a seed.
//
// Starts its own `ddbd --in-memory --admin` ($DDBD_BIN) on a free loopback port.
// Run: cd tests/js && DDBD_BIN=... node --test faults.test.mjs
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';

import {
  DynamoDBClient, GetItemCommand, PutItemCommand, TransactWriteItemsCommand,
} from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';

import { createTable, makeClients, startServer, stopServer } from './helpers.mjs';

let server;
let client;
let table;

async function faults(method, body) {
  const res = await fetch(`${server.endpoint}/ddbd/faults`, {
    method, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body),
  });
  const answer = await res.json();
  assert.equal(res.status, 200, JSON.stringify(answer));
  return answer;
}

const retrying = (maxAttempts) => new DynamoDBClient({
  endpoint: server.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
  maxAttempts,
});

before(async () => {
  server = await startServer(['--in-memory', '--admin']);
  ({ client } = makeClients(server.endpoint));
  table = await createTable(client, 'faults');
});

after(async () => {
  assert.equal(await stopServer(server), 0);
});

beforeEach(async () => { await faults('DELETE'); });

const putItem = (c, pk = 'a') => c.send(new PutItemCommand({ TableName: table, Item: { pk: { S: pk } } }));

const KINDS = [
  ['InternalServerError', 500, 'InternalServerError', 'Internal server error', undefined],
  ['ServiceUnavailableException', 503, 'ServiceUnavailableException',
    'DynamoDB is currently unavailable. (This should be a temporary state.)', undefined],
  ['ThrottlingException', 400, 'ThrottlingException',
    'Throughput exceeds the current capacity of your table or index. DynamoDB is automatically scaling your table or '
    + 'index so please try again shortly. If exceptions persist, check if you have a hot key: '
    + 'https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/bp-partition-key-design.html',
    'TableWriteKeyRangeThroughputExceeded'],
  ['ProvisionedThroughputExceededException', 400, 'ProvisionedThroughputExceededException',
    'The level of configured provisioned throughput for the table was exceeded. Consider increasing your provisioning '
    + 'level with the UpdateTable API.', 'TableWriteProvisionedThroughputExceeded'],
  ['RequestLimitExceeded', 400, 'RequestLimitExceeded',
    'Throughput exceeds the current throughput limit for your account. Please contact AWS Support at '
    + 'https://aws.amazon.com/support request a limit increase', 'TableWriteAccountLimitExceeded'],
  ['TransactionConflict', 400, 'TransactionConflictException', 'Transaction is ongoing for the item', undefined],
];

describe('each kind as the SDK sees it', () => {
  for (const [error, status, name, message, reason] of KINDS) {
    test(error, async () => {
      await faults('POST', { faults: [{ operation: 'PutItem', table, error, count: 1 }] });
      await assert.rejects(putItem(client), (err) => {
        assert.equal(err.name, name);
        assert.equal(err.message, message);
        assert.equal(err.$metadata.httpStatusCode, status);
        assert.match(err.$metadata.requestId, /^[0-9A-Z]{52}$/);
        if (reason !== undefined) {
          // the typed field, named as each exception's model names it: ThrottlingException's
          // `throttlingReasons`, the others' `ThrottlingReasons` (issue 62)
          const member = name === 'ThrottlingException' ? 'throttlingReasons' : 'ThrottlingReasons';
          assert.deepEqual(err[member], [{ reason, resource: `arn:aws:dynamodb:us-east-1:000000000000:table/${table}` }]);
        }
        return true;
      });
      await putItem(client); // the count is spent
    });
  }

  test('a transaction: TransactionCanceledException with a TransactionConflict reason', async () => {
    await faults('POST', { faults: [{ operation: 'TransactWriteItems', error: 'TransactionConflict', count: 1 }] });
    await assert.rejects(client.send(new TransactWriteItemsCommand({
      TransactItems: [{ Put: { TableName: table, Item: { pk: { S: 't1' } } } }],
    })), (err) => {
      assert.equal(err.name, 'TransactionCanceledException');
      assert.equal(err.message, 'Transaction cancelled, please refer cancellation reasons for specific reasons [TransactionConflict]');
      assert.deepEqual(err.CancellationReasons, [{ Code: 'TransactionConflict', Message: 'Transaction is ongoing for the item' }]);
      return true;
    });
  });
});

describe('the SDK retries', () => {
  for (const error of ['InternalServerError', 'ServiceUnavailableException', 'ThrottlingException',
    'ProvisionedThroughputExceededException', 'RequestLimitExceeded']) {
    test(`two ${error} then success on the third attempt`, async () => {
      await faults('POST', { faults: [{ operation: 'PutItem', table, error, count: 2 }] });
      const out = await putItem(retrying(3));
      assert.equal(out.$metadata.attempts, 3);
      const state = await faults('GET');
      assert.equal(state.faults[0].injected, 2);
      assert.equal(state.faults[0].remaining, 0);
    });
  }

  test('gives up after maxAttempts, leaving the rest of the count', async () => {
    await faults('POST', { faults: [{ operation: 'PutItem', table, error: 'InternalServerError', count: 5 }] });
    await assert.rejects(putItem(retrying(2)), (err) => {
      assert.equal(err.name, 'InternalServerError');
      assert.equal(err.$metadata.attempts, 2);
      return true;
    });
    assert.equal((await faults('GET')).faults[0].remaining, 3);
  });
});

test('a lib-dynamodb BatchWriteCommand left half unprocessed is completed by resending UnprocessedItems', async () => {
  const doc = DynamoDBDocumentClient.from(client);
  const batchTable = await createTable(client, 'faults_batch');
  await faults('POST', { faults: [{ operation: 'BatchWriteItem', table: batchTable, error: 'UnprocessedItems' }] });
  let request = { [batchTable]: Array.from({ length: 20 }, (_, i) => ({ PutRequest: { Item: { pk: `k${i}` } } })) };
  let rounds = 0;
  for (; Object.keys(request).length > 0; rounds++) {
    const out = await doc.send(new BatchWriteCommand({ RequestItems: request }));
    if (rounds === 0) {
      assert.deepEqual(out.UnprocessedItems[batchTable].map((w) => w.PutRequest.Item.pk),
        Array.from({ length: 10 }, (_, i) => `k${i + 10}`));
    }
    request = out.UnprocessedItems ?? {};
  }
  assert.equal(rounds, 5); // 20, then the 10 left, 5, 2 and 1: four partial answers, the last whole
  const { Items } = await doc.send(new ScanCommand({ TableName: batchTable, ConsistentRead: true }));
  assert.equal(Items.length, 20);
});

test('a probability repeats exactly with its seed', async () => {
  const run = async (seed) => {
    await faults('DELETE');
    await faults('POST', { seed, faults: [{ operation: 'GetItem', table, error: 'InternalServerError', probability: 0.3 }] });
    const out = [];
    for (let i = 0; i < 40; i++) {
      out.push(await client.send(new GetItemCommand({ TableName: table, Key: { pk: { S: 'a' } } }))
        .then(() => 0, (err) => { assert.equal(err.name, 'InternalServerError'); return 1; }));
    }
    return out.join('');
  };
  const first = await run(42);
  assert.equal(await run(42), first);
  assert.notEqual(await run(7), first);
  const failed = [...first].filter((c) => c === '1').length;
  assert.ok(failed >= 4 && failed <= 24, first);
});
