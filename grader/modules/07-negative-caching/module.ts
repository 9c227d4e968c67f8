/** Module 07, negative caching: keep "not found" briefly, in a bounded space of its own. */
import { defineModule } from '../../src/define.js';
import { app } from './app.js';
import { CACHED_SHARE, FILTER, FLEET_PER_WINDOW, HIT_MARGIN, PER_TTL, REAL, checks, filterCheck } from './checks.js';
import { demo } from './demo.js';
import { headline } from './headline.js';
import { EXACT, NEG } from './scenarios.js';

const NOT_CACHED = /reads of absent ids reached the origin \([0-9]\.\d% answered from the cache\), want at least 50\.0%: "not found" is not cached/;

export default defineModule({
  id: '07-negative-caching',
  title: 'negative caching',
  summary: 'miss storms for keys that do not exist',
  files: { 'negative-cache.ts': ['createNegativeCache'] },
  compareWith: '01-stampede',
  hints: [
    'A null from deps.origin.fetch is an answer: remember it. Not in deps.cache (a scan of absent ids would push the values out), but in a space of its own: new LRUCache({ max: deps.maxNegative, ttl: deps.negativeTtlMs, perf: { now: () => deps.clock.now() + 1 } }) from "lru-cache". lru-cache takes a start of 0 for "no TTL", hence the + 1.',
    'In get: a value in deps.cache first; then negative.has(key) answers null without the origin; only then the origin, inside the single flight. A null goes into the LRU; an error or a timeout simply rejects: no try/catch that turns it into null, and nothing cached.',
    'created(key) deletes the negative entry (negative.delete(key)), so the next read asks the origin and finds the value. Keys nobody announces are found once their entry expires: that is what the short TTL is for.',
    'In a fleet (deps.store): before the origin, deps.store.pttl("neg:" + key) > 0 means another instance found nothing; copy it into your LRU for what is left (set(key, true, { ttl: left })), never longer. After a null, deps.store.set("neg:" + key, "1", deps.negativeTtlMs). created(key) also does deps.store.del.',
  ],
  checks: [
    {
      name: 'one "not found" per key per negative TTL',
      target: `<= ${PER_TTL} origin query per absent key per ${NEG.negativeTtlMs / 1000} s; >= ${CACHED_SHARE * 100}% of absent reads cached`,
      value: PER_TTL,
      run: checks['one "not found" per key per negative TTL']!,
      starterFails: /asked the origin about "[^"]+" \d+ times within 5000 ms .* each answered "not found", want at most 1 per negative TTL/,
    },
    {
      name: 'scan: negative entries bounded',
      target: `18,000 absent ids: held <= ${NEG.maxNegative.toLocaleString('en-US')} (maxNegative), the newest ${NEG.maxNegative / 2} all; exactly ${EXACT.maxNegative} at a bound of ${EXACT.maxNegative}`,
      value: NEG.maxNegative,
      seeds: 'once',
      run: checks['scan: negative entries bounded']!,
      starterFails: /the cache held \d+ of the 500 absent ids the scan read last, want all of them/,
    },
    {
      name: 'scan: positive hit rate kept',
      target: `items' hit rate during the scan >= without it - ${HIT_MARGIN * 100} point`,
      value: HIT_MARGIN,
      seeds: 'once',
      run: checks['scan: positive hit rate kept']!,
      starterFails: NOT_CACHED,
    },
    {
      name: 'created key served within the negative TTL',
      target: `no null more than ${NEG.negativeTtlMs / 1000} s after a key exists`,
      run: checks['created key served within the negative TTL']!,
      starterFails: /before it existed, i0 asked the origin about "new:\d+" \d+ times within 5000 ms/,
    },
    {
      name: 'created(key) served at once',
      target: 'no null once created(key) has resolved, on any instance',
      run: checks['created(key) served at once']!,
      starterFails: /before it existed, i0 asked the origin about "inv:\d+" \d+ times within 5000 ms/,
    },
    {
      name: 'errors and timeouts never kept as "not found"',
      target: 'origin down, then timing out: no null for an existing key; the next read retries',
      run: checks['errors and timeouts never kept as "not found"']!,
      starterFails: NOT_CACHED,
    },
    {
      name: 'fleet: negative entries shared with a PX',
      target: `4 instances, one store: <= ${FLEET_PER_WINDOW} per key per TTL fleet-wide; PX <= negative TTL`,
      value: FLEET_PER_WINDOW,
      run: checks['fleet: negative entries shared with a PX']!,
      starterFails: /in the fleet, i\d asked the origin about "[^"]+" \d+ times within 5000 ms/,
    },
    {
      name: 'real Redis: the fleet shares "not found"',
      target: `4 instances on Redis, real time, ${REAL.negativeTtlMs / 1000} s negative TTL: <= ${REAL.perWindow} per key per TTL`,
      seeds: 'once',
      realTime: true,
      run: checks['real Redis: the fleet shares "not found"']!,
      starterFails: /on Redis, the 4 instances asked the origin [\d.]+ times per absent key per 1000 ms negative TTL/,
    },
    {
      name: 'optional: Bloom filter of existing ids',
      target: `when exported: no false negatives; false positives <= configured (${FILTER.rates.map((r) => `${r * 100}%`).join(', ')}) + ${FILTER.standardErrors} SE`,
      seeds: 'once',
      run: filterCheck,
      starterFails: /the filter said 8,000 of 8,000 absent ids may exist \(100\.00%\), want at most 1\.\d\d%/,
    },
  ],
  app,
  headline,
  demo,
});
