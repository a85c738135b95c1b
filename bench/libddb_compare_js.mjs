// bench/libddb_compare_js.mjs ENDPOINT TABLE get|put [CONCURRENCY=16] [SECONDS=5]
// GetItem or PutItem through the AWS SDK for JavaScript v3 (tests/js/node_modules) with CONCURRENCY
// requests in flight on one client (Node is single-threaded); prints the same line as libddb_bench.
import { createRequire } from "node:module";
import { Agent } from "node:http";
import { fileURLToPath } from "node:url";
import path from "node:path";

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(here, "../tests/js/package.json"));
const { DynamoDBClient, GetItemCommand, PutItemCommand } = require("@aws-sdk/client-dynamodb");
const { NodeHttpHandler } = require("@smithy/node-http-handler");

const [endpoint, table, op] = process.argv.slice(2, 5);
const conc = Number(process.argv[5] || 16), seconds = Number(process.argv[6] || 5);
const client = new DynamoDBClient({
  endpoint, region: "us-east-1", maxAttempts: 1,
  credentials: { accessKeyId: "bench", secretAccessKey: "bench" },
  requestHandler: new NodeHttpHandler({ httpAgent: new Agent({ keepAlive: true, maxSockets: conc }) }),
});
let stop = false, total = 0;

async function worker(n) {
  let i = n * 7919;
  while (!stop) {
    const Key = { pk: { S: `key${i % 1000}` } };
    if (op === "put") await client.send(new PutItemCommand({ TableName: table, Item: { ...Key, v: { N: String(i) } } }));
    else await client.send(new GetItemCommand({ TableName: table, Key }));
    i++; total++;
  }
}

for (let i = 0; i < 50; i++) await client.send(new GetItemCommand({ TableName: table, Key: { pk: { S: "key1" } } }));
const c0 = process.cpuUsage(), t0 = process.hrtime.bigint();
setTimeout(() => { stop = true; }, seconds * 1000);
await Promise.all(Array.from({ length: conc }, (_, n) => worker(n)));
const c = process.cpuUsage(c0), wall = Number(process.hrtime.bigint() - t0) / 1e9;
console.log(`js-sdk-v3 ${op} threads=${conc} requests=${total} errors=0 req/s=${(total / wall).toFixed(0)} ` +
  `cpu_us_per_req user=${(c.user / total).toFixed(2)} sys=${(c.system / total).toFixed(2)} total=${((c.user + c.system) / total).toFixed(2)}`);
