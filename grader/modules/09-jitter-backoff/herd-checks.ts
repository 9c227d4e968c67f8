/**
 * Module 09's herd checks, on the harness: Brooker's contention model (100 clients, one
 * conditional write each) with the learner's strategies, and the reconnect herd after a 10 s
 * outage with the learner's retry() and full jitter, counted from the harness's attempt log.
 */
import { detectWaves, runContention, runResilience, type ContentionReport, type DelayFn, type ResilienceResult } from '@herd/harness/engine';
import { ms, n } from '../../src/check-kit.js';
import type { CheckFn, Exports, Outcome } from '../../src/define.js';
import { retryPolicy, strategy, type RetryFn } from './policy.js';
import {
  AFTER,
  CALLS_SHARE,
  CONTENTION_BACKOFF,
  MAX_PEAK_RATIO,
  OUTAGE,
  RECOVERY_BACKOFF,
  RECOVERY_CLIENTS,
  RECOVERY_RETRY,
  SLOWEST_CORRECT,
  completionBound,
  contention,
  recovery,
  type StrategyName,
} from './scenarios.js';

/** Exponential backoff without jitter as the formula says: the baseline full jitter is held against. */
export const formulaExponential: DelayFn = (attempt) => Math.min(CONTENTION_BACKOFF.capMs, CONTENTION_BACKOFF.baseMs * 2 ** (attempt - 1));

export async function contentionOf(exports: Exports, name: StrategyName | 'none', seed: number): Promise<ContentionReport> {
  return runContention(contention(seed), strategy(exports, name, CONTENTION_BACKOFF));
}

const s = (v: number): string => `${(v / 1000).toFixed(1)} s`;

export interface RecoveryFigures {
  result: ResilienceResult;
  /** Attempts of the whole run. */
  attempts: number;
  /** Originals answered ok. */
  ok: number;
  /** When the last original got its answer, ms from the start. */
  doneAtMs: number;
  /** Busiest 100 ms bin after the service returns over the mean bin there. */
  ratio: number;
  peak: number;
  mean: number;
  /** Most attempts one original took, from the harness's log. */
  mostAttempts: number;
}

export async function recoveryOf(exports: Exports, name: StrategyName | 'none', seed: number): Promise<RecoveryFigures> {
  const spec = recovery(seed);
  const retry = exports.retry as RetryFn;
  const result = await runResilience(spec, { policy: retryPolicy(retry, () => strategy(exports, name, RECOVERY_BACKOFF)) });
  const { report, recorder } = result;
  const w = detectWaves(report.series.attempts, report.binMs, AFTER.fromMs, AFTER.toMs);
  let doneAtMs = 0;
  let mostAttempts = 0;
  for (let i = 0; i < recorder.originals; i++) {
    doneAtMs = Math.max(doneAtMs, recorder.oFinish[i]! - recorder.t0);
    mostAttempts = Math.max(mostAttempts, recorder.oAttempts[i]!);
  }
  return { result, attempts: report.totals.attempts, ok: report.totals.ok, doneAtMs, ratio: w.ratio, peak: w.peak, mean: w.mean, mostAttempts };
}

/** The mean wait of min(cap, uniform(a, b)). */
function cappedMean(a: number, b: number, cap: number): number {
  if (b <= cap) return (a + b) / 2;
  const below = (cap - a) / (b - a);
  return below * ((a + cap) / 2) + (1 - below) * cap;
}

type Jittered = 'fullJitter' | 'equalJitter' | 'decorrelatedJitter';

/** The formula's mean wait for the inputs a delay function was given. */
function formulaMean(name: Jittered, attempt: number, prev: number): number {
  const { baseMs, capMs } = CONTENTION_BACKOFF;
  const c = Math.min(capMs, baseMs * 2 ** (attempt - 1));
  if (name === 'fullJitter') return c / 2;
  if (name === 'equalJitter') return (3 * c) / 4;
  return cappedMean(baseMs, 3 * Math.max(baseMs, prev), capMs);
}

/** A contention run of the learner's strategy, with the mean of its waits and the formula's mean for the same inputs. */
async function measuredContention(exports: Exports, name: Jittered, seed: number) {
  const delay = strategy(exports, name, CONTENTION_BACKOFF);
  let waits = 0;
  let sum = 0;
  let want = 0;
  const logged: DelayFn = (attempt, prev, rng) => {
    const d = delay(attempt, prev, rng);
    waits++;
    sum += d;
    want += formulaMean(name, attempt, prev);
    return d;
  };
  const r = await runContention(contention(seed), logged);
  return { r, waits, mean: waits === 0 ? 0 : sum / waits, want: waits === 0 ? 0 : want / waits };
}

const LABEL: Record<StrategyName, string> = { exponential: 'exponential', fullJitter: 'full jitter', equalJitter: 'equal jitter', decorrelatedJitter: 'decorrelated' };

