/** Module 10, load shedding: a node past capacity refuses, fast and by priority, what it cannot serve in time. */
import { defineModule } from '../../src/define.js';
import { EXCESS_SHED, capacityCheck, criticalCheck, falseShedCheck, fastRejectCheck, goodputCheck, latencyCheck, priorityCheck } from './checks.js';
import { demo } from './demo.js';
import { headline } from './headline.js';
import { CAPACITY, GOODPUT_SHARE, LATENCY_OBJECTIVE_MS, LEVELS, NORMAL_SERVED, PRIORITY_LEVEL, RECOVERY_BOUND_MS, TIMEOUT_MS } from './scenarios.js';

const span = `${LEVELS[1]}x-${LEVELS[LEVELS.length - 1]}x`;

export default defineModule({
  id: '10-load-shedding',
  title: 'load shedding',
  summary: 'overload at one node: priorities, 503 with Retry-After',
  files: { 'admission.ts': ['createAdmission'] },
  hints: [
    'The node calls your hook for every request before it joins the queue, and a refusal there costs nothing: no worker, no wait. So the question per request is only "would this one be served in time?". view.oldestQueuedWaitMs answers it in time units: how long the request at the head of the queue has waited. Unlike a rate, a wait needs no knowledge of the capacity, so it stays right when the capacity changes.',
    'Start with one budget: admit while view.oldestQueuedWaitMs < 50, else return { admit: false, retryAfterMs: 1000 }. That alone keeps goodput at capacity and every success fast. A budget near zero refuses the short queues of ordinary bursts at half load; one near the 1 s timeout lets requests wait until their callers have gone.',
    "Priorities: give each its own budget, smaller for the less important (for example sheddable 20 ms, normal 50 ms, high 100 ms). Under overload the wait settles near the budget of the least important class still admitted, so every class below it is refused first. Critical requests (health checks) get no budget at all: always admit them. A node that fails its health checks is taken out of service, which is the one thing worse than being overloaded.",
    'Also valid: a concurrency limit that adapts (AIMD, as in Netflix\'s concurrency-limits): admit while inFlight + queueLength < limit x share(priority); every 50 ms cut the limit by a tenth if requests queued longer than a target, else add one if the limit was reached. A limit that never changes is a fixed rate in disguise: the check that halves the capacity catches it.',
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
    { name: 'critical never shed', target: `every critical request served, ${LEVELS[0]}x-${LEVELS[LEVELS.length - 1]}x and under the fault`, run: criticalCheck, starterFails: /\d+ timed out in the queue behind other work/ },
    {
      name: 'sheddable before normal',
      target: `at ${PRIORITY_LEVEL}x normal served >= ${NORMAL_SERVED * 100}%; sheddable <= normal <= high`,
      value: NORMAL_SERVED,
      run: priorityCheck,
      starterFails: /at 1\.5x capacity normal requests were served \d+% .* shed by priority, sheddable first/,
    },
    {
      name: 'capacity halves',
      target: `back to ${GOODPUT_SHARE * 100}% of the new capacity within ${RECOVERY_BOUND_MS / 1000} s, and of the full one after`,
      value: RECOVERY_BOUND_MS,
      run: capacityCheck,
      starterFails: /requests twice as slow \(3-7 s, 500\/s\): goodput never got back to 450\/s/,
    },
  ],
  headline,
  demo,
});
