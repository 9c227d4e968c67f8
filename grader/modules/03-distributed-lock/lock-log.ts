/**
 * What module 03's checks read from the log of every store command (grader/src/cache/store-log.ts):
 * which names are locks, whether every lock command kept the contract (PX lock.pxMs, a fresh token
 * per acquire, release by compare-and-delete only, once per acquire), and the waits the harness
 * saw: an instance that found the lock held by someone else waits from its miss until the value
 * reaches it, it takes the lock itself, or it gives up.
 */
import type { StoreCommand } from '../../src/cache/store-log.js';

/** One request as the harness saw it: instance id ("i0"), key, start and settle times (clock time). */
export interface Req {
  instance: string;
  key: string;
  start: number;
  end: number;
}

/** One wait the harness saw. */
export interface Wait {
  instance: string;
  key: string;
  /** From the miss (the request's start plus one store round trip) to `end`. */
  start: number;
  end: number;
  ms: number;
  /** How it ended: the value reached the waiter, it took the lock, or its request settled otherwise. */
  how: 'value' | 'took the lock' | 'gave up';
}

/** Every name some instance tried to take as a lock. */
export const lockNames = (log: readonly StoreCommand[]): Set<string> => new Set(log.filter((c) => c.op === 'acquire').map((c) => c.name));

/** The key a lock name is about: `lock:${key}` as the README says, or the longest key the name contains. */
export function keyOfLock(name: string, keys: readonly string[]): string | undefined {
  if (name.startsWith('lock:') && keys.includes(name.slice(5))) return name.slice(5);
  let best: string | undefined;
  for (const k of keys) if (name.includes(k) && (best === undefined || k.length > best.length)) best = k;
  return best;
}

const taken = (c: StoreCommand): boolean => c.op === 'acquire' && c.result === true;

/** True while `instance` holds `name` by its own latest acquire (not released, not expired) at time `t`. */
function holding(log: readonly StoreCommand[], instance: string, name: string, t: number): boolean {
  let acquiredAt = -Infinity;
  let px = 0;
  let released = false;
  for (const c of log) {
    if (c.instance !== instance || c.name !== name || !(c.sent <= t)) continue;
    if (taken(c) && c.answered <= t) {
      acquiredAt = c.answered;
      px = Number(c.args[1]);
      released = false;
    } else if (c.op === 'release' && c.sent >= acquiredAt) released = true;
  }
  return !released && t < acquiredAt + px;
}

/** The command saw the lock held: a refused acquire, a PTTL of a live lock, a GET of one. */
const sawHeld = (c: StoreCommand): boolean =>
  (c.op === 'acquire' && c.result === false) || (c.op === 'pttl' && typeof c.result === 'number' && c.result >= -1) || (c.op === 'get' && typeof c.result === 'string');

/**
 * The waits the harness saw, per instance: a wait starts when an instance that does not hold the
 * lock finds it held, at the miss of the oldest request of that key still pending then (its start
 * plus one round trip, `rtt(instance)`), and ends when that request settles or the instance takes
 * the lock, whichever comes first. Later sightings before that end belong to the same wait.
 */
export function harnessWaits(log: readonly StoreCommand[], requests: readonly Req[], rtt: (instance: string) => number): Wait[] {
  const locks = lockNames(log);
  const keys = [...new Set(requests.map((r) => r.key))];
  const out: Wait[] = [];
  const byInstance = new Map<string, Req[]>();
  for (const r of requests) {
    let list = byInstance.get(r.instance);
    if (list === undefined) byInstance.set(r.instance, (list = []));
    list.push(r);
  }
  for (const list of byInstance.values()) list.sort((a, b) => a.start - b.start);
  const until = new Map<string, number>(); // instance + lock -> end of its current wait
  for (const c of log) {
    if (!locks.has(c.name) || !sawHeld(c) || Number.isNaN(c.answered)) continue;
    const id = `${c.instance}\u0000${c.name}`;
    if (c.sent < (until.get(id) ?? -Infinity)) continue;
    if (holding(log, c.instance, c.name, c.sent)) continue;
    const key = keyOfLock(c.name, keys);
    if (key === undefined) continue;
    const first = (byInstance.get(c.instance) ?? []).find((r) => r.key === key && r.start <= c.sent && r.end >= c.sent);
    if (first === undefined) continue;
    const tookAt = log.find((a) => a.instance === c.instance && a.name === c.name && taken(a) && a.answered >= c.answered && a.answered <= first.end)?.answered;
    const end = tookAt ?? first.end;
    const start = first.start + rtt(c.instance);
    until.set(id, end);
    out.push({ instance: c.instance, key, start, end, ms: end - start, how: tookAt !== undefined ? 'took the lock' : 'value' });
  }
  return out;
}

