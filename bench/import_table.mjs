// bench/import_table.mjs: ImportTable's rate, and the check that the imported table equals its
// source. Not run by ctest (by hand):
//   DDBD_BIN=build/ddbd node bench/import_table.mjs [ITEMS=1000000] [--in-memory] [--csv]
// Writes ITEMS items (16 objects, DYNAMODB_JSON lines or, with --csv, CSV records with a header)
// under a temporary --export-dir (bench/load_source.mjs, as bench/bulk_put.mjs), starts ddbd on a
// fresh --data-dir (or --in-memory), imports them into a new table with no index, prints items/s
// (ProcessedItemCount / (EndTime - StartTime)) and the server's CPU seconds during the import (all
// its threads: on a shared machine the CPU cost moves less than the wall time), then scans the table and compares every item. The same items
// and figures as bench/bulk_put.mjs, so the two operations compare.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';

import { makeClients, startServer, stopServer } from '../tests/js/helpers.mjs';
import { checkTable, cpuSeconds, writeSource } from './load_source.mjs';

const require = createRequire(new URL('../tests/js/package.json', import.meta.url));
const { DescribeImportCommand, ImportTableCommand } = require('@aws-sdk/client-dynamodb');

const items = Number(process.argv.find((a) => /^\d+$/.test(a)) || 1000000);
const inMemory = process.argv.includes('--in-memory');
const csv = process.argv.includes('--csv');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ddbd-import-bench-'));

async function main() {
  writeSource(dir, items, { csv });
  const store = inMemory ? ['--in-memory'] : ['--data-dir', path.join(dir, 'data')];
  const server = await startServer([...store, '--export-dir', path.join(dir, 'buckets')]);
  const { client } = makeClients(server.endpoint);
  try {
    const cpu0 = cpuSeconds(server.proc.pid);
    const { ImportArn } = (await client.send(new ImportTableCommand({
      S3BucketSource: { S3Bucket: 'src' }, InputFormat: csv ? 'CSV' : 'DYNAMODB_JSON', InputCompressionType: 'NONE',
      TableCreationParameters: {
        TableName: 'bench', BillingMode: 'PAY_PER_REQUEST', KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      },
    }))).ImportTableDescription;
    let d;
    do {
      await new Promise((r) => setTimeout(r, 200));
      d = (await client.send(new DescribeImportCommand({ ImportArn }))).ImportTableDescription;
    } while (d.ImportStatus === 'IN_PROGRESS');
    const cpu = cpuSeconds(server.proc.pid) - cpu0; // (up to 200 ms of idle polling included)
    const secs = (d.EndTime - d.StartTime) / 1000;
    console.log(`${d.ImportStatus}: ${d.ProcessedItemCount} items, ${d.ImportedItemCount} imported, ${d.ErrorCount} errors, ` +
      `${secs.toFixed(2)} s, ${Math.round(d.ProcessedItemCount / secs)} items/s (${inMemory ? 'in-memory' : 'RocksDB'}, ` +
      `${csv ? 'CSV' : 'DYNAMODB_JSON'}); server CPU ${cpu.toFixed(2)} s, ${(cpu * 1e6 / d.ProcessedItemCount).toFixed(2)} µs/item`);
    const equal = await checkTable(client, 'bench', items, { csv });
    process.exitCode = equal && d.ImportStatus === 'COMPLETED' && d.ImportedItemCount === items ? 0 : 1;
  } finally {
    await stopServer(server);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

await main();
