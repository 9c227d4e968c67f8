/**
 * Hidden checks for module 10 (load shedding): one node, offered 0.5x to 3x its capacity by
 * open-loop callers with a fixed timeout, and a capacity fault nobody announces. Goodput must
 * hold near capacity, successes must stay fast, nothing may be shed below capacity, what is shed
 * must be refused at the door (no timeout, no work, a Retry-After), critical traffic must never
 * be shed and sheddable must go before normal. Every figure is counted by the harness.
 */
import { meanOver, type Priority } from '@herd/harness/engine';
import { ms, n } from '../../src/check-kit.js';
import type { CheckFn, Outcome } from '../../src/define.js';
import { admissionOf, fault, levels, type LevelFigures } from './measure.js';
import {
  CAPACITY,
  GOODPUT_SHARE,
  LATENCY_OBJECTIVE_MS,
  NORMAL_SERVED,
  PRIORITY_LEVEL,
  RECOVERY_BOUND_MS,
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

export const goodputCheck: CheckFn = async ({ seed, exports, value = GOODPUT_SHARE }): Promise<Outcome> => {
  const yours = await levels(admissionOf(exports), seed);
  const plain = await levels(undefined, seed);
  const floor = value * CAPACITY;
  const measured = `goodput/s ${curve(yours)}; without shedding ${curve(plain)}`;
  // The sparkline under the table: goodput over the run at the heaviest load.
  const heaviest = yours[yours.length - 1]!;
  const spark = { series: heaviest.result.report.series.goodput, seriesLabel: `goodput per ${heaviest.result.report.binMs} ms at ${x(heaviest.load)}` };
  for (const l of yours) {
    if (l.load < 1 || l.goodputPerSec >= floor) continue;
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
    };
  }
  return { pass: true, measured, ...spark };
};

export const latencyCheck: CheckFn = async ({ seed, exports, value = LATENCY_OBJECTIVE_MS }): Promise<Outcome> => {
  const yours = await levels(admissionOf(exports), seed);
  const measured = `p99 of successes ${yours.map((l) => `${x(l.load)} ${ms(l.p99)}`).join(', ')}`;
  const worst = yours.find((l) => l.p99 > value);
  if (worst === undefined) return { pass: true, measured };
  return {
    pass: false,
    measured,
    message: `at ${x(worst.load)} capacity the p99 of successful requests was ${ms(worst.p99)}, want <= ${ms(value)} (half the callers' ${n(TIMEOUT_MS)} ms timeout): the requests that got through waited in a long queue first; admit only while the queue wait is short`,
  };
};

export const falseShedCheck: CheckFn = async ({ seed, exports }): Promise<Outcome> => {
  const yours = await levels(admissionOf(exports), seed);
  const measured = `refused ${yours.map((l) => `${x(l.load)} ${n(l.rejected)}`).join(', ')}`;
  for (const l of yours) {
    if (l.load < 1 && l.rejected > 0) {
      return {
        pass: false,
        measured,
        message: `at ${x(l.load)} capacity the node refused ${n(l.rejected)} of ${n(l.result.report.totals.offered)} requests, want 0: it had room for all of them; a threshold that fires on the short queues of ordinary bursts sheds work the node could do`,
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
      };
    }
  }
  return { pass: true, measured };
};

export const fastRejectCheck: CheckFn = async ({ seed, exports }): Promise<Outcome> => {
  const yours = await levels(admissionOf(exports), seed);
  const top = yours[yours.length - 1]!;
  const measured = `at ${x(top.load)}: ${n(top.rejected)} refused (slowest ${ms(top.slowestRejectMs)}), ${n(top.timeouts)} timeouts, ${n(top.wasted)} finished after the caller left, ${n(top.noRetryAfter)} 503s without Retry-After`;
  for (const l of yours) {
    if (l.timeouts > 0 || l.wasted > 0) {
      return {
        pass: false,
        measured,
        message: `at ${x(l.load)} capacity ${n(l.timeouts)} requests waited in the queue until their callers gave up after ${n(TIMEOUT_MS)} ms, and the node still spent ${(l.wastedMs / 1000).toFixed(1)} s of worker time on ${n(l.wasted)} of them, want 0: shedding by waiting is the slowest 503 there is; decide before the request joins the queue`,
      };
    }
  }
  for (const l of yours) {
    if (l.noRetryAfter > 0) {
      return {
        pass: false,
        measured,
        message: `at ${x(l.load)} capacity ${n(l.noRetryAfter)} of ${n(l.rejected)} 503s carried no Retry-After, want every one: return { admit: false, retryAfterMs } so refused callers know when to come back instead of retrying at once`,
      };
    }
  }
  return { pass: true, measured };
};

