import { specs } from '../spec.mjs'; specs('d');
