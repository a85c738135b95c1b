// the control run's setup file: a whole-store snapshot per worker, restored before each test (it
// resets the other worker's namespace too, so the specs must then fail)
import { beforeEach } from 'vitest';
import { ddbdEndpoint, ddbdRegion, restore, snapshot } from '../../ddbd.mjs';

let saved = false;
beforeEach(async () => {
  const name = `whole-${ddbdRegion()}`;
  if (!saved) await snapshot(ddbdEndpoint(), name).catch(() => {});   // 409: an earlier file saved it
  saved = true;
  await restore(ddbdEndpoint(), name);
});
