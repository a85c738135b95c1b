// bench/import_table.mjs: ImportTable's rate, and the check that the imported table equals its
// source. Not run by ctest (by hand):
//   DDBD_BIN=build/ddbd node bench/import_table.mjs [ITEMS=1000000] [--in-memory] [--csv]
// Writes ITEMS items (16 objects, DYNAMODB_JSON lines or, with --csv, CSV records with a header)
// under a temporary --export-dir (a CSV's n is a string: only declared attributes are typed), starts ddbd on a fresh --data-dir (or --in-memory), imports them
// into a new table with no index, prints items/s (ProcessedItemCount / (EndTime - StartTime)) and
// the server's CPU seconds during the import (all its threads: on a shared machine the CPU cost
// moves less than the wall time), then scans the table and compares every item. The same items
// and figures as bench/bulk_put.mjs, so the two operations compare.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';

import { makeClients, startServer, stopServer } from '../tests/js/helpers.mjs';

const require = createRequire(new URL('../tests/js/package.json', import.meta.url));
const { DescribeImportCommand, ImportTableCommand, ScanCommand } = require('@aws-sdk/client-dynamodb');

const items = Number(process.argv.find((a) => /^\d+$/.test(a)) || 1000000);
const inMemory = process.argv.includes('--in-memory');
const csv = process.argv.includes('--csv');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ddbd-import-bench-'));
const objects = 16;

function writeSource() {
  fs.mkdirSync(path.join(dir, 'buckets', 'src'), { recursive: true });
  const per = Math.ceil(items / objects);
  for (let o = 0; o < objects; o++) {
    const lines = csv ? ['pk,n,v'] : [];
    for (let i = o * per; i < Math.min(items, (o + 1) * per); i++)
      lines.push(csv ? `k${i},${i},value-${i % 977}` : `{"Item":{"pk":{"S":"k${i}"},"n":{"N":"${i}"},"v":{"S":"value-${i % 977}"}}}`);
    fs.writeFileSync(path.join(dir, 'buckets', 'src', `part-${String(o).padStart(2, '0')}.${csv ? 'csv' : 'json'}`),
      lines.join('\n') + '\n');
  }
}

/** The server's CPU seconds so far (utime + stime of every thread; Linux's /proc, 100 ticks/s). */
function cpuSeconds(pid) {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;
}

async function main() {
  writeSource();
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
    let seen = 0, bad = 0, ExclusiveStartKey;
    do {
      const r = await client.send(new ScanCommand({ TableName: 'bench', ExclusiveStartKey }));
      for (const it of r.Items) {
        const i = Number(it.pk.S.slice(1));
        const n = csv ? it.n.S : it.n.N; // (a CSV's undeclared attributes are strings)
        if (n !== String(i) || it.v.S !== `value-${i % 977}` || Object.keys(it).length !== 3) bad++;
      }
      seen += r.Items.length;
      ExclusiveStartKey = r.LastEvaluatedKey;
    } while (ExclusiveStartKey);
    console.log(`table: ${seen} items (source ${items}), ${bad} differ: ${seen === items && bad === 0 ? 'EQUAL' : 'DIFFERENT'}`);
    process.exitCode = seen === items && bad === 0 && d.ImportStatus === 'COMPLETED' && d.ImportedItemCount === items ? 0 : 1;
  } finally {
    await stopServer(server);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

await main();
