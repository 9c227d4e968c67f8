/** Module 02, single-flight: one rebuild per key per process, errors shared but never cached. */
import { cacheDemo } from '../../src/cache/demo.js';
import { cacheHeadline } from '../../src/cache/headline.js';
import { defineModule } from '../../src/define.js';
import { HOT_ORIGIN, hotKey } from '../../src/scenarios.js';
import { expectedBoundaries } from '../../src/cache/audit.js';
import { app, checks } from './checks.js';
import { MANY_KEYS, SLOW_FACTOR, hotKeySlowSpell, manyKeys } from './scenarios.js';

/** The boundary p99 bound: one origin query at its slowest, plus 20%. */
const P99_BOUND = Math.round(1.2 * (HOT_ORIGIN.latencyMs + HOT_ORIGIN.jitterMs));
const INSTANCES = 4;

export default defineModule({
  id: '02-single-flight',
  title: 'single-flight',
  summary: 'per process: coalesce concurrent misses per key',
  files: { 'single-flight.ts': ['createSingleFlight', 'createSingleFlightCache'] },
  compareWith: '01-stampede',
  hints: [
    'Keep a Map from key to the promise of the rebuild in flight, inside createSingleFlight (each flight its own). A second caller for the same key gets that promise instead of calling fn again.',
    "Store the promise, not the value: waiters must be able to await a result that doesn't exist yet.",
    'Remove the entry when the promise settles, on success AND on failure, or one failed rebuild poisons the key forever and one success is served forever. call.then(forget, forget) handles both; a bare call.finally(forget) makes a second promise that rejects with nobody listening.',
    'Only the caller that creates the entry calls fn(); delete the entry only if it is still the one you created (a `call` of its own per do(), not one variable for the whole flight).',
    'fn may throw before it returns a promise: `const call = (async () => fn())()` turns that throw into a rejected promise, which the same cleanup handles. And a Map, not a plain object: "constructor" is a key too.',
  ],
  checks: [
    {
      name: 'one query per boundary',
      target: `1 query per boundary, ${expectedBoundaries(hotKeySlowSpell(1))} boundaries, origin ${SLOW_FACTOR}x slower mid-run`,
      value: 1,
      run: checks['one query per boundary']!,
      starterFails: /sent \d+ queries to the origin, want 1/,
    },
    { name: 'one per instance', target: `${INSTANCES} instances: 1 query each per boundary`, value: INSTANCES, run: checks['one per instance']!, starterFails: /queries per instance.*want 1 each/ },
    {
      name: 'same value for every waiter',
      target: '100 callers: fn once, one value; round 2 reruns',
      run: checks['same value for every waiter']!,
      starterFails: /fn ran 100 times for 100 concurrent callers, want 1/,
    },
    {
      name: 'failure shared, not cached',
      target: 'waiters share the error (a throw too); next call retries',
      seeds: 'once',
      run: checks['failure shared, not cached']!,
      starterFails: /fn ran 50 times for 50 concurrent callers, want 1/,
    },
    {
      name: 'keys independent',
      target: 'fn once per key, interleaved; fast key not held; any key name',
      seeds: 'once',
      run: checks['keys independent']!,
      starterFails: /fn ran 50 times for key "a" and 50 for "b"/,
    },
    {
      name: 'many keys at once',
      target: `${MANY_KEYS.length} keys, 1 absent: 1 query per key per boundary, ${expectedBoundaries(manyKeys(1))} each`,
      value: 1,
      run: checks['many keys at once']!,
      starterFails: /boundary at .* sent \d+ queries to the origin, want 1/,
    },
    {
      name: 'p99 at the boundary',
      target: `p99 <= 1.2 x one origin latency (${P99_BOUND} ms)`,
      value: P99_BOUND,
      run: checks['p99 at the boundary']!,
      starterFails: new RegExp(`p99 at the boundary .* want <= ${P99_BOUND} ms`),
    },
  ],
  app,
  headline: cacheHeadline('02-single-flight', hotKey, app),
  demo: cacheDemo(hotKey),
});
