// Resource-based policies through the AWS SDK for JavaScript v3 (Debian's boto3 predates them):
// PutResourcePolicy, GetResourcePolicy, DeleteResourcePolicy and CreateTable's ResourcePolicy, on
// tables and streams, with revision ids and ExpectedRevisionId, and each error with the exact name
// and message DynamoDB gives (captured against the service; sources in server/api/validate/validate_policy.c
// and docs/compatibility.md, "Resource-based policies"). Enforcement under --auth:
// resource_policy_auth.test.mjs.
//
// Starts its own `ddbd --in-memory` ($DDBD_BIN) on a free loopback port. Run: node --test tests/js/
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';

import {
  CreateTableCommand,
  DeleteResourcePolicyCommand,
  DescribeTableCommand,
  GetResourcePolicyCommand,
  PutResourcePolicyCommand,
  UpdateTableCommand,
} from '@aws-sdk/client-dynamodb';

import { createTable, deleteTable, makeClients, rejects, startServer, stopServer } from './helpers.mjs';

const INVALID = 'One or more parameter values were invalid: ';
const BAD_DOC = `${INVALID}Invalid policy document: `;
const NOT_FOUND = 'Resource-based policy not found for the provided ResourceArn: ';
const ACCOUNT = '000000000000';
const arnOf = (name) => `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/${name}`;

/** A policy letting account 111122223333 read the table (or the stream's records). */
function policy(arn, { actions = ['dynamodb:GetItem', 'dynamodb:Query'], sid = 'read', extra = {} } = {}) {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Sid: sid, Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111122223333:root' },
      Action: actions, Resource: arn, ...extra }],
  });
}

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

async function fresh(prefix = 'js_rbp') {
  const name = await createTable(client, prefix);
  tables.push(name);
  return name;
}

const put = (ResourceArn, Policy, more = {}) =>
  client.send(new PutResourcePolicyCommand({ ResourceArn, Policy, ...more }));
const get = (ResourceArn) => client.send(new GetResourcePolicyCommand({ ResourceArn }));
const del = (ResourceArn, more = {}) => client.send(new DeleteResourcePolicyCommand({ ResourceArn, ...more }));

