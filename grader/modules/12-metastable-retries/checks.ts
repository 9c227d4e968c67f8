/**
 * Hidden checks for module 12 (metastable retries). Every figure comes from the harness's logs:
 * goodput and offered load per 100 ms, every attempt with its number and outcome. The full fix
 * (gate, budget and throttle together) must recover within a few seconds of a 10 s trigger of
 * either kind, and of a stall, with attempts per request at most 1.1, and still retry what
 * retries are for; each layer alone must break the loop on its own terms.
 */
import type { CheckFn, Outcome } from '../../src/define.js';
import { ALL, NONE, layersLabel, runFresh, runMeta, type Layers, type MetaFigures, type MetaRun } from './run.js';
import {
  BLIP_MASKED_MIN,
  DURING_MIN,
  GATED_SENT_PER_ACCEPT_MAX,
  HEALTHY_LOCAL_MAX,
  HEALTHY_MS,
  LAYER_BOUND_MS,
  MAX_AMPLIFICATION,
  META,
  PINNED_BELOW,
  RECOVERY_BOUND_MS,
  SENT_PER_ACCEPT_MAX,
  STALL_BOUND_MS,
  STALL_WASTED_MAX,
  THROTTLE_BOUND_MS,
  TRIGGER_RETRY_MAX,
  triggerLabel,
  type Trigger,
} from './scenarios.js';

const pct = (v: number): string => `${(v * 100).toFixed(1)}%`;
const secs = (ms: number): string => `${+(ms / 1000).toFixed(1)} s`;
const afterSpan = secs(META.stall.fromMs - META.trigger.toMs);
/** What the node can serve during the trigger, as a share of the offered load. */
const CAPACITY_DURING = META.capacityPerSec / 2 / META.loadPerSec;
/** A run's fingerprint: what the clients sent and what came back. */
const print = (run: MetaRun): string => {
  const f = run.figures;
  return `${f.retries} retries, ${f.localAnswers} local, goodput ${pct(f.after)} after`;
};
const recovered = (ms: number | null): string => (ms === null ? 'never' : secs(ms));

/** Attempts per request above which the node, at 80% load, stays over its capacity: the loop. */
const LOOP_AMPLIFICATION = META.capacityPerSec / META.loadPerSec;

/** The pin, in words: what goodput did after the trigger, and what the clients sent meanwhile. */
const pinnedTail = (f: MetaFigures): string =>
  `goodput stayed at ${pct(f.after)} of offered load for the ${afterSpan} after the trigger ended, with ${f.amplificationAfter.toFixed(2)} attempts per request`;
const pinned = (f: MetaFigures, who: string): string => `${who}: ${pinnedTail(f)}`;

/** Why goodput stayed down, from what the clients did after the trigger: the real cause, not always the retries. */
function pinCause(f: MetaFigures): string {
  if (f.localAfter >= 0.5) {
    return `the client answered ${pct(f.localAfter)} of the requests itself (ctx.reject) after the trigger, the node had little to do: the throttle kept rejecting after the backend recovered`;
  }
  if (f.amplificationAfter > LOOP_AMPLIFICATION) {
    return `the retries keep the node overloaded after the trigger is gone (over ${LOOP_AMPLIFICATION.toFixed(2)} attempts per request is more than it can serve at 80% load)`;
  }
  return 'the node stayed busy with queued work whose callers had already given up';
}

interface RecoveryBounds {
  /** After the trigger's end. */
  trigger: number;
  /** After the stall's end, when the check asks for it. */
  stall?: number;
  /** Count only a recovery that comes before the stall (a throttle's window must let go on its own, not after the stall resets the node). */
  beforeStall?: boolean;
}

