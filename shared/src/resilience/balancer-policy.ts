/**
 * The replaceable part of a load balancer (module 11): which node takes an attempt, and when a
 * node is ejected or re-admitted after a health check. `createBalancerPolicy` is the default:
 * round robin, random or least outstanding over healthy nodes, threshold ejection, and Envoy's
 * panic threshold.
 */
import type { Rng } from '../rng.js';
import type { Request } from './types.js';

export type Routing = 'round-robin' | 'random' | 'least-outstanding';

export interface HealthCheckOptions {
  intervalMs: number;
  /** A check not answered within this many ms counts as failed. */
  timeoutMs: number;
  /** Consecutive failed checks that eject a healthy node. */
  unhealthyThreshold: number;
  /** Consecutive passed checks that re-admit an ejected node. */
  healthyThreshold: number;
}

export interface BalancerOptions {
  /** Default round-robin. */
  routing?: Routing;
  /** No health checks (every node stays healthy) when absent. */
  healthCheck?: HealthCheckOptions;
  /**
   * Envoy's panic threshold: when fewer than this percentage of nodes are healthy, route to
   * every node, healthy or not. 0 (the default here) turns it off.
   */
  panicThresholdPct?: number;
}

/** One node as the balancer's policy sees it; the harness writes every field. */
export interface BackendView {
  readonly id: string;
  readonly index: number;
  /** What the policy's onHealthCheck last answered (true at the start). */
  readonly healthy: boolean;
  /** Attempts routed here and not yet answered or timed out. */
  readonly outstanding: number;
  readonly consecutiveFailures: number;
  readonly consecutiveSuccesses: number;
}

export interface RouteContext {
  readonly now: number;
  readonly rng: Rng;
  readonly request: Request;
}

/** The replaceable part of a balancer: routing, ejection and re-admission. */
export interface BalancerPolicy {
  /** The node for one attempt, or undefined for none (the attempt is rejected at once: 503). */
  route(backends: readonly BackendView[], ctx: RouteContext): BackendView | undefined;
  /**
   * Called after each health check, with the backend's counters already updated; returns
   * whether the node is healthy now (false ejects it, true re-admits it).
   */
  onHealthCheck(backend: BackendView, ok: boolean, now: number): boolean;
}

/** The default policy: the routing of `options`, threshold ejection, optional panic mode. */
export function createBalancerPolicy(options: BalancerOptions = {}): BalancerPolicy {
  const routing = options.routing ?? 'round-robin';
  const panic = options.panicThresholdPct ?? 0;
  const hc = options.healthCheck;
  let next = 0;
  const candidates: BackendView[] = [];
  return {
    route(backends, ctx) {
      candidates.length = 0;
      for (const b of backends) if (b.healthy) candidates.push(b);
      if (panic > 0 && (candidates.length * 100) / backends.length < panic) {
        candidates.length = 0;
        candidates.push(...backends);
      }
      const n = candidates.length;
      if (n === 0) return undefined;
      if (routing === 'random') return candidates[ctx.rng.int(0, n - 1)];
      const start = next++ % n;
      if (routing === 'round-robin') return candidates[start];
      // Least outstanding; ties go to the first one after the round-robin position, so equal
      // nodes share the load instead of the first one taking it all.
      let best = candidates[start]!;
      for (let k = 1; k < n; k++) {
        const b = candidates[(start + k) % n]!;
        if (b.outstanding < best.outstanding) best = b;
      }
      return best;
    },
    onHealthCheck(backend) {
      if (hc === undefined) return true;
      if (backend.healthy) return backend.consecutiveFailures < hc.unhealthyThreshold;
      return backend.consecutiveSuccesses >= hc.healthyThreshold;
    },
  };
}

