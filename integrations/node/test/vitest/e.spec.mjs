import { specs } from '../spec.mjs'; specs('e');
