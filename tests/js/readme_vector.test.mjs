// The README's vector search example runs as written and prints what the README says.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { startServer, stopServer } from './helpers.mjs';
import { readmeExample } from './readme_vector_example.mjs';

let srv;
before(async () => { srv = await startServer(); });
after(async () => { await stopServer(srv); });

test('the README example: the two nearest home products, COSINE scores', async () => {
  const lines = [];
  const log = console.log;
  console.log = (...a) => lines.push(a.join(' '));
  try {
    await readmeExample(srv.endpoint);
  } finally {
    console.log = log;
  }
  assert.deepEqual(lines, ['lamp 0.0061', 'sofa 0.2965']);
});
