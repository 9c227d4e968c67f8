/**
 * What a run of module 13's world shows from outside the breaker: when the read path stopped
 * calling the store (the breaker opened), when it called the store for every request again (it
 * closed, and stayed closed), what was in flight at the store and the database meanwhile, and
 * which requests waited out the store's timeout.
 */
import { WORLD, type WorldRun } from './world.js';

/** A bin where the store saw at most this share of the requests is a bin the breaker held open. */
const OPEN_SHARE = 0.2;
/** A bin where the store saw at least this share is a bin the breaker let everything through. */
const CLOSED_SHARE = 0.9;

const bin = (run: WorldRun, ms: number): number => Math.floor(ms / run.binMs);

/** ms from `fromMs` to the first bin whose requests mostly skipped the store; null if none did before `toMs`. */
export function openedAfter(run: WorldRun, fromMs: number, toMs: number): number | null {
  const offered = run.report.series.offered;
  for (let b = bin(run, fromMs); b < bin(run, toMs); b++) {
    if (offered[b]! > 0 && run.storeCalls[b]! <= OPEN_SHARE * offered[b]!) return b * run.binMs - fromMs;
  }
  return null;
}

/**
 * ms from `fromMs` (the store is back) to the first bin from which every request of every later
 * bin, to `toMs`, called the store: closed, and staying closed. Null if that never happened.
 */
export function closedAfter(run: WorldRun, fromMs: number, toMs: number): number | null {
  const offered = run.report.series.offered;
  let from: number | null = null;
  for (let b = bin(run, fromMs); b < bin(run, toMs); b++) {
    const through = offered[b] === 0 || run.storeCalls[b]! >= CLOSED_SHARE * offered[b]!;
    if (!through) from = null;
    else from ??= b;
  }
  return from === null ? null : from * run.binMs - fromMs;
}

/** Bins in [fromMs, toMs) where the breaker held most requests off the store: false opens, in a window without an outage. */
export function heldBins(run: WorldRun, fromMs: number, toMs: number): number[] {
  const offered = run.report.series.offered;
  const out: number[] = [];
  for (let b = bin(run, fromMs); b < bin(run, toMs); b++) if (offered[b]! > 0 && run.storeCalls[b]! < CLOSED_SHARE * offered[b]!) out.push(b * run.binMs);
  return out;
}

export function maxOver(series: readonly number[], run: WorldRun, fromMs: number, toMs: number): { value: number; atMs: number } {
  let value = 0;
  let atMs = fromMs;
  for (let b = bin(run, fromMs); b < Math.min(series.length, bin(run, toMs)); b++) {
    if (series[b]! > value) {
      value = series[b]!;
      atMs = b * run.binMs;
    }
  }
  return { value, atMs };
}

export function sumOver(series: readonly number[], run: WorldRun, fromMs: number, toMs: number): number {
  let s = 0;
  for (let b = bin(run, fromMs); b < Math.min(series.length, bin(run, toMs)); b++) s += series[b]!;
  return s;
}

/** Requests arriving in [fromMs, toMs) that waited at least the store's timeout: they sat on a dead store. */
export function waitedTimeout(run: WorldRun, fromMs: number, toMs: number): number {
  const { arrival, latency, n } = run.requests;
  let count = 0;
  for (let i = 0; i < n; i++) if (arrival[i]! >= fromMs && arrival[i]! < toMs && latency[i]! >= WORLD.store.timeoutMs) count++;
  return count;
}

/** Requests arriving in [fromMs, toMs), by whether their key had a stale copy, and what they got. */
export function answers(run: WorldRun, fromMs: number, toMs: number) {
  const { arrival, stale, source, n } = run.requests;
  const out = { requests: 0, withCopy: 0, servedStale: 0, copyFailed: 0, copyByOrigin: 0, withoutCopy: 0, servedByOrigin: 0, failed: 0 };
  for (let i = 0; i < n; i++) {
    if (arrival[i]! < fromMs || arrival[i]! >= toMs) continue;
    out.requests++;
    if (source[i] === 3) out.failed++;
    if (stale[i]) {
      out.withCopy++;
      if (source[i] === 2) out.servedStale++;
      if (source[i] === 3) out.copyFailed++;
      if (source[i] === 1) out.copyByOrigin++;
    } else {
      out.withoutCopy++;
      if (source[i] === 1) out.servedByOrigin++;
    }
  }
  return out;
}

/** Probe rounds while the store was down: store calls started after the breaker opened, grouped by gaps longer than the timeout. */
export function probeRounds(run: WorldRun, fromMs: number, toMs: number): number[] {
  const rounds: number[] = [];
  let last = -Infinity;
  for (let b = bin(run, fromMs); b < bin(run, toMs); b++) {
    const c = run.storeCalls[b]!;
    if (c === 0) continue;
    if (b * run.binMs - last > WORLD.store.timeoutMs) rounds.push(c);
    else rounds[rounds.length - 1]! += c;
    last = b * run.binMs;
  }
  return rounds;
}

/** Store calls in [fromMs, toMs), and how many of them no function given to breaker.call was running for: made outside the breaker. */
export function outsideCalls(run: WorldRun, fromMs: number, toMs: number): { outside: number; total: number } {
  return { outside: sumOver(run.storeOutside, run, fromMs, toMs), total: sumOver(run.storeCalls, run, fromMs, toMs) };
}

/** The longest stretch in [fromMs, toMs) without a store call, in ms (by 100 ms bins). */
export function longestQuiet(run: WorldRun, fromMs: number, toMs: number): number {
  let longest = 0;
  let quiet = 0;
  for (let b = bin(run, fromMs); b < bin(run, toMs); b++) {
    quiet = run.storeCalls[b]! === 0 ? quiet + run.binMs : 0;
    longest = Math.max(longest, quiet);
  }
  return longest;
}