/** What the lock commands of a run did against the contract: the first breach, and how many there were. */
export interface LockAudit {
  acquired: number;
  released: number;
  /** Lock commands that broke the contract. */
  breaches: number;
  problem?: string;
}

/** Every lock command of the run against the contract: PX `pxMs`, fresh tokens, compare-and-delete only, one release per acquire. */
export function auditLockCommands(log: readonly StoreCommand[], pxMs: number): LockAudit {
  const locks = lockNames(log);
  const problems: string[] = [];
  let breaches = 0;
  const flag = (message: string): void => {
    breaches++;
    problems.push(message);
  };
  const tokens = new Map<string, number>(); // name + token -> releases seen
  let acquired = 0;
  let released = 0;
  const pxFlagged: string[] = [];
  const writes: string[] = [];
  const reused: string[] = [];
  const foreign: string[] = [];
  const double: string[] = [];
  for (const c of log) {
    if (!locks.has(c.name)) continue;
    const id = `${c.name}\u0000${String(c.args[0])}`;
    if (c.op === 'acquire') {
      if (c.args[1] !== pxMs) pxFlagged.push(`a lock was ${c.result === true ? 'acquired' : 'tried'} with PX ${String(c.args[1])} ms`);
      if (c.result !== true) continue;
      acquired++;
      if (tokens.has(id)) reused.push(`acquire("${c.name}", "${String(c.args[0])}")`);
      tokens.set(id, 0);
    } else if (c.op === 'release') {
      released++;
      const seen = tokens.get(id);
      if (seen === undefined) foreign.push(`release("${c.name}", "${String(c.args[0])}")`);
      else if (seen > 0) double.push(`release("${c.name}", "${String(c.args[0])}")`);
      else tokens.set(id, 1);
    } else if (c.op === 'del' || c.op === 'set' || c.op === 'setFenced') {
      writes.push(`store.${c.op}("${c.name}")`);
    }
  }
  const unreleased = [...tokens.values()].filter((v) => v === 0).length;
  if (acquired === 0) {
    return { acquired, released, breaches: 0, problem: 'no lock was ever taken: 0 acquire() calls succeeded, want one per rebuild (store.acquire(`lock:${key}`, token, lock.pxMs))' };
  }
  if (pxFlagged.length > 0) {
    flag(`${pxFlagged[0]}, want lock.pxMs (${pxMs} ms) on every acquire (${pxFlagged.length} did not): the expiry is what frees the lock of a holder that crashed`);
  }
  if (writes.length > 0) {
    const what = writes[0]!.startsWith('store.del') ? 'the lock was released with' : 'the lock was written with';
    flag(`${what} ${writes[0]}: a release that ignores the token deletes whoever holds the lock now; use store.release(name, token) (compare-and-delete) and touch the lock only with acquire and release`);
  }
  if (reused.length > 0) {
    flag(`${reused[0]} took the lock with a token an earlier acquire had used, want a fresh token per acquire (deps.instance plus deps.rng): a holder whose lock expired would release the next holder's lock with it`);
  }
  if (foreign.length > 0) flag(`${foreign[0]} used a token that never acquired that lock, want release only with the holder's own token`);
  if (double.length > 0) flag(`${double[0]} was called twice, want exactly one release per acquire`);
  if (unreleased > 0) flag(`${unreleased} of ${acquired} acquired locks were never released, want a release in finally after every rebuild`);
  breaches = pxFlagged.length + writes.length + reused.length + foreign.length + double.length + unreleased;
  return { acquired, released, breaches, problem: problems[0] };
}
