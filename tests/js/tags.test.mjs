// Tags through the AWS SDK for JavaScript v3: TagResource, UntagResource, ListTagsOfResource and
// CreateTable's Tags, each error with its exact name and message as the SDK surfaces them (the
// texts are DynamoDB's as a public conformance suite captured them; see tests/compat/test_tags.py
// for the sources, and docs/compatibility.md, Tags, for what could not be confirmed).
//
// Starts its own `ddbd --in-memory` ($DDBD_BIN) on a free loopback port. Run: node --test tests/js/
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';

import {
  CreateTableCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  ListTagsOfResourceCommand,
  TagResourceCommand,
  UntagResourceCommand,
} from '@aws-sdk/client-dynamodb';

import { createTable, deleteTable, makeClients, rejects, startServer, stopServer } from './helpers.mjs';

const INVALID = 'One or more parameter values were invalid: ';
const OVER_LIMIT = 'Number of Tags exceed the current limit for the provided ResourceArn';
const arnOf = (name) => `arn:aws:dynamodb:us-east-1:000000000000:table/${name}`;
const kv = (pairs) => pairs.map(([Key, Value]) => ({ Key, Value }));

let server;
let client;
const tables = [];

before(async () => {
  server = await startServer();
  ({ client } = makeClients(server.endpoint));
});

after(async () => {
  for (const t of tables) await deleteTable(client, t);
  assert.equal(await stopServer(server), 0);
});


async function freshTable(prefix = 'js_tag') {
  const name = await createTable(client, prefix);
  tables.push(name);
  const { Table } = await client.send(new DescribeTableCommand({ TableName: name }));
  assert.equal(Table.TableArn, arnOf(name));
  return Table.TableArn;
}

const tag = (ResourceArn, Tags) => client.send(new TagResourceCommand({ ResourceArn, Tags }));
const untag = (ResourceArn, TagKeys) => client.send(new UntagResourceCommand({ ResourceArn, TagKeys }));
const list = async (ResourceArn, NextToken) => {
  const out = await client.send(new ListTagsOfResourceCommand({ ResourceArn, NextToken }));
  assert.equal(out.NextToken, undefined); // pages of 50, the limit
  return out.Tags;
};

describe('TagResource, UntagResource, ListTagsOfResource', () => {
  test('round trip in insertion order; an existing key keeps its place', async () => {
    const arn = await freshTable();
    assert.deepEqual(await list(arn), []);
    await tag(arn, kv([['env', 'dev'], ['team', ''], ['cost center', 'a+b-c=d.e_f:g/h@i']]));
    await tag(arn, kv([['env', 'prod'], ['ключ', '表']]));
    assert.deepEqual(await list(arn),
      kv([['env', 'prod'], ['team', ''], ['cost center', 'a+b-c=d.e_f:g/h@i'], ['ключ', '表']]));
    await untag(arn, ['team', 'never-set']);
    assert.deepEqual(await list(arn), kv([['env', 'prod'], ['cost center', 'a+b-c=d.e_f:g/h@i'], ['ключ', '表']]));
  });

  test('CreateTable stores Tags; DeleteTable drops them', async () => {
    const TableName = `js_tagc_${process.pid}`;
    const base = {
      TableName,
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
    };
    await client.send(new CreateTableCommand({ ...base, Tags: kv([['a', '1'], ['b', '2']]) }));
    assert.deepEqual(await list(arnOf(TableName)), kv([['a', '1'], ['b', '2']]));
    await client.send(new DeleteTableCommand({ TableName }));
    await rejects(list(arnOf(TableName)), 'ResourceNotFoundException',
      `Requested resource not found: ResourceArn: ${arnOf(TableName)} not found`);
    await client.send(new CreateTableCommand(base));
    tables.push(TableName);
    assert.deepEqual(await list(arnOf(TableName)), []);
  });

  test('CreateTable with a bad tag creates nothing', async () => {
    const TableName = `js_tagbad_${process.pid}`;
    await rejects(client.send(new CreateTableCommand({
      TableName,
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
      Tags: kv([['aws:foo', 'x']]),
    })), 'ValidationException', 'Tag Key cannot be prefixed with aws:, Key: aws:foo');
    await rejects(client.send(new DescribeTableCommand({ TableName })), 'ResourceNotFoundException',
      `Requested resource not found: Table: ${TableName} not found`);
  });

  test('the 50-tag limit is counted after the merge', async () => {
    const arn = await freshTable();
    const fifty = kv(Array.from({ length: 50 }, (_, i) => [`k${i}`, 'v']));
    await tag(arn, fifty);
    await rejects(tag(arn, kv([['k50', 'v']])), 'ValidationException', OVER_LIMIT);
    await tag(arn, kv([['k0', 'new']]));
    const got = await list(arn);
    assert.equal(got.length, 50);
    assert.deepEqual(got[0], { Key: 'k0', Value: 'new' });
  });

  test('errors', async () => {
    const arn = await freshTable();
    await rejects(tag(arn, []), 'ValidationException', 'Atleast one Tag needs to be provided as Input.');
    await rejects(untag(arn, []), 'ValidationException', 'Atleast one Tag Key needs to be provided as Input.');
    await rejects(tag(arn, kv([['k'.repeat(129), 'v']])), 'ValidationException',
      `The Tag Key provided is invalid, Key: ${'k'.repeat(129)}`);
    await rejects(tag(arn, kv([['k', 'v'.repeat(257)]])), 'ValidationException',
      `The Tag Value provided is invalid, Value: ${'v'.repeat(257)}`);
    await rejects(tag(arn, kv([['k', '100%']])), 'ValidationException', 'The Tag Value provided is invalid, Value: 100%');
    await rejects(tag(arn, kv([['dup', '1'], ['dup', '2']])), 'ValidationException',
      'Duplicate Tag Keys provided as input: Duplicate Tag Key found dup');
    await rejects(untag(arn, ['AWS:x']), 'ValidationException', 'Tag Key cannot be prefixed with aws:, Key: AWS:x');
    await rejects(list('not-an-arn'), 'ValidationException', `${INVALID}ARNs must start with 'arn:': not-an-arn`);
    await rejects(list(`${arn}/index/gsi`), 'ValidationException',
      `${INVALID}Invalid resource arn provided, only table or stream is accepted. Provided resource arn: ${arn}/index/gsi`);
    const other = arn.replace('us-east-1', 'eu-west-1');
    await rejects(tag(other, kv([['a', 'b']])), 'ValidationException',
      `Invalid TableArn: Invalid ResourceArn provided as input ${other}`);
    const missing = arnOf(`js_missing_${process.pid}`);
    // one call at a time: a rejection must never wait unobserved for an earlier await
    for (const call of [() => tag(missing, kv([['a', 'b']])), () => untag(missing, ['a']), () => list(missing)]) {
      await rejects(call(), 'ResourceNotFoundException', `Requested resource not found: ResourceArn: ${missing} not found`);
    }
    assert.deepEqual(await list(arn), []);
  });
});
