// Expressions through the AWS SDK for JavaScript v3: ConditionExpression on Put/Update/Delete
// (ConditionalCheckFailedException as the SDK models it, with ReturnValuesOnConditionCheckFailure
// putting the old item on error.Item), UpdateExpression and ProjectionExpression through
// DynamoDBDocumentClient (native values, Sets, NumberValue), DynamoDB's validation messages as the
// SDK surfaces them, the legacy Expected / AttributeUpdates / AttributesToGet, and racing
// conditional writes.
//
// Starts its own `ddbd --in-memory` ($DDBD_BIN, default build/ddbd of this checkout) on a free loopback
// port and stops it at the end. Run with: node --test tests/js/
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';

import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  DynamoDBServiceException,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  GetCommand,
  NumberValue,
  PutCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';

import { createTable, makeClients, startServer, stopServer } from './helpers.mjs';

let server;
let client;
let doc;
let docWrapped;
let wrappedClient;
let table;
let keySeq = 0;

// PutItem/UpdateItem/DeleteItem word request checks in the 2026 layer's envelope (docs/compatibility.md)
const V1 = '1 validation error detected: ';
const CCF_MESSAGE = 'The conditional request failed';

function newKey() {
  return `k${process.pid}_${++keySeq}`;
}

before(async () => {
  server = await startServer();
  ({ client, doc } = makeClients(server.endpoint));
  ({ client: wrappedClient, doc: docWrapped } = makeClients(server.endpoint, {
    unmarshallOptions: { wrapNumbers: true },
  }));
  table = await createTable(client, 'js_expr');
});

after(async () => {
  client?.destroy();
  wrappedClient?.destroy();
  const code = await stopServer(server);
  assert.equal(code, 0, `ddbd did not exit 0 on SIGTERM (${code}): ${server?.stderr()}`);
});

async function rejects(promise) {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  assert.fail('expected the request to fail');
}

async function expectValidation(promise, message) {
  const err = await rejects(promise);
  assert.ok(err instanceof DynamoDBServiceException, String(err));
  assert.equal(err.name, 'ValidationException');
  assert.equal(err.message, message);
  assert.equal(err.$metadata.httpStatusCode, 400);
  return err;
}

async function expectConditionFailed(promise) {
  const err = await rejects(promise);
  assert.ok(err instanceof ConditionalCheckFailedException, `${err.name}: ${err.message}`);
  assert.equal(err.name, 'ConditionalCheckFailedException');
  assert.equal(err.message, CCF_MESSAGE);
  assert.equal(err.$fault, 'client');
  assert.equal(err.$metadata.httpStatusCode, 400);
  return err;
}

function sortSets(value) {
  if (Array.isArray(value)) return value.map(sortSets);
  if (value instanceof Uint8Array) return Buffer.from(value).toString('hex');
  if (value && typeof value === 'object') {
    const out = {};
    for (const [k, v] of Object.entries(value)) {
      if (k === 'SS' || k === 'NS') out[k] = [...v].sort();
      else if (k === 'BS') out[k] = v.map((b) => Buffer.from(b).toString('hex')).sort();
      else out[k] = sortSets(v);
    }
    return out;
  }
  return value;
}

const OLD_ITEM = {
  v: { N: '1' },
  b: { B: new Uint8Array([0, 255, 7]) },
  ss: { SS: ['x', 'y'] },
  m: { M: { l: { L: [{ NULL: true }, { BOOL: false }, { S: 'deep' }] } } },
};

async function seedOld() {
  const pk = newKey();
  const Item = { pk: { S: pk }, ...OLD_ITEM };
  await client.send(new PutItemCommand({ TableName: table, Item }));
  return { pk, Item };
}

function failing(op, pk, extra = {}) {
  const common = {
    TableName: table,
    ConditionExpression: 'v = :two',
    ExpressionAttributeValues: { ':two': { N: '2' } },
    ...extra,
  };
  if (op === 'put') {
    return new PutItemCommand({ ...common, Item: { pk: { S: pk }, v: { N: '3' } } });
  }
  if (op === 'update') {
    return new UpdateItemCommand({
      ...common,
      Key: { pk: { S: pk } },
      UpdateExpression: 'SET v = :three',
      ExpressionAttributeValues: { ...common.ExpressionAttributeValues, ':three': { N: '3' } },
    });
  }
  return new DeleteItemCommand({ ...common, Key: { pk: { S: pk } } });
}

