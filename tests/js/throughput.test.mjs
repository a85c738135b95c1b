// OnDemandThroughput and WarmThroughput through the AWS SDK for JavaScript v3 (botocore 1.29 has
// neither): CreateTable's and UpdateTable's rules with DynamoDB's texts, DescribeTable's members for
// the table and its GSIs, UpdateTable's answers (-1 echoed, a warm increase UPDATING), a restore's
// OnDemandThroughputOverride, and the stored values across a restart of a --data-dir server.
// The texts are DynamoDB's as recorded from it (docs/compatibility.md, "OnDemandThroughput and
// WarmThroughput", names the sources and the texts that are ddbd's own).
//
// Starts its own `ddbd --in-memory` ($DDBD_BIN) on a free loopback port (and a --data-dir one).
// Run: cd tests/js && DDBD_BIN=... node --test throughput.test.mjs
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import {
  CreateTableCommand,
  DescribeTableCommand,
  RestoreTableFromBackupCommand,
  RestoreTableToPointInTimeCommand,
  UpdateContinuousBackupsCommand,
  UpdateTableCommand,
} from '@aws-sdk/client-dynamodb';

import { createBackup, makeClients, rejects, startServer, stopServer } from './helpers.mjs';

const INVALID = 'One or more parameter values were invalid: ';
const ON_DEMAND_DOC = 'https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/on-demand-capacity-mode.html'
  + '#on-demand-capacity-mode-initial';

let server;
let client;
let seq = 0;

before(async () => {
  server = await startServer();
  ({ client } = makeClients(server.endpoint));
});

after(async () => {
  assert.equal(await stopServer(server), 0);
});

const uniq = (prefix) => `${prefix}_${process.pid}_${++seq}`;

/** CreateTable's input: on demand unless `pt` ([read, write]) is given; `gsi` adds one GSI on gk. */
function tableInput(name, { pt, gsi, ...more } = {}) {
  const input = {
    TableName: name,
    AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
    KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
    ...(pt ? { BillingMode: 'PROVISIONED', ProvisionedThroughput: { ReadCapacityUnits: pt[0], WriteCapacityUnits: pt[1] } }
      : { BillingMode: 'PAY_PER_REQUEST' }),
    ...more,
  };
  if (gsi) {
    input.AttributeDefinitions.push({ AttributeName: 'gk', AttributeType: 'S' });
    input.GlobalSecondaryIndexes = [{
      IndexName: 'gsi1', KeySchema: [{ AttributeName: 'gk', KeyType: 'HASH' }], Projection: { ProjectionType: 'ALL' },
      ...gsi,
    }];
  }
  return input;
}

const create = (name, opts) => client.send(new CreateTableCommand(tableInput(name, opts)));
const describeTable = async (TableName) => (await client.send(new DescribeTableCommand({ TableName }))).Table;
const update = (TableName, more) => client.send(new UpdateTableCommand({ TableName, ...more }));
/** Waits until the table is ACTIVE (a restore in progress blocks another from the same backup). */
async function waitActive(TableName) {
  for (let i = 0; i < 500 && (await describeTable(TableName)).TableStatus !== 'ACTIVE'; i++) {
    await new Promise((r) => setTimeout(r, 20));
  }
  assert.equal((await describeTable(TableName)).TableStatus, 'ACTIVE');
}
const warm = (r, w, Status = 'ACTIVE') => ({ ReadUnitsPerSecond: r, WriteUnitsPerSecond: w, Status });

