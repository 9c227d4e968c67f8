/**
 * Module 11's scenario: five nodes at 84% of the fleet's capacity; n0 dies (silently) and comes
 * back. The numbers every check, the headline and the demo share, so a target in the table can
 * never disagree with the code that measures it.
 */
import type { ResilienceSpec } from '@herd/harness/engine';

export const FLEET = {
  nodes: 5,
  workers: 4,
  serviceMeanMs: 20,
  /** 84% of 5 x 200/s: with one node gone the other four get 105% of what they can serve. */
  ratePerSec: 840,
  clientTimeoutMs: 200,
  failedNode: 'n0',
  failFromMs: 2000,
  failToMs: 12_000,
  durationMs: 18_000,
} as const;

/** Requests per second one node serves. */
export const NODE_CAPACITY = (FLEET.workers * 1000) / FLEET.serviceMeanMs;
/** What the four survivors can serve while n0 is down. */
export const REMAINING_CAPACITY = (FLEET.nodes - 1) * NODE_CAPACITY;

export const HEALTH = { intervalMs: 1000, timeoutMs: 150, unhealthyThreshold: 2, healthyThreshold: 3 } as const;

/** Envoy's defaults: panic below 50% healthy; outlier detection ejects at most 10% (at least one host). */
export const ENVOY = { panicThresholdPct: 50, maxEjectionPct: 10 } as const;

export function cascadeSpec(seed: number, healthCheck: 'queued' | 'out-of-band'): ResilienceSpec {
  return {
    name: 'cascade',
    seed,
    durationMs: FLEET.durationMs,
    nodes: [{ workers: FLEET.workers, serviceTime: { kind: 'exponential', meanMs: FLEET.serviceMeanMs }, count: FLEET.nodes, healthCheck, downMode: 'silent' }],
    balancer: { healthCheck: { ...HEALTH } },
    clients: { kind: 'open', rate: [{ fromMs: 0, toMs: FLEET.durationMs, ratePerSec: FLEET.ratePerSec }], arrivals: 'poisson', timeoutMs: FLEET.clientTimeoutMs },
    faults: [{ fromMs: FLEET.failFromMs, toMs: FLEET.failToMs, target: FLEET.failedNode, kind: 'down', label: `${FLEET.failedNode} down` }],
  };
}

export const scenarioLabel = (seed: number): string =>
  `5 nodes x ${NODE_CAPACITY}/s at ${Math.round((100 * FLEET.ratePerSec) / (FLEET.nodes * NODE_CAPACITY))}% load, ${FLEET.failedNode} down ${FLEET.failFromMs / 1000}-${FLEET.failToMs / 1000} s, seed ${seed}`;

/** The shapes of fleet the checks run besides the cascade. */
export type Shape =
  | { kind: 'cascade' }
  /** `nodes` nodes at half load die one by one (every 2 s), then come back one by one (every 3 s): each healthy count in turn. */
  | { kind: 'staircase'; nodes: number }
  /** Short outages that each cover exactly one health check: probe outcomes ok, fail, ok mixed. */
  | { kind: 'probes' }
  /** `target` down from 1.5 s to the end of a 6 s run. */
  | { kind: 'one-dead'; target: string };

const SMALL_RATE_PER_NODE = 50;

/** One check round is sent every HEALTH.intervalMs from t=intervalMs; this outage fails the round at `roundMs` and no other. */
const missRound = (target: string, roundMs: number) => ({ fromMs: roundMs - 100, toMs: roundMs + HEALTH.timeoutMs + 50, target, kind: 'down' as const, label: `${target} misses the check at ${roundMs / 1000} s` });

/** The probe outcomes each node sees in the 'probes' shape, round by round from 2 s (f: fails, o: passes). */
export const PROBES: Readonly<Record<string, string>> = {
  n1: 'fofof', // never two failures in a row: never ejected
  n2: 'ffoofooo', // ejected at 3 s; back only after three passes in a row (9 s), not at 7 s
  n3: 'foff', // ejected at 5 s, on the second failure in a row
};

export function shapedSpec(seed: number, healthCheck: 'queued' | 'out-of-band', shape: Shape): ResilienceSpec {
  if (shape.kind === 'cascade') return cascadeSpec(seed, healthCheck);
  const node = (count: number) => [{ workers: FLEET.workers, serviceTime: { kind: 'exponential' as const, meanMs: FLEET.serviceMeanMs }, count, healthCheck, downMode: 'silent' as const }];
  const clients = (count: number, durationMs: number) => ({ kind: 'open' as const, rate: [{ fromMs: 0, toMs: durationMs, ratePerSec: SMALL_RATE_PER_NODE * count }], arrivals: 'poisson' as const, timeoutMs: FLEET.clientTimeoutMs });
  const balancer = { healthCheck: { ...HEALTH } };
  if (shape.kind === 'staircase') {
    const k = shape.nodes;
    // Down at 1.5 s, 3.5 s, ...: each is ejected 1.65 s later, so each healthy count lasts 2 s.
    const downAt = (i: number) => 1500 + 2000 * i;
    const lastDown = downAt(k - 1);
    // Back in reverse order, 3 s apart: each is taken back after three passes, before the next returns.
    const upAt = (i: number) => lastDown + 3000 + 3000 * (k - 1 - i);
    const durationMs = upAt(0) + 4000;
    const faults = Array.from({ length: k }, (_, i) => ({ fromMs: downAt(i), toMs: upAt(i), target: `n${i}`, kind: 'down' as const, label: `n${i} down` }));
    return { name: `staircase-${k}`, seed, durationMs, nodes: node(k), balancer, clients: clients(k, durationMs), faults };
  }
  if (shape.kind === 'probes') {
    const durationMs = 11_000;
    const faults = Object.entries(PROBES).flatMap(([target, pattern]) => [...pattern].flatMap((p, i) => (p === 'f' ? [missRound(target, 2000 + 1000 * i)] : [])));
    return { name: 'probes', seed, durationMs, nodes: node(FLEET.nodes), balancer, clients: clients(FLEET.nodes, durationMs), faults };
  }
  const durationMs = 6000;
  return {
    name: `${shape.target}-dead`,
    seed,
    durationMs,
    nodes: node(FLEET.nodes),
    balancer,
    clients: clients(FLEET.nodes, durationMs),
    faults: [{ fromMs: 1500, toMs: durationMs + 1000, target: shape.target, kind: 'down', label: `${shape.target} down` }],
  };
}
