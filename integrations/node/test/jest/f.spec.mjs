import { specs } from '../spec.mjs'; specs('f');
