// Every input member of the newest SDK models is handled or deliberately ignored: ddbd's rule is
// that a parameter DynamoDB acts on is either implemented or refused with an error, never
// accepted and silently dropped. This walks every input shape of every operation ddbd serves
// (the schemas @aws-sdk/client-dynamodb and @aws-sdk/client-dynamodb-streams export, the same as
// their dist-es/schemas/schemas_0.js), nested structures, lists and maps included, and fails,
// naming the member path, on a member that is neither in ddbd's request spec (the ddb_spec_<op>
// trees of server/api/validate/validate_*.c, printed by ddb_spec_dump, tests/harness/spec_dump.c) nor in
// sdk_members_ignored.json (each with its reason, and mentioned in docs/compatibility.md). It
// also fails on a spec member the SDK does not know (a typo would otherwise never be matched).
//
// Paths: a list's member is "X[]", a map's value "X{}": "CreateTable.KeySchema[].AttributeName".
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { DDBD_BIN } from './helpers.mjs';
import { SDK } from './sdk_model.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const SPEC_DUMP = process.env.DDB_SPEC_DUMP || path.join(path.dirname(DDBD_BIN), 'ddb_spec_dump');
const IGNORED = JSON.parse(readFileSync(path.join(HERE, 'sdk_members_ignored.json'), 'utf8'));
const COMPAT = readFileSync(path.join(HERE, '../../docs/compatibility.md'), 'utf8');

const SPEC = JSON.parse(execFileSync(SPEC_DUMP, { encoding: 'utf8' }));

/** `p` and its parents, nearest first: "A[].B.C", "A[].B", "A[]", "A". */
function* lineage(p) {
  for (let q = p; q; q = q.replace(/(\.[^.[{]*|\[\]|\{\})$/, '')) {
    yield q;
    if (!/(\.[^.[{]*|\[\]|\{\})$/.test(q)) return;
  }
}

/** The member that holds `p` ("A[].B" for "A[].B.C", none for a top-level member). */
const holder = (p) => (p.includes('.') ? p.replace(/\.[^.]*$/, '') : null);

/** Whether the spec takes `p` whole: an AttributeValue, or a member it refuses. */
const takenWhole = (spec, p) => [...lineage(p)].some((q) => /^(attr|refused)\b/.test(spec[q] ?? ''));

/** The SDK member paths of `op` that ddbd neither handles nor ignores, each subtree once. */
function unhandled(op, sdkPaths, spec, skip) {
  const missing = [];
  for (const [p, kind] of sdkPaths) {
    if (kind !== 'member' || p in spec || takenWhole(spec, p)) continue;
    if ([...lineage(`${op}.${p}`)].some((q) => skip.has(q))) continue;
    const up = holder(p);
    if (up !== null && !(up in spec)) continue; // reported at the member that holds it
    missing.push(`${op}.${p}`);
  }
  return missing;
}

test('ddbd serves no operation the SDK models lack', () => {
  const unknown = Object.keys(SPEC).filter((op) => !SDK.has(op));
  assert.deepEqual(unknown, []);
});

test('every SDK input member is handled by ddbd or deliberately ignored', () => {
  const skip = new Set(Object.keys(IGNORED));
  const missing = Object.entries(SPEC).flatMap(([op, spec]) => unhandled(op, SDK.get(op) ?? new Map(), spec, skip));
  assert.deepEqual(missing, [], `members ddbd would accept and drop:\n  ${missing.join('\n  ')}`);
});

test('every member of ddbd\'s specs exists in the SDK model', () => {
  // members another operation's spec checks ("[CreateTable]") need not all exist here
  const extra = Object.entries(SPEC).flatMap(([op, spec]) => Object.entries(spec)
    .filter(([p, type]) => !/\[\w+\]$/.test(type) && !SDK.get(op)?.has(p) && !/(\[\]|\{\})$/.test(p))
    .map(([p]) => `${op}.${p}`));
  assert.deepEqual(extra, []);
});

test('the ignored members exist in the SDK model, with a reason in docs/compatibility.md', () => {
  const known = (p) => {
    const [op, ...rest] = p.split('.');
    return SDK.get(op)?.has(rest.join('.'));
  };
  assert.deepEqual(Object.keys(IGNORED).filter((p) => !known(p)), []);
  assert.deepEqual(Object.entries(IGNORED).filter(([, why]) => typeof why !== 'string' || why.length < 10), []);
  assert.deepEqual(Object.keys(IGNORED).filter((p) => !COMPAT.includes(`\`${p}\``)), []);
});
