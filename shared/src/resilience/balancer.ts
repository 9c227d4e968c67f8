/**
 * A load balancer over N service nodes: it routes each attempt, counts what is outstanding per
 * node, health-checks every node on the clock, ejects nodes that fail checks and re-admits
 * them when they pass again. Which node to route to and when to eject are a `BalancerPolicy`
 * (module 11 replaces it); the clock work (when checks go out, their timeouts) stays here.
 */
import type { Scheduler } from '../load.js';
import type { Rng } from '../rng.js';
import type { ReplySink, Service } from './service.js';

export type { ReplySink };
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

interface Backend {
  id: string;
  index: number;
  healthy: boolean;
  outstanding: number;
  consecutiveFailures: number;
  consecutiveSuccesses: number;
}

export interface BalancerEvent {
  /** Clock time, relative to the run's start. */
  t: number;
  node: string;
  event: 'ejected' | 'readmitted';
}


export interface BalancerDeps {
  scheduler: Scheduler;
  rng: Rng;
  policy: BalancerPolicy;
  /** Run start: event times are relative to it. */
  t0: number;
  /** Id of each health-check request. */
  nextId: () => number;
  /** Gets an exception thrown by the policy; the attempt is answered 'failed'. */
  onError: (error: unknown) => void;
}

export class Balancer {
  readonly backends: readonly Backend[];
  readonly events: BalancerEvent[] = [];
  healthChecksSent = 0;
  healthChecksFailed = 0;

  constructor(
    readonly nodes: readonly Service[],
    readonly options: BalancerOptions,
    private readonly deps: BalancerDeps,
  ) {
    this.backends = nodes.map((n, index) => ({ id: n.id, index, healthy: true, outstanding: 0, consecutiveFailures: 0, consecutiveSuccesses: 0 }));
  }

  get healthy(): number {
    let n = 0;
    for (const b of this.backends) if (b.healthy) n++;
    return n;
  }

  /** Routes one attempt. Returns the backend it went to (-1: none); pass it to `settled` when the attempt ends. */
  dispatch(req: Request, sink: ReplySink): number {
    const { scheduler, rng, policy } = this.deps;
    let picked: BackendView | undefined;
    try {
      picked = policy.route(this.backends, { now: scheduler.now(), rng, request: req });
    } catch (error) {
      this.deps.onError(error);
      scheduler.schedule(0, () => sink.onReply('failed', undefined, -1));
      return -1;
    }
    const backend = picked === undefined ? undefined : this.backends[picked.index];
    if (backend === undefined) {
      // No node: a 503 from the balancer itself, answered on the next step.
      scheduler.schedule(0, () => sink.onReply('rejected', undefined, -1));
      return -1;
    }
    backend.outstanding++;
    this.nodes[backend.index]!.submit(req, sink);
    return backend.index;
  }

  /** The attempt sent to `backend` has its answer (or its caller gave up). */
  settled(backend: number): void {
    if (backend >= 0) this.backends[backend]!.outstanding--;
  }

  /** Health-checks every node every interval until `until` (absolute clock time). */
  startHealthChecks(until: number): void {
    const hc = this.options.healthCheck;
    if (hc === undefined) return;
    const { scheduler } = this.deps;
    const round = (): void => {
      if (scheduler.now() >= until) return;
      for (const b of this.backends) this.check(b, hc);
      scheduler.schedule(hc.intervalMs, round);
    };
    scheduler.schedule(hc.intervalMs, round);
  }

  private check(b: Backend, hc: HealthCheckOptions): void {
    const { scheduler } = this.deps;
    const now = scheduler.now();
    let done = false;
    const result = (ok: boolean): void => {
      if (done) return;
      done = true;
      this.record(b, ok);
    };
    // The timer goes first, so an answer at exactly the timeout is too late (as for clients).
    scheduler.schedule(hc.timeoutMs, () => result(false));
    this.healthChecksSent++;
    const req: Request = { id: this.deps.nextId(), originalId: -1, attempt: 0, priority: 'critical', deadline: now + hc.timeoutMs, kind: 'health', sentAt: now };
    this.nodes[b.index]!.checkHealth(req, result);
  }

  private record(b: Backend, ok: boolean): void {
    const { scheduler, policy } = this.deps;
    if (ok) {
      b.consecutiveSuccesses++;
      b.consecutiveFailures = 0;
    } else {
      this.healthChecksFailed++;
      b.consecutiveFailures++;
      b.consecutiveSuccesses = 0;
    }
    let healthy = b.healthy;
    try {
      healthy = policy.onHealthCheck(b, ok, scheduler.now()) !== false;
    } catch (error) {
      this.deps.onError(error);
    }
    if (healthy === b.healthy) return;
    b.healthy = healthy;
    this.events.push({ t: scheduler.now() - this.deps.t0, node: b.id, event: healthy ? 'readmitted' : 'ejected' });
  }
}
