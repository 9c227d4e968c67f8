/**
 * Hidden checks for module 10 (load shedding): one node, offered 0.5x to 3x its capacity by
 * open-loop callers with a fixed timeout, and capacity faults nobody announces (2x to 10x
 * slower, half the workers). Goodput must hold near capacity, successes must stay fast, nothing
 * may be shed below capacity, what is shed must be refused at the door (no timeout, no work, a
 * Retry-After), a Retry-After must bring callers who honour it back once the burst is over,
 * critical traffic must never be shed, high only once normal and sheddable are, and each node's
 * hook must keep its state to itself. Every figure is counted by the harness.
 */
import { meanOver, type Priority } from '@herd/harness/engine';
import { ms, n } from '../../src/check-kit.js';
import type { CheckFn, Outcome } from '../../src/define.js';
import { admissionOf, fault, heavy, isolation, levels, retryAfterEffect, type FaultWindow, type LevelFigures } from './measure.js';
import {
  ADMITTED_TIMEOUTS,
  BURST,
  CAPACITY,
  GOODPUT_SHARE,
  HIGH_SERVED,
  HONOURING,
  LATENCY_OBJECTIVE_MS,
  LEVELS,
  NORMAL_SERVED,
  PAIR_FAULT,
  PAIR_LOAD,
  PAIR_MS,
  PRIORITY_LEVEL,
  RECOVERY_BOUND_MS,
  SERVED_ON_RETRY,
  SETTLE_MS,
  STEADY,
  TIMEOUT_MS,
} from './scenarios.js';

/** At loads past capacity, at least this share of the excess must be refused (the rest queues briefly or is noise). */
export const EXCESS_SHED = 0.8;
/** Served shares of two classes count as ordered within this much (Poisson noise over a few seconds). */
const ORDER_SLACK = 0.02;

const pct = (v: number): string => `${Math.round(v * 100)}%`;
const x = (load: number): string => `${load}x`;
const perSec = (v: number): string => `${n(Math.round(v))}/s`;
const share = (p: { offered: number; good: number }): number => (p.offered === 0 ? 1 : p.good / p.offered);
const steadySec = (STEADY.toMs - STEADY.fromMs) / 1000;
const curve = (ls: readonly LevelFigures[]): string => ls.map((l) => `${x(l.load)} ${n(Math.round(l.goodputPerSec))}`).join(', ');
const span = (w: FaultWindow): string => `${(w.fromMs / 1000).toFixed(0)}-${(w.toMs / 1000).toFixed(0)} s`;

export const goodputCheck: CheckFn = async ({ seed, exports, value = GOODPUT_SHARE }): Promise<Outcome> => {
  const yours = await levels(admissionOf(exports), seed);
  const plain = await levels(undefined, seed);
  const floor = value * CAPACITY;
  const measured = `goodput/s ${curve(yours)}; without shedding ${curve(plain)}`;
  // The sparkline under the table: goodput over the run at the heaviest load.
  const heaviest = yours[yours.length - 1]!;
  const spark = { series: heaviest.result.report.series.goodput, seriesLabel: `goodput per ${heaviest.result.report.binMs} ms at ${x(heaviest.load)}` };
  const judged = yours.filter((l) => l.load >= 1);
  const worst = judged.reduce((a, b) => (b.goodputPerSec < a.goodputPerSec ? b : a));
  const figures = { figure: Math.round(worst.goodputPerSec), bound: floor };
  const l = judged.find((f) => f.goodputPerSec < floor);
  if (l === undefined) return { pass: true, measured, ...spark, ...figures };
  const { report } = l.result;
  const throughput = meanOver(report.series.throughput, report.binMs, STEADY.fromMs, STEADY.toMs) * (1000 / report.binMs);
  const why =
    l.steady.timeouts > 0
      ? `the node stayed busy (${perSec(throughput)} finished) on requests that waited in its queue until their callers had given up (${n(l.timeouts)} timeouts): refuse what it cannot serve in time before it joins the queue`
      : `it refused ${n(l.steady.rejected)} of ${n(l.steady.offered)} requests in the steady part and finished ${perSec(throughput)}: it sheds more than the excess; shed on a signal of real overload (queue wait), not one that fires before the node is full`;
  return {
    pass: false,
    measured,
    message: `at ${x(l.load)} capacity goodput was ${perSec(l.goodputPerSec)}, want >= ${perSec(floor)} (${pct(value)} of the node's ${perSec(CAPACITY)}): ${why}`,
    ...spark,
    figure: Math.round(l.goodputPerSec),
    bound: floor,
  };
};

