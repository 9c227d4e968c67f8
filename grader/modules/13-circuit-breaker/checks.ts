/**
 * Hidden checks for module 13 (circuit breaker). Five read one run of the outage world (the
 * store hangs for 20 s under 500 requests/s) from outside: when the read path stopped calling
 * the store, who waited out its timeout, what the database held, how many probes reached the
 * store, when every request went to the store again. One run adds 1% sporadic store errors and
 * then a real outage; two drive the breaker alone on a virtual clock.
 */
import { at, ms, n } from '../../src/check-kit.js';
import type { CheckFn, Outcome } from '../../src/define.js';
import { answers, closedAfter, heldBins, maxOver, openedAfter, probeRounds, waitedTimeout } from './measure.js';
import { CLOSE_WITHIN, OPEN_WITHIN, SPORADIC, codeKey, learnerOutage, makeBreaker, protectedRead, sporadicSpec, worldRun } from './scenarios.js';
import { BREAKER, ORIGIN_CAPACITY_PER_SEC as ORIGIN_CAPACITY, OUTAGE, WORLD, type WorldRun } from './world.js';
import { independentBreakers, stateMachine } from './machine.js';
import { perSecond } from './series.js';

const F = OUTAGE.fromMs;
const R = OUTAGE.toMs;
const T = WORLD.store.timeoutMs;
/** From here on the breaker has had its chance to open and every pre-open store call has timed out. */
const SETTLED = F + OPEN_WITHIN + T;
/** Requests that may wait out the store's timeout while it is down: the probes of each open period. */
export const PROBE_WAITS = BREAKER.halfOpenProbes * Math.ceil((R - SETTLED) / BREAKER.openMs);
/** Of the requests without a stale copy, the share the database should still serve through the limit. */
export const ORIGIN_SHARE = 0.25;

/** The grader draws a check's series as origin (database) queries per second. */
const dbPerSecond = (run: WorldRun): number[] => perSecond(run.originCalls, run.binMs);

const s = (v: number): string => `${(v / 1000).toFixed(1)} s`;

/** A read path that threw something other than an Error, or resolved a made-up value, fails every check. */
function broken(run: WorldRun): Outcome | undefined {
  if (run.failure === undefined) return undefined;
  return { pass: false, measured: `${run.failure.count} bad answers`, message: `${run.failure.message} (${run.failure.count} requests)` };
}

const neverOpened = (run: WorldRun, what: string): Outcome => ({
  pass: false,
  measured: 'never opened',
  message: `the store hung for ${s(R - F)} (${n(run.storeTimeouts)} calls waited out its ${T} ms timeout) and the breaker never opened, so ${what}: count a timed-out call as a failure and open at failureRate`,
});

