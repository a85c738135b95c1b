// Kinesis streaming destinations: delivery lag, PutItem's answer -> the record readable in Kinesis.
//
// Starts kinesalite (tests/kinesis's, from npm) and `ddbd --in-memory --kinesis-endpoint` ($DDBD_BIN),
// enables a destination on a one-shard stream, then puts N items one at a time (a pause of PAUSE_MS
// between them, so each is measured alone) while a reader polls the shard with GetRecords every
// 2 ms; the lag of an item is from its PutItem's answer to the GetRecords answer that held it
// (so it includes up to one poll and one GetRecords round trip). Prints p50/p90/p99/max in ms.
//
//   DDBD_BIN=build/ddbd node bench/kinesis_lag.mjs [N=500] [PAUSE_MS=5]
// Needs deploy/ddbd.sh deps-test (tests/js and tests/kinesis node_modules).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { createTable, freePort, makeClients, startServer, stopServer } from '../tests/js/helpers.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const kinesisDir = path.join(here, '..', 'tests', 'kinesis');
const require = createRequire(path.join(kinesisDir, 'package.json'));
const {
  CreateStreamCommand, DescribeStreamCommand, GetRecordsCommand, GetShardIteratorCommand, KinesisClient,
} = require('@aws-sdk/client-kinesis');
const { NodeHttpHandler } = require('@smithy/node-http-handler');
const ddb = require(path.join(here, '..', 'tests', 'js', 'node_modules', '@aws-sdk', 'client-dynamodb'));

const N = Number(process.argv[2] || 500);
const PAUSE_MS = Number(process.argv[3] || 5);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const port = await freePort();
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kinesalite-bench-'));
const kl = spawn(process.execPath, [path.join(kinesisDir, 'node_modules', 'kinesalite', 'cli.js'), '--port', String(port),
  '--path', dir, '--createStreamMs', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
await new Promise((resolve) => kl.stdout.on('data', (d) => { if (/Listening/.test(d)) resolve(); }));
const kinesis = new KinesisClient({
  endpoint: `http://127.0.0.1:${port}`, region: 'us-east-1', requestHandler: new NodeHttpHandler(),
  credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
});
const server = await startServer(['--in-memory', '--kinesis-endpoint', `http://127.0.0.1:${port}`]);
const { client } = makeClients(server.endpoint);

await kinesis.send(new CreateStreamCommand({ StreamName: 'lag', ShardCount: 1 }));
await sleep(100);
const { StreamDescription: sd } = await kinesis.send(new DescribeStreamCommand({ StreamName: 'lag' }));
const table = await createTable(client, 'kinesis_lag');
await client.send(new ddb.EnableKinesisStreamingDestinationCommand({ TableName: table, StreamArn: sd.StreamARN }));
for (;;) {
  const d = await client.send(new ddb.DescribeKinesisStreamingDestinationCommand({ TableName: table }));
  if (d.KinesisDataStreamDestinations[0].DestinationStatus === 'ACTIVE') break;
  await sleep(10);
}

const answered = new Map(); // item -> PutItem answer time
const seen = new Map();     // item -> first GetRecords answer holding it
let done = false;
const reader = (async () => {
  let { ShardIterator: it } = await kinesis.send(new GetShardIteratorCommand({
    StreamName: 'lag', ShardId: sd.Shards[0].ShardId, ShardIteratorType: 'TRIM_HORIZON',
  }));
  while (!done || seen.size < N) {
    const r = await kinesis.send(new GetRecordsCommand({ ShardIterator: it }));
    const now = performance.now();
    for (const rec of r.Records) seen.set(JSON.parse(Buffer.from(rec.Data).toString()).dynamodb.Keys.pk.S, now);
    it = r.NextShardIterator;
    if (r.Records.length === 0) await sleep(2);
  }
})();
for (let i = 0; i < N; i++) {
  await client.send(new ddb.PutItemCommand({ TableName: table, Item: { pk: { S: `i${i}` }, v: { N: String(i) } } }));
  answered.set(`i${i}`, performance.now());
  await sleep(PAUSE_MS);
}
done = true;
await reader;

const lags = [...answered].map(([k, t]) => seen.get(k) - t).sort((a, b) => a - b);
const at = (q) => lags[Math.min(lags.length - 1, Math.floor(q * lags.length))].toFixed(1);
console.log(`kinesis delivery lag over ${N} PutItems (ms): p50 ${at(0.5)} p90 ${at(0.9)} p99 ${at(0.99)} max ${lags.at(-1).toFixed(1)}`);
client.destroy();
kinesis.destroy();
await stopServer(server);
kl.kill('SIGKILL');
fs.rmSync(dir, { recursive: true, force: true });