export const contentionCheck: CheckFn = async ({ seed, exports, value = CALLS_SHARE }): Promise<Outcome> => {
  const base = await runContention(contention(seed), formulaExponential);
  const runs = await Promise.all((['fullJitter', 'equalJitter', 'decorrelatedJitter'] as const).map(async (name) => ({ name, ...(await measuredContention(exports, name, seed)) })));
  const full = runs[0]!.r;
  const measured = `calls/completion: exponential ${n(base.calls)}/${s(base.completionMs)}; ${runs.map(({ name, r }) => `${LABEL[name]} ${n(r.calls)}/${s(r.completionMs)}`).join('; ')}`;
  const limit = Math.floor(value * base.calls);
  // The figure: the nearest of the four comparisons to its bound, as a share of it.
  const figure = Math.max(full.calls / limit, ...runs.map(({ name, r }) => r.completionMs / completionBound(name)));
  const fail = (message: string, measuredBy = true): Outcome => ({ pass: false, measured, message, ...(measuredBy ? { figure, bound: 1 } : {}) });
  if (full.calls > limit) {
    return fail(`full jitter made ${n(full.calls)} calls for 100 clients, want <= ${n(limit)} (half of exponential without jitter's ${n(base.calls)}): clients that wait the same time collide again; draw each wait from rng.between(0, ceiling)`);
  }
  for (const { name, r, waits, mean, want } of runs) {
    if (r.unfinished > 0) return fail(`${LABEL[name]}: ${r.unfinished} of 100 clients never got their write in after ${n(r.maxCalls)} calls, want all 100`, false);
    const bound = completionBound(name);
    if (r.completionMs > bound) {
      const longer = mean > want * 1.1;
      return fail(
        `${LABEL[name]}: the last of 100 clients finished at ${s(r.completionMs)}, want <= ${s(bound)} (the formula's slowest over 20,000 seeds: ${s(SLOWEST_CORRECT[name])}); its ${n(waits)} waits averaged ${ms(mean)}, ${
          longer
            ? `where the formula's mean for the same attempts is ${ms(want)}: the waits run ${(mean / want).toFixed(1)}x the formula's (the ${LABEL[name]} check names the draws that are off; if it passes, the delay function keeps state between calls, which the 100 clients share: use prevDelay, it is passed in)`
            : `the formula's mean for the same attempts (${ms(want)}), yet the clients kept colliding: the waits are not spread like the formula's (the ${LABEL[name]} check shows the draws)`
        }`,
      );
    }
  }
  return { pass: true, measured, figure, bound: 1 };
};

export const recoveryCheck: CheckFn = async ({ seed, exports, value = MAX_PEAK_RATIO }): Promise<Outcome> => {
  // Exponential backoff's waves are shown in the headline table, on the same scenario and seed.
  const full = await recoveryOf(exports, 'fullJitter', seed);
  const measured = `peak/mean ${full.ratio.toFixed(2)} after the outage (busiest 100 ms ${full.peak}, mean ${full.mean.toFixed(0)}), ${n(full.attempts)} attempts`;
  const fail = (message: string, measuredBy = false): Outcome => ({ pass: false, measured, message, ...(measuredBy ? { figure: full.ratio, bound: value } : {}) });
  const failure = full.result.failure;
  if (failure) return fail(`a call through your retry() failed ${failure.count} times (${failure.message}), want every request answered`);
  if (full.mostAttempts > RECOVERY_RETRY.maxAttempts) {
    return fail(`the harness logged ${full.mostAttempts} attempts for one request, want at most maxAttempts (${RECOVERY_RETRY.maxAttempts})`);
  }
  if (full.ok < RECOVERY_CLIENTS) {
    const during = detectWaves(full.result.report.series.attempts, full.result.report.binMs, OUTAGE.fromMs, OUTAGE.toMs);
    const waves = during.ratio > MAX_PEAK_RATIO ? `, in synchronized waves: the busiest 100 ms of the outage held ${n(during.peak)}, ${during.ratio.toFixed(1)}x the mean` : '';
    return fail(
      `${n(RECOVERY_CLIENTS - full.ok)} of ${n(RECOVERY_CLIENTS)} requests failed with full jitter (${n(full.attempts)} attempts, up to ${full.mostAttempts} for one request${waves}), want all to succeed once the service is back at ${s(OUTAGE.toMs)}: retries that do not back off spend their ${RECOVERY_RETRY.maxAttempts} attempts during the outage`,
    );
  }
  if (!(full.ratio <= value)) {
    return fail(
      `with full jitter the busiest 100 ms after the service came back held ${full.peak} attempts, ${full.ratio.toFixed(1)}x the mean of ${full.mean.toFixed(0)}, want <= ${value}x: synchronized retry waves; the clients failed together and retry together unless each draws its own wait`,
      true,
    );
  }
  return { pass: true, measured, figure: full.ratio, bound: value };
};