describe('ConditionalCheckFailedException', () => {
  for (const op of ['put', 'update', 'delete']) {
    test(`${op}: failed condition, no Item unless asked, nothing written`, async () => {
      const { pk, Item } = await seedOld();
      let err = await expectConditionFailed(client.send(failing(op, pk)));
      assert.equal(err.Item, undefined);
      err = await expectConditionFailed(client.send(failing(op, pk, {
        ReturnValuesOnConditionCheckFailure: 'NONE',
      })));
      assert.equal(err.Item, undefined);
      const got = await client.send(new GetItemCommand({
        TableName: table, Key: { pk: { S: pk } }, ConsistentRead: true,
      }));
      assert.deepEqual(sortSets(got.Item), sortSets(Item));
    });
  }
});

describe('ConditionExpression through the DocumentClient', () => {
  const item = {
    n: 10,
    s: 'hello',
    tags: new Set(['a', 'b']),
    nums: new Set([1, 2, 3]),
    lst: ['x', 1, { k: 'v' }],
    m: { a: { b: [0, { c: 5 }] } },
    flag: true,
    nothing: null,
  };
  const cases = [
    ['n = :v', { ':v': 10 }, true],
    ['n <> :v', { ':v': '10' }, true],
    ['n < :v', { ':v': 9 }, false],
    ['n BETWEEN :lo AND :hi', { ':lo': 9, ':hi': 11 }, true],
    ['s IN (:a, :b)', { ':a': 'x', ':b': 'hello' }, true],
    ['NOT n = :one AND n = :one', { ':one': 1 }, false],
    ['n = :ten OR n = :one AND n = :one', { ':ten': 10, ':one': 1 }, true],
    ['(n = :ten OR n = :one) AND n = :one', { ':ten': 10, ':one': 1 }, false],
    ['attribute_exists(m.a.b[1].c) AND attribute_not_exists(m.a.z)', undefined, true],
    ['attribute_type(tags, :t)', { ':t': 'SS' }, true],
    ['attribute_type(nums, :t)', { ':t': 'NS' }, true],
    ['attribute_type(nothing, :t)', { ':t': 'NULL' }, true],
    ['begins_with(s, :p)', { ':p': 'he' }, true],
    ['contains(tags, :v)', { ':v': 'b' }, true],
    ['contains(nums, :v)', { ':v': 4 }, false],
    ['contains(lst, :v)', { ':v': { k: 'v' } }, true],
    ['size(lst) = :three AND size(s) > :four', { ':three': 3, ':four': 4 }, true],
    ['m.a.b[1].c = :five', { ':five': 5 }, true],
    ['flag = :t AND nothing = :n', { ':t': true, ':n': null }, true],
    ['nope <> :v', { ':v': 1 }, true],
    ['nope = :v', { ':v': 1 }, false],
  ];
  for (const [expr, values, truth] of cases) {
    test(`${expr} -> ${truth}`, async () => {
      const pk = newKey();
      await doc.send(new PutCommand({ TableName: table, Item: { pk, ...item } }));
      const put = doc.send(new PutCommand({
        TableName: table,
        Item: { pk, ...item, written: true },
        ConditionExpression: expr,
        ...(values ? { ExpressionAttributeValues: values } : {}),
      }));
      if (truth) {
        await put;
      } else {
        await expectConditionFailed(put);
      }
      const got = await doc.send(new GetCommand({ TableName: table, Key: { pk } }));
      assert.equal(got.Item.written, truth ? true : undefined);
    });
  }

  test('#names for reserved words and names with dots', async () => {
    const pk = newKey();
    await doc.send(new PutCommand({ TableName: table, Item: { pk, status: 'on', 'a.b': 1 } }));
    await doc.send(new DeleteCommand({
      TableName: table,
      Key: { pk },
      ConditionExpression: '#s = :on AND #d = :one',
      ExpressionAttributeNames: { '#s': 'status', '#d': 'a.b' },
      ExpressionAttributeValues: { ':on': 'on', ':one': 1 },
    }));
    assert.equal((await doc.send(new GetCommand({ TableName: table, Key: { pk } }))).Item,
      undefined);
  });
});