/** Recovery after the trigger (and after the stall, when asked), within its bounds. */
function recoveryProblem(f: MetaFigures, layers: Layers, trigger: Trigger, bounds: RecoveryBounds): string | undefined {
  const who = `${layersLabel(layers)} on, ${triggerLabel(trigger)} for ${secs(META.trigger.toMs - META.trigger.fromMs)}`;
  const ms = bounds.beforeStall ? f.recoveryBeforeStallMs : f.recoveryMs;
  const bound = bounds.trigger;
  if (ms === null || ms > bound) {
    if (f.after < PINNED_BELOW) return `${pinned(f, who)}, want recovery within ${secs(bound)}: ${pinCause(f)}`;
    const took = ms === null && bounds.beforeStall ? `did not get back within 10% of offered load in the ${afterSpan} between the trigger and the stall` : `took ${recovered(ms)} to get back within 10% of offered load after the trigger ended`;
    return `${who}: goodput ${took}, want <= ${secs(bound)}`;
  }
  if (bounds.stall !== undefined && (f.stallRecoveryMs === null || f.stallRecoveryMs > bounds.stall)) {
    return `${who}: recovered from the trigger, but a ${secs(META.stall.toMs - META.stall.fromMs)} stall at t=${secs(META.stall.fromMs)} took ${recovered(f.stallRecoveryMs)} to recover from, want <= ${secs(bounds.stall)}: the loop closed again on a shorter trigger`;
  }
  return undefined;
}

/**
 * Isolation: two more clients (two more createRetryClient calls) on the same seed, both made after
 * the first and run beside each other, must each behave exactly like the first: no state outside
 * the client, randomness only from the stream it is given.
 */
async function isolationProblem(exports: Parameters<CheckFn>[0]['exports'], seed: number, layers: Layers): Promise<string | undefined> {
  const want = print(await runMeta(exports, seed, layers));
  const [a, b] = await Promise.all([runFresh(exports, seed, layers), runFresh(exports, seed, layers)]);
  const odd = [a!, b!].find((run) => print(run) !== want);
  if (odd === undefined) return undefined;
  return `${layersLabel(layers)} on, same seed: a client made after it and run beside another (another createRetryClient call) behaved differently from the first (${print(odd)}, against ${want}), want the same: keep all state inside createRetryClient, never at module scope, and draw randomness only from the rng you are given`;
}

/** Of the requests whose first attempt failed in a blip, the share a retry saved. */
const blipShare = (f: MetaFigures): number => (f.blipFirstFailed === 0 ? 1 : f.blipMasked / f.blipFirstFailed);

const blipProblem = (f: MetaFigures, who: string): string | undefined => {
  if (f.blipFirstFailed === 0) return undefined;
  const share = blipShare(f);
  if (share >= BLIP_MASKED_MIN) return undefined;
  // The cause: no retry was allowed (the budget never refilled), or retries went out and failed in the same blip.
  const why =
    f.blipRetries >= f.blipFirstFailed
      ? `the retries went out but failed too: wait backoffMs (${META.backoffMs} ms) before every retry, whatever the failure, so it lands after a blip`
      : 'a budget must refill as requests succeed, so retries still hide transient errors once the overload is over';
  return `${who}: after the overload, ${f.blipFirstFailed} requests failed on their first attempt in ${META.blips.lengthMs} ms blips and a retry saved ${f.blipMasked} of them (${f.blipRetries} retries sent), want >= ${pct(BLIP_MASKED_MIN)}: ${why}`;
};

const measuredOf = (f: MetaFigures): string => `recovered in ${recovered(f.recoveryMs)} (stall ${recovered(f.stallRecoveryMs)}), ${f.amplification.toFixed(2)} attempts/request`;

