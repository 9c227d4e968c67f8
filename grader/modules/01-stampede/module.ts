/** Module 01, stampede: reproduce the herd at a TTL boundary, instrument it, predict its size. */
import { cacheDemo } from '../../src/cache/demo.js';
import { cacheHeadline } from '../../src/cache/headline.js';
import { defineModule } from '../../src/define.js';
import { hotKey } from '../../src/scenarios.js';
import { expectedBoundaries } from '../../src/cache/audit.js';
import { ABSENT_RATIO, TTL_FLOOR, app, herdReproduced, nullCached, prediction, statsAgree, ttlHonoured } from './checks.js';
import { OTHER_TTLS, PREDICTION_GRID } from './scenarios.js';

export default defineModule({
  id: '01-stampede',
  title: 'stampede',
  summary: 'reproduces it: naive cache-aside, predict the herd size',
  files: { 'naive-cache.ts': ['createNaiveCache'], 'predict-herd.ts': ['predictHerd'] },
  hints: [
    'Cache-aside is three steps: look in deps.cache (deps.cache.get(key) returns undefined on a miss; null is a cached "absent"); on a hit return it; on a miss fetch from deps.origin, store it with deps.cache.set(key, value, deps.ttlMs), return it.',
    'stats(): count every get() call and every miss in two counters kept inside createNaiveCache (one set per instance); push deps.clock.now() - start for each call into an array, in a finally so a call whose origin query fails counts too; p99Ms is percentile(latencies, 99) from @herd/harness.',
    'predictHerd: the first miss starts a rebuild that takes rebuildMs. Every request arriving before it lands also misses. How many arrive in rebuildMs at ratePerSec?',
    'predictHerd returns ratePerSec * rebuildMs / 1000, rounded up (Math.ceil): the grader accepts any prediction that rounds up to the measured herd.',
  ],
  checks: [
    {
      name: 'herd reproduced',
      target: `${expectedBoundaries(hotKey(1))} boundaries in ${hotKey(1).durationMs / 1000} s; queries = misses, herd > 1`,
      run: herdReproduced,
      starterFails: /does not read deps\.cache/,
    },
    {
      name: 'ttl honoured',
      target: `TTL ${OTHER_TTLS.map((t) => t.ttlMs / 1000).join(' s, ')} s: oldest served in (${TTL_FLOOR} x TTL, TTL]`,
      run: ttlHonoured,
      starterFails: /got 0 cache hits in [\d,]+ reads with deps\.ttlMs/,
    },
    {
      name: 'null cached',
      target: `absent key: <= ${ABSENT_RATIO} x the present key's queries`,
      run: nullCached,
      starterFails: /got 0 cache hits in [\d,]+ reads of "home" and "gone"/,
    },
    {
      name: 'stats agree',
      target: "2 instances, nulls, timeouts: stats() = harness's",
      run: statsAgree,
      starterFails: /stats\(\) counted 0 requests/,
    },
    {
      name: 'prediction',
      target: `rounds up to the measured herd, ${PREDICTION_GRID.length} settings`,
      seeds: 'once',
      run: prediction,
      starterFails: /you predicted 0 origin queries/,
    },
  ],
  app,
  headline: cacheHeadline('01-stampede', hotKey, app),
  demo: cacheDemo(hotKey),
});
