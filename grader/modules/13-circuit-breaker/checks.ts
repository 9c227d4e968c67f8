/**
 * Hidden checks for module 13 (circuit breaker). Five read one run of the outage world (the
 * store hangs for 20 s under 500 requests/s) from outside: when the read path stopped calling
 * the store, who waited out its timeout, what the database held and what each request got, how
 * many probes reached the store, when every request went to the store again. One run adds 1%
 * sporadic store errors and then a real outage; one has the store refuse every call (fast
 * 'failed' replies) while the database has an outage of its own; three drive the breaker alone
 * on a virtual clock.
 */
import { isHerdError } from '@herd/harness/engine';
import { at, ms, n } from '../../src/check-kit.js';
import type { CheckFn, Outcome } from '../../src/define.js';
import { answers, closedAfter, heldBins, longestQuiet, maxOver, openedAfter, outsideCalls, probeRounds, sumOver, waitedTimeout } from './measure.js';
import { CLOSE_WITHIN, OPEN_WITHIN, REFUSING, SPORADIC, codeKey, learnerOutage, learnerRefusing, makeBreaker, protectedRead, sporadicSpec, worldRun } from './scenarios.js';
import { BREAKER, ORIGIN_CAPACITY_PER_SEC as ORIGIN_CAPACITY, OUTAGE, WORLD, type WorldRun } from './world.js';
import { independentBreakers, stateMachine, stragglers } from './machine.js';
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

/**
 * Why the read path kept calling a dead store, when it did: its store calls came from outside
 * breaker.call (no function given to the breaker was running), so no breaker could refuse them;
 * undefined when they came through the breaker (then the breaker itself never opened).
 */
function outsideWhy(run: WorldRun, fromMs: number, toMs: number): string | undefined {
  const c = outsideCalls(run, fromMs, toMs);
  if (c.total === 0 || c.outside < 0.5 * c.total) return undefined;
  return `${n(c.outside)} of its ${n(c.total)} store calls from ${at(fromMs)} to ${at(toMs)} were made outside breaker.call (no function given to the breaker was running), so no breaker could refuse them: call deps.store.get inside the function you pass to breaker.call`;
}

const neverOpened = (run: WorldRun, what: string): Outcome => {
  const outside = outsideWhy(run, F, R);
  return {
    pass: false,
    measured: 'never opened',
    message: outside
      ? `the store hung for ${s(R - F)} and requests kept calling it, so ${what}: ${outside}`
      : `the store hung for ${s(R - F)} (${n(run.storeTimeouts)} calls waited out its ${T} ms timeout) and the breaker never opened, so ${what}: count a timed-out call as a failure and open at failureRate`,
    figure: OUTAGE.durationMs - R,
    bound: CLOSE_WITHIN,
  };
};

/**
 * A check that meets a global timer in learner code fails with the guard's line, pointing at the
 * clock this module hands out: createBreaker has no deps, its clock is options.clock.
 */
function clockHint(check: CheckFn): CheckFn {
  return async (ctx) => {
    try {
      return await check(ctx);
    } catch (error) {
      if (!isHerdError(error, 'GLOBAL_TIMER')) throw error;
      if (error.context.library !== undefined) {
        // opossum draws a random name for a breaker that has none.
        const fix = error.context.library === 'opossum' ? ': here, give the CircuitBreaker a name (options.name)' : '';
        return { pass: false, measured: `${String(error.context.library)} drew Math.random`, message: `${error.message}${fix}` };
      }
      const where = String(error.context.where ?? ctx.file);
      const what = String(error.context.what ?? 'a global timer');
      const use = what === 'Math.random' ? 'no randomness at all (nothing in this module draws)' : what === 'setTimeout' || what === 'setInterval' || what === 'setImmediate' || what === 'process.nextTick' ? 'options.clock.sleep(ms) in createBreaker (or compare options.clock.now() with the time it opened when a call or state() comes), deps.clock.sleep(ms) in createProtectedRead' : 'options.clock.now() in createBreaker, deps.clock.now() in createProtectedRead';
      return { pass: false, measured: what, message: `${where} called ${what} during a virtual-clock run: use ${use} instead, so the run stays deterministic and fast` };
    }
  };
}

