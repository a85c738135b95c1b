// bench/load_source.mjs: what bench/bulk_put.mjs and bench/import_table.mjs share, so the two
// operations load the same items and are measured and checked the same way.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(new URL('../tests/js/package.json', import.meta.url));
const { ScanCommand } = require('@aws-sdk/client-dynamodb');

export const OBJECTS = 16;

/** Writes `items` items as OBJECTS objects in bucket dir/buckets/src: DYNAMODB_JSON lines, or CSV
    records under a header (pk,n,v). */
export function writeSource(dir, items, { csv = false } = {}) {
  fs.mkdirSync(path.join(dir, 'buckets', 'src'), { recursive: true });
  const per = Math.ceil(items / OBJECTS);
  for (let o = 0; o < OBJECTS; o++) {
    const lines = csv ? ['pk,n,v'] : [];
    for (let i = o * per; i < Math.min(items, (o + 1) * per); i++)
      lines.push(csv ? `k${i},${i},value-${i % 977}` : `{"Item":{"pk":{"S":"k${i}"},"n":{"N":"${i}"},"v":{"S":"value-${i % 977}"}}}`);
    fs.writeFileSync(path.join(dir, 'buckets', 'src', `part-${String(o).padStart(2, '0')}.${csv ? 'csv' : 'json'}`),
      lines.join('\n') + '\n');
  }
}

/** The server's CPU seconds so far (utime + stime of every thread; Linux's /proc, 100 ticks/s). */
export function cpuSeconds(pid) {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;
}

/** Scans `table` and compares every item with the source's; prints the outcome and returns
    whether the table equals the source. A CSV's n is a string (only declared attributes are typed). */
export async function checkTable(client, table, items, { csv = false } = {}) {
  let seen = 0, bad = 0, ExclusiveStartKey;
  do {
    const r = await client.send(new ScanCommand({ TableName: table, ExclusiveStartKey }));
    for (const it of r.Items) {
      const i = Number(it.pk.S.slice(1));
      const n = csv ? it.n.S : it.n.N;
      if (n !== String(i) || it.v.S !== `value-${i % 977}` || Object.keys(it).length !== 3) bad++;
    }
    seen += r.Items.length;
    ExclusiveStartKey = r.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  const equal = seen === items && bad === 0;
  console.log(`table: ${seen} items (source ${items}), ${bad} differ: ${equal ? 'EQUAL' : 'DIFFERENT'}`);
  return equal;
}
