import { specs } from '../spec.mjs'; specs('h');
