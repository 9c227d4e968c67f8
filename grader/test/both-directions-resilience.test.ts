/** Both directions for the resilience track (09-13) and the capstone: see both-directions.test.ts. */
import { manifest } from '../src/manifest.js';
import { bothDirections } from './support/both-directions.js';

bothDirections(manifest.filter((m) => m.id >= '09'));
