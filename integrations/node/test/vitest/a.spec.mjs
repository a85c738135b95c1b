import { specs } from '../spec.mjs'; specs('a');
