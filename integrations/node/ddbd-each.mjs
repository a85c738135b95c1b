// ddbd-each.mjs: a vitest `setupFiles` / jest `setupFilesAfterEnv` entry that restores the
// worker's namespace to the snapshot globalSetup took of it, before every test; after a test that
// froze the server's running clock (clock().freeze()), lets it run again.
import { clockAfterTest, ddbdEndpoint, ddbdSnapshot, restore } from './ddbd.mjs';

const { afterEach, beforeEach } = globalThis.beforeEach ? globalThis : await import('vitest');
beforeEach(() => restore(ddbdEndpoint(), ddbdSnapshot()));
afterEach(() => clockAfterTest());
