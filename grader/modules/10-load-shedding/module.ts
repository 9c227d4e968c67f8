/** Module 10, load shedding: a node past capacity refuses, fast and by priority, what it cannot serve in time. */
import { defineModule } from '../../src/define.js';
import { EXCESS_SHED, capacityCheck, criticalCheck, falseShedCheck, fastRejectCheck, goodputCheck, isolationCheck, latencyCheck, priorityCheck, retryAfterCheck } from './checks.js';
import { demo } from './demo.js';
import { headline } from './headline.js';
import { BURST, CAPACITY, GOODPUT_SHARE, HIGH_SERVED, LATENCY_OBJECTIVE_MS, LEVELS, NORMAL_SERVED, PRIORITY_LEVEL, RECOVERY_BOUND_MS, SERVED_ON_RETRY, TIMEOUT_MS } from './scenarios.js';

const span = `${LEVELS[1]}x-${LEVELS[LEVELS.length - 1]}x`;

export default defineModule({
  id: '10-load-shedding',
  title: 'load shedding',
  summary: 'overload at one node: priorities, 503 with Retry-After',
  files: { 'admission.ts': ['createAdmission'] },
  hints: [
    'The node calls your hook for every request before it joins the queue, and a refusal there costs nothing: no worker, no wait. So the question per request is only "would this one be served in time?". Answer it in time units, not in requests per second: a wait needs no knowledge of the capacity, so it stays right when the capacity changes. view.oldestQueuedWaitMs is how long the head of the queue has waited.',
    'Start with one budget: admit while view.oldestQueuedWaitMs < 50, else return { admit: false, retryAfterMs: 1000 }. That alone keeps goodput at capacity and every success fast. A budget near zero refuses the short queues of ordinary bursts at half load; one near the 1 s timeout lets requests wait until their callers have gone. A Retry-After is in milliseconds: 1 means come back in 1 ms, and a refused caller who honours it is refused again at once.',
    "Priorities: give each its own budget, smaller for the less important, each at least twice the one below (for example sheddable 20 ms, normal 50 ms, high 100 ms). Critical requests (health checks) get no budget at all: always admit them. Then judge the wait a new request would face, not the head's: everything behind the head arrived while it waited, so on a node 4x slower the newest waits about four times longer than the head has. Little's law: (view.queueLength + 1) x service time / view.workers, the service time being view.recentLatencyMs - view.recentQueueWaitMs; keep the head's wait as a floor for the second after a slowdown, when those trailing means still show the old service time.",
    "Also valid: a concurrency limit that adapts (AIMD, as in Netflix's concurrency-limits): admit while inFlight + queueLength < limit x share(priority), shares at least twice apart (sheddable 25%, normal 50%, high 100%); every 50 ms cut the limit by a tenth if requests queued longer than a target, else add one if sheddable's share was reached. A limit that never changes is a fixed rate in disguise: the check that changes the capacity catches it. Whatever you remember, keep it in the closure createAdmission returns: one per node.",
  ],
  checks: [
    {
      name: 'goodput under overload',
      target: `>= ${GOODPUT_SHARE * 100}% of ${CAPACITY}/s at ${span}`,
      value: GOODPUT_SHARE,
      run: goodputCheck,
      starterFails: /at 1\.5x capacity goodput was \d+\/s, want >= 900\/s .* waited in its queue until their callers had given up/,
    },
    {
      name: 'p99 latency',
      target: `successes' p99 <= ${LATENCY_OBJECTIVE_MS} ms at every load (timeout ${TIMEOUT_MS} ms)`,
      value: LATENCY_OBJECTIVE_MS,
      run: latencyCheck,
      starterFails: /at 1\.5x capacity the p99 of successful requests was \d+ ms, want <= 500 ms/,
    },
    {
      name: 'no false sheds',
      target: `0 refused at ${LEVELS[0]}x; past capacity >= ${EXCESS_SHED * 100}% of the excess refused`,
      run: falseShedCheck,
      starterFails: /at 1\.5x capacity the node refused 0 of [\d,]+ requests in the steady part, want >= [\d,]+/,
    },
    {
      name: 'fast 503 with Retry-After',
      target: '0 timeouts, 0 work for gone callers, every 503 with Retry-After',
      run: fastRejectCheck,
      starterFails: /at 1\.5x capacity [\d,]+ requests waited in the queue until their callers gave up/,
    },
    {
      name: 'Retry-After works',
      target: `>= ${SERVED_ON_RETRY * 100}% refused in a ${BURST.load}x burst served on a retry that honours it`,
      value: SERVED_ON_RETRY,
      run: retryAfterCheck,
      starterFails: /in a 1 s burst at 1\.5x capacity the node refused 0 requests, want >= [\d,]+/,
    },
    { name: 'critical never shed', target: `every critical request served, ${LEVELS[0]}x-${LEVELS[LEVELS.length - 1]}x and under the faults`, run: criticalCheck, starterFails: /\d+ timed out in the queue behind other work/ },
    {
      name: 'shed by priority',
      target: `at ${PRIORITY_LEVEL}x normal >= ${NORMAL_SERVED * 100}%; sheddable <= normal <= high; high >= ${HIGH_SERVED * 100}% 2x-4x slower`,
      value: NORMAL_SERVED,
      run: priorityCheck,
      starterFails: /at 1\.5x capacity normal requests were served \d+% .* shed by priority, sheddable first/,
    },
    {
      name: 'capacity changes',
      target: `back to ${GOODPUT_SHARE * 100}% of the new capacity within ${RECOVERY_BOUND_MS / 1000} s, and of the full one after; 2x-10x slower`,
      value: RECOVERY_BOUND_MS,
      run: capacityCheck,
      starterFails: /requests twice as slow \(3-7 s, 500\/s\): goodput never got back to 450\/s/,
    },
    {
      name: 'state per node',
      target: 'a node beside an overloaded one, or made after one, refuses nothing at half load',
      run: isolationCheck,
      starterFails: /the overloaded one refused 0 requests, want >= [\d,]+/,
    },
  ],
  headline,
  demo,
});