function fullFix(trigger: Trigger): CheckFn {
  return async ({ seed, exports }): Promise<Outcome> => {
    const fixed = await runMeta(exports, seed, ALL, trigger);
    const f = fixed.figures;
    const out = { measured: measuredOf(f), figure: f.recoveryMs === null ? Infinity : f.recoveryMs, bound: RECOVERY_BOUND_MS };
    // The reproduction first: with every layer off, your client must pin the node, or the fix proves nothing.
    if (trigger === 'slow') {
      const naive = (await runMeta(exports, seed, NONE, trigger)).figures;
      if (naive.after >= PINNED_BELOW) {
        return {
          pass: false,
          ...out,
          message: `with every layer off, goodput came back to ${pct(naive.after)} of offered load after the trigger, want < ${pct(PINNED_BELOW)} (pinned): keep the naive path as the starter has it (${META.maxAttempts} attempts, ${META.backoffMs} ms apart), so the layers are what breaks the loop`,
          figure: naive.after,
          bound: PINNED_BELOW,
        };
      }
      if (naive.maxAttemptsSeen > META.maxAttempts) {
        return {
          pass: false,
          ...out,
          message: `with every layer off, a request made ${naive.maxAttemptsSeen} attempts, want at most maxAttempts = ${META.maxAttempts}: maxAttempts counts the first attempt, so a request retries at most ${META.maxAttempts - 1} times`,
          figure: naive.maxAttemptsSeen,
          bound: META.maxAttempts,
        };
      }
    }
    const problem = recoveryProblem(f, ALL, trigger, { trigger: RECOVERY_BOUND_MS, stall: STALL_BOUND_MS });
    if (problem) return { pass: false, ...out, message: problem };
    const blips = blipProblem(f, 'gate + budget + throttle on');
    if (blips) return { pass: false, ...out, figure: blipShare(f), bound: BLIP_MASKED_MIN, message: blips };
    return { pass: true, ...out };
  };
}