export const latencyCheck: CheckFn = async ({ seed, exports, value = LATENCY_OBJECTIVE_MS }): Promise<Outcome> => {
  const yours = await levels(admissionOf(exports), seed);
  const measured = `p99 of successes ${yours.map((l) => `${x(l.load)} ${ms(l.p99)}`).join(', ')}`;
  const slowest = yours.reduce((a, b) => (b.p99 > a.p99 ? b : a));
  const figures = { figure: Math.round(slowest.p99), bound: value };
  const worst = yours.find((l) => l.p99 > value);
  if (worst === undefined) return { pass: true, measured, ...figures };
  return {
    pass: false,
    measured,
    message: `at ${x(worst.load)} capacity the p99 of successful requests was ${ms(worst.p99)}, want <= ${ms(value)} (half the callers' ${n(TIMEOUT_MS)} ms timeout): the requests that got through waited in a long queue first; admit only while the queue wait is short`,
    figure: Math.round(worst.p99),
    bound: value,
  };
};

export const falseShedCheck: CheckFn = async ({ seed, exports }): Promise<Outcome> => {
  const yours = await levels(admissionOf(exports), seed);
  const measured = `refused ${yours.map((l) => `${x(l.load)} ${n(l.rejected)}`).join(', ')}`;
  const calm = yours.filter((l) => l.load < 1);
  const refusedCalm = calm.reduce((sum, l) => sum + l.rejected, 0);
  for (const l of calm) {
    if (l.rejected > 0) {
      return {
        pass: false,
        measured,
        message: `at ${x(l.load)} capacity the node refused ${n(l.rejected)} of ${n(l.result.report.totals.offered)} requests, want 0: it had room for all of them; a threshold that fires on the short queues of ordinary bursts sheds work the node could do`,
        figure: l.rejected,
        bound: 0,
      };
    }
  }
  for (const l of yours) {
    if (l.load <= 1) continue;
    const excess = l.steady.offered - CAPACITY * steadySec;
    const want = Math.floor(EXCESS_SHED * excess);
    if (l.steady.rejected < want) {
      return {
        pass: false,
        measured,
        message: `at ${x(l.load)} capacity the node refused ${n(l.steady.rejected)} of ${n(l.steady.offered)} requests in the steady part, want >= ${n(want)} (${pct(EXCESS_SHED)} of the ${n(Math.round(excess))} above capacity): past capacity, what the node cannot serve must be refused, or it waits in the queue`,
        figure: l.steady.rejected,
        bound: want,
      };
    }
  }
  return { pass: true, measured, figure: refusedCalm, bound: 0 };
};

export const fastRejectCheck: CheckFn = async ({ seed, exports }): Promise<Outcome> => {
  const yours = await levels(admissionOf(exports), seed);
  const top = yours[yours.length - 1]!;
  const measured = `at ${x(top.load)}: ${n(top.rejected)} refused (slowest ${ms(top.slowestRejectMs)}), ${n(top.timeouts)} timeouts, ${n(top.wasted)} finished after the caller left, ${n(top.noRetryAfter)} 503s without Retry-After`;
  const late = yours.reduce((sum, l) => sum + l.timeouts + l.wasted, 0);
  for (const l of yours) {
    if (l.timeouts > 0 || l.wasted > 0) {
      return {
        pass: false,
        measured,
        message: `at ${x(l.load)} capacity ${n(l.timeouts)} requests waited in the queue until their callers gave up after ${n(TIMEOUT_MS)} ms, and the node still spent ${(l.wastedMs / 1000).toFixed(1)} s of worker time on ${n(l.wasted)} of them, want 0: shedding by waiting is the slowest 503 there is; decide before the request joins the queue`,
        figure: late,
        bound: 0,
      };
    }
  }
  const bare = yours.reduce((sum, l) => sum + l.noRetryAfter, 0);
  if (bare > 0) {
    // The level with the most, so the message shows the mistake where it is plainest.
    const l = yours.reduce((a, b) => (b.noRetryAfter > a.noRetryAfter ? b : a));
    return {
      pass: false,
      measured,
      message: `at ${x(l.load)} capacity ${n(l.noRetryAfter)} of ${n(l.rejected)} 503s carried no Retry-After (${n(bare)} over all loads), want every one: return { admit: false, retryAfterMs } so refused callers know when to come back instead of retrying at once`,
      figure: bare,
      bound: 0,
    };
  }
  return { pass: true, measured, figure: late, bound: 0 };
};

