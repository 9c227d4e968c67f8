/**
 * Runs module 12's scenario with the learner's client and gate, any layers on, and reads its
 * figures from the harness's own logs (every original and every attempt), never from the
 * learner's counters. Runs are memoized per code and configuration: the checks, the headline and
 * the demo read the same runs, and the same seed always gives the same figures.
 */
import { OUTCOMES, meanOver, recoveryTime, runResilience, type AdmissionFactory, type CallContext, type PolicyFactory, type ResilienceResult } from '@herd/harness/engine';
import type { Exports } from '../../src/define.js';
import { LoadError } from '../../src/learner-error.js';
import { HEALTHY_MS, LAYER_BOUND_MS, META, metastable, type Trigger } from './scenarios.js';

export interface Layers {
  gate: boolean;
  budget: boolean;
  throttle: boolean;
}

export const NONE: Layers = { gate: false, budget: false, throttle: false };
export const ALL: Layers = { gate: true, budget: true, throttle: true };

/** The headline's rows, in order: the reproduction, each layer alone, all three. */
export const CONFIGS: ReadonlyArray<{ label: string; layers: Layers }> = [
  { label: 'immediate retries', layers: NONE },
  { label: 'gate alone', layers: { ...NONE, gate: true } },
  { label: 'budget alone', layers: { ...NONE, budget: true } },
  { label: 'throttle alone', layers: { ...NONE, throttle: true } },
  { label: 'all three', layers: ALL },
];

export const layersLabel = (l: Layers): string => {
  const on = (['gate', 'budget', 'throttle'] as const).filter((k) => l[k]);
  return on.length === 0 ? 'no layer' : on.length === 3 ? 'gate + budget + throttle' : on.join(' + ');
};

interface Gate {
  dropExpired: boolean;
  admit: (...args: Parameters<ReturnType<AdmissionFactory>>) => ReturnType<ReturnType<AdmissionFactory>>;
}

export interface MetaRun {
  result: ResilienceResult;
  figures: MetaFigures;
}

export interface MetaFigures {
  offeredPerSec: number;
  /** Goodput / offered over the trigger, and from its end to the stall. */
  during: number;
  after: number;
  /** From the trigger's end (and the stall's) until goodput is back within 10% of offered for 1 s; null: never. */
  recoveryMs: number | null;
  /** The same, before the stall begins; null: not before the stall. */
  recoveryBeforeStallMs: number | null;
  stallRecoveryMs: number | null;
  /** Goodput / offered once every layer's bound is over, until the blips: back to normal for several windows. */
  heldAfter: number;
  /** Attempts per original, whole run; retries per original, whole run. */
  amplification: number;
  retries: number;
  retryShare: number;
  /** Attempts per original over the trigger and the 5 s after it. */
  amplificationTrigger: number;
  /** Retries per original, for the originals that arrived during the trigger (where a budget must bind). */
  triggerRetries: number;
  triggerRetryShare: number;
  /** Attempts sent per attempt answered ok, from the trigger's second second to its end (the throttle's K). */
  sentPerAccept: number;
  /** The most attempts one original made. */
  maxAttemptsSeen: number;
  /** From the trigger's end to the stall: share of originals answered locally, and attempts per original. */
  localAfter: number;
  amplificationAfter: number;
  /** Originals arriving during the blips whose first attempt failed, and how many of those ended ok (a retry hid the blip). */
  blipFirstFailed: number;
  blipMasked: number;
  blipRetries: number;
  /**
   * Originals arriving while the service is calm (after the run's first second, every attempt
   * started in the CALM_MS before was answered ok), and how many of those were answered locally.
   */
  healthyRequests: number;
  healthyLocal: number;
  /** Work the node finished after its caller had given up, around the stall. */
  stallWasted: number;
  stallDropped: number;
  localAnswers: number;
  /** Requests that went on (another attempt, another ctx.reject) after the policy answered them with ctx.reject(). */
  retriedLocal: number;
  /** Retries the policy answered with ctx.reject() (the throttle checked before a retry, not only the first attempt). */
  rejectedRetries: number;
}

/** The recorder's outcome code for 'rejected' (what a blip answers). */
const REJECTED = OUTCOMES.indexOf('rejected');

/** Calm: this long with every attempt answered ok (a throttle window of a second or two, plus a timeout). */
const CALM_MS = 3000;

const memo = new WeakMap<object, Map<string, Promise<MetaRun>>>();

/** The learner's client and gate (or none), run on the scenario; one run per code, layers, trigger and seed. */
export function runMeta(exports: Exports, seed: number, layers: Layers, trigger: Trigger = 'slow'): Promise<MetaRun> {
  const client = exports.createRetryClient as object;
  let runs = memo.get(client);
  if (runs === undefined) memo.set(client, (runs = new Map()));
  // Different gate code with the same client: the gate function is part of the key.
  const key = `${seed}|${trigger}|${layers.gate}|${layers.budget}|${layers.throttle}|${gateId(exports.createOverloadGate)}`;
  let run = runs.get(key);
  if (run === undefined) runs.set(key, (run = execute(exports, seed, layers, trigger)));
  return run;
}

