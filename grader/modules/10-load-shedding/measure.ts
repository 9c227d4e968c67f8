/**
 * Module 10's measurements, all from outside the learner's code: each load level, the capacity
 * faults and the tenfold slowdown run once per admission factory and seed (the checks, the
 * headline and the demo share the runs), with figures read from the harness's own logs. Goodput
 * and per-priority shares come from the originals that arrived in the steady part of a level (or
 * of a fault, once settled); every 503's Retry-After from what the clients received; work from
 * the node's counters. Two runs are never shared: the burst with callers that honour Retry-After
 * (its own policy), and the isolation runs (two nodes at once, then two runs back to back, whose
 * order is the point).
 */
import { OUTCOMES, PRIORITIES, meanOver, runResilience, type AdmissionFactory, type FaultSpec, type PolicyFactory, type Priority, type ResilienceResult, type ResilienceSpec } from '@herd/harness/engine';
import type { Exports } from '../../src/define.js';
import { honouringRetryAfter, medianHint, type HintLog } from '../../src/retry-after.js';
import {
  CAPACITY,
  FAULTS,
  GOODPUT_SHARE,
  HEAVY_FAULT,
  HEAVY_RUN_MS,
  HONOURING,
  LEVELS,
  PAIR_MS,
  RECOVERY_WINDOW_MS,
  SETTLE_MS,
  STEADY,
  afresh,
  burst,
  capacityFault,
  heavyFault,
  level,
  pair,
} from './scenarios.js';

/** The recorder stores priorities as their index in the harness's PRIORITIES. */
const PRIORITY_CODES = PRIORITIES;
/** ... and outcomes as their index in OUTCOMES. */
const OK = OUTCOMES.indexOf('ok');
const REJECTED = OUTCOMES.indexOf('rejected');
const TIMEOUT = OUTCOMES.indexOf('timeout');

export interface LevelFigures {
  load: number;
  result: ResilienceResult;
  /** Originals per second, whole run. */
  offeredPerSec: number;
  /** Goodput per second over the steady window. */
  goodputPerSec: number;
  /** Successful requests' latency, whole run, ms (0 with no success). */
  p99: number;
  /** Over the steady window: originals that arrived, were refused (503), timed out. */
  steady: { offered: number; rejected: number; timeouts: number };
  /** Whole run. */
  rejected: number;
  timeouts: number;
  /** Work the node finished after its caller had gone, and how much of it. */
  wasted: number;
  wastedMs: number;
  /** 503s the clients received without a Retry-After (no number at all). */
  noRetryAfter: number;
  /** Slowest 503, from sending to the answer, ms. */
  slowestRejectMs: number;
  /** Per priority over the steady window: originals that arrived and those served within their deadline. */
  byPriority: Record<Priority, { offered: number; good: number }>;
  /** Critical originals over the whole run, by outcome. */
  critical: CriticalFigures;
}

export interface CriticalFigures {
  offered: number;
  good: number;
  rejected: number;
  timeouts: number;
}

function criticalOf(recorder: ResilienceResult['recorder']): CriticalFigures {
  const c = { offered: 0, good: 0, rejected: 0, timeouts: 0 };
  for (let i = 0; i < recorder.originals; i++) {
    if (PRIORITY_CODES[recorder.oPriority[i]!] !== 'critical') continue;
    c.offered++;
    const outcome = recorder.oOutcome[i]!;
    if (outcome === OK) c.good++;
    else if (outcome === REJECTED) c.rejected++;
    else if (outcome === TIMEOUT) c.timeouts++;
  }
  return c;
}

/**
 * A client policy that makes one attempt and notes every 503 that carried no Retry-After. A
 * number that is no use (0, negative) is still a Retry-After: what it does to callers who honour
 * it is judged by its effect (retryAfterEffect), not here.
 */
function noting(tally: { noRetryAfter: number }): PolicyFactory {
  return () => async (call) => {
    const r = await call();
    if (r.status === 'rejected' && !(typeof r.retryAfterMs === 'number' && !Number.isNaN(r.retryAfterMs))) tally.noRetryAfter++;
    return r;
  };
}

export interface Run {
  result: ResilienceResult;
  /** 503s the clients received without a usable Retry-After. */
  noRetryAfter: number;
  /** Requests the admission hook refused. */
  refused: number;
}

