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
