import { defineConfig } from 'vitest/config';

// workers sharing one ddbd, each in its own namespace, restored before every test; no pool or
// worker count here (as in docs/testing.md): vitest.test.mjs runs it with --pool and --maxWorkers
export default defineConfig({
  test: {
    include: ['*.spec.mjs'],
    globalSetup: ['../global.mjs'],
    setupFiles: [process.env.DDBD_NO_RESTORE ? './record.mjs'
      : process.env.DDBD_WHOLE_STORE ? './whole.mjs' : '../../ddbd-each.mjs'],
  },
});