export const retryAfterCheck: CheckFn = async ({ seed, exports, value = SERVED_ON_RETRY }): Promise<Outcome> => {
  const e = await retryAfterEffect(admissionOf(exports), seed);
  const served = e.refused === 0 ? 1 : e.servedLater / e.refused;
  const told = e.medianHintMs === undefined ? 'no Retry-After' : `a median Retry-After of ${ms(e.medianHintMs)}`;
  const measured = `${n(e.servedLater)} of ${n(e.refused)} refused served on a retry; ${told}; ${e.attemptsPerRefused.toFixed(1)} attempts each`;
  const figures = { figure: Math.round(served * 100) / 100, bound: value };
  const burst = `a ${(BURST.toMs - BURST.fromMs) / 1000} s burst at ${x(BURST.load)} capacity`;
  const excess = ((BURST.load - 1) * CAPACITY * (BURST.toMs - BURST.fromMs)) / 1000;
  if (e.refused < excess / 2) {
    return {
      pass: false,
      measured,
      message: `in ${burst} the node refused ${n(e.refused)} requests, want >= ${n(Math.round(excess / 2))} (half the ${n(excess)} above its capacity): what it cannot serve it must refuse, with a Retry-After that brings the caller back once the burst is over`,
      figure: e.refused,
      bound: Math.round(excess / 2),
    };
  }
  if (served >= value) return { pass: true, measured, ...figures };
  const callers = `callers that wait as told and try up to ${HONOURING.maxAttempts} times within ${HONOURING.deadlineMs / 1000} s`;
  const hint = e.medianHintMs === undefined ? 'the 503s carried no Retry-After' : `the 503s said come back after ${ms(e.medianHintMs)} (median)`;
  const burstMs = BURST.toMs - BURST.fromMs;
  const why =
    e.medianHintMs === undefined
      ? 'so they retried at once; give every refusal a retryAfterMs'
      : e.medianHintMs >= HONOURING.deadlineMs
        ? 'longer than any caller waits, so they gave up; send them back once the burst is likely over (a second or two), not never'
        : e.medianHintMs < burstMs
          ? `so they came back while the burst still ran and were refused again (${e.attemptsPerRefused.toFixed(1)} attempts each): a Retry-After of 0 or a few ms is present but useless; give one long enough for the overload to pass (about a second; milliseconds are not seconds)`
          : `so they came back together and were refused again (${e.attemptsPerRefused.toFixed(1)} attempts each); spread the Retry-After (the node's rng) so they do not return in one wave`;
  return {
    pass: false,
    measured,
    message: `with ${callers}, ${n(e.servedLater)} of the ${n(e.refused)} requests refused in ${burst} were served on a later attempt (${pct(served)}), want >= ${pct(value)}: ${hint}, ${why}`,
    ...figures,
  };
};

export const criticalCheck: CheckFn = async ({ seed, exports }): Promise<Outcome> => {
  const admission = admissionOf(exports);
  const yours = await levels(admission, seed);
  const faulted = await fault(admission, seed);
  const measured = `critical served ${yours.map((l) => `${x(l.load)} ${l.critical.good}/${l.critical.offered}`).join(', ')}; capacity faults ${faulted.critical.good}/${faulted.critical.offered}`;
  const runs = [...yours.map((l) => ({ where: `at ${x(l.load)} capacity`, c: l.critical })), { where: 'through the capacity faults', c: faulted.critical }];
  const lost = runs.reduce((sum, r) => sum + r.c.offered - r.c.good, 0);
  for (const { where, c } of runs) {
    if (c.good === c.offered) continue;
    const how =
      c.rejected > 0
        ? `${n(c.rejected)} refused${c.timeouts > 0 ? `, ${n(c.timeouts)} timed out` : ''}: never shed priority 'critical' (health checks: a node that fails them is taken out of service)`
        : `${n(c.timeouts)} timed out in the queue behind other work: the queue grew longer than their timeout; shed the lower priorities so it stays short`;
    return { pass: false, measured, message: `${where} ${n(c.good)} of ${n(c.offered)} critical requests were served, want all (${how})`, figure: lost, bound: 0 };
  }
  return { pass: true, measured, figure: 0, bound: 0 };
};