describe('CreateTable', () => {
  test('on demand: the maximums as set; WarmThroughput 12000/4000 by default, or what was set', async () => {
    const name = uniq('odt_create');
    const out = await create(name, { OnDemandThroughput: { MaxReadRequestUnits: 100 },
      WarmThroughput: { ReadUnitsPerSecond: 12001 }, gsi: { OnDemandThroughput: { MaxWriteRequestUnits: 7 } } });
    assert.deepEqual(out.TableDescription.OnDemandThroughput, { MaxReadRequestUnits: 100 });
    const t = await describeTable(name);
    assert.deepEqual(t.OnDemandThroughput, { MaxReadRequestUnits: 100 });
    assert.deepEqual(t.WarmThroughput, warm(12001, 4000));
    assert.deepEqual(t.GlobalSecondaryIndexes[0].OnDemandThroughput, { MaxWriteRequestUnits: 7 });
    assert.deepEqual(t.GlobalSecondaryIndexes[0].WarmThroughput, warm(12000, 4000));
    assert.equal(t.LocalSecondaryIndexes, undefined);
  });

  test('a table that sets neither: no OnDemandThroughput, the default warm throughput', async () => {
    const name = uniq('odt_plain');
    await create(name);
    const t = await describeTable(name);
    assert.equal(t.OnDemandThroughput, undefined);
    assert.deepEqual(t.WarmThroughput, warm(12000, 4000));
  });

  test('provisioned: warm throughput is the provisioned capacity, or more when set', async () => {
    const name = uniq('warm_prov');
    await create(name, { pt: [5, 6], gsi: { ProvisionedThroughput: { ReadCapacityUnits: 2, WriteCapacityUnits: 3 },
      WarmThroughput: { WriteUnitsPerSecond: 30 } }, WarmThroughput: { ReadUnitsPerSecond: 20000 } });
    const t = await describeTable(name);
    assert.deepEqual(t.WarmThroughput, warm(20000, 6));
    assert.deepEqual(t.GlobalSecondaryIndexes[0].WarmThroughput, warm(2, 30));
    assert.equal(t.OnDemandThroughput, undefined);
  });

  const refused = [
    ['maximums of 0', { OnDemandThroughput: { MaxReadRequestUnits: 0, MaxWriteRequestUnits: 0 } },
      'Requested MaxReadRequestUnits for OnDemandThroughput for table is outside of valid range'],
    ['-1 at creation', { OnDemandThroughput: { MaxReadRequestUnits: 5, MaxWriteRequestUnits: -1 } },
      'Requested MaxWriteRequestUnits for OnDemandThroughput for table is outside of valid range'],
    ['maximums on a provisioned table', { pt: [1, 1], OnDemandThroughput: { MaxWriteRequestUnits: 10 } },
      'MaxWriteRequestUnits for OnDemandThroughput cannot be specified when the table BillingMode is PROVISIONED'],
    ['warm below the on-demand start', { WarmThroughput: { ReadUnitsPerSecond: 1, WriteUnitsPerSecond: 1 } },
      `Requested ReadUnitsPerSecond for WarmThroughput for table is lower than initial throughput for OnDemand. See: ${ON_DEMAND_DOC}`],
    ['warm writes below 4000', { WarmThroughput: { ReadUnitsPerSecond: 12000, WriteUnitsPerSecond: 3999 } },
      `Requested WriteUnitsPerSecond for WarmThroughput for table is lower than initial throughput for OnDemand. See: ${ON_DEMAND_DOC}`],
    ['warm below the provisioned capacity', { pt: [10, 10], WarmThroughput: { ReadUnitsPerSecond: 5, WriteUnitsPerSecond: 5 } },
      'Requested ReadUnitsPerSecond for WarmThroughput for table is lower than ReadCapacityUnits of ProvisionedThroughput'],
    ['a GSI maximum of 0', { gsi: { OnDemandThroughput: { MaxReadRequestUnits: 0 } } },
      'Requested MaxReadRequestUnits for OnDemandThroughput for index : gsi1 is outside of valid range'],
    ['a GSI warm throughput below the start', { gsi: { WarmThroughput: { ReadUnitsPerSecond: 100 } } },
      `Requested ReadUnitsPerSecond for WarmThroughput for index gsi1 is lower than initial throughput for OnDemand. See: ${ON_DEMAND_DOC}`],
    ['a GSI maximum on a provisioned table', { pt: [1, 1], gsi: { ProvisionedThroughput: { ReadCapacityUnits: 1, WriteCapacityUnits: 1 },
      OnDemandThroughput: { MaxReadRequestUnits: 10 } } },
    'MaxReadRequestUnits for OnDemandThroughput for index: gsi1 cannot be specified when the table BillingMode is PROVISIONED'],
  ];
  for (const [what, opts, message] of refused) {
    test(`refused: ${what}`, async () => {
      const name = uniq('odt_bad');
      await rejects(create(name, opts), 'ValidationException', INVALID + message);
      await rejects(describeTable(name), 'ResourceNotFoundException', `Requested resource not found: Table: ${name} not found`);
    });
  }
});

