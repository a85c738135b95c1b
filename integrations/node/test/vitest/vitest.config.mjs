import { defineConfig } from 'vitest/config';

// two workers sharing one ddbd, each in its own namespace, restored before every test
export default defineConfig({
  test: {
    include: ['*.spec.mjs'],
    globalSetup: ['../global.mjs'],
    setupFiles: [process.env.DDBD_NO_RESTORE ? './record.mjs'
      : process.env.DDBD_WHOLE_STORE ? './whole.mjs' : '../../ddbd-each.mjs'],
    pool: 'threads',
    poolOptions: { threads: { minThreads: 2, maxThreads: 2 } },
  },
});