describe('PutResourcePolicy, GetResourcePolicy, DeleteResourcePolicy', () => {
  test('round trip; revision ids are change times; the same document changes nothing', async () => {
    const name = await fresh();
    const arn = arnOf(name);
    await rejects(get(arn), 'PolicyNotFoundException', NOT_FOUND + arn);
    const before = Date.now();
    const { RevisionId: r1 } = await put(arn, policy(arn));
    assert.match(r1, /^\d{13}$/);
    assert.ok(Number(r1) >= before - 1 && Number(r1) <= Date.now() + 1, r1);
    assert.deepEqual(await get(arn).then(({ Policy, RevisionId }) => ({ Policy, RevisionId })),
      { Policy: policy(arn), RevisionId: r1 });
    assert.equal((await put(arn, policy(arn))).RevisionId, r1); // idempotent
    const { RevisionId: r2 } = await put(arn, policy(arn, { actions: ['dynamodb:Scan'] }));
    assert.ok(BigInt(r2) > BigInt(r1));
    // DescribeTable never shows it
    const { Table } = await client.send(new DescribeTableCommand({ TableName: name }));
    assert.equal(JSON.stringify(Table).includes('Policy'), false);
    // the removed policy's revision id, then {} for the empty slot
    assert.equal((await del(arn)).RevisionId, r2);
    assert.equal((await del(arn)).RevisionId, undefined);
    await rejects(get(arn), 'PolicyNotFoundException', NOT_FOUND + arn);
  });

  test('ExpectedRevisionId: NO_POLICY, a stale id, an id for an empty slot', async () => {
    const name = await fresh();
    const arn = arnOf(name);
    await rejects(put(arn, policy(arn), { ExpectedRevisionId: '123456789' }), 'PolicyNotFoundException',
      `${NOT_FOUND}Requested update for policy with revision id 123456789, but table ${name} has no associated policy.`);
    const { RevisionId: r1 } = await put(arn, policy(arn), { ExpectedRevisionId: 'NO_POLICY' });
    await rejects(put(arn, policy(arn, { sid: 'other' }), { ExpectedRevisionId: 'NO_POLICY' }),
      'PolicyNotFoundException',
      `${NOT_FOUND}Requested policy update expecting none to be present for table ${name}, but a policy exists `
      + `with revision id ${r1}.`);
    await rejects(put(arn, policy(arn, { sid: 'other' }), { ExpectedRevisionId: '1' }), 'PolicyNotFoundException',
      `${NOT_FOUND}Requested update for policy with revision id 1, but the policy associated to target table `
      + `${name} has revision id ${r1}.`);
    const { RevisionId: r2 } = await put(arn, policy(arn, { sid: 'other' }), { ExpectedRevisionId: r1 });
    await rejects(del(arn, { ExpectedRevisionId: r1 }), 'PolicyNotFoundException',
      `${NOT_FOUND}Requested update for policy with revision id ${r1}, but the policy associated to target table `
      + `${name} has revision id ${r2}.`);
    assert.equal((await del(arn, { ExpectedRevisionId: r2 })).RevisionId, r2);
    await rejects(del(arn, { ExpectedRevisionId: r2 }), 'PolicyNotFoundException',
      `${NOT_FOUND}Requested update for policy with revision id ${r2}, but table ${name} has no associated policy.`);
  });

  test('ResourceArn: tables and streams of this region and account only', async () => {
    const name = await fresh();
    const arn = arnOf(name);
    await rejects(get(name), 'ValidationException', `${INVALID}ARNs must start with 'arn:': ${name}`);
    await rejects(get(`${arn}/index/byX`), 'ValidationException',
      `${INVALID}Invalid resource arn provided, only table or stream is accepted. Provided resource arn: ${arn}/index/byX`);
    await rejects(get(`${arn}/backup/01700000000000-abcdef12`), 'ValidationException',
      `${INVALID}Provided Arn is not a DynamoDB resource arn: ${arn}/backup/01700000000000-abcdef12`);
    const other = `arn:aws:dynamodb:us-east-1:111122223333:table/${name}`;
    await rejects(get(other), 'ValidationException',
      'This action is only supported by accounts that match the resource owner\u2019s account.');
    const west = `arn:aws:dynamodb:eu-west-1:${ACCOUNT}:table/${name}`;
    await rejects(get(west), 'ValidationException', `${INVALID}Invalid resource Arn: ${west}`);
    // one call at a time: a call made before the previous one is awaited rejects unhandled
    for (const call of [() => get(arnOf('js_rbp_none')), () => put(arnOf('js_rbp_none'), policy(arnOf('js_rbp_none'))),
      () => del(arnOf('js_rbp_none'))]) {
      await rejects(call(), 'ResourceNotFoundException', 'Requested resource not found: Table: js_rbp_none not found');
    }
    await rejects(get(`${arn}/stream/2026-01-01T00:00:00.000`), 'ResourceNotFoundException',
      `Requested resource not found: Stream: 2026-01-01T00:00:00.000 not found for Table: ${name}`);
  });

  test('the document: size, JSON, statements, actions, public access', async () => {
    const name = await fresh();
    const arn = arnOf(name);
    const doc = (st) => JSON.stringify({ Version: '2012-10-17', Statement: st });
    const st = { Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111122223333:root' }, Action: 'dynamodb:GetItem',
      Resource: arn };
    const cases = [
      [policy(arn) + ' '.repeat(20481 - policy(arn).length), `${INVALID}Maximum policy size of 20480 bytes exceeded`],
      ['{"Statement": [', `${BAD_DOC}This policy contains invalid Json`],
      ['', `${BAD_DOC}This policy contains invalid Json`],
      [doc([]), `${BAD_DOC}Could not parse the policy: Statement is empty!`],
      [doc([{ ...st, Resource: undefined }]), `${BAD_DOC}Missing required field Resource`],
      [doc([{ ...st, Sid: 'a' }, { ...st, Sid: 'a' }]), `${BAD_DOC}The Statement Ids in the policy are not unique`],
      [doc([{ ...st, Action: ['dynamodb:GetRecords', 'dynamodb:DescribeStream'] }]),
        `${BAD_DOC}The following action names are invalid: "dynamodb:GetRecords", "dynamodb:DescribeStream"`],
      [doc([{ ...st, Principal: '*' }]), 'Resource-based policy grants unbounded access in one or more elements. '
        + 'Please revise the policy to ensure least-privilege form of access'],
      [doc([{ ...st, Principal: { AWS: ['arn:aws:iam::111122223333:root', '*'] } }]),
        'Resource-based policy grants unbounded access in one or more elements. '
        + 'Please revise the policy to ensure least-privilege form of access'],
    ];
    for (const [text, message] of cases) await rejects(put(arn, text), 'ValidationException', message);
    await rejects(get(arn), 'PolicyNotFoundException', NOT_FOUND + arn); // nothing was stored
    // accepted: a single Statement object, a Deny to everyone, "*" narrowed by a trusted condition key,
    // a size of exactly 20480 bytes
    await put(arn, JSON.stringify({ Statement: st }));
    await put(arn, doc([{ ...st, Effect: 'Deny', Principal: '*' }]));
    await put(arn, doc([{ ...st, Principal: '*', Condition: { StringEquals: { 'aws:PrincipalAccount': '111122223333' } } }]));
    await put(arn, policy(arn) + ' '.repeat(20480 - policy(arn).length));
  });

  test("a stream's policy is its own slot and takes only the stream's actions", async () => {
    const name = await fresh();
    const arn = arnOf(name);
    const { TableDescription } = await client.send(new UpdateTableCommand({
      TableName: name, StreamSpecification: { StreamEnabled: true, StreamViewType: 'KEYS_ONLY' } }));
    const streamArn = TableDescription.LatestStreamArn;
    const streamPolicy = policy(streamArn, { actions: ['dynamodb:GetRecords', 'dynamodb:GetShardIterator',
      'dynamodb:DescribeStream'] });
    await rejects(put(streamArn, policy(streamArn)), 'ValidationException',
      `${BAD_DOC}The following action names are invalid: "dynamodb:GetItem", "dynamodb:Query"`);
    const { RevisionId: rs } = await put(streamArn, streamPolicy);
    await rejects(get(arn), 'PolicyNotFoundException', NOT_FOUND + arn);
    const { RevisionId: rt } = await put(arn, policy(arn));
    assert.deepEqual(await get(streamArn).then(({ Policy, RevisionId }) => ({ Policy, RevisionId })),
      { Policy: streamPolicy, RevisionId: rs });
    assert.equal((await get(arn)).RevisionId, rt);
    assert.equal((await del(streamArn)).RevisionId, rs);
    assert.equal((await get(arn)).RevisionId, rt);
  });
});

