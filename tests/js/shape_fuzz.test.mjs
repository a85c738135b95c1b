// The shape-aware request fuzzer (shape_fuzz.mjs, issue 49) on a fixed seed and time budget: every
// operation of both services each run (the cases go round the operations), then as many of each
// member's hostile values as the budget allows; to a server without --auth and to one with --auth,
// --mcp-http, --admin and --console. No case may stop the server, draw a sanitizer report, a 5xx,
// an answer that is no JSON or an error without __type, or change what a probe of a table no case
// names answers. The test command runs it against the release build and the sanitizer build.
// Env: DDB_SHAPE_FUZZ_SECONDS (budget, default 80), DDB_SHAPE_FUZZ_SEED (default 1),
// DDB_SHAPE_FUZZ_SKIP_KNOWN=1 (leave out the case classes of shape_fuzz.mjs's KNOWN).
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { findingLines, fuzz, summary } from './shape_fuzz.mjs';

const SECONDS = Number(process.env.DDB_SHAPE_FUZZ_SECONDS || 80);
const SEED = Number(process.env.DDB_SHAPE_FUZZ_SEED || 1);

test(`every operation and door, seed ${SEED}, ${SECONDS} s: no crash, sanitizer report, 5xx, bad answer or changed server`,
  { timeout: (SECONDS + 200) * 1000 }, async () => {
    const results = [
      await fuzz({ seed: SEED, seconds: SECONDS * 0.5, auth: false }),
      await fuzz({ seed: SEED, seconds: SECONDS * 0.5, auth: true }),
    ];
    console.log(summary(results));
    for (const r of results) assert.equal(r.ops, r.opsTotal, `${r.config}: operations left out`);
    assert.deepEqual(findingLines(results), []);
  });