const runs = new WeakMap<object, Map<string, Promise<Run>>>();
const NO_SHEDDING = {};

function memo(admission: AdmissionFactory | undefined): Map<string, Promise<Run>> {
  const key = admission ?? NO_SHEDDING;
  let m = runs.get(key);
  if (m === undefined) runs.set(key, (m = new Map()));
  return m;
}

/**
 * Runs `spec` with `admission` (undefined: none) once per process. A hook that refused nothing
 * made the node behave exactly as no hook would (same seed, same arrivals, same service times),
 * so its run also stands for the run without shedding: a starter is not simulated twice.
 */
export function run(spec: ResilienceSpec, admission: AdmissionFactory | undefined): Promise<Run> {
  const key = `${spec.name}#${spec.seed}`;
  const mine = memo(admission);
  let pending = mine.get(key);
  if (pending !== undefined) return pending;
  pending = (async () => {
    const tally = { noRetryAfter: 0, refused: 0 };
    const counted: AdmissionFactory | undefined =
      admission &&
      ((node) => {
        const hook = admission(node);
        return (req, view) => {
          const d = hook(req, view);
          if (d?.admit === false) tally.refused++;
          return d;
        };
      });
    const result = await runResilience(spec, { admission: counted, policy: noting(tally) });
    if (result.failure) throw result.failure.error;
    const done: Run = { result, noRetryAfter: tally.noRetryAfter, refused: tally.refused };
    if (admission !== undefined && done.refused === 0 && !memo(undefined).has(key)) memo(undefined).set(key, Promise.resolve(done));
    return done;
  })();
  // A learner error must not be kept as the answer for every later check.
  pending.catch(() => mine.delete(key));
  mine.set(key, pending);
  return pending;
}

export async function measureLevel(admission: AdmissionFactory | undefined, load: number, seed: number): Promise<LevelFigures> {
  const { result, noRetryAfter } = await run(level(load, seed), admission);
  const { report, recorder } = result;
  const steady = { offered: 0, rejected: 0, timeouts: 0 };
  const byPriority = Object.fromEntries(PRIORITY_CODES.map((p) => [p, { offered: 0, good: 0 }])) as LevelFigures['byPriority'];
  for (let i = 0; i < recorder.originals; i++) {
    const t = recorder.oArrival[i]! - recorder.t0;
    if (t < STEADY.fromMs || t >= STEADY.toMs) continue;
    const p = byPriority[PRIORITY_CODES[recorder.oPriority[i]!]!];
    p.offered++;
    steady.offered++;
    const outcome = recorder.oOutcome[i]!;
    if (outcome === OK) p.good++;
    else if (outcome === REJECTED) steady.rejected++;
    else if (outcome === TIMEOUT) steady.timeouts++;
  }
  let slowestRejectMs = 0;
  for (let i = 0; i < recorder.attempts; i++) if (recorder.aOutcome[i] === REJECTED) slowestRejectMs = Math.max(slowestRejectMs, recorder.aLatency[i]!);
  return {
    load,
    result,
    offeredPerSec: (report.totals.offered * 1000) / report.durationMs,
    goodputPerSec: meanOver(report.series.goodput, report.binMs, STEADY.fromMs, STEADY.toMs) * (1000 / report.binMs),
    p99: report.latency.p99 ?? 0,
    steady,
    rejected: report.totals.rejected,
    timeouts: report.totals.timeouts,
    wasted: report.totals.wasted,
    wastedMs: report.totals.wastedMs,
    noRetryAfter,
    slowestRejectMs,
    byPriority,
    critical: criticalOf(recorder),
  };
}

export interface FaultWindow {
  label: string;
  fromMs: number;
  toMs: number;
  /** Requests per second the node could serve in this window. */
  capacity: number;
  /** Goodput per second over the window after `recoveryMs` (the last second if it never recovered). */
  goodputPerSec: number;
  /** Goodput per second over the whole window. */
  meanPerSec: number;
  /**
   * From the window's start until goodput, averaged from then to the window's end, is within
   * GOODPUT_SHARE of `capacity`; null if it never is (with at least RECOVERY_WINDOW_MS left).
   */
  recoveryMs: number | null;
  /** Judge goodput in this window (false: too few requests a second to judge it within 10%). */
  judgeGoodput: boolean;
  /** Originals that arrived from SETTLE_MS into the window and were admitted, and those of them that timed out. */
  admitted: number;
  admittedTimeouts: number;
  /** Per priority, originals that arrived from SETTLE_MS into the window to its end, and those served. */
  byPriority: Record<Priority, { offered: number; good: number }>;
}

