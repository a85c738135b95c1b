// The members sdk_members.test.mjs found accepted and dropped, each now implemented or refused
// (docs/compatibility.md, "Request members: implemented, refused or ignored"): the refusals'
// exact ValidationException (ddbd's wording: DynamoDB implements these members, so it has no
// message to copy), nothing changed by a refused request; SSESpecification stored and described
// as SSEDescription; a restore's VectorIndexOverride replacing the backup's vector indexes; an
// export's FilterSpecification echoed and checked.
// botocore 1.29 lacks these members, hence the JS SDK.
//
// Starts its own `ddbd --in-memory` ($DDBD_BIN). Run: cd tests/js && node --test members.test.mjs
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';

import {
  CreateTableCommand,
  DescribeTableCommand,
  ExportTableToPointInTimeCommand,
  RestoreTableFromBackupCommand,
  UpdateTableCommand,
} from '@aws-sdk/client-dynamodb';

import { createBackup, createTable, deleteTable, makeClients, rejects, startServer, stopServer } from './helpers.mjs';

const refused = (member) => `One or more parameter values were invalid: ${member} is not supported by ddbd (docs/compatibility.md)`;

let server;
let client;
const tables = [];
let seq = 0;
const name = (prefix) => {
  const t = `${prefix}_${process.pid}_${++seq}`;
  tables.push(t);
  return t;
};
const describeTable = async (TableName) => (await client.send(new DescribeTableCommand({ TableName }))).Table;
const keyOnly = (TableName, extra = {}) => ({
  TableName, BillingMode: 'PAY_PER_REQUEST',
  AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
  KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
  ...extra,
});

before(async () => {
  server = await startServer();
  ({ client } = makeClients(server.endpoint));
});

after(async () => {
  for (const t of tables) await deleteTable(client, t);
  await stopServer(server);
});

describe('refused until implemented', () => {
  for (const [member, value] of [
    ['GlobalTableSourceArn', 'arn:aws:dynamodb:us-west-2:111111111111:table/source'],
    ['GlobalTableSettingsReplicationMode', 'ENABLED'],
  ]) {
    test(`CreateTable ${member}: refused, and no table is made`, async () => {
      const TableName = name('refused');
      await rejects(client.send(new CreateTableCommand(keyOnly(TableName, { [member]: value }))),
        'ValidationException', refused(member));
      await rejects(describeTable(TableName), 'ResourceNotFoundException',
        `Requested resource not found: Table: ${TableName} not found`);
    });
  }

  test('a refused member comes after the constraint checks', async () => {
    await rejects(client.send(new CreateTableCommand(keyOnly('ab', { GlobalTableSourceArn: 'arn:x' }))),
      'ValidationException',
      "1 validation error detected: Value 'ab' at 'tableName' failed to satisfy constraint: " +
        'Member must have length greater than or equal to 3');
  });

  test('UpdateTable GlobalTableSettingsReplicationMode, DisassociationProtectionEnabled, ReplicaUpdates Disassociate: refused, the table unchanged', async () => {
    const TableName = await createTable(client, 'upd');
    tables.push(TableName);
    const before_ = await describeTable(TableName);
    // alone, each is refused rather than answered "At least one of ... is required"
    await rejects(client.send(new UpdateTableCommand({ TableName, GlobalTableSettingsReplicationMode: 'ENABLED' })),
      'ValidationException', refused('GlobalTableSettingsReplicationMode'));
    await rejects(client.send(new UpdateTableCommand({ TableName, DisassociationProtectionEnabled: true })),
      'ValidationException', refused('DisassociationProtectionEnabled'));
    await rejects(client.send(new UpdateTableCommand({
      TableName,
      ReplicaUpdates: [{ Disassociate: { RegionName: 'us-east-1', DisassociationMode: 'WAIT_FOR_REPLICATION' } }],
    })), 'ValidationException', refused('ReplicaUpdates.Disassociate'));
    // with a change ddbd makes, nothing is made either
    await rejects(client.send(new UpdateTableCommand({
      TableName, DeletionProtectionEnabled: true, DisassociationProtectionEnabled: true,
    })), 'ValidationException', refused('DisassociationProtectionEnabled'));
    assert.deepEqual(await describeTable(TableName), before_);
  });

  test('ExportTableToPointInTime FilterSpecification: implemented, echoed by the description', async () => {
    const TableName = await createTable(client, 'exp');
    tables.push(TableName);
    const FilterSpecification = {
      FilterExpression: 'attribute_exists(#i)', ProjectionExpression: 'id',
      ExpressionAttributeNames: { '#i': 'id' },
    };
    const d = (await client.send(new ExportTableToPointInTimeCommand({
      TableArn: (await describeTable(TableName)).TableArn, S3Bucket: 'bucket', FilterSpecification,
    }))).ExportDescription;
    assert.deepEqual(d.FilterSpecification, FilterSpecification);
    // checked as Query's expressions are
    await rejects(client.send(new ExportTableToPointInTimeCommand({
      TableArn: (await describeTable(TableName)).TableArn, S3Bucket: 'bucket',
      FilterSpecification: { ProjectionExpression: 'id', ExpressionAttributeNames: { '#x': 'x' } },
    })), 'ValidationException', 'Value provided in ExpressionAttributeNames unused in expressions: keys: {#x}');
  });
});

