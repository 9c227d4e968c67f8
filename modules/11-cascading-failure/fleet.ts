/**
 * Module 11: stop one dead node from taking the whole fleet down with it.
 *
 * Goal: five nodes behind a load balancer run at 84% of the fleet's capacity. One node dies, the
 * other four are pushed past 100%, and the balancer must not eject them for being busy. You
 * write the balancer's policy (which node takes a request; when a health check ejects a node or
 * takes it back) and choose two settings of every node (where its health check is answered,
 * and whether it sheds load).
 *
 * First reproduce the cascade: make onHealthCheck eject and take back by the thresholds (the
 * first TODO there), grade, and watch the survivors go one by one. Then fix it in layers: the
 * node settings, the panic threshold in route, the ejection cap in onHealthCheck.
 */
import type { Rng } from '@herd/harness';

/** One node as the balancer sees it; the harness keeps every field up to date. */
export interface Backend {
  readonly id: string;
  readonly index: number;
  /** What your onHealthCheck last answered for this node (true at the start). */
  readonly healthy: boolean;
  /** Requests sent here and not answered yet. */
  readonly outstanding: number;
  /** Failed health checks in a row, this one included. */
  readonly consecutiveFailures: number;
  /** Passed health checks in a row, this one included. */
  readonly consecutiveSuccesses: number;
}

export interface BalancerOptions {
  /** Nodes behind the balancer. */
  nodes: number;
  /** Failed checks in a row that eject a healthy node. */
  unhealthyThreshold: number;
  /** Passed checks in a row that take an ejected node back. */
  healthyThreshold: number;
  /** Below this percentage of healthy nodes, route to every node (Envoy's panic mode). 0: off. */
  panicThresholdPct: number;
  /** At most this percentage of nodes ejected at once, but always at least one. 100: no cap. */
  maxEjectionPct: number;
}

export interface BalancerPolicy {
  /** The node for one request, or undefined to answer it 503 at once. */
  route(backends: readonly Backend[], ctx: { now: number; rng: Rng }): Backend | undefined;
  /** After each health check of `backend`: true keeps or takes it in rotation, false ejects it. */
  onHealthCheck(backend: Backend, ok: boolean, now: number): boolean;
}

export interface NodeSettings {
  /** 'queued': the check waits in the node's queue like any request; 'out-of-band': answered apart from the work. */
  healthCheck: 'queued' | 'out-of-band';
  /** Run module 10's load shedding in front of every node's queue. */
  shedding: boolean;
}

export function nodeSettings(): NodeSettings {
  // TODO: where should a busy node answer "are you alive?": behind its own queue, or apart from
  // the work? And should it shed what it cannot serve in time?
  return { healthCheck: 'queued', shedding: false };
}

export function createBalancer(options: BalancerOptions): BalancerPolicy {
  let next = 0;
  return {
    route(backends) {
      const healthy = backends.filter((b) => b.healthy);
      // TODO: below options.panicThresholdPct healthy (in %), route to every node instead.
      if (healthy.length === 0) return undefined;
      return healthy[next++ % healthy.length];
    },
    onHealthCheck(backend, ok) {
      // TODO: eject a healthy node only after options.unhealthyThreshold failed checks in a row
      // (backend.consecutiveFailures), and never more than options.maxEjectionPct of the nodes
      // at once (at least one); take an ejected node back after options.healthyThreshold passes.
      void options;
      void backend;
      return ok;
    },
  };
}
