/**
 * Module 10's settings and scenarios, shared by the checks, the headline table and the demo, so
 * a table can never describe a different run from the one a check measured. One node of 10
 * workers (about 1000 requests/s), open-loop Poisson arrivals at a fixed multiple of that, every
 * caller giving up after one second, and a trickle of critical traffic (health checks) beside it.
 */
import type { FaultSpec, Priority, ResilienceSpec } from '@herd/harness/engine';

export const NODE = { id: 'api', workers: 10, meanServiceMs: 10 } as const;
/** Requests per second the node can finish: workers over mean service time. */
export const CAPACITY = (NODE.workers * 1000) / NODE.meanServiceMs;
/** Every caller gives up on an attempt after this long: the request's deadline. */
export const TIMEOUT_MS = 1000;
/** Offered load, as multiples of CAPACITY. */
export const LEVELS = [0.5, 1, 1.5, 2, 3] as const;
/** Goodput must stay at or above this share of capacity from 1x up. */
export const GOODPUT_SHARE = 0.9;
/**
 * p99 latency of successful requests must stay under this at every load. A success can never
 * take longer than the timeout (the caller has gone by then), so the objective sits inside it:
 * an answer at 990 ms counts as a success and leaves its caller no time for anything else.
 */
export const LATENCY_OBJECTIVE_MS = TIMEOUT_MS / 2;

/** Critical traffic (health checks, control calls): its own group, never to be shed. */
export const CRITICAL_PER_SEC = 20;
/** The mix of user traffic. At 1.5x there is room for all high and normal, none for much sheddable. */
export const MIX: Readonly<Partial<Record<Priority, number>>> = { high: 1, normal: 5, sheddable: 4 };

/**
 * Each level runs this long; figures come from the steady part after the warm-up. Without
 * shedding, the queue at 1.5x holds a full timeout's wait after 2 s: from then on it serves nobody.
 */
export const LEVEL_MS = 5000;
export const STEADY = { fromMs: 2500, toMs: LEVEL_MS } as const;

/** The priority check's level: room for every high and normal request once sheddable is shed. */
export const PRIORITY_LEVEL = 1.5;
/** ... where normal must keep at least this share of its requests. */
export const NORMAL_SERVED = 0.9;

/** Critical traffic plus users at `load` x capacity, for `durationMs`. */
function clients(load: number, durationMs: number): ResilienceSpec['clients'] {
  const users = load * CAPACITY - CRITICAL_PER_SEC;
  return [
    { name: 'users', kind: 'open', arrivals: 'poisson', clients: 50, rate: [{ fromMs: 0, toMs: durationMs, ratePerSec: users }], timeoutMs: TIMEOUT_MS, priorities: MIX },
    { name: 'health checks', kind: 'open', arrivals: 'poisson', rate: [{ fromMs: 0, toMs: durationMs, ratePerSec: CRITICAL_PER_SEC }], timeoutMs: TIMEOUT_MS, priorities: { critical: 1 } },
  ];
}

const node = () => ({ id: NODE.id, workers: NODE.workers, serviceTime: { kind: 'exponential', meanMs: NODE.meanServiceMs } as const });

/** Offered load at `load` x capacity, steady for LEVEL_MS. */
export function level(load: number, seed: number): ResilienceSpec {
  return { name: `overload ${load}x`, seed, durationMs: LEVEL_MS, nodes: [node()], clients: clients(load, LEVEL_MS) };
}

/**
 * The capacity changes four times, with nothing told to anyone: first every request takes twice
 * as long (a slow dependency, a noisy neighbour), then half the workers go (a host lost), then
 * requests take three and four times as long. Offered load stays at FAULT_LOAD x the full
 * capacity throughout. Even four times slower, the node has room for every high and critical
 * request (168/s of 250/s) once normal and sheddable work is shed.
 */