export const checks: Record<string, CheckFn> = {
  'recovers after a latency spike': fullFix('slow'),
  'recovers after a capacity drop': fullFix('capacity'),

  async 'amplification at most 1.1'({ seed, exports }): Promise<Outcome> {
    const runs = await Promise.all((['slow', 'capacity'] as const).map(async (t) => ({ t, f: (await runMeta(exports, seed, ALL, t)).figures })));
    const worst = runs.reduce((a, b) => (b.f.amplification > a.f.amplification ? b : a));
    const measured = `${worst.f.amplification.toFixed(3)} attempts/request (${triggerLabel(worst.t)}), ${pct(worst.f.retryShare)} retries`;
    if (worst.f.amplification > MAX_AMPLIFICATION) {
      return {
        pass: false,
        measured,
        message: `with ${triggerLabel(worst.t)} the clients sent ${worst.f.amplification.toFixed(2)} attempts per request over the run (${pct(worst.f.retryShare)} of requests retried), want <= ${MAX_AMPLIFICATION}: every retry is load on a server that is already failing; cap retries with a budget`,
        figure: worst.f.amplification,
        bound: MAX_AMPLIFICATION,
      };
    }
    return { pass: true, measured, figure: worst.f.amplification, bound: MAX_AMPLIFICATION };
  },

  async 'retry budget alone'({ seed, exports }): Promise<Outcome> {
    const layers = { ...NONE, budget: true };
    const run = await runMeta(exports, seed, layers);
    const f = run.figures;
    const figures = { figure: f.triggerRetryShare, bound: TRIGGER_RETRY_MAX };
    const out = { measured: `${pct(f.triggerRetryShare)} retried during the trigger, recovered in ${recovered(f.recoveryMs)}`, ...figures };
    // Where a budget must bind: the requests that arrive while most attempts fail, budget alone and behind the gate's fast 503s.
    const all = (await runMeta(exports, seed, ALL)).figures;
    const worst = all.triggerRetryShare > f.triggerRetryShare ? { who: 'gate + budget + throttle', g: all } : { who: 'budget alone', g: f };
    if (worst.g.triggerRetryShare > TRIGGER_RETRY_MAX) {
      const during = Math.round(worst.g.triggerRetries / worst.g.triggerRetryShare);
      return {
        pass: false,
        ...out,
        figure: worst.g.triggerRetryShare,
        message: `${worst.who}: ${worst.g.triggerRetries} retries for the ${during} requests that arrived during the trigger (${pct(worst.g.triggerRetryShare)}), want <= ${pct(TRIGGER_RETRY_MAX)}: one budget for the whole client that binds while most attempts fail (a failure costs a whole token), and no balance banked from a long healthy spell`,
      };
    }
    const problem = recoveryProblem(f, layers, 'slow', { trigger: LAYER_BOUND_MS });
    if (problem) return { pass: false, ...out, figure: f.recoveryMs ?? Infinity, bound: LAYER_BOUND_MS, message: problem };
    const blips = blipProblem(f, 'budget alone');
    if (blips) return { pass: false, ...out, figure: blipShare(f), bound: BLIP_MASKED_MIN, message: blips };
    return { pass: true, ...out };
  },

  async 'adaptive throttle alone'({ seed, exports }): Promise<Outcome> {
    const layers = { ...NONE, throttle: true };
    const gated = { ...NONE, gate: true, throttle: true };
    // Isolation, first, before this check's other runs: two more clients, throttle alone (where its
    // state decides the most), must behave exactly like the first.
    const apart = await isolationProblem(exports, seed, layers);
    if (apart) return { pass: false, measured: 'a second client behaved differently', figure: 1, bound: 0, message: apart };
    const [run, calm, behind] = [await runMeta(exports, seed, layers), await runMeta(exports, seed, layers, 'healthy'), await runMeta(exports, seed, gated)];
    const f = run.figures;
    const c = calm.figures;
    const g = behind.figures;
    // Healthy: the whole run with no fault and the trigger run's warm-up, whenever every attempt of the last 3 s was answered ok.
    const healthyLocal = c.healthyLocal + f.healthyLocal;
    const healthyRequests = c.healthyRequests + f.healthyRequests;
    const healthyShare = healthyLocal / Math.max(1, healthyRequests);
    const out = { measured: `${g.sentPerAccept.toFixed(2)} sent per accept behind the gate, recovered in ${recovered(f.recoveryBeforeStallMs)}, ${pct(healthyShare)} rejected while healthy` };
    if (healthyShare > HEALTHY_LOCAL_MAX) {
      return {
        pass: false,
        ...out,
        message: `throttle alone: the client rejected ${healthyLocal} of ${healthyRequests} requests locally (${pct(healthyShare)}) while the service was healthy and had answered every attempt of the 3 s before ok (${secs(HEALTHY_MS)} with no fault, and the ${secs(META.trigger.fromMs)} before the trigger), want <= ${pct(HEALTHY_LOCAL_MAX)}: reject with probability max(0, (requests - K * accepts) / (requests + 1)), K = 2, so a healthy server is not throttled`,
        figure: healthyShare,
        bound: HEALTHY_LOCAL_MAX,
      };
    }
    if (f.retriedLocal > 0) {
      return {
        pass: false,
        ...out,
        message: `throttle alone: ${f.retriedLocal} requests went on after the throttle answered them with ctx.reject() (another attempt or another roll), want 0: return the local rejection at once and do not retry it`,
        figure: f.retriedLocal,
        bound: 0,
      };
    }
    if (f.sentPerAccept > SENT_PER_ACCEPT_MAX) {
      return {
        pass: false,
        ...out,
        message: `throttle alone, ${triggerLabel('slow')}: the clients sent ${f.sentPerAccept.toFixed(2)} attempts for each one answered ok during the trigger, want <= ${SENT_PER_ACCEPT_MAX} (K = 2): the throttle hardly throttled; count every attempt as a request and only an ok answer as an accept, over a window of a second or two`,
        figure: f.sentPerAccept,
        bound: SENT_PER_ACCEPT_MAX,
      };
    }
    if (f.rejectedRetries === 0) {
      return {
        pass: false,
        ...out,
        message: `throttle alone, ${triggerLabel('slow')}: the throttle answered ${f.localAnswers} requests locally but never a retry (${f.retries} retries sent), want some: check the throttle before each attempt, retries included`,
        figure: 0,
        bound: 1,
      };
    }
    const gatedFigures = { figure: g.sentPerAccept, bound: GATED_SENT_PER_ACCEPT_MAX };
    // Behind the gate most failures are fast 503s, not timeouts: a 503 must count against the accepts too.
    if (g.sentPerAccept > GATED_SENT_PER_ACCEPT_MAX) {
      return {
        pass: false,
        ...out,
        ...gatedFigures,
        message: `gate + throttle on, ${triggerLabel('slow')}: the clients sent ${g.sentPerAccept.toFixed(2)} attempts for each one answered ok during the trigger, want <= ${GATED_SENT_PER_ACCEPT_MAX} (K = 2): the gate answered most of them with a 503, and a 503 is not an accept; count only an ok answer as one`,
      };
    }
    const problem = recoveryProblem(f, layers, 'slow', { trigger: THROTTLE_BOUND_MS, beforeStall: true });
    if (problem) {
      const figure = f.recoveryBeforeStallMs ?? Infinity;
      // The cause: a throttle that kept rejecting once the node was fine, or one that hardly rejected (pinCause has said which when pinned).
      const why = f.after < PINNED_BELOW ? '' : f.localAfter >= 0.25 ? `; the client answered ${pct(f.localAfter)} of the requests itself after the trigger: the throttle kept rejecting after the backend recovered, keep its window short (a second or two)` : '; with accepts near 0 the throttle should answer most requests locally';
      return { pass: false, ...out, figure, bound: THROTTLE_BOUND_MS, message: `${problem}${why}` };
    }
    return { pass: true, ...out, ...gatedFigures };
  },

  async 'overload gate alone'({ seed, exports }): Promise<Outcome> {
    const layers = { ...NONE, gate: true };
    const run = await runMeta(exports, seed, layers);
    const f = run.figures;
    const out = { measured: `recovered in ${recovered(f.recoveryMs)} (stall ${recovered(f.stallRecoveryMs)}), ${f.stallWasted} expired requests served`, figure: f.stallWasted, bound: STALL_WASTED_MAX };
    const problem = recoveryProblem(f, layers, 'slow', { trigger: RECOVERY_BOUND_MS, stall: RECOVERY_BOUND_MS });
    if (problem) return { pass: false, ...out, message: `${problem}; answer 503 at once when the queue is already longer than a caller waits` };
    if (f.stallWasted > STALL_WASTED_MAX) {
      return {
        pass: false,
        ...out,
        message: `gate alone: after the ${secs(META.stall.toMs - META.stall.fromMs)} stall the node finished ${f.stallWasted} requests whose callers had already timed out (${f.stallDropped} dropped), want <= ${STALL_WASTED_MAX}: set dropExpired so a worker skips work nobody waits for`,
      };
    }
    return { pass: true, ...out };
  },

  async 'goodput during the trigger'({ seed, exports }): Promise<Outcome> {
    const runs = [
      { layers: { ...NONE, gate: true }, t: 'slow' as const },
      { layers: ALL, t: 'slow' as const },
      { layers: ALL, t: 'capacity' as const },
    ];
    const got = await Promise.all(runs.map(async (r) => ({ ...r, f: (await runMeta(exports, seed, r.layers, r.t)).figures })));
    const worst = got.reduce((a, b) => (b.f.during < a.f.during ? b : a));
    const figures = { figure: worst.f.during, bound: DURING_MIN };
    const measured = `${pct(worst.f.during)} of offered (${layersLabel(worst.layers)}, ${triggerLabel(worst.t)})`;
    if (worst.f.during < DURING_MIN) {
      return {
        pass: false,
        measured,
        ...figures,
        message: `${layersLabel(worst.layers)} on, ${triggerLabel(worst.t)}: goodput during the trigger was ${pct(worst.f.during)} of offered load (the node could serve ${pct(CAPACITY_DURING)}), want >= ${pct(DURING_MIN)}: refuse any request at once while the queue's oldest wait, measured, is near a caller's timeout, so the workers serve only requests someone still waits for`,
      };
    }
    return { pass: true, measured, ...figures };
  },

};
