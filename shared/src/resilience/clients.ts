/**
 * Who sends original requests, and when: open-loop arrivals whose rate follows a schedule of
 * segments (steady, a step, a spike), fixed or Poisson, spread over `clients` policy instances;
 * or closed-loop clients that wait for an answer and think before the next request. Each client
 * is a small state machine on the scheduler, as in load.ts, so 10,000 of them stay cheap.
 */
import type { Clock } from '../clock.js';
import type { Scheduler } from '../load.js';
import { createRng, forkStream, type Rng } from '../rng.js';
import type { Caller, ClientState } from './caller.js';
import { PRIORITIES, type PolicyFactory, type Priority } from './types.js';

export interface RateSegment {
  /** Relative to the run's start, ms; the segment covers [fromMs, toMs). */
  fromMs: number;
  toMs: number;
  ratePerSec: number;
}

interface ClientCommon {
  /** Group name, given to the policy factory. Default 'clients'. */
  name?: string;
  /** Per-attempt timeout, ms. Default none (a silent node then holds the caller forever). */
  timeoutMs?: number;
  /** Per-original deadline, ms after arrival: success after it is not goodput. Default none. */
  deadlineMs?: number;
  /** Relative weights of the priorities of original requests. Default all 'normal'. */
  priorities?: Partial<Record<Priority, number>>;
}

export type ClientSpec =
  | (ClientCommon & {
      kind: 'open';
      /** Non-overlapping segments; no arrivals outside them. */
      rate: readonly RateSegment[];
      /** Default fixed spacing. */
      arrivals?: 'fixed' | 'poisson';
      /** Policy instances; arrival j goes to client j mod clients. Default 1. */
      clients?: number;
    })
  | (ClientCommon & {
      kind: 'closed';
      clients: number;
      /** Think time between an answer and the next request, uniform integer ms [min, max]. */
      thinkMs: readonly [number, number];
      /** First request of each client, uniform integer ms [min, max]. Default [0, max think]. */
      startMs?: readonly [number, number];
    });

export interface DriveDeps {
  scheduler: Scheduler;
  clock: Clock;
  /** The group's root stream: arrivals, think times and the learner's per-client streams fork from it. */
  rng: Rng;
  caller: Caller;
  policy: PolicyFactory;
  /** Run start; segment times are relative to it. */
  t0: number;
  /** No new original starts at or after this absolute time. */
  endAt: number;
}

/** Picks each original's priority from the spec's weights (no draw when there is only one). */
function priorityPicker(weights: ClientCommon['priorities']): (rng: Rng) => Priority {
  const entries = PRIORITIES.map((p) => [p, weights?.[p] ?? 0] as const).filter(([, w]) => w > 0);
  if (entries.length === 0) return () => 'normal';
  if (entries.length === 1) return () => entries[0]![0];
  const total = entries.reduce((s, [, w]) => s + w, 0);
  return (rng) => {
    let u = rng.next() * total;
    for (const [p, w] of entries) if ((u -= w) < 0) return p;
    return entries[entries.length - 1]![0];
  };
}

/** Runs a client group to completion: resolves once every original it started has its outcome. */
export function driveClients(spec: ClientSpec, deps: DriveDeps): Promise<void> {
  const { scheduler, clock, rng, caller, t0, endAt } = deps;
  const group = spec.name ?? 'clients';
  const pick = priorityPicker(spec.priorities);
  const makeClient = (index: number): ClientState => {
    // The learner's stream is a detached-method Rng (createRng), forked per client so one
    // client's draws never shift another's.
    const learnerRng = createRng(rng.fork(`learner:${index}`).seed);
    return { index, rng: learnerRng, policy: deps.policy({ group, index, clock, rng: learnerRng }) };
  };
  return new Promise<void>((resolve) => {
    // Open work: client loops, the arrival loop, originals in flight.
    let open = 1;
    const release = (): void => {
      if (--open === 0) resolve();
    };
    if (spec.kind === 'closed') {
      const [lo, hi] = spec.thinkMs;
      const [startLo, startHi] = spec.startMs ?? [0, hi];
      for (let i = 0; i < spec.clients; i++) {
        const own = forkStream(rng, `client:${i}`);
        const client = makeClient(i);
        const think = (): void => scheduler.schedule(own.int(lo, hi), step);
        const step = (): void => {
          if (scheduler.now() >= endAt) return release();
          caller.send(client, pick(own), think);
        };
        open++;
        scheduler.schedule(own.int(startLo, startHi), step);
      }
    } else {
      const clients = Array.from({ length: spec.clients ?? 1 }, (_, i) => makeClient(i));
      const own = forkStream(rng, 'arrivals');
      const segments = [...spec.rate].sort((a, b) => a.fromMs - b.fromMs);
      const poisson = spec.arrivals === 'poisson';
      let seg = 0;
      /** Arrivals so far in this segment: fixed arrival k is at from + k * gap, with no drift. */
      let k = 0;
      /** Absolute time of the previous Poisson arrival. */
      let last = NaN;
      let j = 0;
      /** Absolute time of the next arrival, or NaN when there is none left. */
      const nextAt = (): number => {
        while (seg < segments.length) {
          const s = segments[seg]!;
          const gap = 1000 / s.ratePerSec;
          const from = t0 + s.fromMs;
          const at = poisson ? (Number.isNaN(last) ? from : last) + own.exponential(gap) : from + k * gap;
          if (at < t0 + s.toMs && at < endAt) {
            k++;
            last = at;
            return at;
          }
          // Memoryless: the next segment starts afresh at its own start.
          seg++;
          k = 0;
          last = NaN;
        }
        return NaN;
      };
      const arrive = (): void => {
        caller.send(clients[j % clients.length]!, pick(own), release);
        j++;
        schedule();
      };
      const schedule = (): void => {
        const at = nextAt();
        if (Number.isNaN(at)) return release();
        open++;
        scheduler.schedule(at - scheduler.now(), arrive);
      };
      // The arrival loop holds one unit of `open` until it runs out (released in schedule);
      // each arrival holds its own until its original has an outcome.
      open++;
      schedule();
    }
    release();
  });
}
