// TransactWriteItems and TransactGetItems through the AWS SDK for JavaScript v3: the low-level
// commands and DynamoDBDocumentClient's TransactWrite/TransactGet, each error with its exact name,
// message and CancellationReasons as the SDK surfaces them (including the Item that
// ReturnValuesOnConditionCheckFailure returns, which Debian's boto3 1.26 cannot send on single
// writes), the SDK's automatic ClientRequestToken, and idempotent retries.
//
// Starts its own `ddbd --in-memory` ($DDBD_BIN) on a free loopback port. Run: node --test tests/js/
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';

import {
  GetItemCommand,
  PutItemCommand,
  TransactGetItemsCommand,
  TransactWriteItemsCommand,
} from '@aws-sdk/client-dynamodb';
import { GetCommand, TransactGetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';

import { createTable, deleteTable, makeClients, rejects, startServer, stopServer } from './helpers.mjs';

const CANCELLED = 'Transaction cancelled, please refer cancellation reasons for specific reasons ';

let server;
let client;
let doc;
let table;
let ranged;

before(async () => {
  server = await startServer();
  ({ client, doc } = makeClients(server.endpoint));
  table = await createTable(client, 'js_tx');
  ranged = await createTable(client, 'js_txr', ['pk', 'S'], ['sk', 'N']);
});

after(async () => {
  await deleteTable(client, table);
  await deleteTable(client, ranged);
  assert.equal(await stopServer(server), 0);
});


const get = async (Key, TableName = table) => (await doc.send(new GetCommand({ TableName, Key, ConsistentRead: true }))).Item;

describe('TransactWriteItems', () => {
  test('applies every action, across tables', async () => {
    await doc.send(new TransactWriteCommand({
      TransactItems: [
        { Put: { TableName: table, Item: { pk: 'w1', n: 1 }, ConditionExpression: 'attribute_not_exists(pk)' } },
        { Put: { TableName: ranged, Item: { pk: 'w1', sk: 1, tags: new Set(['a', 'b']) } } },
        { Update: { TableName: table, Key: { pk: 'w2' }, UpdateExpression: 'ADD n :one', ExpressionAttributeValues: { ':one': 5 } } },
      ],
    }));
    assert.deepEqual(await get({ pk: 'w1' }), { pk: 'w1', n: 1 });
    assert.deepEqual(await get({ pk: 'w1', sk: 1 }, ranged), { pk: 'w1', sk: 1, tags: new Set(['a', 'b']) });
    assert.deepEqual(await get({ pk: 'w2' }), { pk: 'w2', n: 5 });
    await doc.send(new TransactWriteCommand({
      TransactItems: [
        { Delete: { TableName: table, Key: { pk: 'w1' }, ConditionExpression: 'n = :one', ExpressionAttributeValues: { ':one': 1 } } },
        { ConditionCheck: { TableName: ranged, Key: { pk: 'w1', sk: 1 }, ConditionExpression: 'attribute_exists(pk)' } },
      ],
    }));
    assert.equal(await get({ pk: 'w1' }), undefined);
  });

  test('a failed condition cancels all, with reasons and the old item', async () => {
    await doc.send(new TransactWriteCommand({ TransactItems: [{ Put: { TableName: table, Item: { pk: 'c1', v: 'old' } } }] }));
    await rejects(doc.send(new TransactWriteCommand({
      TransactItems: [
        { Put: { TableName: table, Item: { pk: 'c2' } } },
        {
          Update: {
            TableName: table, Key: { pk: 'c1' }, UpdateExpression: 'SET v = :new', ConditionExpression: 'v = :want',
            ExpressionAttributeValues: { ':new': 'new', ':want': 'other' }, ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          },
        },
      ],
    })), 'TransactionCanceledException', `${CANCELLED}[None, ConditionalCheckFailed]`, (err) => {
      assert.deepEqual(err.CancellationReasons, [
        { Code: 'None' },
        { Code: 'ConditionalCheckFailed', Message: 'The conditional request failed', Item: { pk: { S: 'c1' }, v: { S: 'old' } } },
      ]);
    });
    assert.equal(await get({ pk: 'c2' }), undefined);
    assert.deepEqual(await get({ pk: 'c1' }), { pk: 'c1', v: 'old' });
  });

  test('a key of the wrong type is that action\'s ValidationError', async () => {
    await rejects(client.send(new TransactWriteItemsCommand({
      TransactItems: [
        { Put: { TableName: table, Item: { pk: { S: 'k1' } }, ConditionExpression: 'attribute_exists(pk)' } },
        { Put: { TableName: table, Item: { pk: { N: '1' } } } },
      ],
    })), 'TransactionCanceledException', `${CANCELLED}[None, ValidationError]`, (err) => {
      assert.deepEqual(err.CancellationReasons, [
        { Code: 'None' },
        { Code: 'ValidationError', Message: 'One or more parameter values were invalid: Type mismatch for key pk expected: S actual: N' },
      ]);
    });
  });

  test('whole-request errors', async () => {
    await rejects(client.send(new TransactWriteItemsCommand({
      TransactItems: [
        { Put: { TableName: table, Item: { pk: { S: 'd' } } } },
        { Delete: { TableName: table, Key: { pk: { S: 'd' } } } },
      ],
    })), 'ValidationException', 'Transaction request cannot include multiple operations on one item');
    await rejects(client.send(new TransactWriteItemsCommand({ TransactItems: [] })), 'ValidationException',
      "1 validation error detected: Value '[]' at 'transactItems' failed to satisfy constraint: Member must have length greater than or equal to 1");
    await rejects(client.send(new TransactWriteItemsCommand({
      TransactItems: [{ Put: { TableName: 'js_tx_no_such_table', Item: { pk: { S: 'd' } } } }],
    })), 'ResourceNotFoundException', 'Requested resource not found');
    await rejects(client.send(new TransactWriteItemsCommand({
      TransactItems: [{ Put: { TableName: table, Item: { pk: { S: 'd' } }, ConditionExpression: 'a = :nope' } }],
    })), 'ValidationException', 'Invalid ConditionExpression: An expression attribute value used in expression is not defined; attribute value: :nope');
  });

  test('ClientRequestToken: a retry applies once; other parameters are refused', async () => {
    const increment = (ClientRequestToken, pk = 'tok') => new TransactWriteItemsCommand({
      ClientRequestToken,
      TransactItems: [{ Update: { TableName: table, Key: { pk: { S: pk } }, UpdateExpression: 'ADD n :one', ExpressionAttributeValues: { ':one': { N: '1' } } } }],
      ReturnConsumedCapacity: 'TOTAL',
    });
    const first = await client.send(increment('js-token-1'));
    const again = await client.send(increment('js-token-1'));
    assert.deepEqual(first.ConsumedCapacity, [{ TableName: table, CapacityUnits: 2, WriteCapacityUnits: 2 }]);
    assert.deepEqual(again.ConsumedCapacity, [{ TableName: table, CapacityUnits: 2, ReadCapacityUnits: 2 }]);
    assert.deepEqual(await get({ pk: 'tok' }), { pk: 'tok', n: 1 });
    await rejects(client.send(increment('js-token-1', 'tok2')), 'IdempotentParameterMismatchException',
      'Request parameters do not match the original request that used this ClientRequestToken');
    // without a token of its own, the SDK sends a fresh one per call (and keeps it across its retries)
    await client.send(increment(undefined));
    await client.send(increment(undefined));
    assert.deepEqual(await get({ pk: 'tok' }), { pk: 'tok', n: 3 });
  });
});

describe('TransactGetItems', () => {
  test('reads in request order from one snapshot, with projections', async () => {
    await client.send(new PutItemCommand({ TableName: table, Item: { pk: { S: 'g1' }, a: { N: '1' }, b: { S: 'x' } } }));
    const out = await doc.send(new TransactGetCommand({
      TransactItems: [
        { Get: { TableName: table, Key: { pk: 'missing' } } },
        { Get: { TableName: table, Key: { pk: 'g1' }, ProjectionExpression: '#b', ExpressionAttributeNames: { '#b': 'b' } } },
      ],
      ReturnConsumedCapacity: 'INDEXES',
    }));
    assert.deepEqual(out.Responses, [{}, { Item: { b: 'x' } }]);
    assert.deepEqual(out.ConsumedCapacity, [{
      TableName: table, CapacityUnits: 4, ReadCapacityUnits: 4, Table: { CapacityUnits: 4, ReadCapacityUnits: 4 },
    }]);
  });

  test('errors', async () => {
    await rejects(client.send(new TransactGetItemsCommand({
      TransactItems: [{ Get: { TableName: table, Key: { pk: { N: '1' } } } }],
    })), 'TransactionCanceledException', `${CANCELLED}[ValidationError]`, (err) => {
      assert.deepEqual(err.CancellationReasons, [{ Code: 'ValidationError', Message: 'The provided key element does not match the schema' }]);
    });
    await rejects(client.send(new TransactGetItemsCommand({
      TransactItems: Array.from({ length: 2 }, () => ({ Get: { TableName: table, Key: { pk: { S: 'same' } } } })),
    })), 'ValidationException', 'Transaction request cannot include multiple operations on one item');
  });
});

describe('conflicts and calls in flight', () => {
  test('injected conflicts: TransactionCanceledException with TransactionConflict, TransactionConflictException', async () => {
    const srv = await startServer(['--in-memory', '--transaction-conflict-rate', '1', '--write-conflict-rate', '1']);
    try {
      const { client: c } = makeClients(srv.endpoint);
      const t = await createTable(c, 'js_conf');
      await rejects(c.send(new TransactWriteItemsCommand({
        TransactItems: [{ Put: { TableName: t, Item: { pk: { S: 'a' } } } }],
      })), 'TransactionCanceledException', `${CANCELLED}[TransactionConflict]`, (err) => {
        assert.deepEqual(err.CancellationReasons, [{ Code: 'TransactionConflict', Message: 'Transaction is ongoing for the item' }]);
      });
      await rejects(c.send(new PutItemCommand({ TableName: t, Item: { pk: { S: 'a' } } })),
        'TransactionConflictException', 'Transaction is ongoing for the item');
    } finally {
      await stopServer(srv);
    }
  });

  test('TransactionInProgressException while the first call with the token runs', async () => {
    // the delay point blocks the held call's event-loop thread for 3 s; a probe that reaches
    // another thread (the kernel spreads connections over the threads' listeners) is refused, one
    // that lands on the held thread waits for it and then replays its answer
    process.env.DDBD_DELAY_POINT = 'transact-before-commit:3000';
    let srv;
    try {
      srv = await startServer(['--in-memory', '--threads', '4']);
    } finally {
      delete process.env.DDBD_DELAY_POINT;
    }
    try {
      const { client: c } = makeClients(srv.endpoint);
      const t = await createTable(c, 'js_slow');
      const call = (cl) => cl.send(new TransactWriteItemsCommand({
        ClientRequestToken: 'held',
        TransactItems: [{ Update: { TableName: t, Key: { pk: { S: 'a' } }, UpdateExpression: 'ADD n :one', ExpressionAttributeValues: { ':one': { N: '1' } } } }],
      }));
      let held = true;
      const first = call(c).finally(() => { held = false; });
      await new Promise((r) => setTimeout(r, 300));
      // probes go out 50 ms apart, each on a new connection, until one is refused
      const errors = [];
      const probes = [];
      for (let i = 0; i < 20 && held && errors.length === 0; i++) {
        const probe = makeClients(srv.endpoint).client;
        probes.push(call(probe).catch((e) => { errors.push(`${e.name}: ${e.message}`); }).finally(() => probe.destroy()));
        await new Promise((r) => setTimeout(r, 50));
      }
      await Promise.all(probes);
      await first;
      assert.ok(errors.length > 0);
      for (const e of errors) assert.equal(e, 'TransactionInProgressException: The transaction with the given request token is already in progress.');
      const { Item } = await c.send(new GetItemCommand({ TableName: t, Key: { pk: { S: 'a' } } }));
      assert.deepEqual(Item.n, { N: '1' }); // applied once
    } finally {
      await stopServer(srv);
    }
  });
});
