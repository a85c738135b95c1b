// Resource-based policies enforced under --auth, through the AWS SDK for JavaScript v3: the policy
// matrix of a table and of its stream (an Allow grants what the key's own rules do not, an explicit
// Deny refuses what they allow, a key with no rules included; a conditional statement decides
// nothing; a table without a policy is decided by the key alone), IAM's AccessDeniedException texts
// for both kinds of refusal, and PutResourcePolicy's self-lockout check
// (ConfirmRemoveSelfResourceAccess).
//
// Starts its own `ddbd --in-memory --auth FILE` ($DDBD_BIN). Run: node --test tests/js/
// With $DDBD_STORE_ARGS (tests/rados/run.sh) its server is a RADOS gateway, and with $DDBD_GATEWAYS=2
// two gateways on one pool namespace, every client's requests alternating between them: a policy put
// through one is enforced by the other on the next request.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import {
  CreateTableCommand,
  DeleteResourcePolicyCommand,
  DeleteItemCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  PutResourcePolicyCommand,
  QueryCommand,
  ScanCommand,
} from '@aws-sdk/client-dynamodb';
import { DescribeStreamCommand, DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';

import { GATEWAYS, STORE_ARGS, inTurn, rejects, startServer, stopServer } from './helpers.mjs';

const ACCOUNT = '000000000000';
const KEYS = `AKIDADMIN adminsecret
AKIDREAD readsecret ${ACCOUNT} name=reader allow=read
AKIDNONE nonesecret ${ACCOUNT} name=nobody allow=ListTables
`;
const BAD_DOC = 'One or more parameter values were invalid: Invalid policy document: ';
const user = (name) => `arn:aws:iam::${ACCOUNT}:user/${name}`;
const arnOf = (name) => `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/${name}`;
const denied = (who, action, resource) => `User: ${user(who)} is not authorized to perform: dynamodb:${action} `
  + `on resource: ${resource} because no identity-based policy allows the dynamodb:${action} action`;
const explicit = (who, action, resource) => `User: ${who.startsWith('arn:') ? who : user(who)} is not authorized `
  + `to perform: dynamodb:${action} on resource: ${resource} with an explicit deny in a resource-based policy`;

const servers = [];
let dir;
const clients = {};
const streams = {};

before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ddbd-rbp-'));
  fs.writeFileSync(path.join(dir, 'keys'), KEYS);
  for (let g = 0; g < GATEWAYS; g++) servers.push(await startServer([...STORE_ARGS, '--auth', path.join(dir, 'keys')]));
  const turns = { turn: 0 }; // every request goes to the other gateway than the one before
  for (const [who, id, secret] of [['admin', 'AKIDADMIN', 'adminsecret'], ['reader', 'AKIDREAD', 'readsecret'],
    ['nobody', 'AKIDNONE', 'nonesecret']]) {
    const configs = servers.map((server) => ({ endpoint: server.endpoint, region: 'us-east-1', maxAttempts: 1,
      credentials: { accessKeyId: id, secretAccessKey: secret } }));
    clients[who] = inTurn(configs.map((config) => new DynamoDBClient(config)), turns);
    streams[who] = inTurn(configs.map((config) => new DynamoDBStreamsClient(config)), turns);
  }
});

after(async () => {
  for (const server of servers) assert.equal(await stopServer(server), 0);
  fs.rmSync(dir, { recursive: true, force: true });
});

async function table(name, extra = {}) {
  const { TableDescription } = await clients.admin.send(new CreateTableCommand({
    TableName: name, BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
    KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }], ...extra,
  }));
  await clients.admin.send(new PutItemCommand({ TableName: name, Item: { pk: { S: 'a' } } }));
  return TableDescription;
}

const doc = (...Statement) => JSON.stringify({ Version: '2012-10-17', Statement });
const put = (who, ResourceArn, Policy, more = {}) =>
  clients[who].send(new PutResourcePolicyCommand({ ResourceArn, Policy, ...more }));

