import { defineConfig } from 'vitest/config';

// two workers, each with its own ddbd, restored before every test
export default defineConfig({
  test: {
    include: ['*.spec.mjs'],
    globalSetup: ['./global.mjs'],
    setupFiles: [process.env.DDBD_NO_RESTORE ? './record.mjs' : '../../ddbd-each.mjs'],
    pool: 'threads',
    poolOptions: { threads: { minThreads: 2, maxThreads: 2 } },
  },
});
