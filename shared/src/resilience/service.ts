/**
 * A service node: N workers behind a bounded queue, with an admission hook in front of the
 * queue, a seeded service-time distribution, optional thrashing past capacity, a health-check
 * endpoint, and a condition that faults change at runtime (down, slow, fewer workers).
 * Callback-driven like the load generator: a node serving 10,000 requests a second allocates
 * one small record per request and no promise.
 */
import { CapacityQueue } from '../capacity-queue.js';
import type { Scheduler } from '../load.js';
import type { Rng } from '../rng.js';
import {
  serviceTimeSampler,
  type DownMode,
  type NodeCondition,
  type ReplySink,
  type ServiceOptions,
  type ServiceSeries,
  type ServiceStats,
} from './service-options.js';
import type { AdmissionHook, NodeView, Request } from './types.js';
import { WindowMean } from './window-mean.js';

export { serviceTimeSampler, type DownMode, type NodeCondition, type ReplySink, type ServiceOptions, type ServiceSeries, type ServiceStats };
export type { ServiceTime } from './service-options.js';

interface Job {
  readonly req: Request;
  readonly sink: ReplySink;
  readonly enqueuedAt: number;
  /** Set when the node went down with this job on it: its worker's finish answers nobody. */
  lost: boolean;
  serviceMs: number;
}

export interface ServiceDeps {
  scheduler: Scheduler;
  rng: Rng;
  admission?: AdmissionHook;
  /** Gets an exception thrown by the admission hook; the request is answered 'failed'. */
  onError?: (error: unknown) => void;
  series?: ServiceSeries;
}

export class Service {
  readonly stats: ServiceStats = {
    received: 0,
    completed: 0,
    rejectedByAdmission: 0,
    rejectedQueueFull: 0,
    failedDown: 0,
    lostInCrash: 0,
    droppedExpired: 0,
    wasted: 0,
    wastedMs: 0,
    healthChecks: 0,
  };
  readonly view: NodeView;
  private readonly queue: CapacityQueue<Job>;
  /** Jobs on a worker right now, so a crash can mark them lost. */
  private readonly working = new Set<Job>();
  private condition: NodeCondition = { down: false, slowFactor: 1, capacityFactor: 1 };
  private readonly waits: WindowMean;
  private readonly latencies: WindowMean;
  private readonly sample: () => number;

  constructor(
    readonly id: string,
    /** Position in the run's node list; every reply carries it. */
    readonly index: number,
    readonly options: ServiceOptions,
    private readonly deps: ServiceDeps,
  ) {
    const { scheduler } = deps;
    this.queue = new CapacityQueue<Job>({
      capacity: options.workers,
      maxQueue: options.maxQueue,
      discipline: options.discipline,
      start: (job) => this.start(job),
    });
    this.waits = new WindowMean(options.windowMs ?? 1000);
    this.latencies = new WindowMean(options.windowMs ?? 1000);
    this.sample = serviceTimeSampler(options.serviceTime, deps.rng);
    const queue = this.queue;
    const waits = this.waits;
    const latencies = this.latencies;
    // Getters over live state: a hook reads current figures, and cannot write them.
    this.view = Object.freeze({
      id,
      get now() {
        return scheduler.now();
      },
      get workers() {
        return queue.capacity;
      },
      get inFlight() {
        return queue.inService;
      },
      get queueLength() {
        return queue.queued;
      },
      maxQueue: options.maxQueue ?? Infinity,
      get oldestQueuedWaitMs() {
        const oldest = queue.oldest();
        return oldest === undefined ? 0 : scheduler.now() - oldest.enqueuedAt;
      },
      get recentQueueWaitMs() {
        return waits.mean(scheduler.now());
      },
      get recentLatencyMs() {
        return latencies.mean(scheduler.now());
      },
      windowMs: options.windowMs ?? 1000,
    });
  }

  /** The per-bin series this node writes, if the runner gave it some. */
  get series(): ServiceSeries | undefined {
    return this.deps.series;
  }

  get peakQueued(): number {
    return this.queue.peakQueued;
  }