describe('UpdateTable', () => {
  test('OnDemandThroughput alone: set, -1 removes a maximum (echoed, then left out)', async () => {
    const name = uniq('odt_upd');
    await create(name);
    let out = await update(name, { OnDemandThroughput: { MaxReadRequestUnits: 1000, MaxWriteRequestUnits: 500 } });
    assert.equal(out.TableDescription.TableStatus, 'ACTIVE');
    assert.deepEqual(out.TableDescription.OnDemandThroughput, { MaxReadRequestUnits: 1000, MaxWriteRequestUnits: 500 });
    out = await update(name, { OnDemandThroughput: { MaxReadRequestUnits: -1 } });
    assert.deepEqual(out.TableDescription.OnDemandThroughput, { MaxReadRequestUnits: -1, MaxWriteRequestUnits: 500 });
    assert.deepEqual((await describeTable(name)).OnDemandThroughput, { MaxWriteRequestUnits: 500 });
    out = await update(name, { OnDemandThroughput: { MaxWriteRequestUnits: -1 } });
    assert.deepEqual(out.TableDescription.OnDemandThroughput, { MaxWriteRequestUnits: -1 });
    assert.equal((await describeTable(name)).OnDemandThroughput, undefined);
  });

  test('OnDemandThroughput refused: out of range, on a provisioned table', async () => {
    const name = uniq('odt_upd_bad');
    await create(name);
    await rejects(update(name, { OnDemandThroughput: { MaxWriteRequestUnits: 0 } }), 'ValidationException',
      `${INVALID}Requested MaxWriteRequestUnits for OnDemandThroughput for table is outside of valid range`);
    await rejects(update(name, { OnDemandThroughput: { MaxReadRequestUnits: -2 } }), 'ValidationException',
      `${INVALID}Requested MaxReadRequestUnits for OnDemandThroughput for table is outside of valid range`);
    const prov = uniq('odt_upd_prov');
    await create(prov, { pt: [1, 1] });
    await rejects(update(prov, { OnDemandThroughput: { MaxReadRequestUnits: 100, MaxWriteRequestUnits: 100 } }),
      'ValidationException',
      `${INVALID}MaxReadRequestUnits for OnDemandThroughput cannot be specified when the table BillingMode is PROVISIONED`);
    assert.equal((await describeTable(name)).OnDemandThroughput, undefined);
  });

  test('WarmThroughput alone: raised (UPDATING in the answer, then ACTIVE), never lowered', async () => {
    const name = uniq('warm_upd');
    await create(name);
    let out = await update(name, { WarmThroughput: { ReadUnitsPerSecond: 15000 } });
    assert.equal(out.TableDescription.TableStatus, 'ACTIVE');
    assert.deepEqual(out.TableDescription.WarmThroughput, warm(12000, 4000, 'UPDATING'));
    assert.deepEqual((await describeTable(name)).WarmThroughput, warm(15000, 4000));
    await rejects(update(name, { WarmThroughput: { ReadUnitsPerSecond: 14000, WriteUnitsPerSecond: 9000 } }),
      'ValidationException', `${INVALID}Requested ReadUnitsPerSecond for WarmThroughput for table is lower than `
        + 'current WarmThroughput, decreasing WarmThroughput is not supported');
    out = await update(name, { WarmThroughput: { ReadUnitsPerSecond: 15000, WriteUnitsPerSecond: 4000 } });
    assert.deepEqual(out.TableDescription.WarmThroughput, warm(15000, 4000)); // the same: nothing to do
    const prov = uniq('warm_upd_prov');
    await create(prov, { pt: [3, 3] });
    await rejects(update(prov, { WarmThroughput: { ReadUnitsPerSecond: 1, WriteUnitsPerSecond: 1 } }),
      'ValidationException', `${INVALID}Requested ReadUnitsPerSecond for WarmThroughput for table is lower than `
        + 'current WarmThroughput, decreasing WarmThroughput is not supported');
    await update(prov, { WarmThroughput: { ReadUnitsPerSecond: 50, WriteUnitsPerSecond: 50 } });
    assert.deepEqual((await describeTable(prov)).WarmThroughput, warm(50, 50));
  });

  test('a GSI: Update and Create with OnDemandThroughput and WarmThroughput', async () => {
    const name = uniq('gsi_upd');
    await create(name, { gsi: {} });
    await update(name, { GlobalSecondaryIndexUpdates: [{ Update: { IndexName: 'gsi1',
      OnDemandThroughput: { MaxReadRequestUnits: 40 }, WarmThroughput: { WriteUnitsPerSecond: 4001 } } }] });
    let g = (await describeTable(name)).GlobalSecondaryIndexes[0];
    assert.deepEqual(g.OnDemandThroughput, { MaxReadRequestUnits: 40 });
    assert.deepEqual(g.WarmThroughput, warm(12000, 4001));
    await rejects(update(name, { GlobalSecondaryIndexUpdates: [{ Update: { IndexName: 'gsi1',
      WarmThroughput: { WriteUnitsPerSecond: 4000 } } }] }), 'ValidationException',
    `${INVALID}Requested WriteUnitsPerSecond for WarmThroughput for index gsi1 is lower than current WarmThroughput, `
      + 'decreasing WarmThroughput is not supported');
    await rejects(update(name, { GlobalSecondaryIndexUpdates: [{ Update: { IndexName: 'gsi1',
      OnDemandThroughput: { MaxReadRequestUnits: 0 } } }] }), 'ValidationException',
    `${INVALID}Requested MaxReadRequestUnits for OnDemandThroughput for index : gsi1 is outside of valid range`);
    await update(name, { GlobalSecondaryIndexUpdates: [{ Update: { IndexName: 'gsi1',
      OnDemandThroughput: { MaxReadRequestUnits: -1 } } }] });
    g = (await describeTable(name)).GlobalSecondaryIndexes[0];
    assert.equal(g.OnDemandThroughput, undefined);
    await update(name, {
      AttributeDefinitions: [{ AttributeName: 'g2k', AttributeType: 'S' }],
      GlobalSecondaryIndexUpdates: [{ Create: { IndexName: 'gsi2', KeySchema: [{ AttributeName: 'g2k', KeyType: 'HASH' }],
        Projection: { ProjectionType: 'KEYS_ONLY' }, OnDemandThroughput: { MaxWriteRequestUnits: 9 } } }],
    });
    g = (await describeTable(name)).GlobalSecondaryIndexes.find((ix) => ix.IndexName === 'gsi2');
    assert.deepEqual(g.OnDemandThroughput, { MaxWriteRequestUnits: 9 });
  });

  test('either member alone is a change; nothing at all is still refused', async () => {
    const name = uniq('odt_alone');
    await create(name);
    await rejects(update(name, {}), 'ValidationException', 'At least one of ProvisionedThroughput, BillingMode, '
      + 'UpdateStreamEnabled, GlobalSecondaryIndexUpdates, SSESpecification, ReplicaUpdates, MultiAccountReplicaReady, '
      + 'ReplicaTransitRoleArn, MultiRegionConsistency, DeletionProtectionEnabled, OnDemandThroughput, WarmThroughput '
      + 'or TableClass is required');
    await update(name, { WarmThroughput: { WriteUnitsPerSecond: 5000 } });
    await update(name, { OnDemandThroughput: { MaxReadRequestUnits: 3 } });
    const t = await describeTable(name);
    assert.deepEqual(t.WarmThroughput, warm(12000, 5000));
    assert.deepEqual(t.OnDemandThroughput, { MaxReadRequestUnits: 3 });
  });

  test('turning PROVISIONED drops the maximums and keeps the warm throughput', async () => {
    const name = uniq('odt_switch');
    await create(name, { OnDemandThroughput: { MaxReadRequestUnits: 10 } });
    await update(name, { BillingMode: 'PROVISIONED', ProvisionedThroughput: { ReadCapacityUnits: 1, WriteCapacityUnits: 1 } });
    const t = await describeTable(name);
    assert.equal(t.OnDemandThroughput, undefined);
    assert.deepEqual(t.WarmThroughput, warm(12000, 4000));
  });
});

