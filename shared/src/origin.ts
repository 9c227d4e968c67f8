/**
 * The slow origin (the database every module protects). Each query takes a base latency plus
 * seeded jitter; at most `capacity` are served at once and the rest queue in arrival order, so
 * latency grows with load the way a saturated database's does. Failures are injected on demand.
 * Every query is logged: it is the figure every module is graded on.
 */
import { CapacityQueue } from './capacity-queue.js';
import type { Clock } from './clock.js';
import { HerdError } from './errors.js';
import type { Rng } from './rng.js';

/** What the origin returns for a key. `version` counts queries for that key, in arrival order. */
export interface OriginValue {
  readonly key: string;
  readonly version: number;
  /** Clock time the query completed. */
  readonly builtAt: number;
  /** Instance whose query built it. */
  readonly by: string;
}

/** The origin as one app instance sees it. Absent keys resolve to null. */
export interface Origin {
  fetch(key: string): Promise<OriginValue | null>;
}

export interface OriginOptions {
  /** Base service time of one query, ms. */
  latencyMs: number;
  /** Extra service time, a seeded uniform integer in [0, jitterMs]. */
  jitterMs?: number;
  /** Queries served at once; the rest wait in a FIFO queue. Default: unlimited. */
  capacity?: number;
  /** Queries allowed to wait; beyond this a query fails at once with ORIGIN_OVERLOADED. */
  maxQueue?: number;
  /** A query not answered within this many ms (queue plus service) fails with ORIGIN_TIMEOUT. */
  timeoutMs?: number;
  /** Probability that a query fails with ORIGIN_ERROR at the end of its service time. */
  errorRate?: number;
  /**
   * Keys that do not exist: their queries cost the same but resolve to null. `atMs` is when the
   * query is answered, ms from the run's start, so a key can come into existence mid-run;
   * without it, the question is about the end of the run.
   */
  absent?: (key: string, atMs?: number) => boolean;
}

export type QueryOutcome = 'ok' | 'absent' | 'error' | 'timeout' | 'overloaded';

export interface QueryRecord {
  /** Arrival time. */
  readonly t: number;
  readonly key: string;
  readonly instance: string;
  /** Arrival to answer (or to failure), ms; -1 while still running. */
  durationMs: number;
  /** Time spent waiting for a free slot, ms. */
  queuedMs: number;
  outcome: QueryOutcome | 'running';
}

export class SlowOrigin {
  readonly log: QueryRecord[] = [];
  /**
   * The database's slots and the FIFO in front of them. A queued job returns false when its
   * caller already has an answer (it timed out while queued), so the slot goes to the next one.
   */
  private readonly slots: CapacityQueue<() => boolean>;
  private readonly versions = new Map<string, number>();
  private forcedFailures = 0;
  private down = false;
  /** Multiplies every query's service time from the moment it is set (a fault: the database got slower). */
  private slowdown = 1;

  constructor(
    private readonly clock: Clock,
    private readonly rng: Rng,
    private readonly options: OriginOptions,
    /** The run's start on `clock`: `absent` is asked about times relative to it. */
    private readonly t0 = 0,
  ) {
    this.slots = new CapacityQueue<() => boolean>({ capacity: options.capacity, maxQueue: options.maxQueue, start: (job) => job() });
  }

  /** Highest number of queries in service at once; written as queries start. */
  get peakInService(): number {
    return this.slots.peakInService;
  }

  /** Highest queue length seen. */
  get peakQueued(): number {
    return this.slots.peakQueued;
  }

  /** The origin as instance `id` sees it; its queries are logged under that id. */
  forInstance(id: string): Origin {
    return { fetch: (key) => this.query(key, id) };
  }

  /** Fails the next `n` queries with ORIGIN_ERROR. */
  failNext(n: number): void {
    this.forcedFailures += n;
  }

  /** While down, every query fails with ORIGIN_ERROR after its service time. */
  /** Service time x `factor` for queries that start from now on (1 restores the normal latency). */
  setSlowdown(factor: number): void {
    this.slowdown = factor > 0 ? factor : 1;
  }

  setDown(down: boolean): void {
    this.down = down;
  }

  get queries(): number {
    return this.log.length;
  }

  private query(key: string, instance: string): Promise<OriginValue | null> {
    const { clock, options } = this;
    const record: QueryRecord = { t: clock.now(), key, instance, durationMs: -1, queuedMs: 0, outcome: 'running' };
    this.log.push(record);
    const version = (this.versions.get(key) ?? 0) + 1;
    this.versions.set(key, version);

    return new Promise<OriginValue | null>((resolve, reject) => {
      // True once the caller has its answer; a timed-out query still holds its slot until the
      // database finishes with it, like a real one.
      let answered = false;
      const finish = (outcome: QueryOutcome, error?: HerdError, value?: OriginValue | null): void => {
        if (answered) return;
        answered = true;
        record.outcome = outcome;
        record.durationMs = clock.now() - record.t;
        if (error) reject(error);
        else resolve(value ?? null);
      };

      // Runs when the query gets a slot (the slot is already counted as taken).
      const serve = (): boolean => {
        if (answered) return false;
        record.queuedMs = clock.now() - record.t;
        const jitter = options.jitterMs ? this.rng.int(0, options.jitterMs) : 0;
        const fail = this.down || this.takeForcedFailure() || (options.errorRate ? this.rng.chance(options.errorRate) : false);
        void clock.sleep((options.latencyMs + jitter) * this.slowdown).then(() => {
          this.slots.release();
          if (fail) {
            finish('error', new HerdError('ORIGIN_ERROR', `origin query for "${key}" failed`, { key, instance }));
          } else if (options.absent?.(key, clock.now() - this.t0)) {
            finish('absent', undefined, null);
          } else {
            finish('ok', undefined, { key, version, builtAt: clock.now(), by: instance });
          }
        });
        return true;
      };

      if (this.slots.offer(serve) === 'full') {
        finish('overloaded', new HerdError('ORIGIN_OVERLOADED', `origin queue is full; query for "${key}" refused`, { key, instance }));
        return;
      }

      if (options.timeoutMs !== undefined) {
        void clock.sleep(options.timeoutMs).then(() =>
          finish('timeout', new HerdError('ORIGIN_TIMEOUT', `origin query for "${key}" timed out after ${options.timeoutMs} ms`, { key, instance })),
        );
      }
    });
  }

  private takeForcedFailure(): boolean {
    if (this.forcedFailures <= 0) return false;
    this.forcedFailures--;
    return true;
  }
}

export function createOrigin(clock: Clock, rng: Rng, options: OriginOptions): SlowOrigin {
  return new SlowOrigin(clock, rng, options);
}
