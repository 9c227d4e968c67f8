/** Module 12, metastable retries: a retry storm that outlives its trigger, and three ways to break the loop. */
import { defineModule } from '../../src/define.js';
import { checks } from './checks.js';
import { demo } from './demo.js';
import { headline } from './headline.js';
import { DURING_MIN, GATED_SENT_PER_ACCEPT_MAX, HEALTHY_LOCAL_MAX, LAYER_BOUND_MS, MAX_AMPLIFICATION, RECOVERY_BOUND_MS, STALL_BOUND_MS, STALL_WASTED_MAX, THROTTLE_BOUND_MS, TRIGGER_RETRY_MAX } from './scenarios.js';

const s = (ms: number): string => `${ms / 1000} s`;
const PINNED = /goodput stayed at \d+\.\d% of offered load for the 12 s after the trigger ended/;

export default defineModule({
  id: '12-metastable-retries',
  title: 'metastable retries',
  summary: 'a retry storm that outlives its trigger',
  files: { 'retry-client.ts': ['createRetryClient'], 'overload-gate.ts': ['createOverloadGate'] },
  hints: [
    'Start with the server: in overload-gate.ts, admit a request only while node.oldestQueuedWaitMs is under the callers\' 300 ms timeout (200 ms works; much lower sheds healthy traffic too), else return { admit: false, retryAfterMs }. Set dropExpired: true, so a worker skips work whose caller is gone. That alone ends the pin: a 503 costs the node nothing.',
    'The budget: one per createRetryClient call (outside the per-client factory), so every caller of the client draws on it. gRPC\'s version is a token bucket: start at 100 tokens, take 1 for every failed attempt, give back 0.1 for every success (cap 100), and allow a retry only while tokens > 50. Retries then stay near 10% of requests while things fail, and the bucket refills once they succeed.',
    'The throttle (SRE book, ch. 21): count requests (every attempt you are about to send) and accepts (attempts answered ok) over a trailing window of about a second (ten 100 ms buckets). Before each attempt, reject it locally with ctx.reject() when rng.next() < max(0, (requests - 2 * accepts) / (requests + 1)). Roll against the counts so far (the +1 stands for this attempt), then count it as a request whether or not it is rejected, and do not retry a local rejection.',
    'Order in the policy: throttle check, call(), record the outcome in the throttle and the budget, then, for a failure, ask the budget before sleeping backoffMs and trying again. Only what the options turn on may act: with budget and throttle false the client must still pin the node, as the starter does.',
  ],
  checks: [
    {
      name: 'recovers after a latency spike',
      target: `all layers: back within ${s(RECOVERY_BOUND_MS)} of the trigger's end, ${s(STALL_BOUND_MS)} of a stall's; retries still hide blips`,
      value: RECOVERY_BOUND_MS,
      run: checks['recovers after a latency spike']!,
      starterFails: PINNED,
    },
    {
      name: 'recovers after a capacity drop',
      target: `all layers, half the workers for 10 s: back within ${s(RECOVERY_BOUND_MS)} (stall ${s(STALL_BOUND_MS)})`,
      value: RECOVERY_BOUND_MS,
      run: checks['recovers after a capacity drop']!,
      starterFails: PINNED,
    },
    {
      name: 'amplification at most 1.1',
      target: `all layers: attempts per request <= ${MAX_AMPLIFICATION} over the run, trigger included`,
      value: MAX_AMPLIFICATION,
      run: checks['amplification at most 1.1']!,
      starterFails: /the clients sent [\d.]+ attempts per request over the run .* want <= 1\.1/,
    },
    {
      name: 'retry budget alone',
      target: `<= ${TRIGGER_RETRY_MAX * 100}% retried during the trigger; back within ${s(LAYER_BOUND_MS)}; refills`,
      value: TRIGGER_RETRY_MAX,
      run: checks['retry budget alone']!,
      starterFails: /budget alone: \d+ retries for the \d+ requests that arrived during the trigger .* want <= 15\.0%/,
    },
    {
      name: 'adaptive throttle alone',
      target: `<= ${HEALTHY_LOCAL_MAX * 100}% rejected while healthy; <= ${GATED_SENT_PER_ACCEPT_MAX} sent per accept behind the gate; back in ${s(THROTTLE_BOUND_MS)}`,
      value: GATED_SENT_PER_ACCEPT_MAX,
      run: checks['adaptive throttle alone']!,
      starterFails: /sent [\d.]+ attempts for each one answered ok during the trigger, want <= 10 \(K = 2\): the throttle hardly throttled/,
    },
    {
      name: 'goodput during the trigger',
      target: `gate on: goodput >= ${(DURING_MIN * 100).toFixed(1)}% of offered during the 10 s trigger`,
      value: DURING_MIN,
      run: checks['goodput during the trigger']!,
      starterFails: /goodput during the trigger was \d+\.\d% of offered load .* want >= 34\.4%/,
    },
    {
      name: 'overload gate alone',
      target: `back within ${s(RECOVERY_BOUND_MS)}; <= ${STALL_WASTED_MAX} expired requests served after a stall`,
      value: RECOVERY_BOUND_MS,
      run: checks['overload gate alone']!,
      starterFails: PINNED,
    },
  ],
  headline,
  demo,
});