export const FAULT_LOAD = 1.5;
export const FAULT_RUN_MS = 33_000;
export const FAULTS: readonly FaultSpec[] = [
  { fromMs: 3000, toMs: 7000, target: NODE.id, kind: 'slow', factor: 2, label: 'requests twice as slow' },
  { fromMs: 10_000, toMs: 14_000, target: NODE.id, kind: 'capacity', factor: 0.5, label: 'half the workers gone' },
  { fromMs: 17_000, toMs: 21_000, target: NODE.id, kind: 'slow', factor: 3, label: 'requests 3x as slow' },
  { fromMs: 24_000, toMs: 30_000, target: NODE.id, kind: 'slow', factor: 4, label: 'requests 4x as slow' },
];
/** Goodput back within GOODPUT_SHARE of the new capacity, and of the full one after, within this. */
export const RECOVERY_BOUND_MS = 2000;
/** Goodput is judged over sliding windows this long (single 100 ms bins are Poisson-noisy). */
export const RECOVERY_WINDOW_MS = 1000;
/** Per-priority shares under a fault are taken from this long after it starts (the signal has settled). */
export const SETTLE_MS = 1000;
/**
 * Under every capacity fault high must keep at least this share: the node has room for all of it
 * (a correct ladder serves 95-100%; shares or budgets too close, or the head's wait, 90% or less).
 */
export const HIGH_SERVED = 0.93;

export function capacityFault(seed: number): ResilienceSpec {
  return { name: `capacity changes at ${FAULT_LOAD}x`, seed, durationMs: FAULT_RUN_MS, nodes: [node()], clients: clients(FAULT_LOAD, FAULT_RUN_MS), faults: FAULTS };
}

/**
 * A tenfold slowdown: one queued request is now worth 10 ms of wait, not 1, so any signal that
 * counts requests instead of measuring time lets admitted callers wait out their timeout. At
 * 100/s a second holds too few requests to judge goodput within 10%, so this window is judged by
 * the admitted requests that timed out.
 */
export const HEAVY_RUN_MS = 12_000;
export const HEAVY_FAULT: FaultSpec = { fromMs: 3000, toMs: 9000, target: NODE.id, kind: 'slow', factor: 10, label: 'requests 10x as slow' };
/** At most this share of the requests admitted during a capacity fault (from SETTLE_MS into it) may time out. */
export const ADMITTED_TIMEOUTS = 0.02;

export function heavyFault(seed: number): ResilienceSpec {
  return { name: `tenfold slowdown at ${FAULT_LOAD}x`, seed, durationMs: HEAVY_RUN_MS, nodes: [node()], clients: clients(FAULT_LOAD, HEAVY_RUN_MS), faults: [HEAVY_FAULT] };
}

/**
 * Retry-After judged by its effect: a burst of BURST_LOAD x capacity for BURST_MS on a node at
 * half load, and callers that honour the hint exactly (wait as told, then retry), at most
 * HONOURING.maxAttempts attempts each, giving up HONOURING.deadlineMs after the request began.
 * A useful Retry-After sends them back once the burst is over, when the node has room.
 */
export const BURST = { fromMs: 1000, toMs: 2000, load: 1.5, baseLoad: 0.5, runMs: 8000 } as const;
export const HONOURING = { maxAttempts: 4, deadlineMs: 10_000 } as const;
/** At least this share of the requests refused on their first attempt must be served on a later one. */
export const SERVED_ON_RETRY = 0.8;