export const checks: Record<string, CheckFn> = {
  async 'opens on the outage'({ seed, exports }) {
    const run = await learnerOutage(exports, seed);
    const bad = broken(run);
    if (bad) return bad;
    const opened = openedAfter(run, F, R);
    const series = dbPerSecond(run);
    if (opened === null) {
      return {
        pass: false,
        measured: 'never opened',
        message: `the store hung for ${s(R - F)} and the read path kept calling it: ${n(run.storeTimeouts)} calls waited out the ${T} ms timeout, the breaker never opened; want open within ${OPEN_WITHIN} ms: a timeout is a failure (throw inside breaker.call when the reply is not ok), and open once failures reach failureRate of the window`,
        series,
      };
    }
    const measured = `open ${ms(opened)} after the store died`;
    if (opened > OPEN_WITHIN) {
      return {
        pass: false,
        measured,
        message: `the breaker opened ${ms(opened)} after the store died, want within ${OPEN_WITHIN} ms: the window still counted the ${s(F)} of successes before the outage; keep only the last windowSize outcomes (or the last windowMs)`,
        series,
      };
    }
    return { pass: true, measured, series };
  },

  async 'fails fast while open'({ seed, exports }) {
    const run = await learnerOutage(exports, seed);
    const bad = broken(run);
    if (bad) return bad;
    const waited = waitedTimeout(run, SETTLED, R);
    const total = answers(run, SETTLED, R).requests;
    const measured = `${n(waited)} of ${n(total)} waited the timeout`;
    if (waited > PROBE_WAITS) {
      return {
        pass: false,
        measured,
        message: `${n(waited)} of ${n(total)} requests from ${at(SETTLED)} to ${at(R)} waited out the store's ${T} ms timeout, want at most ${PROBE_WAITS} (${BREAKER.halfOpenProbes} probes per ${BREAKER.openMs} ms open period): while open, reject at once without calling the store`,
        series: dbPerSecond(run),
      };
    }
    return { pass: true, measured: `${measured} (the probes), ${n(total - waited)} answered at once`, series: dbPerSecond(run) };
  },

  async 'database protected'({ seed, exports }) {
    const run = await learnerOutage(exports, seed);
    const bad = broken(run);
    if (bad) return bad;
    const held = maxOver(run.originHeldMax, run, F, R);
    const a = answers(run, SETTLED, R);
    const series = dbPerSecond(run);
    const measured = `peak ${held.value} queries held, ${n(a.servedStale)}/${n(a.withCopy)} stale, ${n(a.servedByOrigin)}/${n(a.withoutCopy)} by the database`;
    if (held.value > WORLD.originLimit) {
      const over = held.value > WORLD.origin.workers ? `, past its ${WORLD.origin.workers} workers, queued` : '';
      return {
        pass: false,
        measured,
        message: `the database held ${held.value} queries at once at ${at(held.atMs)}${over} (capacity ${WORLD.origin.workers} workers, ${ORIGIN_CAPACITY}/s), want at most originLimit (${WORLD.originLimit}): while the store is unusable, send a query only when fewer than originLimit are in flight, serve deps.stale where there is a copy, shed the rest`,
        series,
      };
    }
    if (a.servedStale < 0.99 * a.withCopy) {
      return {
        pass: false,
        measured,
        message: `${n(a.withCopy - a.servedStale)} of ${n(a.withCopy)} requests with a stale copy in memory got something else while the store was down, want the copy (deps.stale.get(key)) for at least 99%: an old value beats an error and costs the database nothing`,
        series,
      };
    }
    if (a.servedByOrigin < ORIGIN_SHARE * a.withoutCopy) {
      return {
        pass: false,
        measured,
        message: `the database served ${n(a.servedByOrigin)} of the ${n(a.withoutCopy)} requests without a stale copy while the store was down, want at least ${ORIGIN_SHARE * 100}%: let up to originLimit (${WORLD.originLimit}) queries through at a time instead of shedding them all`,
        series,
      };
    }
    return { pass: true, measured, series };
  },

  async 'half-open probes'({ seed, exports }) {
    const run = await learnerOutage(exports, seed);
    const bad = broken(run);
    if (bad) return bad;
    const peak = maxOver(run.storeInFlightMax, run, SETTLED, R);
    const rounds = probeRounds(run, SETTLED, R);
    const series = dbPerSecond(run);
    const measured = `max ${peak.value} in flight, ${rounds.length} rounds`;
    if (peak.value > BREAKER.halfOpenProbes) {
      return {
        pass: false,
        measured,
        message: `the store had ${peak.value} calls in flight at ${at(peak.atMs)}, while the breaker should have been open or half-open, want at most ${BREAKER.halfOpenProbes} (halfOpenProbes): half-open admits halfOpenProbes calls and refuses the rest until they answer`,
        series,
      };
    }
    if (rounds.length === 0) {
      return {
        pass: false,
        measured,
        message: `no call reached the store from ${at(SETTLED)} to ${at(R)}, want ${BREAKER.halfOpenProbes} probes every ${BREAKER.openMs} ms: after openMs the breaker goes half-open and lets probes through`,
        series,
      };
    }
    return { pass: true, measured: `${measured} of ${Math.max(...rounds)} probes at most`, series };
  },

  async 'closes after recovery'({ seed, exports }) {
    const run = await learnerOutage(exports, seed);
    const bad = broken(run);
    if (bad) return bad;
    if (openedAfter(run, F, R) === null) return neverOpened(run, 'there is nothing to close');
    const closed = closedAfter(run, R, OUTAGE.durationMs);
    const series = dbPerSecond(run);
    if (closed === null) {
      // Stuck half-open sends one round of probes and nothing more; a breaker that closes and
      // reopens at once on the outage's old failures keeps sending rounds to a healthy store.
      const rounds = probeRounds(run, R, OUTAGE.durationMs);
      const why =
        rounds.length > 1
          ? `it went half-open ${rounds.length} times and its probes reached a healthy store (${rounds.join(', ')} calls per round), but it opened again each time: failures from the outage still in the window; empty it when the breaker closes`
          : 'the probes succeeded but the breaker never closed: once halfOpenProbes probes succeed, close';
      return { pass: false, measured: 'not closed', message: `the store came back at ${at(R)} and by ${at(OUTAGE.durationMs)} requests were still kept off it: ${why}`, series };
    }
    const measured = `closed ${ms(closed)} after the store came back`;
    if (closed > CLOSE_WITHIN) {
      return {
        pass: false,
        measured,
        message: `the breaker closed ${ms(closed)} after the store came back, want within ${CLOSE_WITHIN} ms (openMs ${BREAKER.openMs} + one probe round): go half-open once openMs has passed since it opened, close when the probes succeed`,
        series,
      };
    }
    return { pass: true, measured, series };
  },

  async 'no false open at 1% errors'({ seed, exports }) {
    const run = await worldRun(codeKey(exports), 'protected', protectedRead(exports), sporadicSpec(seed), makeBreaker(exports));
    const bad = broken(run);
    if (bad) return bad;
    const held = heldBins(run, 0, SPORADIC.outageFromMs);
    const errors = Math.round(SPORADIC.errorRate * 100);
    if (held.length > 0) {
      return {
        pass: false,
        measured: `${held.length} false opens`,
        message: `with ${errors}% of store calls failing at random, the breaker kept requests off the store at ${at(held[0]!)}${held.length > 1 ? ` (and ${held.length - 1} more 100 ms bins)` : ''}, want never: open only once at least minCalls outcomes are in the window and failures reach failureRate (${BREAKER.failureRate * 100}%)`,
        series: dbPerSecond(run),
      };
    }
    const opened = openedAfter(run, SPORADIC.outageFromMs, SPORADIC.durationMs);
    if (opened === null || opened > OPEN_WITHIN) {
      return {
        pass: false,
        measured: opened === null ? 'never opened' : `opened after ${ms(opened)}`,
        message: `no false open in ${s(SPORADIC.outageFromMs)} of ${errors}% errors, but the store then hung at ${at(SPORADIC.outageFromMs)} and the breaker ${opened === null ? 'never opened' : `opened only after ${ms(opened)}`}, want within ${OPEN_WITHIN} ms: a breaker that never opens has no false opens`,
        series: dbPerSecond(run),
      };
    }
    return { pass: true, measured: `0 false opens in ${s(SPORADIC.outageFromMs)}; then open after ${ms(opened)}`, series: dbPerSecond(run) };
  },

  'state machine': stateMachine,
  'one breaker per dependency': independentBreakers,
};