const raw: Record<string, CheckFn> = {
  async 'opens on the outage'({ seed, exports }) {
    const run = await learnerOutage(exports, seed);
    const bad = broken(run);
    if (bad) return bad;
    const opened = openedAfter(run, F, R);
    const series = dbPerSecond(run);
    const bound = OPEN_WITHIN;
    if (opened === null) {
      const outside = outsideWhy(run, F, R);
      return {
        pass: false,
        measured: outside ? 'store called outside the breaker' : 'never opened',
        message: outside
          ? `the store hung for ${s(R - F)} and requests kept calling it, want them kept off it within ${OPEN_WITHIN} ms: ${outside}`
          : `the store hung for ${s(R - F)} and the read path kept calling it: ${n(run.storeTimeouts)} calls waited out the ${T} ms timeout, the breaker never opened; want open within ${OPEN_WITHIN} ms: a timeout is a failure (throw inside breaker.call when the reply is not ok), and open once failures reach failureRate of the window`,
        series,
        figure: R - F,
        bound,
      };
    }
    const measured = `open ${ms(opened)} after the store died`;
    if (opened > OPEN_WITHIN) {
      return {
        pass: false,
        measured,
        message: `the breaker opened ${ms(opened)} after the store died, want within ${OPEN_WITHIN} ms: the window still counted the ${s(F)} of successes before the outage; keep only the last windowSize outcomes (or the last windowMs)`,
        series,
        figure: opened,
        bound,
      };
    }
    return { pass: true, measured, series, figure: opened, bound };
  },

  async 'fails fast while open'({ seed, exports }) {
    const run = await learnerOutage(exports, seed);
    const bad = broken(run);
    if (bad) return bad;
    const waited = waitedTimeout(run, SETTLED, R);
    const total = answers(run, SETTLED, R).requests;
    const calls = sumOver(run.storeCalls, run, SETTLED, R);
    const measured = `${n(waited)} of ${n(total)} waited the timeout`;
    const bound = PROBE_WAITS;
    if (waited > PROBE_WAITS) {
      const outside = outsideWhy(run, SETTLED, R);
      const quiet = longestQuiet(run, SETTLED, R);
      const why =
        outside ??
        (calls < waited
          ? `only ${n(calls)} store calls were made meanwhile, so the others waited inside breaker.call (held until the probes answered): refuse every call beyond the probes at once`
          : quiet < BREAKER.openMs - 2 * T
            ? `the store was never left alone for openMs (${BREAKER.openMs} ms): the longest stretch without a store call was ${ms(quiet)}; after a failed probe stay open a full openMs, from the failure`
            : maxOver(run.storeInFlightMax, run, SETTLED, R).value > BREAKER.halfOpenProbes
              ? `up to ${maxOver(run.storeInFlightMax, run, SETTLED, R).value} store calls were in flight at once: half-open lets halfOpenProbes calls through and refuses the rest at once`
              : 'while open, reject at once without calling the store');
      return {
        pass: false,
        measured,
        message: `${n(waited)} of ${n(total)} requests from ${at(SETTLED)} to ${at(R)} waited out the store's ${T} ms timeout, want at most ${PROBE_WAITS} (${BREAKER.halfOpenProbes} probes per ${BREAKER.openMs} ms open period): ${why}`,
        series: dbPerSecond(run),
        figure: waited,
        bound,
      };
    }
    return { pass: true, measured: `${measured} (the probes), ${n(total - waited)} answered at once`, series: dbPerSecond(run), figure: waited, bound };
  },

  async 'database protected'({ seed, exports }) {
    const run = await learnerOutage(exports, seed);
    const bad = broken(run);
    if (bad) return bad;
    const held = maxOver(run.originHeldMax, run, F, R);
    // Every request with a copy, from the store's death on, gets the copy: the store answers none of them.
    const all = answers(run, F, R);
    const a = answers(run, SETTLED, R);
    const series = dbPerSecond(run);
    const measured = `peak ${held.value} queries held, ${n(all.servedStale)}/${n(all.withCopy)} stale, ${n(a.servedByOrigin)}/${n(a.withoutCopy)} by the database`;
    if (held.value > WORLD.originLimit) {
      const over = held.value > WORLD.origin.workers ? `, past its ${WORLD.origin.workers} workers, queued` : '';
      return {
        pass: false,
        measured,
        message: `the database held ${held.value} queries at once at ${at(held.atMs)}${over} (capacity ${WORLD.origin.workers} workers, ${ORIGIN_CAPACITY}/s), want at most originLimit (${WORLD.originLimit}): while the store is unusable, send a query only when fewer than originLimit are in flight, serve deps.stale where there is a copy, shed the rest`,
        series,
        figure: held.value,
        bound: WORLD.originLimit,
      };
    }
    const missed = all.withCopy - all.servedStale;
    if (missed > 0) {
      const why =
        all.copyFailed >= all.copyByOrigin
          ? `${n(all.copyFailed)} got an error: when the store fails (a timeout, a failed reply) fall back as when the breaker refuses, not only on a refusal`
          : `${n(all.copyByOrigin)} got a database query instead: serve the copy first, it costs the database nothing, and keep the slots for requests without one`;
      return {
        pass: false,
        measured,
        message: `${n(missed)} of ${n(all.withCopy)} requests with a stale copy in memory did not get it while the store was down (${at(F)} to ${at(R)}), want every one: ${why}`,
        series,
        figure: missed,
        bound: 0,
      };
    }
    const share = a.withoutCopy === 0 ? 1 : a.servedByOrigin / a.withoutCopy;
    if (share < ORIGIN_SHARE) {
      return {
        pass: false,
        measured,
        message: `the database served ${n(a.servedByOrigin)} of the ${n(a.withoutCopy)} requests without a stale copy while the store was down, want at least ${ORIGIN_SHARE * 100}%: let up to originLimit (${WORLD.originLimit}) queries through at a time instead of shedding them all`,
        series,
        figure: share,
        bound: ORIGIN_SHARE,
      };
    }
    return { pass: true, measured, series, figure: held.value, bound: WORLD.originLimit };
  },

  async 'half-open probes'({ seed, exports }) {
    const run = await learnerOutage(exports, seed);
    const bad = broken(run);
    if (bad) return bad;
    const peak = maxOver(run.storeInFlightMax, run, SETTLED, R);
    const rounds = probeRounds(run, SETTLED, R);
    const series = dbPerSecond(run);
    const measured = `max ${peak.value} in flight, ${rounds.length} rounds`;
    const bound = BREAKER.halfOpenProbes;
    if (peak.value > BREAKER.halfOpenProbes) {
      const outside = outsideWhy(run, SETTLED, R);
      return {
        pass: false,
        measured,
        message: `the store had ${peak.value} calls in flight at ${at(peak.atMs)}, while the breaker should have been open or half-open, want at most ${BREAKER.halfOpenProbes} (halfOpenProbes): ${outside ?? 'half-open admits halfOpenProbes calls and refuses the rest until they answer'}`,
        series,
        figure: peak.value,
        bound,
      };
    }
    if (rounds.length === 0) {
      return {
        pass: false,
        measured,
        message: `no call reached the store from ${at(SETTLED)} to ${at(R)}, want ${BREAKER.halfOpenProbes} probes every ${BREAKER.openMs} ms: after openMs the breaker goes half-open and lets probes through`,
        series,
        figure: peak.value,
        bound,
      };
    }
    return { pass: true, measured: `${measured} of ${Math.max(...rounds)} probes at most`, series, figure: peak.value, bound };
  },

  async 'closes after recovery'({ seed, exports }) {
    const run = await learnerOutage(exports, seed);
    const bad = broken(run);
    if (bad) return bad;
    if (openedAfter(run, F, R) === null) return neverOpened(run, 'there is nothing to close');
    const closed = closedAfter(run, R, OUTAGE.durationMs);
    const series = dbPerSecond(run);
    const bound = CLOSE_WITHIN;
    // Normal service, before the outage and once closed: every answer from the store or, on a miss, the database.
    const normal = (fromMs: number, toMs: number, when: string): Outcome | undefined => {
      const a = answers(run, fromMs, toMs);
      const off = a.servedStale + a.failed;
      if (off === 0) return undefined;
      return {
        pass: false,
        measured: `${n(off)} answers off the store ${when}`,
        message: `${when} (${at(fromMs)} to ${at(toMs)}) the store and the database were healthy, yet ${n(a.servedStale)} requests got a stale copy and ${n(a.failed)} failed, want every answer from the store or, on a miss, the database: a miss (status 'ok', no value) is no failure; only a reply that is not 'ok' counts against the store`,
        series,
        figure: off,
        bound: 0,
      };
    };
    const before = normal(0, F, 'before the outage');
    if (before) return before;
    if (closed === null) {
      // Stuck half-open sends one round of probes and nothing more; a breaker that closes and
      // reopens at once on the outage's old failures keeps sending rounds to a healthy store.
      const rounds = probeRounds(run, R, OUTAGE.durationMs);
      const why =
        rounds.length > 1
          ? `it went half-open ${rounds.length} times and its probes reached a healthy store (${rounds.join(', ')} calls per round), but it opened again each time: failures from the outage still in the window; empty it when the breaker closes`
          : 'the probes succeeded but the breaker never closed: once halfOpenProbes probes succeed, close';
      return { pass: false, measured: 'not closed', message: `the store came back at ${at(R)} and by ${at(OUTAGE.durationMs)} requests were still kept off it: ${why}`, series, figure: OUTAGE.durationMs - R, bound };
    }
    const measured = `closed ${ms(closed)} after the store came back`;
    if (closed > CLOSE_WITHIN) {
      return {
        pass: false,
        measured,
        message: `the breaker closed ${ms(closed)} after the store came back, want within ${CLOSE_WITHIN} ms (openMs ${BREAKER.openMs} + one probe round): go half-open once openMs has passed since it opened, close when the probes succeed`,
        series,
        figure: closed,
        bound,
      };
    }
    const after = normal(R + closed, OUTAGE.durationMs, 'once closed');
    if (after) return after;
    return { pass: true, measured, series, figure: closed, bound };
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
        figure: held.length,
        bound: 0,
      };
    }
    const opened = openedAfter(run, SPORADIC.outageFromMs, SPORADIC.durationMs);
    if (opened === null || opened > OPEN_WITHIN) {
      const outside = opened === null ? outsideWhy(run, SPORADIC.outageFromMs, SPORADIC.durationMs) : undefined;
      return {
        pass: false,
        measured: opened === null ? 'never opened' : `opened after ${ms(opened)}`,
        message: outside
          ? `no false open in ${s(SPORADIC.outageFromMs)} of ${errors}% errors, but the store then hung at ${at(SPORADIC.outageFromMs)} and requests kept calling it: ${outside}`
          : `no false open in ${s(SPORADIC.outageFromMs)} of ${errors}% errors, but the store then hung at ${at(SPORADIC.outageFromMs)} and the breaker ${opened === null ? 'never opened' : `opened only after ${ms(opened)}`}, want within ${OPEN_WITHIN} ms: a breaker that never opens has no false opens`,
        series: dbPerSecond(run),
        figure: opened ?? SPORADIC.durationMs - SPORADIC.outageFromMs,
        bound: OPEN_WITHIN,
      };
    }
    return { pass: true, measured: `0 false opens in ${s(SPORADIC.outageFromMs)}; then open after ${ms(opened)}`, series: dbPerSecond(run), figure: held.length, bound: 0 };
  },

  async 'failed replies count'({ seed, exports }) {
    const run = await learnerRefusing(exports, seed);
    const bad = broken(run);
    if (bad) return bad;
    const { fromMs, toMs } = REFUSING;
    const opened = openedAfter(run, fromMs, toMs);
    const series = dbPerSecond(run);
    const bound = OPEN_WITHIN;
    const refused = `the store refused every call from ${at(fromMs)} to ${at(toMs)} (a 'failed' reply in ${WORLD.store.minMs}-${WORLD.store.maxMs} ms)`;
    if (opened === null || opened > OPEN_WITHIN) {
      const outside = opened === null ? outsideWhy(run, fromMs, toMs) : undefined;
      const db = Math.round(sumOver(run.originCalls, run, fromMs, toMs) / ((toMs - fromMs) / 1000));
      return {
        pass: false,
        measured: opened === null ? 'never opened' : `opened after ${ms(opened)}`,
        message: outside
          ? `${refused} and requests kept calling it: ${outside}`
          : `${refused} and the breaker ${opened === null ? 'never opened' : `opened only after ${ms(opened)}`}, want within ${OPEN_WITHIN} ms (the database took ${n(db)} queries/s meanwhile): a failed reply is a failure, as a timeout is; throw inside breaker.call for every status but 'ok'`,
        series,
        figure: opened ?? toMs - fromMs,
        bound,
      };
    }
    return { pass: true, measured: `open ${ms(opened)} after the store started refusing`, series, figure: opened, bound };
  },

  async 'fallback recovers'({ seed, exports }) {
    const run = await learnerRefusing(exports, seed);
    const bad = broken(run);
    if (bad) return bad;
    const { fromMs, toMs, databaseFromMs, databaseToMs } = REFUSING;
    const series = dbPerSecond(run);
    // From the first bin on: plain misses the store answered just before it failed may still be at the database.
    const held = maxOver(run.originHeldMax, run, fromMs + run.binMs, toMs);
    if (held.value > WORLD.originLimit) {
      return {
        pass: false,
        measured: `peak ${held.value} queries held`,
        message: `the store refused every call from ${at(fromMs)} to ${at(toMs)} and the database held ${held.value} queries at once at ${at(held.atMs)}, want at most originLimit (${WORLD.originLimit}): while the store is unusable, send a query only when fewer than originLimit are in flight`,
        series,
        figure: held.value,
        bound: WORLD.originLimit,
      };
    }
    // The database is back: its fallback slots must be too.
    const after = databaseToMs + 100;
    const a = answers(run, after, toMs);
    const share = a.withoutCopy === 0 ? 1 : a.servedByOrigin / a.withoutCopy;
    const measured = `${n(a.servedByOrigin)}/${n(a.withoutCopy)} by the database after its outage`;
    if (share < ORIGIN_SHARE) {
      return {
        pass: false,
        measured,
        message: `the database rejected every query from ${at(databaseFromMs)} to ${at(databaseToMs)} (its own outage, inside the store's); from ${at(after)} to ${at(toMs)} it was back, yet it served ${n(a.servedByOrigin)} of the ${n(a.withoutCopy)} requests without a stale copy, want at least ${ORIGIN_SHARE * 100}%: the fallback's slots did not come back after its queries failed; release a slot however the query ends (finally)`,
        series,
        figure: share,
        bound: ORIGIN_SHARE,
      };
    }
    return { pass: true, measured, series, figure: share, bound: ORIGIN_SHARE };
  },

  'state machine': stateMachine,
  'stragglers ignored': stragglers,
  'one breaker per dependency': independentBreakers,
};

export const checks: Record<string, CheckFn> = Object.fromEntries(Object.entries(raw).map(([name, check]) => [name, clockHint(check)]));
