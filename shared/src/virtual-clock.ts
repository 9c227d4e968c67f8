/**
 * A discrete-event clock. Time moves only when every promise continuation has run and the next
 * wake-up is taken off the queue, so a run is exactly reproducible and as fast as the CPU allows.
 *
 * Wake-ups at the same instant share one bucket and fire together; every continuation they cause
 * runs before time moves again (see `run` for how that is guaranteed cheaply).
 */
import type { Clock } from './clock.js';
import { HerdError } from './errors.js';
import { foreignTicks, installGuard, realNextTick, realSetImmediate } from './guard.js';
import type { TimeBridge } from './library-time.js';
import { MinHeap } from './min-heap.js';

export interface VirtualRunOptions {
  /**
   * Virtual time after which a still-pending run is reported as STUCK (a wait that never gives
   * up keeps scheduling wake-ups, so the queue never empties on its own).
   */
  deadline?: number;
  /** Names the oldest learner call still pending, for the HANG and STUCK messages. */
  describePending?: () => string | undefined;
}


/** Steps between real event-loop turns, so I/O and real timers of the host still get a turn. */
const STEPS_PER_TURN = 1024;
/**
 * Steps in a row at one instant after which the run is STUCK: something keeps scheduling zero
 * delays (a retry loop with sleep(0), a negative delay), so virtual time can never reach the
 * deadline and the run would spin forever. A real run takes a handful; a burst is one step.
 */
const MAX_STEPS_AT_ONE_INSTANT = 100_000;

export class VirtualClock implements Clock {
  private t = 0;
  private readonly times = new MinHeap();
  private readonly buckets = new Map<number, Array<() => void>>();
  /**
   * Set by the guard when learner code reaches for a global timer, during a run or `within`;
   * ends the run it happens in (or the next one), and is cleared when that run ends.
   */
  private violation: HerdError | undefined;
  private readonly report = (e: HerdError): void => {
    this.violation ??= e;
  };

  /**
   * What the guard hands a library's timers and clock readings (library-time.ts). A cancelled
   * timer leaves its bucket at once, so it neither moves time nor hides a HANG; the flag covers
   * a timer cleared by another callback of its own instant, whose bucket is already running.
   */
  private readonly bridge: TimeBridge = {
    now: () => this.t,
    schedule: (ms, fn) => {
      const handle = { at: ms > 0 ? this.t + ms : this.t, cancelled: false, fire: () => void (handle.cancelled || fn()) };
      this.schedule(ms, handle.fire);
      return handle;
    },
    cancel: (h) => {
      const handle = h as { at: number; cancelled: boolean; fire: () => void };
      handle.cancelled = true;
      const bucket = this.buckets.get(handle.at);
      const i = bucket?.indexOf(handle.fire) ?? -1;
      if (i < 0) return;
      bucket!.splice(i, 1);
      if (bucket!.length === 0) this.buckets.delete(handle.at);
    },
  };

  /** A VirtualClock is its own ClockDriver. */
  get clock(): Clock {
    return this;
  }