/** The same run, never memoized: a fresh client (and gate) on the scenario, for the isolation check. */
export const runFresh = (exports: Exports, seed: number, layers: Layers, trigger: Trigger = 'slow'): Promise<MetaRun> => execute(exports, seed, layers, trigger);

const gateIds = new WeakMap<object, number>();
let gates = 0;
const gateId = (f: unknown): number => {
  if (typeof f !== 'function') return -1;
  let id = gateIds.get(f);
  if (id === undefined) gateIds.set(f, (id = ++gates));
  return id;
};

async function execute(exports: Exports, seed: number, layers: Layers, trigger: Trigger): Promise<MetaRun> {
  const createRetryClient = exports.createRetryClient as (o: object) => PolicyFactory;
  const createOverloadGate = exports.createOverloadGate as () => Gate;
  const policy = createRetryClient({ maxAttempts: META.maxAttempts, backoffMs: META.backoffMs, budget: layers.budget, throttle: layers.throttle });
  if (typeof policy !== 'function') throw new LoadError(`createRetryClient(options) returned ${typeof policy}, want a function (client) => policy`);
  // Seen from outside the policy: a request that calls ctx.reject() and then goes on (calls again,
  // or asks for another local answer) retried a local rejection.
  let retriedLocal = 0;
  let rejectedRetries = 0;
  const outer: PolicyFactory = (client) => {
    const inner = policy(client);
    return (call, ctx) => {
      let rejected = false;
      let counted = false;
      let called = false;
      const onward = (): void => {
        if (rejected && !counted) {
          counted = true;
          retriedLocal++;
        }
      };
      const local: CallContext = {
        clock: ctx.clock,
        rng: ctx.rng,
        request: ctx.request,
        reject: (retryAfterMs?: number) => {
          onward();
          if (called) rejectedRetries++;
          rejected = true;
          return ctx.reject(retryAfterMs);
        },
      };
      return inner(() => {
        onward();
        called = true;
        return call();
      }, local);
    };
  };
  let dropExpired = false;
  let gate: AdmissionFactory | undefined;
  if (layers.gate) {
    const probe = createOverloadGate();
    if (probe === null || typeof probe !== 'object' || typeof probe.admit !== 'function') {
      throw new LoadError('createOverloadGate() must return { dropExpired, admit(request, node) }');
    }
    dropExpired = probe.dropExpired === true;
    // One gate per node: whatever state it keeps is that node's.
    gate = () => {
      const g = createOverloadGate();
      return (request, node) => g.admit(request, node);
    };
  }
  // The blips refuse requests in front of the node (and of its gate), like a proxy restarting.
  let blip = false;
  const admission: AdmissionFactory = (node) => {
    const inner = gate?.(node);
    return (request, view) => (blip ? { admit: false } : inner ? inner(request, view) : { admit: true });
  };
  const targets = { blips: (active: boolean) => void (blip = active) };
  const result = await runResilience(metastable(seed, trigger, dropExpired), { policy: outer, admission, targets });
  if (result.failure) throw result.failure.error;
  return { result, figures: figuresOf(result, trigger, retriedLocal, rejectedRetries) };
}

