import { defineConfig } from 'vitest/config';

// the clock suite (clock.test.mjs): the server's clock as $DDBD_CLOCK says, the namespace restored
// before each test; DDBD_RESTORE_ONLY=1: a setup file that does not let a frozen clock run again
export default defineConfig({
  test: { include: ['*.spec.mjs'], globalSetup: ['./setup.mjs'],
    setupFiles: [process.env.DDBD_RESTORE_ONLY ? './restore-only.mjs' : '../../ddbd-each.mjs'] },
});