describe('resource-based policies under --auth', () => {
  test('the matrix: Allow grants, explicit Deny refuses, conditions as IAM reads them, other tables untouched', async () => {
    const name = 'rbp_orders';
    const arn = arnOf(name);
    await table(name);
    await table('rbp_other');
    await put('admin', arn, doc(
      { Sid: 'nobodyWrites', Effect: 'Allow', Principal: { AWS: user('nobody') },
        Action: ['dynamodb:PutItem', 'dynamodb:GetItem'], Resource: arn },
      { Sid: 'conditional', Effect: 'Allow', Principal: { AWS: user('nobody') }, Action: 'dynamodb:Query',
        Resource: arn, Condition: { StringEquals: { 'aws:PrincipalAccount': '999999999999' } } },
      { Sid: 'holds', Effect: 'Allow', Principal: '*', Action: 'dynamodb:DescribeTable', Resource: arn,
        Condition: { StringEquals: { 'aws:PrincipalAccount': ACCOUNT }, StringLike: { 'aws:username': 'nob*' } } },
      { Sid: 'noScans', Effect: 'Deny', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'dynamodb:Scan',
        Resource: arn },
      { Sid: 'keepIt', Effect: 'Deny', Principal: '*', Action: 'dynamodb:DeleteTable', Resource: arn },
    ));
    const key = { pk: { S: 'a' } };
    // an Allow gives nobody what its key does not
    await clients.nobody.send(new PutItemCommand({ TableName: name, Item: { pk: { S: 'b' } } }));
    assert.deepEqual((await clients.nobody.send(new GetItemCommand({ TableName: name, Key: key }))).Item, key);
    // an Allow whose condition does not hold grants nothing, one whose condition holds grants;
    // another table has no policy
    await rejects(clients.nobody.send(new QueryCommand({ TableName: name, KeyConditionExpression: 'pk = :p',
      ExpressionAttributeValues: { ':p': { S: 'a' } } })), 'AccessDeniedException', denied('nobody', 'Query', arn));
    assert.equal((await clients.nobody.send(new DescribeTableCommand({ TableName: name }))).Table.TableName, name);
    await rejects(clients.nobody.send(new PutItemCommand({ TableName: 'rbp_other', Item: key })),
      'AccessDeniedException', denied('nobody', 'PutItem', arnOf('rbp_other')));
    // an explicit Deny (to the account's root: every user of it) refuses what the key allows
    assert.deepEqual((await clients.reader.send(new GetItemCommand({ TableName: name, Key: key }))).Item, key);
    await rejects(clients.reader.send(new ScanCommand({ TableName: name })), 'AccessDeniedException',
      explicit('reader', 'Scan', arn));
    assert.equal((await clients.reader.send(new ScanCommand({ TableName: 'rbp_other' }))).Count, 1);
    // ... to a key with no rules too, by ARN or by name
    await rejects(clients.admin.send(new ScanCommand({ TableName: arn })), 'AccessDeniedException',
      explicit(user('AKIDADMIN'), 'Scan', arn));
    await rejects(clients.admin.send(new DeleteTableCommand({ TableName: name })), 'AccessDeniedException',
      explicit(user('AKIDADMIN'), 'DeleteTable', arn));
    // gone with the policy
    await clients.admin.send(new DeleteResourcePolicyCommand({ ResourceArn: arn }));
    await rejects(clients.nobody.send(new GetItemCommand({ TableName: name, Key: key })), 'AccessDeniedException',
      denied('nobody', 'GetItem', arn));
    await clients.admin.send(new DeleteTableCommand({ TableName: name }));
    await clients.admin.send(new DeleteTableCommand({ TableName: 'rbp_other' }));
  });

  test('a Deny with a condition or NotAction holds; a condition ddbd cannot evaluate is refused', async () => {
    const name = 'rbp_cond';
    const arn = arnOf(name);
    await table(name);
    await put('admin', arn, doc(
      { Sid: 'readersOnlyRead', Effect: 'Deny', Principal: '*', NotAction: ['dynamodb:GetItem', 'dynamodb:Describe*'],
        Resource: arn, Condition: { StringEquals: { 'aws:username': 'reader' } } },
      { Sid: 'noOrgNoWrites', Effect: 'Deny', Principal: { AWS: user('AKIDADMIN') }, Action: 'dynamodb:DeleteItem',
        Resource: arn, Condition: { Null: { 'aws:PrincipalOrgID': 'true' } } },
    ));
    const key = { pk: { S: 'a' } };
    assert.deepEqual((await clients.reader.send(new GetItemCommand({ TableName: name, Key: key }))).Item, key);
    await rejects(clients.reader.send(new ScanCommand({ TableName: name })), 'AccessDeniedException',
      explicit('reader', 'Scan', arn));
    await rejects(clients.admin.send(new DeleteItemCommand({ TableName: name, Key: key })), 'AccessDeniedException',
      explicit(user('AKIDADMIN'), 'DeleteItem', arn));
    assert.equal((await clients.admin.send(new ScanCommand({ TableName: name }))).Count, 1);
    // a key ddbd has no value for would make the statement mean something else than in DynamoDB
    for (const [cond, what] of [
      [{ IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } }, "the condition operator 'IpAddress'"],
      [{ StringEquals: { 'dynamodb:LeadingKeys': 'a' } }, "the condition key 'dynamodb:LeadingKeys'"],
      [{ 'ForAnyValue:NumericEquals': { 'aws:PrincipalAccount': ACCOUNT } },
        "the condition operator 'ForAnyValue:NumericEquals'"],
    ]) {
      await rejects(put('admin', arn, doc({ Effect: 'Deny', Principal: '*', Action: 'dynamodb:Scan', Resource: arn,
        Condition: cond })), 'ValidationException', `${BAD_DOC}ddbd does not evaluate ${what} (docs/security.md lists `
        + 'what it does)');
    }
    await clients.admin.send(new DeleteResourcePolicyCommand({ ResourceArn: arn }));
    await clients.admin.send(new DeleteTableCommand({ TableName: name }));
  });

  test("a stream's policy decides its stream's reads", async () => {
    const name = 'rbp_streamed';
    const { LatestStreamArn: streamArn } = await table(name, {
      StreamSpecification: { StreamEnabled: true, StreamViewType: 'KEYS_ONLY' } });
    await rejects(streams.nobody.send(new DescribeStreamCommand({ StreamArn: streamArn })), 'AccessDeniedException',
      denied('nobody', 'DescribeStream', streamArn));
    await put('admin', streamArn, doc({ Effect: 'Allow', Principal: { AWS: user('nobody') },
      Action: ['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator'], Resource: streamArn }));
    const out = await streams.nobody.send(new DescribeStreamCommand({ StreamArn: streamArn }));
    assert.equal(out.StreamDescription.StreamArn, streamArn);
    // the table's own policy is another slot: the table is still closed to nobody
    await rejects(clients.nobody.send(new GetItemCommand({ TableName: name, Key: { pk: { S: 'a' } } })),
      'AccessDeniedException', denied('nobody', 'GetItem', arnOf(name)));
    await clients.admin.send(new DeleteTableCommand({ TableName: name }));
  });

  test('PutResourcePolicy refuses to lock its writer out unless confirmed', async () => {
    const name = 'rbp_lockout';
    const arn = arnOf(name);
    await table(name);
    const lockout = doc({ Effect: 'Deny', Principal: { AWS: user('AKIDADMIN') },
      Action: 'dynamodb:PutResourcePolicy', Resource: arn });
    await rejects(put('admin', arn, lockout), 'AccessDeniedException',
      'The new resource policy will not allow you to update the resource policy in the future.');
    await put('admin', arn, lockout, { ConfirmRemoveSelfResourceAccess: true });
    await rejects(put('admin', arn, doc({ Effect: 'Allow', Principal: { AWS: user('reader') },
      Action: 'dynamodb:GetItem', Resource: arn })), 'AccessDeniedException',
    explicit(user('AKIDADMIN'), 'PutResourcePolicy', arn));
    // DeleteResourcePolicy is not denied by it: the way out
    await clients.admin.send(new DeleteResourcePolicyCommand({ ResourceArn: arn }));
    await put('admin', arn, doc({ Effect: 'Allow', Principal: { AWS: user('reader') }, Action: 'dynamodb:GetItem',
      Resource: arn }));
    await clients.admin.send(new DeleteTableCommand({ TableName: name }));
  });
});
