/**
 * Hidden checks for module 12 (metastable retries). Every figure comes from the harness's logs:
 * goodput and offered load per 100 ms, every attempt with its number and outcome. The full fix
 * (gate, budget and throttle together) must recover within a few seconds of a 10 s trigger of
 * either kind, and of a stall, with attempts per request at most 1.1, and still retry what
 * retries are for; each layer alone must break the loop on its own terms.
 */
import type { CheckFn, Outcome } from '../../src/define.js';
import { ALL, NONE, layersLabel, runMeta, type Layers, type MetaFigures } from './run.js';
import { BLIP_MASKED_MIN, LAYER_BOUND_MS, MAX_AMPLIFICATION, MAX_RETRY_SHARE, META, PINNED_BELOW, RECOVERY_BOUND_MS, STALL_WASTED_MAX, triggerLabel, type Trigger } from './scenarios.js';

const pct = (v: number): string => `${(v * 100).toFixed(1)}%`;
const secs = (ms: number): string => `${+(ms / 1000).toFixed(1)} s`;
const afterSpan = secs(META.stall.fromMs - META.trigger.toMs);
const recovered = (ms: number | null): string => (ms === null ? 'never' : secs(ms));

/** The pin, in words: what goodput did after the trigger, and what the retries did to the load. */
const pinnedTail = (f: MetaFigures): string =>
  `goodput stayed at ${pct(f.after)} of offered load for the ${afterSpan} after the trigger ended, with ${f.amplification.toFixed(2)} attempts per request`;
const pinned = (f: MetaFigures, who: string): string => `${who}: ${pinnedTail(f)}`;

/** Recovery after the trigger (and after the stall, when asked), within `bound`. */
function recoveryProblem(f: MetaFigures, layers: Layers, trigger: Trigger, bound: number, stall: boolean): string | undefined {
  const who = `${layersLabel(layers)} on, ${triggerLabel(trigger)} for ${secs(META.trigger.toMs - META.trigger.fromMs)}`;
  if (f.recoveryMs === null || f.recoveryMs > bound) {
    if (f.after < PINNED_BELOW) return `${pinned(f, who)}, want recovery within ${secs(bound)}: the retries keep the node overloaded after the trigger is gone`;
    return `${who}: goodput took ${recovered(f.recoveryMs)} to get back within 10% of offered load after the trigger ended, want <= ${secs(bound)}`;
  }
  if (stall && (f.stallRecoveryMs === null || f.stallRecoveryMs > bound)) {
    return `${who}: recovered from the trigger, but a ${secs(META.stall.toMs - META.stall.fromMs)} stall at t=${secs(META.stall.fromMs)} took ${recovered(f.stallRecoveryMs)} to recover from, want <= ${secs(bound)}: the loop closed again on a shorter trigger`;
  }
  return undefined;
}

const blipProblem = (f: MetaFigures, who: string): string | undefined => {
  if (f.blipFirstFailed === 0) return undefined;
  const share = f.blipMasked / f.blipFirstFailed;
  if (share >= BLIP_MASKED_MIN) return undefined;
  return (
    `${who}: after the overload, ${f.blipFirstFailed} requests failed on their first attempt in ${META.blips.lengthMs} ms blips and a retry saved ${f.blipMasked} of them (${f.blipRetries} retries sent), ` +
    `want >= ${pct(BLIP_MASKED_MIN)}: a budget must refill as requests succeed, so retries still hide transient errors once the overload is over`
  );
};

const measuredOf = (f: MetaFigures): string => `recovered in ${recovered(f.recoveryMs)} (stall ${recovered(f.stallRecoveryMs)}), ${f.amplification.toFixed(2)} attempts/request`;

function fullFix(trigger: Trigger): CheckFn {
  return async ({ seed, exports }): Promise<Outcome> => {
    const fixed = await runMeta(exports, seed, ALL, trigger);
    const f = fixed.figures;
    const out = { measured: measuredOf(f) };
    // The reproduction first: with every layer off, your client must pin the node, or the fix proves nothing.
    if (trigger === 'slow') {
      const naive = (await runMeta(exports, seed, NONE, trigger)).figures;
      if (naive.after >= PINNED_BELOW) {
        return {
          pass: false,
          ...out,
          message: `with every layer off, goodput came back to ${pct(naive.after)} of offered load after the trigger, want < ${pct(PINNED_BELOW)} (pinned): keep the naive path as the starter has it (${META.maxAttempts} attempts, ${META.backoffMs} ms apart), so the layers are what breaks the loop`,
        };
      }
    }
    const problem = recoveryProblem(f, ALL, trigger, RECOVERY_BOUND_MS, true) ?? blipProblem(f, 'gate + budget + throttle on');
    if (problem) return { pass: false, ...out, message: problem };
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
      };
    }
    return { pass: true, measured };
  },

  async 'retry budget alone'({ seed, exports }): Promise<Outcome> {
    const layers = { ...NONE, budget: true };
    const run = await runMeta(exports, seed, layers);
    const f = run.figures;
    const out = { measured: `${pct(f.retryShare)} retried, recovered in ${recovered(f.recoveryMs)}` };
    if (f.retryShare > MAX_RETRY_SHARE) {
      const more = f.after < PINNED_BELOW ? `, and ${pinnedTail(f)}` : '';
      return {
        pass: false,
        ...out,
        message: `budget alone: ${f.retries} retries for ${Math.round(f.retries / f.retryShare)} requests (${pct(f.retryShare)}), want <= ${pct(MAX_RETRY_SHARE)}${more}: count requests and retries apart, and refuse a retry once retries pass about 10% of requests`,
      };
    }
    const problem = recoveryProblem(f, layers, 'slow', LAYER_BOUND_MS, false) ?? blipProblem(f, 'budget alone');
    if (problem) return { pass: false, ...out, message: problem };
    return { pass: true, ...out };
  },

  async 'adaptive throttle alone'({ seed, exports }): Promise<Outcome> {
    const layers = { ...NONE, throttle: true };
    const run = await runMeta(exports, seed, layers);
    const f = run.figures;
    const out = { measured: `recovered in ${recovered(f.recoveryMs)}, ${pct(f.healthyLocal / Math.max(1, f.healthyRequests))} rejected locally while healthy` };
    const healthyShare = f.healthyLocal / Math.max(1, f.healthyRequests);
    if (healthyShare > 0.01) {
      return {
        pass: false,
        ...out,
        message: `throttle alone: the client rejected ${f.healthyLocal} of ${f.healthyRequests} requests locally (${pct(healthyShare)}) while the server accepted every one, want none: reject with probability max(0, (requests - K * accepts) / (requests + 1)), K = 2, so a healthy server is never throttled`,
      };
    }
    const problem = recoveryProblem(f, layers, 'slow', LAYER_BOUND_MS, false);
    if (problem) return { pass: false, ...out, message: `${problem}; with accepts near 0 the throttle should answer most requests locally` };
    return { pass: true, ...out };
  },

  async 'overload gate alone'({ seed, exports }): Promise<Outcome> {
    const layers = { ...NONE, gate: true };
    const run = await runMeta(exports, seed, layers);
    const f = run.figures;
    const out = { measured: `recovered in ${recovered(f.recoveryMs)} (stall ${recovered(f.stallRecoveryMs)}), ${f.stallWasted} expired requests served` };
    const problem = recoveryProblem(f, layers, 'slow', RECOVERY_BOUND_MS, true);
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
};
