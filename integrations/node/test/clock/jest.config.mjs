// the clock suite (clock.test.mjs) under jest: the server's clock as $DDBD_CLOCK says
export default {
  testMatch: ['**/*.spec.mjs'],
  transform: {},
  globalSetup: './setup.mjs',
  globalTeardown: '../../ddbd-teardown.mjs',
  setupFilesAfterEnv: ['../../ddbd-each.mjs'],
};