describe('RestoreTableFromBackup', () => {
  test('the maximums are restored; OnDemandThroughputOverride replaces them', async () => {
    const name = uniq('odt_src');
    await create(name, { OnDemandThroughput: { MaxReadRequestUnits: 100, MaxWriteRequestUnits: 200 } });
    const BackupArn = await createBackup(client, name, 'odt_backup');
    const restore = (TargetTableName, more = {}) => client.send(new RestoreTableFromBackupCommand({
      BackupArn, TargetTableName, ...more }));
    const plain = uniq('odt_rst');
    let out = await restore(plain);
    assert.deepEqual(out.TableDescription.OnDemandThroughput, { MaxReadRequestUnits: 100, MaxWriteRequestUnits: 200 });
    await waitActive(plain);
    const over = uniq('odt_rst');
    out = await restore(over, { OnDemandThroughputOverride: { MaxReadRequestUnits: 300, MaxWriteRequestUnits: -1 } });
    assert.deepEqual(out.TableDescription.OnDemandThroughput, { MaxReadRequestUnits: 300 });
    await waitActive(over);
    assert.deepEqual((await describeTable(over)).OnDemandThroughput, { MaxReadRequestUnits: 300 });
    await rejects(restore(uniq('odt_rst'), { OnDemandThroughputOverride: { MaxReadRequestUnits: 0 } }),
      'ValidationException', 'Invalid Request: Requested MaxReadRequestUnits for OnDemandThroughput is outside of valid range');
    await rejects(restore(uniq('odt_rst'), { BillingModeOverride: 'PROVISIONED',
      ProvisionedThroughputOverride: { ReadCapacityUnits: 1, WriteCapacityUnits: 1 },
      OnDemandThroughputOverride: { MaxReadRequestUnits: 5 } }), 'ValidationException',
    'Invalid Request: Cannot override MaxReadRequestUnits for OnDemandThroughput unless BillingModeOverride is PAY_PER_REQUEST');
  });
});

