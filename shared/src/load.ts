/**
 * Load: which keys are asked for, and when. Closed-loop clients wait for an answer and think
 * before asking again; open-loop arrivals come at a rate whatever the system does; bursts land
 * many requests at once on a schedule aligned with the TTL. Every client has its own random
 * stream, so the load a starter sees is the load its reference sees.
 */
import { HerdError } from './errors.js';
import { forkStream, type Rng } from './rng.js';

export type KeySpec =
  | { kind: 'hot'; key?: string }
  | { kind: 'zipf'; count: number; exponent?: number; prefix?: string }
  | { kind: 'list'; keys: readonly string[] }
  /**
   * Any sequence of keys: `make` returns a fresh picker per run, called once per request in
   * arrival order (a scan of distinct ids, a mix of populations with their own streams).
   */
  | { kind: 'picker'; make: () => KeyPicker };

export type LoadSpec =
  | {
      kind: 'closed';
      /** Clients in total; client i talks to instance i mod instances. */
      clients: number;
      /** Think time between an answer and the next request, uniform integer ms [min, max]. */
      thinkMs: readonly [number, number];
    }
  | {
      kind: 'open';
      /** Arrivals per second across the fleet; arrival j goes to instance j mod instances. */
      ratePerSec: number;
      /** Fixed spacing (exactly predictable) or Poisson arrivals. Default fixed. */
      arrivals?: 'fixed' | 'poisson';
      /** First arrival time, ms. Default 0. */
      startMs?: number;
      /**
       * Groups arrivals into windows of this many ms, each window's arrivals sent together at its
       * start: the same arrivals (the same draws, keys and order) at a coarser grain of time,
       * one clock step per window instead of one per request. For many-key loads of thousands of
       * requests a second whose figures are per second. Default: each arrival at its own time.
       */
      tickMs?: number;
    }
  | {
      kind: 'burst';
      /** Requests per instance in each burst. */
      size: number;
      /** First burst, ms. */
      startMs?: number;
      /** Time between bursts, ms. Make it longer than TTL + rebuild so each burst meets an expired key. */
      everyMs: number;
      /** Each request of a burst lands at a seeded time in [burst, burst + spreadMs). Default 0. */
      spreadMs?: number;
    };

/** Picks the key of each request. */
export type KeyPicker = (rng: Rng) => string;

export function keyPicker(spec: KeySpec = { kind: 'hot' }): KeyPicker {
  switch (spec.kind) {
    case 'hot': {
      const key = spec.key ?? 'hot';
      return () => key;
    }
    case 'list': {
      const keys = spec.keys;
      return (rng) => rng.pick(keys);
    }
    case 'picker':
      return spec.make();
    case 'zipf': {
      const s = spec.exponent ?? 1;
      const prefix = spec.prefix ?? 'k';
      const cumulative = new Float64Array(spec.count);
      let total = 0;
      for (let i = 0; i < spec.count; i++) {
        total += 1 / Math.pow(i + 1, s);
        cumulative[i] = total;
      }
      return (rng) => {
        const u = rng.next() * total;
        let lo = 0;
        let hi = spec.count - 1;
        while (lo < hi) {
          const mid = (lo + hi) >> 1;
          if (cumulative[mid]! < u) lo = mid + 1;
          else hi = mid;
        }
        return `${prefix}${lo}`;
      };
    }
  }
}

/** How the load generator takes time: callbacks, not promises, so a million requests stay cheap. */
export interface Scheduler {
  now(): number;
  /** Calls `fn` after `ms` of the run's clock. */
  schedule(ms: number, fn: () => void): void;
}

export interface LoadTarget {
  scheduler: Scheduler;
  rng: Rng;
  instances: number;
  /** No new request starts at or after this time. */
  endAt: number;
  /** Sends one request; calls `done` once it is answered or failed. */
  send(instance: number, key: string, done: () => void): void;
}

/**
 * Throws BAD_SCENARIO for a load the generator cannot run: one that would never start, never
 * stop (a zero gap between arrivals or bursts loops forever at one instant) or has no shape.
 */
