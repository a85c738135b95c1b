import { specs } from '../spec.mjs'; specs('c');