export interface FaultFigures {
  result: ResilienceResult;
  /** Each fault, then the healthy stretch after it. */
  windows: FaultWindow[];
  critical: CriticalFigures;
  noRetryAfter: number;
}

/** The first start in `[fromMs, toMs - RECOVERY_WINDOW_MS]` from which mean goodput to `toMs` reaches `floor` per second. */
function recovery(goodput: readonly number[], binMs: number, fromMs: number, toMs: number, floor: number): { recoveryMs: number | null; perSec: number } {
  for (let t = fromMs; t <= toMs - RECOVERY_WINDOW_MS; t += binMs) {
    const perSec = meanOver(goodput, binMs, t, toMs) * (1000 / binMs);
    if (perSec >= floor) return { recoveryMs: t - fromMs, perSec };
  }
  return { recoveryMs: null, perSec: meanOver(goodput, binMs, toMs - RECOVERY_WINDOW_MS, toMs) * (1000 / binMs) };
}

/** Per priority and admitted, over originals that arrived in [fromMs, toMs) (relative to the run). */
function windowFigures(recorder: ResilienceResult['recorder'], fromMs: number, toMs: number) {
  const byPriority = Object.fromEntries(PRIORITY_CODES.map((p) => [p, { offered: 0, good: 0 }])) as FaultWindow['byPriority'];
  let admitted = 0;
  let admittedTimeouts = 0;
  for (let i = 0; i < recorder.originals; i++) {
    const t = recorder.oArrival[i]! - recorder.t0;
    if (t < fromMs || t >= toMs) continue;
    if (t < fromMs + SETTLE_MS) continue;
    const outcome = recorder.oOutcome[i]!;
    if (outcome !== REJECTED) admitted++;
    if (outcome === TIMEOUT) admittedTimeouts++;
    const p = byPriority[PRIORITY_CODES[recorder.oPriority[i]!]!];
    p.offered++;
    if (outcome === OK) p.good++;
  }
  return { byPriority, admitted, admittedTimeouts };
}

/** Each fault of `faults` in `spec`'s run, then the healthy stretch after it (to the next fault or the end). */
function faultWindows(result: ResilienceResult, faults: readonly FaultSpec[], durationMs: number): FaultWindow[] {
  const { report, recorder } = result;
  const windows: FaultWindow[] = [];
  faults.forEach((f, k) => {
    const next = faults[k + 1]?.fromMs ?? durationMs;
    const capacity = CAPACITY * (f.kind === 'slow' ? 1 / f.factor! : f.factor!);
    const faulted = { label: f.label ?? `${f.kind} ${f.target}`, fromMs: f.fromMs, toMs: f.toMs, capacity };
    const healed = { label: `whole again after ${f.label ?? f.kind}`, fromMs: f.toMs, toMs: next, capacity: CAPACITY };
    for (const w of [faulted, healed]) {
      const r = recovery(report.series.goodput, report.binMs, w.fromMs, w.toMs, GOODPUT_SHARE * w.capacity);
      const meanPerSec = meanOver(report.series.goodput, report.binMs, w.fromMs, w.toMs) * (1000 / report.binMs);
      windows.push({ ...w, goodputPerSec: r.perSec, meanPerSec, recoveryMs: r.recoveryMs, judgeGoodput: w.capacity >= JUDGED_CAPACITY, ...windowFigures(recorder, w.fromMs, w.toMs) });
    }
  });
  return windows;
}

/** Below this capacity a window's goodput is too few requests a second to judge within 10%. */
const JUDGED_CAPACITY = 200;

export async function measureFault(admission: AdmissionFactory | undefined, seed: number): Promise<FaultFigures> {
  const spec = capacityFault(seed);
  const { result, noRetryAfter } = await run(spec, admission);
  return { result, windows: faultWindows(result, FAULTS, spec.durationMs), critical: criticalOf(result.recorder), noRetryAfter };
}