describe('UpdateExpression through the DocumentClient', () => {
  test('SET, REMOVE, ADD and DELETE with native values and ReturnValues', async () => {
    const pk = newKey();
    let out = await doc.send(new UpdateCommand({
      TableName: table,
      Key: { pk },
      UpdateExpression: 'SET cnt = if_not_exists(cnt, :zero) + :one, hist = '
        + 'list_append(if_not_exists(hist, :empty), :h), m = :m ADD tags :t',
      ExpressionAttributeValues: {
        ':zero': 0, ':one': 1, ':empty': [], ':h': ['a'], ':m': { x: { y: 1 } },
        ':t': new Set(['p', 'q']),
      },
      ReturnValues: 'ALL_NEW',
    }));
    assert.deepEqual(out.Attributes, {
      pk, cnt: 1, hist: ['a'], m: { x: { y: 1 } }, tags: new Set(['p', 'q']),
    });
    out = await doc.send(new UpdateCommand({
      TableName: table,
      Key: { pk },
      UpdateExpression: 'SET hist = list_append(:front, hist), m.x.z = :z, cnt = cnt - :two '
        + 'REMOVE m.x.y DELETE tags :p',
      ExpressionAttributeValues: { ':front': ['z'], ':z': 'zed', ':two': 2, ':p': new Set(['p']) },
      ReturnValues: 'UPDATED_OLD',
    }));
    assert.deepEqual(out.Attributes, {
      cnt: 1, hist: ['a'], m: { x: { y: 1 } }, tags: new Set(['p', 'q']),
    });
    out = await doc.send(new UpdateCommand({
      TableName: table,
      Key: { pk },
      UpdateExpression: 'SET hist[0] = :v REMOVE cnt DELETE tags :q',
      ExpressionAttributeValues: { ':v': 'first', ':q': new Set(['q']) },
      ReturnValues: 'UPDATED_NEW',
    }));
    assert.deepEqual(out.Attributes, { hist: ['first'] });
    const got = await doc.send(new GetCommand({ TableName: table, Key: { pk }, ConsistentRead: true }));
    assert.deepEqual(got.Item, { pk, hist: ['first', 'a'], m: { x: { z: 'zed' } } });
  });

  test('exact decimal arithmetic with NumberValue', async () => {
    const pk = newKey();
    const big = '12345678901234567890123456789012345678';
    const out = await docWrapped.send(new UpdateCommand({
      TableName: table,
      Key: { pk },
      UpdateExpression: 'SET a = :big - :one, b = :x + :y',
      ExpressionAttributeValues: {
        ':big': NumberValue.from(big), ':one': 1, ':x': NumberValue.from('0.1'),
        ':y': NumberValue.from('0.2'),
      },
      ReturnValues: 'ALL_NEW',
    }));
    assert.equal(out.Attributes.a.toString(), '12345678901234567890123456789012345677');
    assert.equal(out.Attributes.b.toString(), '0.3');
  });

  const errorCases = [
    ['key attribute', { UpdateExpression: 'SET pk = :v', ExpressionAttributeValues: { ':v': 'x' } },
      'One or more parameter values were invalid: Cannot update attribute pk. '
      + 'This attribute is part of the key'],
    ['operand type at run time', {
      UpdateExpression: 'SET s = s + :one', ExpressionAttributeValues: { ':one': 1 },
    }, 'An operand in the update expression has an incorrect data type'],
    ['missing operand', {
      UpdateExpression: 'SET x = nope + :one', ExpressionAttributeValues: { ':one': 1 },
    }, 'The provided expression refers to an attribute that does not exist in the item'],
    ['overlapping paths', {
      UpdateExpression: 'SET #s = :v REMOVE #s',
      ExpressionAttributeNames: { '#s': 's' },
      ExpressionAttributeValues: { ':v': 1 },
    }, V1 + 'Invalid UpdateExpression: Two document paths overlap with each other; must remove or '
      + 'rewrite one of these paths; path one: [s], path two: [s]'],
    ['unused value', {
      UpdateExpression: 'SET a = :v', ExpressionAttributeValues: { ':v': 1, ':x': 2 },
    }, V1 + 'Value provided in ExpressionAttributeValues unused in expressions: keys: {:x}'],
    ['reserved word', {
      UpdateExpression: 'SET status = :v', ExpressionAttributeValues: { ':v': 1 },
    }, V1 + 'Invalid UpdateExpression: Attribute name is a reserved keyword; reserved keyword: status'],
    ['syntax error', {
      UpdateExpression: 'SET a = = :v', ExpressionAttributeValues: { ':v': 1 },
    }, V1 + 'Invalid UpdateExpression: Syntax error; token: "=", near: "= = :v"'],
    ['ADD operand type', {
      UpdateExpression: 'ADD s :v', ExpressionAttributeValues: { ':v': 'x' },
    }, V1 + 'Invalid UpdateExpression: Incorrect operand type for operator or function; operator: '
      + 'ADD, operand type: STRING, typeSet: ALLOWED_FOR_ADD_OPERAND'],
    ['BETWEEN bounds', {
      UpdateExpression: 'SET a = :hi', ConditionExpression: 'a BETWEEN :hi AND :lo',
      ExpressionAttributeValues: { ':hi': 5, ':lo': 4 },
    }, V1 + 'Invalid ConditionExpression: The BETWEEN operator requires upper bound to be greater '
      + 'than or equal to lower bound; lower bound operand: AttributeValue: {N:5}, upper bound '
      + 'operand: AttributeValue: {N:4}'],
    ['invalid function', {
      UpdateExpression: 'SET a = if_not_exist(a, :v)', ExpressionAttributeValues: { ':v': 1 },
    }, V1 + 'Invalid UpdateExpression: Invalid function name; function: if_not_exist'],
  ];
  for (const [name, params, message] of errorCases) {
    test(`error: ${name}`, async () => {
      const pk = newKey();
      await doc.send(new PutCommand({ TableName: table, Item: { pk, s: 'str' } }));
      await expectValidation(doc.send(new UpdateCommand({ TableName: table, Key: { pk }, ...params })),
        message);
      const got = await doc.send(new GetCommand({ TableName: table, Key: { pk }, ConsistentRead: true }));
      assert.deepEqual(got.Item, { pk, s: 'str' });
    });
  }
});

