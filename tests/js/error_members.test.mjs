// Every member of every error body ddbd can send is named as the newest SDK model names it, exact
// case: an SDK reads an exception's members by the model's names, so a member sent under another
// spelling is dropped without a word (issue 62: ThrottlingException's reasons, sent as
// "ThrottlingReasons" where its model says "throttlingReasons", were lost in boto3 and in the JS
// SDK's typed `err.throttlingReasons`). ddbd's side is include/ddb/ddb_errors.def, the one list the
// renderer (server/api/req.c) names each detail from, printed by `ddb_spec_dump --errors`
// (tests/harness/spec_dump.c); the model's side is every exception shape @aws-sdk/client-dynamodb
// and @aws-sdk/client-dynamodb-streams export (sdk_model.mjs), generated, not copied.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';

import { DDBD_BIN } from './helpers.mjs';
import { SDK_ERRORS } from './sdk_model.mjs';

const SPEC_DUMP = process.env.DDB_SPEC_DUMP || path.join(path.dirname(DDBD_BIN), 'ddb_spec_dump');
const DDBD = JSON.parse(execFileSync(SPEC_DUMP, ['--errors'], { encoding: 'utf8' }));

// The types ddbd sends that neither service's model has: the front end's own (coral's validate,
// service and availability errors every AWS JSON service shares), which the SDKs read by their
// generic error path, the text under "message" or "Message" alike.
const UNMODELED = [
  'AccessDeniedException', 'IncompleteSignatureException', 'InvalidSignatureException',
  'MissingAuthenticationTokenException', 'RequestEntityTooLargeException', 'SerializationException',
  'ServiceUnavailableException', 'UnknownOperationException', 'UnrecognizedClientException',
  'ValidationException',
];

const sorted = (a) => [...a].sort();

test('each error type ddbd sends carries the members its model names, spelled as the model spells them', () => {
  const wrong = [];
  for (const [type, members] of Object.entries(DDBD)) {
    for (const { service, members: model } of SDK_ERRORS.get(type) ?? []) {
      if (JSON.stringify(sorted(members)) !== JSON.stringify(sorted(model))) {
        wrong.push(`${type}: ddbd ${JSON.stringify(members)}, ${service}'s model ${JSON.stringify(model)}`);
      }
    }
  }
  assert.deepEqual(wrong, [], `error members unlike the model:\n  ${wrong.join('\n  ')}`);
});

test('the types no model has are the front end\'s own, each with a message and nothing else', () => {
  const unmodeled = Object.keys(DDBD).filter((type) => !SDK_ERRORS.has(type));
  assert.deepEqual(sorted(unmodeled), sorted(UNMODELED));
  for (const type of unmodeled) {
    assert.equal(DDBD[type].length, 1, type);
    assert.match(DDBD[type][0], /^[mM]essage$/, type);
  }
});

test('the models agree where both services name an exception', () => {
  const split = [...SDK_ERRORS].filter(([, models]) => new Set(models.map((m) => JSON.stringify(sorted(m.members)))).size > 1);
  assert.deepEqual(split.map(([name]) => name), []);
});

test('the throttling reasons: ThrottlingException\'s lower case, the other two capitalised', () => {
  // the case issue 62 found, pinned here as well so that a model that stopped telling them apart
  // would be noticed rather than followed silently
  assert.deepEqual(DDBD.ThrottlingException, ['message', 'throttlingReasons']);
  assert.deepEqual(DDBD.ProvisionedThroughputExceededException, ['message', 'ThrottlingReasons']);
  assert.deepEqual(DDBD.RequestLimitExceeded, ['message', 'ThrottlingReasons']);
});
