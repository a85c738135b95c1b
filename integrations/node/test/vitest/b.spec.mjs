import { specs } from '../spec.mjs'; specs('b');