describe('ProjectionExpression through the DocumentClient', () => {
  test('nested paths, list indexes and #names', async () => {
    const pk = newKey();
    await doc.send(new PutCommand({
      TableName: table,
      Item: { pk, status: 'on', l: ['l0', 'l1', 'l2'], m: { a: 1, b: { c: [1, 2] } }, x: 'no' },
    }));
    const got = await doc.send(new GetCommand({
      TableName: table,
      Key: { pk },
      ProjectionExpression: '#st, l[2], l[0], m.b.c[1]',
      ExpressionAttributeNames: { '#st': 'status' },
    }));
    assert.deepEqual(got.Item, { status: 'on', l: ['l0', 'l2'], m: { b: { c: [2] } } });
  });
});

describe('legacy parameters', () => {
  test('Expected, AttributeUpdates and AttributesToGet', async () => {
    const pk = newKey();
    await doc.send(new UpdateCommand({
      TableName: table,
      Key: { pk },
      AttributeUpdates: {
        n: { Action: 'ADD', Value: 5 },
        tags: { Action: 'ADD', Value: new Set(['a', 'b']) },
        s: { Value: 'hello' },
      },
      Expected: { pk: { Exists: false } },
    }));
    await expectConditionFailed(doc.send(new UpdateCommand({
      TableName: table,
      Key: { pk },
      AttributeUpdates: { n: { Action: 'ADD', Value: 1 } },
      Expected: { n: { ComparisonOperator: 'GT', AttributeValueList: [5] } },
    })));
    const out = await doc.send(new UpdateCommand({
      TableName: table,
      Key: { pk },
      AttributeUpdates: { tags: { Action: 'DELETE', Value: new Set(['a']) }, s: { Action: 'DELETE' } },
      Expected: {
        n: { ComparisonOperator: 'BETWEEN', AttributeValueList: [1, 5] },
        s: { ComparisonOperator: 'BEGINS_WITH', AttributeValueList: ['he'] },
      },
      ConditionalOperator: 'AND',
      ReturnValues: 'ALL_NEW',
    }));
    assert.deepEqual(out.Attributes, { pk, n: 5, tags: new Set(['b']) });
    const got = await doc.send(new GetCommand({
      TableName: table, Key: { pk }, AttributesToGet: ['tags', 'nope'],
    }));
    assert.deepEqual(got.Item, { tags: new Set(['b']) });
    await expectValidation(doc.send(new PutCommand({
      TableName: table,
      Item: { pk },
      Expected: { pk: { Exists: false } },
      ConditionExpression: 'attribute_not_exists(pk)',
    })), V1 + 'Can not use both expression and non-expression parameters in the same request: '
      + 'Non-expression parameters: {Expected} Expression parameters: {ConditionExpression}');
  });
});

