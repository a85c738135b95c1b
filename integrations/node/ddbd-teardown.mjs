// ddbd-teardown.mjs: jest's `globalTeardown` (a module of its own in jest): stops the server that
// ddbd.mjs's globalSetup started, in the same process.
export { globalTeardown as default } from './ddbd.mjs';