export const priorityCheck: CheckFn = async ({ seed, exports, value = NORMAL_SERVED }): Promise<Outcome> => {
  const admission = admissionOf(exports);
  const yours = await levels(admission, seed);
  const faulted = await fault(admission, seed);
  const order: readonly Priority[] = ['high', 'normal', 'sheddable'];
  const served = (b: LevelFigures['byPriority']): string => order.map((p) => `${p} ${pct(share(b[p]))}`).join(' ');
  const over = yours.filter((l) => l.load >= PRIORITY_LEVEL);
  const slowed = faulted.windows.filter((w) => w.capacity < CAPACITY);
  const measured = [...over.map((l) => `${x(l.load)}: ${served(l.byPriority)}`), ...slowed.map((w) => `${w.label}: high ${pct(share(w.byPriority.high))}`)].join('; ');
  const at = over.find((l) => l.load === PRIORITY_LEVEL)!;
  const normal = share(at.byPriority.normal);
  const highUnderFaults = Math.min(...slowed.map((w) => share(w.byPriority.high)));
  const figures = { figure: Math.round(highUnderFaults * 100) / 100, bound: HIGH_SERVED };
  if (normal < value) {
    return {
      pass: false,
      measured,
      message: `at ${x(PRIORITY_LEVEL)} capacity normal requests were served ${pct(normal)} (sheddable ${pct(share(at.byPriority.sheddable))}), want >= ${pct(value)}: the node has room for all high and normal work once sheddable is shed; shed by priority, sheddable first, not by arrival order`,
      figure: Math.round(normal * 100) / 100,
      bound: value,
    };
  }
  for (const l of over) {
    for (let k = 1; k < order.length; k++) {
      const above = share(l.byPriority[order[k - 1]!]);
      const below = share(l.byPriority[order[k]!]);
      if (below > above + ORDER_SLACK) {
        return {
          pass: false,
          measured,
          message: `at ${x(l.load)} capacity ${order[k]} was served ${pct(below)} and ${order[k - 1]} only ${pct(above)}, want ${order[k]} shed first: give each priority its own threshold, lower for the less important`,
          ...figures,
        };
      }
    }
  }
  // The worst window, so the figure is the margin and the message names where high fared worst.
  const w = slowed.reduce((a, b) => (share(b.byPriority.high) < share(a.byPriority.high) ? b : a));
  const high = share(w.byPriority.high);
  if (high < HIGH_SERVED) {
    return {
      pass: false,
      measured,
      message: `${w.label} (${span(w)}, ${perSec(w.capacity)}) high requests were served ${pct(high)} (normal ${pct(share(w.byPriority.normal))}, sheddable ${pct(share(w.byPriority.sheddable))}), want >= ${pct(HIGH_SERVED)}: the node had room for every high and critical request once normal was shed, and normal still crowded them out; the head's wait lags far behind a new request's when the node is slower (judge the wait a new request would face), and each budget or share must be at least twice the one below`,
      figure: Math.round(high * 100) / 100,
      bound: HIGH_SERVED,
    };
  }
  return { pass: true, measured, ...figures };
};

