import { specs } from '../spec.mjs'; specs('g');
