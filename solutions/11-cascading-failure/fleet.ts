/**
 * Module 11: stop one dead node from taking the whole fleet down with it.
 *
 * Goal: five nodes behind a load balancer run at 84% of the fleet's capacity. One node dies, the
 * other four are pushed past 100%, and the balancer must not eject them for being busy. You
 * write the balancer's policy (which node takes a request; when a health check ejects a node or
 * takes it back) and choose two settings of every node (where its health check is answered,
 * and whether it sheds load).
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
  // A check answered apart from the work says "the process is alive", which is all the balancer
  // should act on; shedding keeps the survivors' queues short enough to serve within a timeout.
  return { healthCheck: 'out-of-band', shedding: true };
}

export function createBalancer(options: BalancerOptions): BalancerPolicy {
  // Envoy ejects at least one host whatever the percentage: the dead one must always be able to go.
  const maxEjected = Math.max(1, Math.floor((options.nodes * options.maxEjectionPct) / 100));
  const ejected = new Set<string>();
  let next = 0;
  const candidates: Backend[] = [];
  return {
    route(backends) {
      candidates.length = 0;
      for (const b of backends) if (b.healthy) candidates.push(b);
      // Too few left to trust the health checks: the few would drown under everyone's load, so
      // spread it over every node and let the ones that can serve, serve.
      if ((candidates.length * 100) / backends.length < options.panicThresholdPct) {
        candidates.length = 0;
        candidates.push(...backends);
      }
      if (candidates.length === 0) return undefined;
      return candidates[next++ % candidates.length];
    },
    onHealthCheck(backend, ok) {
      if (backend.healthy) {
        if (backend.consecutiveFailures < options.unhealthyThreshold) return true;
        // Over the cap a failing node stays in: more ejections would push its load onto the rest.
        if (ejected.size >= maxEjected) return true;
        ejected.add(backend.id);
        return false;
      }
      if (backend.consecutiveSuccesses < options.healthyThreshold) return false;
      ejected.delete(backend.id);
      return true;
    },
  };
}
