/**
 * Module 13, circuit breaker (reference). A breaker around the cache tier: closed, open and
 * half-open over a count-based sliding window of outcomes; and a read path that, whenever the
 * breaker refuses or the store fails, serves the stale copy, lets a few queries through to the
 * database, and sheds the rest.
 */
import type { Clock } from '@herd/harness';

export type BreakerState = 'closed' | 'open' | 'half-open';

export interface BreakerOptions {
  clock: Clock;
  /** Count-based window: the outcomes of the last `windowSize` calls. */
  windowSize: number;
  /** Time-based window, the other valid choice: the outcomes of the last `windowMs`. */
  windowMs: number;
  /** No verdict on fewer outcomes than this. */
  minCalls: number;
  /** Open when failures / outcomes in the window reach this (0..1). */
  failureRate: number;
  /** How long the breaker stays open before it lets probes through. */
  openMs: number;
  /** Calls let through while half-open; all must succeed to close. */
  halfOpenProbes: number;
}

export interface Breaker {
  call<T>(fn: () => Promise<T>): Promise<T>;
  state(): BreakerState;
}

/** What a breaker that refuses a call rejects with. */
export class BreakerOpenError extends Error {
  constructor(state: BreakerState) {
    super(`circuit ${state}: failing fast without calling the dependency`);
    this.name = 'BreakerOpenError';
  }
}

export function createBreaker(options: BreakerOptions): Breaker {
  const { clock, windowSize, minCalls, failureRate, openMs, halfOpenProbes } = options;
  let state: BreakerState = 'closed';
  // A ring of the last windowSize outcomes (1 = failure): a new outcome pushes the oldest out.
  const ring = new Uint8Array(windowSize);
  let size = 0;
  let next = 0;
  let failures = 0;
  let openedAt = 0;
  let probesSent = 0;
  let probesOk = 0;
  // Each transition starts a new epoch: a call that settles after one tells nothing about now.
  let epoch = 0;

  const to = (s: BreakerState): void => {
    state = s;
    epoch++;
    if (s === 'open') openedAt = clock.now();
    if (s === 'half-open') probesSent = probesOk = 0;
    if (s === 'closed') size = next = failures = 0;
  };

  const current = (): BreakerState => {
    if (state === 'open' && clock.now() - openedAt >= openMs) to('half-open');
    return state;
  };

  const record = (failed: boolean): void => {
    if (size === windowSize) failures -= ring[next]!;
    else size++;
    ring[next] = failed ? 1 : 0;
    failures += ring[next]!;
    next = (next + 1) % windowSize;
    if (size >= minCalls && failures / size >= failureRate) to('open');
  };

  const settle = (started: number, probe: boolean, ok: boolean): void => {
    if (started !== epoch) return;
    if (!probe) return record(!ok);
    if (!ok) to('open');
    else if (++probesOk >= halfOpenProbes) to('closed');
  };

  return {
    state: current,
    async call<T>(fn: () => Promise<T>): Promise<T> {
      const s = current();
      if (s === 'open' || (s === 'half-open' && probesSent >= halfOpenProbes)) throw new BreakerOpenError(s);
      const probe = s === 'half-open';
      if (probe) probesSent++;
      const started = epoch;
      let result: T;
      try {
        result = await fn();
      } catch (error) {
        settle(started, probe, false);
        throw error;
      }
      settle(started, probe, true);
      return result;
    },
  };
}

/** A value as the store, the database or the in-process copy hands it back. */
export interface Value {
  key: string;
  version: number;
  source: 'store' | 'origin' | 'stale';
}

/** The store client never rejects: it answers ok (value undefined on a miss), timeout or failed. */
export type StoreReply = { status: 'ok'; value: Value | undefined } | { status: 'timeout' | 'failed' };

export interface ReadDeps {
  clock: Clock;
  /** A breaker made with createBreaker, for the store only. */
  breaker: Breaker;
  store: { get(key: string): Promise<StoreReply> };
  /** The database; rejects when it times out or its queue is full. */
  origin: { fetch(key: string): Promise<Value> };
  /** An older copy kept in this process's memory, or undefined. */
  stale: { get(key: string): Value | undefined };
  /** Database queries this process may have in flight while the store is unusable. */
  originLimit: number;
}

/** Raised for a request the fallback cannot serve: no stale copy and no database slot. */
export class ShedError extends Error {
  constructor(key: string) {
    super(`shed: the store is unusable, no stale copy of "${key}" and no free database slot`);
    this.name = 'ShedError';
  }
}

export function createProtectedRead(deps: ReadDeps): (key: string) => Promise<Value> {
  const { breaker, store, origin, stale, originLimit } = deps;
  let inFlight = 0;
  const limited = async (key: string): Promise<Value> => {
    inFlight++;
    try {
      return await origin.fetch(key);
    } finally {
      inFlight--;
    }
  };

  return async (key) => {
    let reply: StoreReply;
    try {
      reply = await breaker.call(async () => {
        const r = await store.get(key);
        // A timeout is the worst failure there is: the caller waited the whole timeout for it.
        if (r.status !== 'ok') throw new Error(`store ${r.status}`);
        return r;
      });
    } catch {
      const copy = stale.get(key);
      if (copy !== undefined) return copy;
      if (inFlight < originLimit) return limited(key);
      throw new ShedError(key);
    }
    if (reply.status === 'ok' && reply.value !== undefined) return reply.value;
    // A plain miss: the store is fine, so the database sees only the misses, as always.
    return origin.fetch(key);
  };
}
