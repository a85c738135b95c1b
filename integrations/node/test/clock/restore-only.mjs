// the control run's setup file: the restore alone, no afterEach for the clock (a spec must then fail)
import { beforeEach } from 'vitest';
import { ddbdEndpoint, ddbdSnapshot, restore } from '../../ddbd.mjs';

beforeEach(() => restore(ddbdEndpoint(), ddbdSnapshot()));
