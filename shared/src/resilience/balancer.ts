/**
 * A load balancer over N service nodes: it routes each attempt, counts what is outstanding per
 * node, health-checks every node on the clock, ejects nodes that fail checks and re-admits
 * them when they pass again. Which node to route to and when to eject are a `BalancerPolicy`
 * (module 11 replaces it); the clock work (when checks go out, their timeouts) stays here.
 */
import type { Scheduler } from '../load.js';
import type { Rng } from '../rng.js';
import type { BackendView, BalancerOptions, BalancerPolicy, HealthCheckOptions } from './balancer-policy.js';
import type { ReplySink, Service } from './service.js';
import type { Request } from './types.js';

export { createBalancerPolicy, type BackendView, type BalancerOptions, type BalancerPolicy, type HealthCheckOptions, type RouteContext, type Routing } from './balancer-policy.js';
export type { ReplySink };

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
