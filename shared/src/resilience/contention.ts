/**
 * The contention model of Brooker's "Exponential Backoff And Jitter" (AWS, 2015), for module
 * 09: N clients each need one successful write to a shared resource. An attempt holds the
 * resource for `attemptMs` (the network round trip); a failed one waits the learner's
 * `delay(attempt, prevDelay, rng)` and tries again. Reports total calls and completion time.
 *
 * Two rules for when an attempt succeeds:
 * - 'occ' (default, the post's optimistic-concurrency write): an attempt reads at its start and
 *   writes conditionally at its end; it fails if another write committed in between. Of a group
 *   of overlapping attempts the first to finish wins, so some client always makes progress.
 * - 'exclusive': an attempt succeeds only if no other attempt overlapped it at all. Clients in
 *   lockstep (no jitter) then never succeed; `maxCallsPerClient` ends them as unfinished.
 */
import { HerdError } from '../errors.js';
import { createRng, type Rng } from '../rng.js';
import type { ClockDriver } from '../runner.js';
import { VirtualClock } from '../virtual-clock.js';

/** How long to wait after failed attempt `attempt` (1-based); `prevDelay` is the last delay (0 at first). */
export type DelayFn = (attempt: number, prevDelay: number, rng: Rng) => number;

export interface ContentionSpec {
  clients: number;
  seed: number;
  /** Time an attempt holds the resource, ms. Default 10. */
  attemptMs?: number;
  /** Network noise: each attempt takes attemptMs plus a seeded uniform [0, attemptJitterMs). Default 0. */
  attemptJitterMs?: number;
  /** Clients start at a seeded time in [0, startSpreadMs]. Default 0: all at once, as in the post. */
  startSpreadMs?: number;
  /** Default 'occ'. */
  rule?: 'occ' | 'exclusive';
  /** A client gives up (counted unfinished) after this many calls. Default 10,000. */
  maxCallsPerClient?: number;
}

export interface ContentionReport {
  clients: number;
  /** Attempts by all clients. */
  calls: number;
  /** Time the last client succeeded (or gave up), ms. */
  completionMs: number;
  /** Most calls one client needed. */
  maxCalls: number;
  /** Clients that reached maxCallsPerClient without success. */
  unfinished: number;
}

interface Attempt {
  /** Version read at the start ('occ'). */
  read: number;
  /** Overlapped by another attempt ('exclusive'). */
  collided: boolean;
}

export async function runContention(spec: ContentionSpec, delay: DelayFn, options: { driver?: ClockDriver } = {}): Promise<ContentionReport> {
  if (!(Number.isSafeInteger(spec.clients) && spec.clients >= 1)) {
    throw new HerdError('BAD_SCENARIO', `contention: clients must be a whole number >= 1, got ${spec.clients}`);
  }
  const attemptMs = spec.attemptMs ?? 10;
  if (!(attemptMs > 0)) throw new HerdError('BAD_SCENARIO', `contention: attemptMs must be > 0, got ${attemptMs}`);
  const driver = options.driver ?? new VirtualClock();
  const t0 = driver.now();
  const root = createRng(spec.seed);
  // Start times come from their own stream, so spreading starts never shifts a delay function's draws.
  const starts = root.fork('starts');
  const network = root.fork('network');
  const noise = spec.attemptJitterMs ?? 0;
  const exclusive = spec.rule === 'exclusive';
  const maxCalls = spec.maxCallsPerClient ?? 10_000;
  let version = 0;
  /** Attempts holding the resource right now ('exclusive'). */
  const active = new Set<Attempt>();
  let calls = 0;
  let mostCalls = 0;
  let unfinished = 0;
  let last = t0;

  const main = new Promise<void>((resolve, reject) => {
    let left = spec.clients;
    const done = (): void => {
      last = driver.now();
      if (--left === 0) resolve();
    };
    for (let c = 0; c < spec.clients; c++) {
      const rng = createRng(root.fork(`client:${c}`).seed);
      let n = 0;
      let prev = 0;
      const attempt = (): void => {
        n++;
        calls++;
        const a: Attempt = { read: version, collided: false };
        if (exclusive) {
          for (const other of active) other.collided = a.collided = true;
          active.add(a);
        }
        driver.schedule(noise > 0 ? attemptMs + network.between(0, noise) : attemptMs, () => {
          active.delete(a);
          const won = exclusive ? !a.collided : a.read === version;
          if (won) {
            version++;
            mostCalls = Math.max(mostCalls, n);
            return done();
          }
          if (n >= maxCalls) {
            unfinished++;
            mostCalls = Math.max(mostCalls, n);
            return done();
          }
          const ms = delay(n, prev, rng);
          if (typeof ms !== 'number' || !(ms >= 0) || !Number.isFinite(ms)) {
            return reject(new HerdError('BAD_RESPONSE', `the delay function returned ${String(ms)} after attempt ${n}; return a finite number of ms >= 0`, { attempt: n }));
          }
          prev = ms;
          driver.schedule(ms, attempt);
        });
      };
      driver.schedule(spec.startSpreadMs ? starts.int(0, spec.startSpreadMs) : 0, attempt);
    }
  });
  // An exception thrown by the delay function ends the run through the clock, with its own message.
  await driver.run(main, { deadline: t0 + 24 * 3600_000, describePending: () => 'the contention run' });
  return { clients: spec.clients, calls, completionMs: last - t0, maxCalls: mostCalls, unfinished };
}