  now(): number {
    return this.t;
  }

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.schedule(ms, resolve));
  }

  /** Calls `fn` after `ms` of virtual time. Negative or NaN delays count as zero. */
  schedule(ms: number, fn: () => void): void {
    const at = ms > 0 ? this.t + ms : this.t;
    let bucket = this.buckets.get(at);
    if (bucket === undefined) {
      bucket = [];
      this.buckets.set(at, bucket);
      this.times.push(at);
    }
    bucket.push(fn);
  }

  /**
   * Runs `fn` (learner code outside a run: a factory, a constructor) with the guard on for this
   * clock, so its global timers are caught and its libraries' timers land on this clock.
   */
  within<T>(fn: () => T): T {
    const restore = installGuard(this.report, this.bridge);
    try {
      return fn();
    } finally {
      restore();
    }
  }

  /** Wake-ups still queued. */
  get scheduled(): number {
    let n = 0;
    for (const b of this.buckets.values()) n += b.length;
    return n;
  }

  /**
   * Drives the clock until `main` settles. Throws HANG when nothing is scheduled and `main` is
   * still pending, STUCK when virtual time passes `deadline`, GLOBAL_TIMER when learner code
   * used a global timer. Each of these stops the run at once.
   */
  run<T>(main: Promise<T>, options: VirtualRunOptions = {}): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      let state: 'pending' | 'ok' | 'failed' = 'pending';
      let value: T | undefined;
      let error: unknown;
      main.then(
        (v) => {
          state = 'ok';
          value = v;
        },
        (e: unknown) => {
          state = 'failed';
          error = e;
        },
      );
      const restore = installGuard(this.report, this.bridge);
      // A violation belongs to the run it happened in (or the `within` before it): a reused
      // clock starts its next run clean.
      const stop = (outcome: () => void): void => {
        restore();
        this.violation = undefined;
        outcome();
      };
      /** Ends the run with HANG or STUCK, naming the oldest pending call when there is one. */
      const fail = (code: 'HANG' | 'STUCK', why: (what: string) => string, context: Record<string, unknown>): void => {
        const what = options.describePending?.() ?? 'the run';
        stop(() => reject(new HerdError(code, why(what), context)));
      };
      // Time may move only once every continuation of the last step's wake-ups has run. A
      // setImmediate per step guarantees that but costs a full event-loop turn, a third of a big
      // run. Cheaper and just as strict: a microtask queued after the wake-ups schedules the
      // next step with process.nextTick, and Node runs nextTick callbacks only once the
      // microtask queue is empty, chains of awaits included. Someone else's nextTick callback,
      // though, may be queued behind the step (a stream's write callback): a step that sees one
      // was queued yields a full turn first. Learner code may not use nextTick at all (guard.ts).
      // A real setImmediate every STEPS_PER_TURN steps keeps the host's event loop alive.
      let steps = 0;
      let stepsAtThisInstant = 0;
      let ticksSeen = foreignTicks();
      /** Set when the queue was found empty once: the next empty queue is a HANG. */
      let lastChance = false;
      // The guard's own copy: learner code may not use nextTick during a run (see guard.ts).
      const schedule = (): void => realNextTick(step);
      const step = (): void => {
        if (foreignTicks() !== ticksSeen) {
          ticksSeen = foreignTicks();
          return void realSetImmediate(step);
        }
        const violation = this.violation;
        if (violation) return stop(() => reject(violation));
        if (state === 'ok') return stop(() => resolve(value as T));
        if (state === 'failed') return stop(() => reject(error));
        let at = this.times.pop();
        let bucket = at === undefined ? undefined : this.buckets.get(at);
        // A time whose every wake-up was cancelled (a library's cleared timer) has no bucket.
        while (at !== undefined && bucket === undefined) {
          at = this.times.pop();
          bucket = at === undefined ? undefined : this.buckets.get(at);
        }
        if (at === undefined || bucket === undefined) {
          // Before calling it a hang, give the host one full event-loop turn: a callback it queued
          // (a stream's, behind the step on a busy machine) may still wake something up.
          if (!lastChance) {
            lastChance = true;
            return void realSetImmediate(step);
          }
          return fail(
            'HANG',
            (what) => `${what} never settled: nothing is scheduled on the clock, so no timer or origin reply can ever resolve it (a promise that is never resolved or rejected?)`,
            { at: this.t },
          );
        }
        if (options.deadline !== undefined && at > options.deadline) {
          const deadline = options.deadline;
          return fail(
            'STUCK',
            (what) => `${what} was still pending at t=${(deadline / 1000).toFixed(1)}s of virtual time, long after the load stopped (a wait or retry loop that never gives up?)`,
            { at: this.t, deadline },
          );
        }
        lastChance = false;
        stepsAtThisInstant = at === this.t ? stepsAtThisInstant + 1 : 0;
        if (stepsAtThisInstant > MAX_STEPS_AT_ONE_INSTANT) {
          return fail(
            'STUCK',
            (what) =>
              `${what} was still pending at t=${(at / 1000).toFixed(3)}s, where something rescheduled itself ${MAX_STEPS_AT_ONE_INSTANT.toLocaleString('en-US')} times without letting virtual time pass (a loop sleeping 0 ms, or a negative delay?)`,
            { at },
          );
        }
        this.t = at;
        this.buckets.delete(at);
        try {
          for (let i = 0; i < bucket.length; i++) bucket[i]!();
        } catch (e) {
          return stop(() => reject(e));
        }
        if (++steps % STEPS_PER_TURN === 0) realSetImmediate(step);
        else queueMicrotask(schedule);
      };
      realSetImmediate(step);
    });
  }
}

export function createVirtualClock(): VirtualClock {
  return new VirtualClock();
}