describe('SSESpecification', () => {
  test('CreateTable: Enabled is described as SSEDescription; the default describes nothing', async () => {
    const kms = name('sse');
    await client.send(new CreateTableCommand(keyOnly(kms, {
      SSESpecification: { Enabled: true, SSEType: 'KMS', KMSMasterKeyId: 'alias/mine' },
    })));
    assert.deepEqual((await describeTable(kms)).SSEDescription, { Status: 'ENABLED', SSEType: 'KMS' });
    const plain = name('sse');
    await client.send(new CreateTableCommand(keyOnly(plain, { SSESpecification: { Enabled: false } })));
    assert.equal((await describeTable(plain)).SSEDescription, undefined);
  });

  test('UpdateTable: SSESpecification alone is a change, described at once', async () => {
    const TableName = await createTable(client, 'sseupd');
    tables.push(TableName);
    assert.equal((await describeTable(TableName)).SSEDescription, undefined);
    await client.send(new UpdateTableCommand({ TableName, SSESpecification: { Enabled: true, SSEType: 'KMS' } }));
    assert.deepEqual((await describeTable(TableName)).SSEDescription, { Status: 'ENABLED', SSEType: 'KMS' });
  });

  test('its members are validated', async () => {
    await rejects(client.send(new CreateTableCommand(keyOnly(name('ssebad'), { SSESpecification: { SSEType: 'RSA' } }))),
      'ValidationException',
      "1 validation error detected: Value 'RSA' at 'sSESpecification.sSEType' failed to satisfy constraint: " +
        'Member must satisfy enum value set: [AES256, KMS]');
  });
});

describe('VectorIndexOverride', () => {
  const vindex = (IndexName, Dimensions) => ({
    IndexName, VectorAttribute: { AttributeName: 'emb' }, Dimensions, DistanceFunction: 'COSINE',
    Projection: { ProjectionType: 'ALL' },
  });

  const backupOf = (TableName) => createBackup(client, TableName, 'vectors');

  const vectorNames = async (TableName) => ((await describeTable(TableName)).VectorIndexes || [])
    .map((v) => [v.IndexName, v.Dimensions]);

  test('replaces the backup\'s vector indexes; empty drops them; absent keeps them', async () => {
    const source = name('vsrc');
    await client.send(new CreateTableCommand(keyOnly(source, { VectorIndexes: [vindex('vec3', 3)] })));
    const BackupArn = await backupOf(source);

    const kept = name('vkept');
    await client.send(new RestoreTableFromBackupCommand({ BackupArn, TargetTableName: kept }));
    assert.deepEqual(await vectorNames(kept), [['vec3', 3]]);

    const replaced = name('vrepl');
    await client.send(new RestoreTableFromBackupCommand({
      BackupArn, TargetTableName: replaced, VectorIndexOverride: [vindex('vec8', 8)],
    }));
    assert.deepEqual(await vectorNames(replaced), [['vec8', 8]]);

    const dropped = name('vdrop');
    await client.send(new RestoreTableFromBackupCommand({ BackupArn, TargetTableName: dropped, VectorIndexOverride: [] }));
    assert.deepEqual(await vectorNames(dropped), []);
  });
});
