/** Module 05, early expiration (XFetch): refresh a hot key before it expires, with a probability that rises as expiry nears. */
import { defineModule } from '../../src/define.js';
import { app } from './app.js';
import { BETA_CHECK, COLD_EXTRA, COLD_GAIN, FLEET, HOT_PER_WINDOW, LEAD_GROWTH, REAL, RULE, checks } from './checks.js';
import { demo } from './demo.js';
import { headline } from './headline.js';

export default defineModule({
  id: '05-early-expiration',
  title: 'early expiration (XFetch)',
  summary: 'the boundary itself: probabilistic early recompute',
  files: { 'xfetch-cache.ts': ['shouldRecomputeEarly', 'createXFetchCache'] },
  compareWith: '04-stale-while-revalidate',
  hints: [
    'Store more than the value: JSON.stringify({ value, delta, expiry }). delta is how long origin.fetch took (deps.clock.now() before and after); expiry is deps.clock.now() + ttlMs when the value lands.',
    'shouldRecomputeEarly returns now - delta * beta * Math.log(rand) >= expiry. ln(rand) is negative, so that is now plus a random head start, usually about delta * beta, rarely much more. rng.next() is in [0, 1) and can be 0, and ln(0) is -Infinity: use rand = 1 - rng.next(), which is in (0, 1].',
    'In get, after a hit: if shouldRecomputeEarly({ now: clock.now(), expiry: entry.expiry, delta: entry.delta, beta: deps.beta ?? 1, rng: deps.rng }), call recompute(key) WITHOUT await and give it a .catch(() => undefined); then return entry.value. recompute runs inside the single flight, so however many reads say yes, one process starts one recompute.',
    'Measure delta in every recompute and write it with the value it produced: when the origin slows down, the next head start grows with it. A delta kept from the first recompute, or copied from the old entry, stays stale for the rest of the run.',
  ],
  checks: [
    {
      name: 'decision rule',
      target: `P(early) = exp(-t / (beta x delta)) ± ${RULE.standardErrors} SE of ${RULE.draws.toLocaleString('en-US')} draws; beta 0 and a 0 draw: never`,
      seeds: 'once',
      run: checks['decision rule']!,
      starterFails: /the rule recomputed early in 0 of 20,000 draws \(0\.000\), want exp/,
    },
    {
      name: 'hot key: refreshed before expiry',
      target: `0 misses after the cold start; 1 query at a time; head starts vary; <= ${HOT_PER_WINDOW} per TTL`,
      value: HOT_PER_WINDOW,
      run: checks['hot key: refreshed before expiry']!,
      starterFails: /reads found the value expired after the cold start .* want 0/,
    },
    {
      name: 'no wait at the boundary',
      target: 'boundary p99 and slowest request <= a hit + 1 ms',
      run: checks['no wait at the boundary']!,
      starterFails: /waited \d+ ms .* want <= \d+ ms, a hit/,
    },
    {
      name: 'delta measured',
      target: `origin x4 slower: recomputes start >= ${LEAD_GROWTH}x earlier`,
      seeds: 'once',
      run: checks['delta measured']!,
      starterFails: /no recompute started before expiry/,
    },
    {
      name: 'beta through the cache',
      target: `deps.beta 0: no recompute before expiry; beta ${BETA_CHECK.high}: head start >= ${BETA_CHECK.growth}x beta 1's`,
      run: checks['beta through the cache']!,
      starterFails: /with deps\.beta 1, no recompute started before the expiry/,
    },
    {
      name: 'origin fails an early recompute',
      target: 'tried again before the expiry; every read served; 3 more windows normal',
      run: checks['origin fails an early recompute']!,
      starterFails: /reads found the value expired after the cold start .* want 0: no recompute started before the expiry/,
    },
    {
      name: 'cold keys: no gain, no cost',
      target: `~1 read per TTL: waits >= naive -${COLD_GAIN * 100}%, queries <= naive +${COLD_EXTRA * 100}%; hottest key: 0 waits`,
      seeds: 'once',
      run: checks['cold keys: no gain, no cost']!,
      starterFails: /the hottest key \(k0, \d+ reads per TTL\) made \d+ reads wait for a recompute after its cold start, want 0/,
    },
    {
      name: 'fleet: few early recomputes',
      target: `4 instances, one store: 0 misses; mean <= ${FLEET.meanPerWindow} per window`,
      run: checks['fleet: few early recomputes']!,
      starterFails: /reads across the fleet found the value expired after the cold start .* want 0/,
    },
    {
      name: 'real Redis: fleet recomputes early',
      target: `4 instances on Redis, real time: expiry met in < ${REAL.missedShare * 100}% of windows; 1 recompute per process per window; p50 < ${REAL.medianMs} ms`,
      seeds: 'once',
      realTime: true,
      run: checks['real Redis: fleet recomputes early']!,
      starterFails: /on Redis, reads found the value expired after the cold start in \d+ of \d+ windows .* want at most \d+: recompute early/,
    },
  ],
  app,
  headline,
  demo,
});