describe("CreateTable's ResourcePolicy", () => {
  const create = (TableName, ResourcePolicy) => client.send(new CreateTableCommand({
    TableName, BillingMode: 'PAY_PER_REQUEST', ResourcePolicy,
    AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
    KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
  }));

  test('stored with the table, revision id its creation time, gone with it', async () => {
    const name = `js_rbp_create_${process.pid}`;
    const arn = arnOf(name);
    const before = Date.now();
    const { TableDescription } = await create(name, policy(arn));
    tables.push(name);
    assert.equal(JSON.stringify(TableDescription).includes('Policy'), false);
    const { Policy, RevisionId } = await get(arn);
    assert.equal(Policy, policy(arn));
    assert.ok(Number(RevisionId) >= before - 1 && Number(RevisionId) <= Date.now() + 1);
    await deleteTable(client, name);
    for (let i = 0; ; i++) { // until the deletion is complete (DELETING until then)
      try {
        await client.send(new DescribeTableCommand({ TableName: name }));
      } catch (e) {
        if (e.name === 'ResourceNotFoundException') break;
        throw e;
      }
      assert.ok(i < 500, 'the table was not deleted');
      await new Promise((r) => setTimeout(r, 10));
    }
    await create(name);
    await rejects(get(arn), 'PolicyNotFoundException', NOT_FOUND + arn); // a new table starts without one
  });

  test('a bad document refuses the table', async () => {
    const name = `js_rbp_bad_${process.pid}`;
    await rejects(create(name, '{"Statement": []}'), 'ValidationException',
      `${BAD_DOC}Could not parse the policy: Statement is empty!`);
    await rejects(client.send(new DescribeTableCommand({ TableName: name })), 'ResourceNotFoundException',
      `Requested resource not found: Table: ${name} not found`);
  });
});