describe('conditional writes are atomic', () => {
  test('concurrent creates of one key: exactly one winner', async () => {
    for (let round = 0; round < 10; round++) {
      const pk = newKey();
      const attempts = Array.from({ length: 16 }, (_, i) => doc.send(new PutCommand({
        TableName: table,
        Item: { pk, owner: i },
        ConditionExpression: 'attribute_not_exists(pk)',
      })));
      const results = await Promise.allSettled(attempts);
      const won = results.filter((r) => r.status === 'fulfilled');
      assert.equal(won.length, 1);
      for (const r of results) {
        if (r.status === 'rejected') {
          assert.ok(r.reason instanceof ConditionalCheckFailedException, String(r.reason));
        }
      }
      const winner = results.findIndex((r) => r.status === 'fulfilled');
      const got = await doc.send(new GetCommand({ TableName: table, Key: { pk }, ConsistentRead: true }));
      assert.equal(got.Item.owner, winner);
    }
  });

  test('concurrent compare-and-set: the counter equals the successful updates', async () => {
    const pk = newKey();
    await doc.send(new PutCommand({ TableName: table, Item: { pk, v: 0 } }));
    let successes = 0;
    for (let round = 0; round < 10; round++) {
      const attempts = Array.from({ length: 8 }, () => doc.send(new UpdateCommand({
        TableName: table,
        Key: { pk },
        UpdateExpression: 'SET v = v + :one',
        ConditionExpression: 'v = :expected',
        ExpressionAttributeValues: { ':one': 1, ':expected': round },
      })));
      const results = await Promise.allSettled(attempts);
      const won = results.filter((r) => r.status === 'fulfilled').length;
      assert.equal(won, 1);
      successes += won;
    }
    const got = await doc.send(new GetCommand({ TableName: table, Key: { pk }, ConsistentRead: true }));
    assert.equal(got.Item.v, successes);
  });
});

// Last, so that a server failure here does not hide the results above.
describe('ReturnValuesOnConditionCheckFailure', () => {
  for (const op of ['put', 'update', 'delete']) {
    test(`${op}: ReturnValuesOnConditionCheckFailure=ALL_OLD puts the old item on error.Item`,
      async () => {
        const { pk, Item } = await seedOld();
        const err = await expectConditionFailed(client.send(failing(op, pk, {
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        })));
        assert.deepEqual(sortSets(err.Item), sortSets(Item));
      });

    test(`${op}: ALL_OLD on an absent item gives no Item`, async () => {
      const err = await expectConditionFailed(client.send(failing(op, newKey(), {
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      })));
      assert.equal(err.Item, undefined);
    });
  }

  test('the DocumentClient surfaces the same exception', async () => {
    const pk = newKey();
    await doc.send(new PutCommand({ TableName: table, Item: { pk, n: 1 } }));
    const err = await expectConditionFailed(doc.send(new PutCommand({
      TableName: table,
      Item: { pk, n: 2 },
      ConditionExpression: 'attribute_not_exists(pk)',
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    })));
    // lib-dynamodb does not unmarshall errors: the Item is in wire form
    assert.deepEqual(err.Item, { pk: { S: pk }, n: { N: '1' } });
  });
});

