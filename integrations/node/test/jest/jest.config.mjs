// workers sharing one ddbd, each in its own namespace, restored before every test (jest runs ES
// modules with node --experimental-vm-modules and no transform; its default testMatch skips .mjs);
// as docs/testing.md has it, with jest.test.mjs giving --maxWorkers
export default {
  testMatch: ['**/*.test.mjs', '**/*.spec.mjs'],
  transform: {},
  globalSetup: '../global.mjs',
  globalTeardown: '../../ddbd-teardown.mjs',
  setupFilesAfterEnv: [process.env.DDBD_NO_RESTORE ? './record.mjs' : '../../ddbd-each.mjs'],
};