function figuresOf(result: ResilienceResult, trigger: Trigger, retriedLocal: number, rejectedRetries: number): MetaFigures {
  const { report, recorder: rec } = result;
  const { series, binMs } = report;
  const t0 = rec.t0;
  const { fromMs, toMs } = META.trigger;
  const ratio = (a: number[], b: number[], from: number, to: number): number => meanOver(a, binMs, from, to) / meanOver(b, binMs, from, to);

  // Attempts and retries from the attempt log, by the time each original arrived.
  let retries = 0;
  let trigAttempts = 0;
  let trigOriginals = 0;
  let trigRetries = 0;
  let trigSent = 0;
  let trigOk = 0;
  let blipRetries = 0;
  let blipFirstFailed = 0;
  let blipMasked = 0;
  const { blips } = META;
  const blipFrom = blips.fromMs;
  const blipTo = blips.fromMs + blips.count * blips.everyMs;
  for (let i = 0; i < rec.attempts; i++) {
    const arrived = rec.oArrival[rec.aOriginal[i]!]! - t0;
    const retry = rec.aNumber[i]! > 1;
    if (retry) retries++;
    if (arrived >= fromMs && arrived < toMs + 5000) trigAttempts++;
    if (retry && arrived >= fromMs && arrived < toMs) trigRetries++;
    const started = rec.aStart[i]! - t0;
    if (started >= fromMs + 1000 && started < toMs) {
      trigSent++;
      if (rec.aOutcome[i] === 0) trigOk++;
    }
    if (arrived >= blipFrom && arrived < blipTo) {
      const sent = rec.aStart[i]! - t0 - blipFrom;
      if (retry) blipRetries++;
      else if (rec.aOutcome[i] === REJECTED && sent % blips.everyMs < blips.lengthMs) {
        blipFirstFailed++;
        if (rec.oOutcome[rec.aOriginal[i]!] === 0) blipMasked++;
      }
    }
  }
  let healthyRequests = 0;
  let healthyLocal = 0;
  // Calm: every attempt that started in the last CALM_MS was answered ok (and there was one). Binned by binMs.
  const nBins = Math.ceil((trigger === 'healthy' ? HEALTHY_MS : META.durationMs) / binMs) + 1;
  const failedIn = new Array<number>(nBins).fill(0);
  const okIn = new Array<number>(nBins).fill(0);
  for (let i = 0; i < rec.attempts; i++) {
    const b = Math.min(nBins - 1, Math.floor((rec.aStart[i]! - t0) / binMs));
    if (rec.aOutcome[i] === 0) okIn[b]!++;
    else failedIn[b]!++;
  }
  const span = Math.ceil(CALM_MS / binMs);
  const calmAt = (ms: number): boolean => {
    const b = Math.floor(ms / binMs);
    let failed = 0;
    let ok = 0;
    for (let j = Math.max(0, b - span); j < b; j++) {
      failed += failedIn[j]!;
      ok += okIn[j]!;
    }
    return failed === 0 && ok > 0;
  };
  let duringOriginals = 0;
  let maxAttemptsSeen = 0;
  let afterOriginals = 0;
  let afterLocal = 0;
  let afterAttempts = 0;
  for (let i = 0; i < rec.originals; i++) {
    const arrived = rec.oArrival[i]! - t0;
    const attempts = rec.oAttempts[i]!;
    if (attempts > maxAttemptsSeen) maxAttemptsSeen = attempts;
    if (arrived >= fromMs && arrived < toMs + 5000) trigOriginals++;
    if (arrived >= fromMs && arrived < toMs) duringOriginals++;
    if (arrived >= toMs && arrived < META.stall.fromMs) {
      afterOriginals++;
      afterAttempts += attempts;
      if (attempts === 0) afterLocal++;
    }
    // Healthy: no fault ever yet (the healthy run, the warm-up before the trigger), after the first
    // second (a window needs filling), and calm. Not after the trigger: a throttle whose window
    // emptied of accepts lets go over several windows, which the recovery bound judges instead.
    const noFault = trigger === 'healthy' || arrived < fromMs;
    if (arrived >= 1000 && noFault && calmAt(arrived)) {
      healthyRequests++;
      if (rec.oAttempts[i] === 0) healthyLocal++;
    }
  }
  const node = report.nodes[0]!;
  const stallBin = Math.floor(META.stall.fromMs / binMs);
  const stallBins = (s: number[]): number => s.slice(Math.floor(META.stall.fromMs / binMs), Math.ceil((META.stall.toMs + 2000) / binMs)).reduce((a, b) => a + b, 0);
  return {
    offeredPerSec: meanOver(series.offered, binMs, 0, META.durationMs) * (1000 / binMs),
    during: ratio(series.goodput, series.offered, fromMs, toMs),
    after: ratio(series.goodput, series.offered, toMs, META.stall.fromMs),
    recoveryMs: recoveryTime(series.goodput, series.offered, binMs, toMs),
    recoveryBeforeStallMs: recoveryTime(series.goodput.slice(0, stallBin), series.offered.slice(0, stallBin), binMs, toMs),
    stallRecoveryMs: recoveryTime(series.goodput, series.offered, binMs, META.stall.toMs),
    heldAfter: ratio(series.goodput, series.offered, toMs + LAYER_BOUND_MS, blipFrom),
    amplification: report.totals.amplification,
    retries,
    retryShare: rec.originals === 0 ? 0 : retries / rec.originals,
    amplificationTrigger: trigOriginals === 0 ? 0 : trigAttempts / trigOriginals,
    triggerRetries: trigRetries,
    triggerRetryShare: duringOriginals === 0 ? 0 : trigRetries / duringOriginals,
    sentPerAccept: trigSent / Math.max(1, trigOk),
    maxAttemptsSeen,
    localAfter: afterOriginals === 0 ? 0 : afterLocal / afterOriginals,
    amplificationAfter: afterOriginals === 0 ? 0 : afterAttempts / afterOriginals,
    blipFirstFailed,
    blipMasked,
    blipRetries,
    healthyRequests,
    healthyLocal,
    stallWasted: stallBins(node.series.wasted),
    stallDropped: report.totals.droppedExpired,
    localAnswers: report.totals.localAnswers,
    retriedLocal,
    rejectedRetries,
  };
}