/** The tenfold slowdown run: its window and the healthy stretch after it. */
export async function measureHeavy(admission: AdmissionFactory | undefined, seed: number): Promise<FaultFigures> {
  const { result, noRetryAfter } = await run(heavyFault(seed), admission);
  return { result, windows: faultWindows(result, [HEAVY_FAULT], HEAVY_RUN_MS), critical: criticalOf(result.recorder), noRetryAfter };
}

export interface RetryAfterEffect {
  /** Originals refused on their first attempt, and those of them served (within their deadline) on a later one. */
  refused: number;
  servedLater: number;
  /** Mean attempts of the refused originals. */
  attemptsPerRefused: number;
  /** Median Retry-After the callers were given, ms (undefined: none carried one). */
  medianHintMs: number | undefined;
}

/** The burst, with callers that honour Retry-After: what became of the requests refused at first. */
export async function retryAfterEffect(admission: AdmissionFactory, seed: number): Promise<RetryAfterEffect> {
  const log: HintLog = { hints: [] };
  const result = await runResilience(burst(seed), { admission, policy: honouringRetryAfter({ maxAttempts: HONOURING.maxAttempts }, log) });
  if (result.failure) throw result.failure.error;
  const { recorder } = result;
  const first = new Set<number>();
  for (let i = 0; i < recorder.attempts; i++) if (recorder.aNumber[i] === 1 && recorder.aOutcome[i] === REJECTED) first.add(recorder.aOriginal[i]!);
  let servedLater = 0;
  let attempts = 0;
  for (const o of first) {
    attempts += recorder.oAttempts[o]!;
    if (recorder.oOutcome[o] === OK && recorder.oFinish[o]! - recorder.oArrival[o]! <= HONOURING.deadlineMs) servedLater++;
  }
  return { refused: first.size, servedLater, attemptsPerRefused: first.size === 0 ? 0 : attempts / first.size, medianHintMs: medianHint(log) };
}

export interface Isolation {
  /** Two nodes in one run, one overloaded: what the other (at half load) refused, of what it got. */
  pair: { quietRefused: number; quietReceived: number; busyRefused: number };
  /** A fresh node at half load right after a node at 3x, in the same process: what it refused. */
  afterOverload: { refused: number; offered: number };
}

/** Per-node state: two nodes concurrently, and two runs back to back (never memoised: order matters). */
export async function isolation(admission: AdmissionFactory, seed: number): Promise<Isolation> {
  const both = await runResilience(pair(seed), { admission });
  if (both.failure) throw both.failure.error;
  const rec = both.recorder;
  const quiet = both.nodes.findIndex((n) => n.id === 'b');
  const busy = both.nodes.findIndex((n) => n.id === 'a');
  let quietRefused = 0;
  let quietReceived = 0;
  let busyRefused = 0;
  for (let i = 0; i < rec.attempts; i++) {
    const node = rec.aNode[i];
    if (node === quiet) {
      quietReceived++;
      if (rec.aOutcome[i] === REJECTED) quietRefused++;
    } else if (node === busy && rec.aOutcome[i] === REJECTED) busyRefused++;
  }
  const hot = await runResilience(afresh(3, PAIR_MS / 2, seed), { admission });
  if (hot.failure) throw hot.failure.error;
  const calm = await runResilience(afresh(LEVELS[0], PAIR_MS, seed), { admission });
  if (calm.failure) throw calm.failure.error;
  return {
    pair: { quietRefused, quietReceived, busyRefused },
    afterOverload: { refused: calm.report.totals.rejected, offered: calm.report.totals.offered },
  };
}

/** Every load level for `admission` (undefined: no admission control) on `seed`. */
export async function levels(admission: AdmissionFactory | undefined, seed: number): Promise<LevelFigures[]> {
  const out: LevelFigures[] = [];
  for (const load of LEVELS) out.push(await measureLevel(admission, load, seed));
  return out;
}

/** The capacity fault run for `admission` on `seed`. */
export const fault = measureFault;
/** The tenfold slowdown run. */
export const heavy = measureHeavy;

/** The learner's factory, as the harness calls it. */
export const admissionOf = (exports: Exports): AdmissionFactory => exports.createAdmission as AdmissionFactory;