  /** Hands a request to the node; `reply` is called at most once (never, if the node is down silently). */
  submit(req: Request, sink: ReplySink): void {
    const { scheduler } = this.deps;
    this.stats.received++;
    if (this.condition.down) return this.answerDown(sink);
    const hook = this.deps.admission;
    if (hook !== undefined) {
      let verdict;
      try {
        verdict = hook(req, this.view);
      } catch (error) {
        this.deps.onError?.(error);
        scheduler.schedule(0, () => sink.onReply('failed', undefined, this.index));
        return;
      }
      if (!verdict.admit) {
        this.stats.rejectedByAdmission++;
        this.deps.series?.rejected.add(scheduler.now());
        // Answered on the next step, never synchronously: a policy that retries a rejection at
        // once must let the clock step, so a retry storm at one instant is caught as STUCK.
        scheduler.schedule(0, () => sink.onReply('rejected', verdict.retryAfterMs, this.index));
        return;
      }
    }
    const job: Job = { req, sink, enqueuedAt: scheduler.now(), lost: false, serviceMs: 0 };
    if (this.queue.offer(job) === 'full') {
      this.stats.rejectedQueueFull++;
      this.deps.series?.rejected.add(scheduler.now());
      scheduler.schedule(0, () => sink.onReply('rejected', this.options.queueFullRetryAfterMs, this.index));
    }
  }

  /**
   * A health check: true when the node answers it before `req.deadline`'s owner stops caring
   * (the caller enforces its own timeout). Queued or out of band, per `options.healthCheck`.
   */
  checkHealth(req: Request, reply: (ok: boolean) => void): void {
    this.stats.healthChecks++;
    const sink: ReplySink = { onReply: (status) => reply(status === 'ok') };
    if (this.condition.down) return this.answerDown(sink);
    if (this.options.healthCheck === 'queued') return this.submit(req, sink);
    this.deps.scheduler.schedule(this.options.healthCheckMs ?? 1, () => {
      if (this.condition.down === false) reply(true);
      else if (this.condition.down === 'fail-fast') reply(false);
    });
  }

  /** Applies what the active faults make of this node. Going down loses every queued and running request. */
  setCondition(next: NodeCondition): void {
    const wasDown = this.condition.down;
    this.condition = next;
    this.queue.capacity = Math.max(0, Math.round(this.options.workers * next.capacityFactor));
    if (next.down && !wasDown) this.crash(next.down);
  }

  private answerDown(sink: ReplySink): void {
    this.stats.failedDown++;
    if (this.condition.down === 'fail-fast') this.deps.scheduler.schedule(0, () => sink.onReply('failed', undefined, this.index));
  }

  private crash(mode: DownMode): void {
    const lost = [...this.queue.drain(), ...this.working];
    // Workers keep their slots until their current work would have ended (see finish): a
    // restarted node does not get its workers back sooner than the old work took.
    for (const job of lost) {
      job.lost = true;
      this.stats.lostInCrash++;
      if (mode === 'fail-fast') job.sink.onReply('failed', undefined, this.index);
    }
  }

  private start(job: Job): boolean {
    const { scheduler } = this.deps;
    const now = scheduler.now();
    if (job.lost) return false;
    if (this.options.dropExpired && now >= job.req.deadline) {
      this.stats.droppedExpired++;
      return false;
    }
    this.waits.add(now, now - job.enqueuedAt);
    let ms = job.req.kind === 'health' ? (this.options.healthCheckMs ?? 1) : this.sample() * this.condition.slowFactor;
    const d = this.options.degradation;
    if (d !== undefined && job.req.kind === 'work') {
      const held = this.queue.inService + this.queue.queued;
      const excess = Math.max(0, held / Math.max(1, this.queue.capacity) - (d.from ?? 2));
      ms *= Math.min(d.maxFactor ?? 10, 1 + d.slope * excess);
    }
    job.serviceMs = ms;
    this.working.add(job);
    scheduler.schedule(ms, () => this.finish(job));
    return true;
  }

  private finish(job: Job): void {
    const { scheduler, series } = this.deps;
    this.working.delete(job);
    this.queue.release();
    if (job.lost) return;
    const now = scheduler.now();
    this.latencies.add(now, now - job.enqueuedAt);
    if (job.req.kind === 'work') {
      this.stats.completed++;
      series?.completed.add(now);
      // The caller's timer for this deadline fired first (it was scheduled before the work
      // was), so finishing exactly at the deadline is already too late.
      if (now >= job.req.deadline) {
        this.stats.wasted++;
        this.stats.wastedMs += job.serviceMs;
        series?.wasted.add(now);
      }
    }
    job.sink.onReply('ok', undefined, this.index);
  }
}

export function createService(id: string, options: ServiceOptions, deps: ServiceDeps, index = 0): Service {
  return new Service(id, index, options, deps);
}