export const criticalCheck: CheckFn = async ({ seed, exports }): Promise<Outcome> => {
  const admission = admissionOf(exports);
  const yours = await levels(admission, seed);
  const faulted = await fault(admission, seed);
  const measured = `critical served ${yours.map((l) => `${x(l.load)} ${l.critical.good}/${l.critical.offered}`).join(', ')}; capacity fault ${faulted.critical.good}/${faulted.critical.offered}`;
  const runs = [...yours.map((l) => ({ where: `at ${x(l.load)} capacity`, c: l.critical })), { where: 'while the capacity halved', c: faulted.critical }];
  for (const { where, c } of runs) {
    if (c.good === c.offered) continue;
    const how =
      c.rejected > 0
        ? `${n(c.rejected)} refused${c.timeouts > 0 ? `, ${n(c.timeouts)} timed out` : ''}: never shed priority 'critical' (health checks: a node that fails them is taken out of service)`
        : `${n(c.timeouts)} timed out in the queue behind other work: the queue grew longer than their timeout; shed the lower priorities so it stays short`;
    return { pass: false, measured, message: `${where} ${n(c.good)} of ${n(c.offered)} critical requests were served, want all (${how})` };
  }
  return { pass: true, measured };
};

export const priorityCheck: CheckFn = async ({ seed, exports, value = NORMAL_SERVED }): Promise<Outcome> => {
  const yours = await levels(admissionOf(exports), seed);
  const order: readonly Priority[] = ['high', 'normal', 'sheddable'];
  const served = (l: LevelFigures): string => order.map((p) => `${p} ${pct(share(l.byPriority[p]))}`).join(' ');
  const over = yours.filter((l) => l.load >= PRIORITY_LEVEL);
  const measured = over.map((l) => `${x(l.load)}: ${served(l)}`).join('; ');
  const at = over.find((l) => l.load === PRIORITY_LEVEL)!;
  const normal = share(at.byPriority.normal);
  if (normal < value) {
    return {
      pass: false,
      measured,
      message: `at ${x(PRIORITY_LEVEL)} capacity normal requests were served ${pct(normal)} (sheddable ${pct(share(at.byPriority.sheddable))}), want >= ${pct(value)}: the node has room for all high and normal work once sheddable is shed; shed by priority, sheddable first, not by arrival order`,
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
        };
      }
    }
  }
  return { pass: true, measured };
};

export const capacityCheck: CheckFn = async ({ seed, exports, value = RECOVERY_BOUND_MS }): Promise<Outcome> => {
  const f = await fault(admissionOf(exports), seed);
  const recovered = (r: number | null): string => (r === null ? 'never' : ms(r));
  const measured = f.windows.map((w) => `${w.label}: ${recovered(w.recoveryMs)} to ${perSec(w.goodputPerSec)}`).join('; ');
  for (const w of f.windows) {
    if (w.recoveryMs !== null && w.recoveryMs <= value) continue;
    const floor = GOODPUT_SHARE * w.capacity;
    const healed = w.capacity === CAPACITY;
    const fix = healed
      ? 'a limit that shrank during the fault must grow back once the node is whole again'
      : 'a fixed rate (or anything tuned to the node as it was) keeps admitting what the node can no longer serve in time; shed on a signal the node gives now, such as a short queue wait';
    return {
      pass: false,
      measured,
      message: `${w.label} (${(w.fromMs / 1000).toFixed(0)}-${(w.toMs / 1000).toFixed(0)} s, ${perSec(w.capacity)}): goodput ${w.recoveryMs === null ? `never got back to ${perSec(floor)}, ${perSec(w.goodputPerSec)} over the last second` : `took ${ms(w.recoveryMs)} to hold ${perSec(floor)}`}, want >= ${perSec(floor)} (${pct(GOODPUT_SHARE)} of ${perSec(w.capacity)}) within ${ms(value)} with nothing reconfigured: ${fix}`,
    };
  }
  return { pass: true, measured };
};