export const capacityCheck: CheckFn = async ({ seed, exports, value = RECOVERY_BOUND_MS }): Promise<Outcome> => {
  const admission = admissionOf(exports);
  const windows = [...(await fault(admission, seed)).windows, ...(await heavy(admission, seed)).windows];
  const recovered = (w: FaultWindow): string => (!w.judgeGoodput ? `${n(w.admittedTimeouts)} of ${n(w.admitted)} admitted timed out` : w.recoveryMs === null ? `never to ${perSec(w.goodputPerSec)}` : `${ms(w.recoveryMs)} to ${perSec(w.goodputPerSec)}`);
  const measured = windows.map((w) => `${w.label}: ${recovered(w)}`).join('; ');
  const worstLate = Math.max(...windows.map((w) => (w.admitted === 0 ? 0 : w.admittedTimeouts / w.admitted)));
  for (const w of windows) {
    const floor = GOODPUT_SHARE * w.capacity;
    const healed = w.capacity === CAPACITY;
    const where = `${w.label} (${span(w)}, ${perSec(w.capacity)})`;
    if (w.judgeGoodput && (w.recoveryMs === null || w.recoveryMs > value)) {
      const fix = healed
        ? 'a limit that shrank during the fault must grow back once the node is whole again'
        : 'a fixed rate, anything tuned to the node as it was, or a signal that lags (a trailing mean) keeps admitting what the node can no longer serve in time; shed on what the node shows now, such as the wait a new request would face';
      return {
        pass: false,
        measured,
        message: `${where}: goodput ${w.recoveryMs === null ? `never got back to ${perSec(floor)}, ${perSec(w.goodputPerSec)} over the last second` : `took ${ms(w.recoveryMs)} to hold ${perSec(floor)}`}, want >= ${perSec(floor)} (${pct(GOODPUT_SHARE)} of ${perSec(w.capacity)}) within ${ms(value)} with nothing reconfigured: ${fix}`,
        figure: w.recoveryMs ?? w.toMs - w.fromMs,
        bound: value,
      };
    }
    const late = w.admitted === 0 ? 0 : w.admittedTimeouts / w.admitted;
    if (late > ADMITTED_TIMEOUTS) {
      return {
        pass: false,
        measured,
        message: `${where}: ${n(w.admittedTimeouts)} of the ${n(w.admitted)} requests admitted from ${SETTLE_MS / 1000} s in timed out in the queue (${pct(late)}), want <= ${pct(ADMITTED_TIMEOUTS)}: a threshold that counts requests (queue length, in flight) is a fixed wait in disguise, ten times longer when each request takes ten times as long; measure the wait in ms`,
        figure: Math.round(late * 1000) / 1000,
        bound: ADMITTED_TIMEOUTS,
      };
    }
  }
  return { pass: true, measured, figure: Math.round(worstLate * 1000) / 1000, bound: ADMITTED_TIMEOUTS };
};

export const isolationCheck: CheckFn = async ({ seed, exports }): Promise<Outcome> => {
  const { pair, afterOverload } = await isolation(admissionOf(exports), seed);
  const measured = `beside an overloaded node (${n(pair.busyRefused)} refused there) the other refused ${n(pair.quietRefused)} of ${n(pair.quietReceived)}; a fresh node after a 3x run refused ${n(afterOverload.refused)} of ${n(afterOverload.offered)}`;
  const figure = pair.quietRefused + afterOverload.refused;
  const fix = 'keep what the hook remembers inside createAdmission (one closure per node), never at module scope';
  const busyExcess = ((PAIR_LOAD - PAIR_FAULT.factor!) * CAPACITY * PAIR_MS) / 1000;
  if (pair.busyRefused < busyExcess / 2) {
    return {
      pass: false,
      measured,
      message: `two nodes at half load each, one losing 4 of 5 workers: the overloaded one refused ${n(pair.busyRefused)} requests, want >= ${n(Math.round(busyExcess / 2))} (half the ${n(busyExcess)} above what it could serve): shed the excess, each node on its own figures`,
      figure: pair.busyRefused,
      bound: Math.round(busyExcess / 2),
    };
  }
  if (pair.quietRefused > 0) {
    return {
      pass: false,
      measured,
      message: `two nodes at half load each, one losing 4 of 5 workers: the other node refused ${n(pair.quietRefused)} of the ${n(pair.quietReceived)} requests it got, want 0: the overloaded node's state shed work on a node with room; ${fix}`,
      figure,
      bound: 0,
    };
  }
  if (afterOverload.refused > 0) {
    return {
      pass: false,
      measured,
      message: `a fresh node at ${x(LEVELS[0])} capacity, made right after a node ran at 3x in the same process, refused ${n(afterOverload.refused)} of ${n(afterOverload.offered)} requests, want 0: state left from another node's run; ${fix}`,
      figure,
      bound: 0,
    };
  }
  return { pass: true, measured, figure, bound: 0 };
};
