/** Module 13, circuit breaker: stop calling a dead cache tier, and keep the database standing while it is gone. */
import { defineModule } from '../../src/define.js';
import { CLOSE_WITHIN, OPEN_WITHIN, REFUSING } from './scenarios.js';
import { ORIGIN_SHARE, PROBE_WAITS, checks } from './checks.js';
import { demo } from './demo.js';
import { headline } from './headline.js';
import { MACHINE } from './machine.js';
import { BREAKER, OUTAGE, WORLD } from './world.js';

const outage = `store down ${(OUTAGE.toMs - OUTAGE.fromMs) / 1000} s at ${WORLD.ratePerSec} req/s`;

export default defineModule({
  id: '13-circuit-breaker',
  title: 'circuit breaker',
  summary: 'a dead dependency; protect the database when the cache is down',
  files: { 'circuit-breaker.ts': ['createBreaker', 'createProtectedRead'] },
  hints: [
    "Start with the read path: give breaker.call a function that awaits deps.store.get(key) and THROWS when the reply's status is not 'ok'. A timeout is a failure, the worst kind: the caller waited the whole timeout for it. Until something throws, no breaker can see the store is dead.",
    'The breaker keeps three things inside createBreaker: its state, a window of recent outcomes, and when it opened. Closed: run fn, record success or failure, and open once the window holds at least minCalls outcomes and failures / outcomes >= failureRate. A ring buffer of windowSize slots (or a list of [time, failed] pairs trimmed to the last windowMs) is the window.',
    "Open: throw at once without calling fn, until clock.now() - openedAt >= openMs; then half-open, and state() must make that check too (no call may come). Half-open: count the probes you let through and throw at once for any call beyond halfOpenProbes (never make it wait). A probe that fails: open again at once (openedAt = now), whatever the other probes say. All halfOpenProbes probes of the round succeeded: closed, with an EMPTY window (the outage's failures must not count against the recovered store); count each round from zero.",
    "A call that started in one state can finish in another (a closed-state call that times out after the breaker opened). Tag each call with an epoch number you bump on every transition, read after the call itself may have moved open to half-open, and ignore outcomes from an older epoch. The state's name is not enough: a call from before an outage can finish after the next close.",
    'The fallback, in createProtectedRead, runs when breaker.call throws (open, or the store failed): deps.stale.get(key) if there is a copy; else deps.origin.fetch(key) if fewer than deps.originLimit of your fallback queries are in flight (count them in a variable inside createProtectedRead, decrement in finally); else throw (shed). A plain miss (status ok, value undefined) still goes to the database.',
  ],
  checks: [
    {
      name: 'opens on the outage',
      target: `${outage}: open within ${OPEN_WITHIN} ms`,
      value: OPEN_WITHIN,
      run: checks['opens on the outage']!,
      starterFails: /waited out the 100 ms timeout, the breaker never opened/,
    },
    {
      name: 'fails fast while open',
      target: `<= ${PROBE_WAITS} requests wait the store's ${WORLD.store.timeoutMs} ms timeout (the probes)`,
      value: PROBE_WAITS,
      run: checks['fails fast while open']!,
      starterFails: /requests from .* waited out the store's 100 ms timeout, want at most/,
    },
    {
      name: 'database protected',
      target: `<= originLimit (${WORLD.originLimit}) queries held; every stale copy served; >= ${ORIGIN_SHARE * 100}% of the rest by the database`,
      value: WORLD.originLimit,
      run: checks['database protected']!,
      starterFails: /the database held \d+ queries at once .* want at most originLimit/,
    },
    {
      name: 'half-open probes',
      target: `<= halfOpenProbes (${BREAKER.halfOpenProbes}) store calls in flight while open`,
      value: BREAKER.halfOpenProbes,
      run: checks['half-open probes']!,
      starterFails: /the store had \d+ calls in flight .* want at most 3/,
    },
    {
      name: 'closes after recovery',
      target: `closed within ${CLOSE_WITHIN} ms of the store's return, and stays closed; no stale or failed answer while healthy`,
      value: CLOSE_WITHIN,
      run: checks['closes after recovery']!,
      starterFails: /the breaker never opened, so there is nothing to close/,
    },
    {
      name: 'no false open at 1% errors',
      target: `15 s at 1% store errors: never open; then open on a real outage`,
      run: checks['no false open at 1% errors']!,
      starterFails: /the breaker never opened, want within/,
    },
    {
      name: 'failed replies count',
      target: `store refusing (fast 'failed' replies) ${(REFUSING.toMs - REFUSING.fromMs) / 1000} s: open within ${OPEN_WITHIN} ms`,
      value: OPEN_WITHIN,
      run: checks['failed replies count']!,
      starterFails: /the store refused every call .* and the breaker never opened/,
    },
    {
      name: 'fallback recovers',
      target: `database down ${(REFUSING.databaseToMs - REFUSING.databaseFromMs) / 1000} s inside a store outage: >= ${ORIGIN_SHARE * 100}% served by it again after`,
      value: ORIGIN_SHARE,
      run: checks['fallback recovers']!,
      starterFails: /the database held \d+ queries at once .* want at most originLimit/,
    },
    {
      name: 'state machine',
      target: `virtual clock: minCalls ${MACHINE.minCalls}, 50%, open ${MACHINE.openMs} ms, ${MACHINE.halfOpenProbes} probes; mixed probes; boundaries`,
      seeds: 'once',
      run: checks['state machine']!,
      starterFails: /after 3 failures in 6 calls \(50%, failureRate 0\.5\) state\(\) is 'closed', want 'open'/,
    },
    {
      name: 'stragglers ignored',
      target: 'calls settling after a transition count nowhere',
      seeds: 'once',
      run: checks['stragglers ignored']!,
      starterFails: /after 5 failures in 5 calls .* state\(\) is 'closed', want 'open'/,
    },
    {
      name: 'one breaker per dependency',
      target: "A's failures leave B closed; a new one starts closed",
      seeds: 'once',
      run: checks['one breaker per dependency']!,
      starterFails: /breaker A saw 6 failures in 6 calls .* want 'open'/,
    },
  ],
  headline,
  demo,
});
