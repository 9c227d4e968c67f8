/** Module 06, TTL jitter: a catalogue written in one instant must not expire in one instant. */
import { defineModule } from '../../src/define.js';
import { app } from './app.js';
import { n } from '../../src/check-kit.js';
import { MAX_CORRELATION, MEAN_SHARE, PEAK_BOUND, PEAK_SLACK, TOTAL_SHARE, WAVE_P99_MS, checks } from './checks.js';
import { demo } from './demo.js';
import { headline } from './headline.js';
import { CATALOGUE, CATALOGUE_RUN, JITTER, OUTAGE } from './scenarios.js';

export default defineModule({
  id: '06-ttl-jitter',
  title: 'TTL jitter',
  summary: 'many keys expiring together (avalanche)',
  files: { 'jittered-cache.ts': ['jitteredTtl', 'createJitteredCache'] },
  hints: [
    'jitteredTtl returns ttlMs x (1 + jitter x u) with u uniform in [-1, 1): u = 2 x rng.next() - 1. Its mean is ttlMs and it never exceeds ttlMs x (1 + jitter).',
    'Call jitteredTtl(ttlMs, deps.jitter, deps.rng) for every cache.set: in write() (the batch job) and after origin.fetch in get() (the read path rewrites the key too). Change nothing else: the one single flight made with the cache, and an origin error that reaches the caller with nothing cached, are what the starter already gets right.',
    'Draw on every write, not once: a TTL computed once per batch (outside the loop, or cached in a variable) or kept per key in a Map makes the keys written together expire together again. deps.rng.fork(label) gives the same stream every time; use deps.rng itself.',
    'Keep the jitter symmetric: + [0, j] on top raises the mean TTL (older values, fewer queries), - [0, j] lowers it (more origin queries: the herd is hidden, not spread). Both are rejected.',
  ],
  checks: [
    {
      name: 'jitteredTtl: uniform over ttl x (1 ± j)',
      target: `jitter 0, ${[0.2, 0.05, 0.5].join(', ')}: in range, mean and quarters ± 5 SE`,
      seeds: 'once',
      run: checks['jitteredTtl: uniform over ttl x (1 ± j)']!,
      starterFails: /every draw returned 20000 ms, want TTLs spread uniformly/,
    },
    {
      name: 'expiry waves: peak origin rate',
      target: `every wave's peak <= ${PEAK_BOUND}/s (${n(CATALOGUE.keys)} / (2 x ${JITTER} x ${CATALOGUE_RUN.ttlMs / 1000} s) + ${Math.round((PEAK_SLACK - 1) * 100)}%)`,
      value: PEAK_BOUND,
      run: checks['expiry waves: peak origin rate']!,
      starterFails: /wave \d \(batch at t=\d+\.0s\): [\d,]+ origin queries in the second at .* want <= \d+ .* the keys written together expire together/,
    },
    {
      name: 'same origin work in total',
      target: `origin queries within ± ${TOTAL_SHARE * 100}% of the unjittered run`,
      seeds: 'once',
      run: checks['same origin work in total']!,
      starterFails: /all [\d,]+ writes had a TTL of 8000 ms: nothing is spread yet/,
    },
    {
      name: 'TTLs: mean, bound and spread',
      target: `every write: mean ± ${MEAN_SHARE * 100}%, within ttl x (1 ± ${JITTER})`,
      run: checks['TTLs: mean, bound and spread']!,
      starterFails: /all [\d,]+ writes had a TTL of 8000 ms, want each uniform/,
    },
    {
      name: 'p99 during the waves',
      target: `request p99 in every wave <= ${WAVE_P99_MS} ms`,
      value: WAVE_P99_MS,
      run: checks['p99 during the waves']!,
      starterFails: /had p99 \d+ ms, want <= \d+ ms: the origin's queue overflowed/,
    },
    {
      name: 'rewritten keys stay spread',
      target: `each batch spread; a key's TTLs across batches: abs(r) <= ${MAX_CORRELATION}`,
      run: checks['rewritten keys stay spread']!,
      starterFails: /batch 1 \(at t=0\.0s\): all 2,000 of its writes got one TTL/,
    },
    {
      name: 'one origin query per key at a time',
      target: 'no query for a key while the same instance has one running (single flight)',
      value: 0,
      run: checks['one origin query per key at a time']!,
      starterFails: /all [\d,]+ writes had a TTL of 8000 ms: every key expires at once, so there are no waves/,
    },
    {
      name: 'origin outage: nothing cached from a failure',
      target: `origin down ${OUTAGE.fromMs / 1000}-${OUTAGE.toMs / 1000} s mid-wave: no null served, no failure from ${(OUTAGE.toMs + OUTAGE.settleMs) / 1000} s`,
      value: 0,
      run: checks['origin outage: nothing cached from a failure']!,
      starterFails: /all [\d,]+ writes had a TTL of 8000 ms: every key expires at t=8\.0s, after the outage/,
    },
    {
      name: 'randomness from deps.rng',
      target: 'two streams: TTLs differ; one stream twice: identical',
      seeds: 'once',
      run: checks['randomness from deps.rng']!,
      starterFails: /two instances with streams of their own wrote 100\.0% of the keys with the same TTL/,
    },
  ],
  app,
  headline,
  demo,
});
