// two workers sharing one ddbd, each in its own namespace, restored before every test (jest runs
// ES modules with node --experimental-vm-modules and no transform)
export default {
  testMatch: ['**/*.spec.mjs'],
  transform: {},
  globalSetup: '../global.mjs',
  globalTeardown: '../../ddbd-teardown.mjs',
  setupFilesAfterEnv: [process.env.DDBD_NO_RESTORE ? './record.mjs' : '../../ddbd-each.mjs'],
  maxWorkers: 2,
};