export function burst(seed: number): ResilienceSpec {
  const users = (load: number): number => load * CAPACITY - CRITICAL_PER_SEC;
  const { fromMs, toMs, runMs } = BURST;
  return {
    name: `a ${BURST.load}x burst, callers honouring Retry-After`,
    seed,
    durationMs: runMs,
    nodes: [node()],
    clients: [
      {
        name: 'users',
        kind: 'open',
        arrivals: 'poisson',
        clients: 50,
        rate: [
          { fromMs: 0, toMs: fromMs, ratePerSec: users(BURST.baseLoad) },
          { fromMs, toMs, ratePerSec: users(BURST.load) },
          { fromMs: toMs, toMs: runMs, ratePerSec: users(BURST.baseLoad) },
        ],
        timeoutMs: TIMEOUT_MS,
        deadlineMs: HONOURING.deadlineMs,
        priorities: MIX,
      },
      { name: 'health checks', kind: 'open', arrivals: 'poisson', rate: [{ fromMs: 0, toMs: runMs, ratePerSec: CRITICAL_PER_SEC }], timeoutMs: TIMEOUT_MS, priorities: { critical: 1 } },
    ],
  };
}

/**
 * State per node. Two nodes behind a round-robin balancer, each offered half its capacity, while
 * one of them loses four fifths of its workers (2.5x overloaded): the other must refuse nothing.
 * And back to back in one process: a node run at 3x, then a fresh node at half load.
 */
export const PAIR_MS = 4000;
/** Each node of the pair is offered this share of its full capacity. */
export const PAIR_LOAD = 0.5;
export const PAIR_FAULT: FaultSpec = { fromMs: 0, toMs: PAIR_MS, target: 'a', kind: 'capacity', factor: 0.2, label: 'node a loses 4 of 5 workers' };

export function pair(seed: number): ResilienceSpec {
  const { workers, meanServiceMs } = NODE;
  return {
    name: 'two nodes, one overloaded',
    seed,
    durationMs: PAIR_MS,
    nodes: ['a', 'b'].map((id) => ({ id, workers, serviceTime: { kind: 'exponential', meanMs: meanServiceMs } as const })),
    clients: clients(2 * PAIR_LOAD, PAIR_MS),
    faults: [PAIR_FAULT],
  };
}

/** The back-to-back pair: `load` x capacity on a fresh node for `durationMs` (names differ from the levels', so nothing is shared). */
export function afresh(load: number, durationMs: number, seed: number): ResilienceSpec {
  return { name: `fresh node at ${load}x`, seed, durationMs, nodes: [node()], clients: clients(load, durationMs) };
}

/** The demo's and the headline chart's timeline: load rising 0.5x to 3x, then 1.5x while the capacity halves. */
export const TIMELINE_STEPS: ReadonlyArray<{ fromMs: number; toMs: number; load: number }> = [
  { fromMs: 0, toMs: 1500, load: 0.5 },
  { fromMs: 1500, toMs: 3000, load: 1 },
  { fromMs: 3000, toMs: 4500, load: 1.5 },
  { fromMs: 4500, toMs: 6000, load: 2 },
  { fromMs: 6000, toMs: 7500, load: 3 },
  { fromMs: 7500, toMs: 15_000, load: 1.5 },
];
export const TIMELINE_FAULT: FaultSpec = { fromMs: 9500, toMs: 13_000, target: NODE.id, kind: 'slow', factor: 2, label: 'capacity halves' };

export function timeline(seed: number): ResilienceSpec {
  const end = TIMELINE_STEPS[TIMELINE_STEPS.length - 1]!.toMs;
  const users = TIMELINE_STEPS.map((s) => ({ fromMs: s.fromMs, toMs: s.toMs, ratePerSec: s.load * CAPACITY - CRITICAL_PER_SEC }));
  return {
    name: 'load rising 0.5x to 3x, then capacity halves at 1.5x',
    seed,
    durationMs: end,
    nodes: [node()],
    clients: [
      { name: 'users', kind: 'open', arrivals: 'poisson', clients: 50, rate: users, timeoutMs: TIMEOUT_MS, priorities: MIX },
      { name: 'health checks', kind: 'open', arrivals: 'poisson', rate: [{ fromMs: 0, toMs: end, ratePerSec: CRITICAL_PER_SEC }], timeoutMs: TIMEOUT_MS, priorities: { critical: 1 } },
    ],
    faults: [TIMELINE_FAULT],
  };
}
