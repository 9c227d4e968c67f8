/**
 * Module 04's headline: 03's reference and this module's code on the identical run (fleet hot-key
 * x4, the same per-instance store round trips as the checks). The cache modules' usual figures,
 * with the boundary p99 split in two: the cold start waits in both, so it would hide the one
 * difference this module makes, the wait at every later expiry.
 */
import type { RunReport } from '@herd/harness/engine';
import { CACHE_FIGURES, type Figure } from '../../src/cache/figures.js';
import { cacheHeadline } from '../../src/cache/headline.js';
import { fleetHotKey } from '../../src/scenarios.js';
import { lockApp } from '../03-distributed-lock/app.js';
import { swrCacheApp } from './app.js';
import { STORE_LATENCY } from './checks.js';

const ID = '04-stale-while-revalidate';
const p99 = (bs: RunReport['boundaries']): string => (bs.length === 0 ? '-' : `${Math.round(Math.max(...bs.map((b) => b.p99)))} ms`);

export const FIGURES: readonly Figure[] = CACHE_FIGURES.flatMap((f) =>
  f.name === 'p99 at the boundary (worst)'
    ? [
        { name: 'p99 at the cold start', value: (r: RunReport) => p99(r.boundaries.slice(0, 1)) },
        { name: 'p99 at later expiries (worst)', value: (r: RunReport) => p99(r.boundaries.slice(1)) },
      ]
    : [f],
);

export const swrHeadline = () =>
  cacheHeadline(ID, fleetHotKey, (e) => swrCacheApp(e, { storeLatencyMs: STORE_LATENCY }), {
    figures: FIGURES,
    before: (e) => lockApp(e, { storeLatencyMs: STORE_LATENCY }),
    note: 'store round trips 1-4 ms',
  });
