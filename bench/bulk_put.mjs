// bench/bulk_put.mjs: StartBulkPutItems' load rate at the default (STANDARD) tier, and the check
// that the loaded table equals its source. Not run by ctest (by hand):
//   DDBD_BIN=build/ddbd node bench/bulk_put.mjs [ITEMS=1000000] [--in-memory]
// Writes ITEMS DYNAMODB_JSON lines (16 objects) under a temporary --export-dir, starts ddbd on a
// fresh --data-dir (or --in-memory), loads them into a table with no index, prints items/s
// (ProcessedItemCount / (EndTime - StartTime)) and the server's CPU seconds during the load (all
// its threads: on a shared machine the CPU cost moves less than the wall time), then scans the
// table and compares every item.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';

import { makeClients, startServer, stopServer } from '../tests/js/helpers.mjs';
import { checkTable, cpuSeconds, writeSource } from './load_source.mjs';

const require = createRequire(new URL('../tests/js/package.json', import.meta.url));
const { CreateTableCommand, DescribeBulkOperationCommand, StartBulkPutItemsCommand } = require('@aws-sdk/client-dynamodb');

const items = Number(process.argv.find((a) => /^\d+$/.test(a)) || 1000000);
const inMemory = process.argv.includes('--in-memory');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ddbd-bulk-bench-'));

async function main() {
  writeSource(dir, items);
  fs.mkdirSync(path.join(dir, 'buckets', 'out'));
  const store = inMemory ? ['--in-memory'] : ['--data-dir', path.join(dir, 'data')];
  const server = await startServer([...store, '--export-dir', path.join(dir, 'buckets')]);
  const { client } = makeClients(server.endpoint);
  try {
    await client.send(new CreateTableCommand({
      TableName: 'bench', BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }], KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
    }));
    const cpu0 = cpuSeconds(server.proc.pid);
    const { BulkOperationArn } = (await client.send(new StartBulkPutItemsCommand({
      TableName: 'bench', InputS3Configuration: { S3Bucket: 'src', InputFormat: 'DYNAMODB_JSON' },
      OutputS3Configuration: { S3Bucket: 'out', OutputType: ['ERROR'] },
    }))).BulkOperationDescription;
    let d;
    do {
      await new Promise((r) => setTimeout(r, 200));
      d = (await client.send(new DescribeBulkOperationCommand({ BulkOperationArn }))).BulkOperationDescription;
    } while (d.BulkOperationStatus === 'IN_PROGRESS');
    const cpu = cpuSeconds(server.proc.pid) - cpu0; // (up to 200 ms of idle polling included)
    const secs = (d.EndTime - d.StartTime) / 1000;
    console.log(`${d.BulkOperationStatus}: ${d.ProcessedItemCount} items, ${d.FailedItemCount} failed, ${secs.toFixed(2)} s, ` +
      `${Math.round(d.ProcessedItemCount / secs)} items/s (${inMemory ? 'in-memory' : 'RocksDB'}, STANDARD); ` +
      `server CPU ${cpu.toFixed(2)} s, ${(cpu * 1e6 / d.ProcessedItemCount).toFixed(2)} µs/item`);
    const equal = await checkTable(client, 'bench', items);
    process.exitCode = equal && d.BulkOperationStatus === 'COMPLETED' ? 0 : 1;
  } finally {
    await stopServer(server);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

await main();