describe('RestoreTableToPointInTime', () => {
  test('OnDemandThroughputOverride, as from a backup', async () => {
    const name = uniq('odt_pitr');
    await create(name, { OnDemandThroughput: { MaxWriteRequestUnits: 20 } });
    await client.send(new UpdateContinuousBackupsCommand({ TableName: name,
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } }));
    const restore = (TargetTableName, OnDemandThroughputOverride) => client.send(new RestoreTableToPointInTimeCommand({
      SourceTableName: name, TargetTableName, UseLatestRestorableTime: true, OnDemandThroughputOverride }));
    const target = uniq('odt_pitr_rst');
    const out = await restore(target, { MaxReadRequestUnits: 30 });
    assert.deepEqual(out.TableDescription.OnDemandThroughput, { MaxReadRequestUnits: 30, MaxWriteRequestUnits: 20 });
    await waitActive(target);
    await rejects(restore(uniq('odt_pitr_rst'), { MaxWriteRequestUnits: -5 }), 'ValidationException',
      'Invalid Request: Requested MaxWriteRequestUnits for OnDemandThroughput is outside of valid range');
  });
});

describe('a --data-dir server', () => {
  test('keeps the maximums and the warm throughput across a restart', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ddbd-tput-'));
    let srv = await startServer(['--data-dir', dir]);
    try {
      let c = makeClients(srv.endpoint).client;
      const name = uniq('odt_disk');
      await c.send(new CreateTableCommand(tableInput(name, { OnDemandThroughput: { MaxWriteRequestUnits: 8 },
        gsi: { WarmThroughput: { ReadUnitsPerSecond: 13000 } } })));
      await c.send(new UpdateTableCommand({ TableName: name, WarmThroughput: { WriteUnitsPerSecond: 6000 } }));
      const before = (await c.send(new DescribeTableCommand({ TableName: name }))).Table;
      assert.equal(await stopServer(srv), 0);
      srv = await startServer(['--data-dir', dir]);
      c = makeClients(srv.endpoint).client;
      const t = (await c.send(new DescribeTableCommand({ TableName: name }))).Table;
      assert.deepEqual(t.OnDemandThroughput, { MaxWriteRequestUnits: 8 });
      assert.deepEqual(t.WarmThroughput, warm(12000, 6000));
      assert.deepEqual(t.GlobalSecondaryIndexes[0].WarmThroughput, warm(13000, 4000));
      assert.deepEqual(t.WarmThroughput, before.WarmThroughput);
    } finally {
      assert.equal(await stopServer(srv), 0);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
