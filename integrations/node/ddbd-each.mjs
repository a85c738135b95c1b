// ddbd-each.mjs: a vitest `setupFiles` / jest `setupFilesAfterEnv` entry that restores the
// worker's namespace to the snapshot globalSetup took of it, before every test.
import { ddbdEndpoint, ddbdSnapshot, restore } from './ddbd.mjs';

const { beforeEach } = globalThis.beforeEach ? globalThis : await import('vitest');
beforeEach(() => restore(ddbdEndpoint(), ddbdSnapshot()));