export function checkLoad(scenario: string, spec: LoadSpec, keys: KeySpec = { kind: 'hot' }): void {
  const bad = (what: string, part = `${spec.kind} load`): never => {
    throw new HerdError('BAD_SCENARIO', `scenario "${scenario}": ${part}: ${what}`, { spec: scenario, part });
  };
  const whole = (v: number): boolean => Number.isSafeInteger(v);
  switch (spec.kind) {
    case 'closed': {
      const [lo, hi] = spec.thinkMs;
      if (!whole(spec.clients) || spec.clients < 1) bad(`clients must be a whole number >= 1, got ${spec.clients}`);
      if (!whole(lo) || !whole(hi) || lo < 0 || hi < lo) bad(`thinkMs must be whole ms [min, max] with 0 <= min <= max, got [${lo}, ${hi}]`);
      // With zero think time every client would loop at one instant and time would never move.
      if (hi === 0) bad('thinkMs [0, 0] never lets time move; give clients a think time');
      break;
    }
    case 'open':
      if (!(spec.ratePerSec > 0) || !Number.isFinite(spec.ratePerSec)) bad(`ratePerSec must be > 0, got ${spec.ratePerSec}`);
      if (spec.startMs !== undefined && !(spec.startMs >= 0)) bad(`startMs must be >= 0, got ${spec.startMs}`);
      if (spec.tickMs !== undefined && !(spec.tickMs > 0 && Number.isFinite(spec.tickMs))) bad(`tickMs must be > 0, got ${spec.tickMs}`);
      break;
    case 'burst':
      if (!whole(spec.size) || spec.size < 1) bad(`size must be a whole number >= 1, got ${spec.size}`);
      if (!(spec.everyMs > 0) || !Number.isFinite(spec.everyMs)) bad(`everyMs must be > 0, got ${spec.everyMs}`);
      if (spec.startMs !== undefined && !(spec.startMs >= 0)) bad(`startMs must be >= 0, got ${spec.startMs}`);
      if (spec.spreadMs !== undefined && !(whole(spec.spreadMs) && spec.spreadMs >= 0)) bad(`spreadMs must be whole ms >= 0, got ${spec.spreadMs}`);
      break;
    default:
      bad(`unknown load kind "${(spec as { kind: unknown }).kind}" (closed, open or burst)`);
  }
  if (keys.kind === 'zipf' && !(whole(keys.count) && keys.count >= 1)) bad(`count must be a whole number >= 1, got ${keys.count}`, 'zipf keys');
  if (keys.kind === 'list' && keys.keys.length === 0) bad('needs at least one key', 'list keys');
}

/**
 * Runs the load to completion: resolves once every request it started has settled. Each client
 * is a small state machine driven by the scheduler (an async loop per client would cost ten times
 * as much at 10,000 clients).
 */
export function driveLoad(spec: LoadSpec, pick: KeyPicker, target: LoadTarget): Promise<void> {
  const { scheduler, rng, instances, endAt, send } = target;
  return new Promise<void>((resolve) => {
    // Open work items: clients still looping, arrival loops still arriving, requests in flight.
    let open = 1;
    const release = (): void => {
      if (--open === 0) resolve();
    };
    const fire = (instance: number, key: string): void => {
      open++;
      send(instance, key, release);
    };
    switch (spec.kind) {
      case 'closed': {
        const [lo, hi] = spec.thinkMs;
        for (let i = 0; i < spec.clients; i++) {
          const own = forkStream(rng, `client:${i}`);
          const instance = i % instances;
          const think = (): void => scheduler.schedule(own.int(lo, hi), step);
          const step = (): void => {
            if (scheduler.now() >= endAt) return release();
            send(instance, pick(own), think);
          };
          open++;
          // Clients start spread over one think time, as in a steady state.
          scheduler.schedule(own.int(0, hi), step);
        }
        break;
      }
      case 'open': {
        const gap = 1000 / spec.ratePerSec;
        const own = forkStream(rng, 'arrivals');
        let j = 0;
        const tickMs = spec.tickMs;
        if (tickMs !== undefined) {
          // Arrival times kept exact (relative to the first), each sent at its window's start.
          const first = scheduler.now() + (spec.startMs ?? 0);
          let next = first;
          const tick = (): void => {
            const until = Math.min(endAt, scheduler.now() + tickMs);
            while (next < until) {
              fire(j % instances, pick(own));
              j++;
              next += spec.arrivals === 'poisson' ? own.exponential(gap) : gap;
            }
            if (next >= endAt || scheduler.now() + tickMs >= endAt) return release();
            scheduler.schedule(tickMs, tick);
          };
          open++;
          scheduler.schedule(spec.startMs ?? 0, tick);
          break;
        }
        const arrive = (): void => {
          if (scheduler.now() >= endAt) return release();
          fire(j % instances, pick(own));
          j++;
          scheduler.schedule(spec.arrivals === 'poisson' ? own.exponential(gap) : gap, arrive);
        };
        open++;
        scheduler.schedule(spec.startMs ?? 0, arrive);
        break;
      }
      case 'burst': {
        const own = forkStream(rng, 'bursts');
        const t0 = scheduler.now();
        for (let at = spec.startMs ?? 0; t0 + at < endAt; at += spec.everyMs) {
          for (let inst = 0; inst < instances; inst++) {
            for (let r = 0; r < spec.size; r++) {
              const offset = spec.spreadMs ? own.int(0, spec.spreadMs - 1) : 0;
              const key = pick(own);
              open++;
              scheduler.schedule(at + offset, () => send(inst, key, release));
            }
          }
        }
        break;
      }
    }
    release();
  });
}
