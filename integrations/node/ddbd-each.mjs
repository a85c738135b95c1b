// ddbd-each.mjs: a vitest `setupFiles` / jest `setupFilesAfterEnv` entry that restores the
// worker's server to the snapshot globalSetup took, before every test.
import { ddbdEndpoint, restore } from './ddbd.mjs';

const { beforeEach } = globalThis.beforeEach ? globalThis : await import('vitest');
beforeEach(() => restore(ddbdEndpoint()));
