/**
 * Module 07's settings and scenarios. Half a minute of reads on one instance (or a fleet), in a
 * fixed pattern of slots so the populations are exact: existing items (Zipf), absent ids read
 * again and again, keys that come into existence mid-run (some announced through created(key),
 * some not), and a crawler's scan of distinct absent ids (18,000 in the checks, 100,000 live). Each population draws its keys
 * from a stream of its own, so the run with the scan and the run without it read the same
 * existing items in the same order.
 */
import { createRng, type KeyPicker, type ScenarioSpec } from '@herd/harness/engine';

/** The settings the cache is handed (deps.negativeTtlMs, deps.maxNegative) and the run's TTL. */
export const NEG = { ttlMs: 30_000, negativeTtlMs: 5_000, maxNegative: 1_000, positiveEntries: 2_000 } as const;

export const POP = {
  /** Existing items, item:0 .. item:999, Zipf 0.8. */
  items: 1_000,
  /** Absent ids read again and again, gone:0 .. gone:299, uniform. */
  gone: 300,
  /** Keys created mid-run without a word (new:i) and announced through created(key) (inv:i). */
  created: 10,
  /**
   * The first creation, ms, and the gap between creations. Early in the run on purpose: a key's
   * first "not found" lands near t=0, so an entry kept for the values' 30 s outlives a creation
   * at 10 s by 20 s, where one at 25 s left it 5 s (the bound itself); two negative TTLs before
   * it judge the keys while absent, and 18 s after it see a null kept past its TTL.
   */
  createdFromMs: 10_000,
  createdEveryMs: 200,
} as const;

export interface ScanShape {
  fromMs: number;
  toMs: number;
  /**
   * At these moments the scan turns back: its next 2 x maxNegative reads are the ids it read
   * last, newest first. Entries answered from the cache then are what the cache held.
   */
  probesAtMs: readonly number[];
}

/** The crawler of the live demo: 2,000 new absent ids a second from 5 s to 55 s, 100,000 in all. */
export const SCAN: ScanShape = { fromMs: 5_000, toMs: 55_000, probesAtMs: [20_000, 35_000, 50_000] };

/**
 * The crawler of the checks and the headline, kept to 9 s so a grade stays short: 18,000
 * distinct ids, 18 times the bound (the values' LRU of 2,000 is overrun in the first second),
 * three probes of a second each. Each probe starts after at least 2,000 new ids since the
 * last one ended: it must read back ids the scan read once, not ids the last probe read again.
 */
export const CHECK_SCAN: ScanShape = { fromMs: 5_000, toMs: 14_000, probesAtMs: [8_000, 10_500, 12_500] };
export const SCAN_PER_SEC = 2_000;

/** Per 27 slots (2,700 reads a second): 4 items, 2 absent ids, 1 created key, 20 scan reads. */
const PATTERN = 'PPPPAACSSSSSSSSSSSSSSSSSSSS';
/** Without the scan: the same first 7 slots, 700 reads a second. */
const QUIET = 'PPPPAAC';

/** When a created key comes into existence, ms from the run's start. */
export const createdAt = (i: number): number => POP.createdFromMs + i * POP.createdEveryMs;
export const newKey = (i: number): string => `new:${i}`;
export const invKey = (i: number): string => `inv:${i}`;
export const CREATED = Array.from({ length: POP.created }, (_, i) => ({ i, at: createdAt(i), quiet: newKey(i), announced: invKey(i) }));

/** Which keys exist at `atMs`: items always, created keys from their moment, nothing else. */
export function absent(key: string, atMs = Infinity): boolean {
  if (key.startsWith('item:')) return false;
  const m = /^(new|inv):(\d+)$/.exec(key);
  if (m) return atMs < createdAt(Number(m[2]));
  return true;
}

export const scanKey = (n: number): string => `scan:${n}`;
/** A single absent id the scan slots read outside the scan window (costs one negative entry). */
export const IDLE_KEY = 'gone:idle';

export interface Populations {
  pattern: string;
  ratePerSec: number;
  /** The scan, or none. */
  scan: ScanShape | undefined;
  /** How many of its last ids a probe reads again: twice the bound (default NEG.maxNegative). */
  bound?: number;
}

/** The key picker: slot j of the pattern at t = j / rate; the scan's ids in order, with its probes. */
export function picker(seed: number, p: Populations): () => KeyPicker {
  return () => {
    const root = createRng(seed);
    const items = root.fork('items');
    const gone = root.fork('gone');
    const zipf = zipfTable(POP.items, 0.8);
    let j = 0;
    let created = 0;
    let scanned = 0;
    let probe: string[] = [];
    let nextProbe = 0;
    return () => {
      const t = (j * 1000) / p.ratePerSec;
      const slot = p.pattern[j % p.pattern.length]!;
      j++;
      if (slot === 'P') return `item:${zipf(items.next())}`;
      if (slot === 'A') return `gone:${gone.int(0, POP.gone - 1)}`;
      if (slot === 'C') {
        const c = created++;
        const i = (c >> 1) % POP.created;
        return c % 2 === 0 ? newKey(i) : invKey(i);
      }
      const scan = p.scan;
      if (scan === undefined || t < scan.fromMs || t >= scan.toMs) return IDLE_KEY;
      if (probe.length === 0 && nextProbe < scan.probesAtMs.length && t >= scan.probesAtMs[nextProbe]!) {
        nextProbe++;
        const depth = 2 * (p.bound ?? NEG.maxNegative);
        probe = Array.from({ length: depth }, (_, k) => scanKey(scanned - 1 - k)).reverse();
      }
      const again = probe.pop();
      return again ?? scanKey(scanned++);
    };
  };
}

function zipfTable(count: number, s: number): (u: number) => number {
  const cumulative = new Float64Array(count);
  let total = 0;
  for (let i = 0; i < count; i++) cumulative[i] = total += 1 / Math.pow(i + 1, s);
  return (u) => {
    const x = u * total;
    let lo = 0;
    let hi = count - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid]! < x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
}

/** The run without the scan: creations at 10-11.8 s, then 18 s, more than three negative TTLs. */
export const QUIET_MS = 30_000;

/**
 * The bound read exactly: one instance given a tenth of the bound, only the scan's reads (no
 * other absent id takes a slot), 2,000 new ids a second; each probe reads the last 200 again,
 * newest first. An LRU of 100 answers exactly 100 of them from memory (the ids still in flight
 * at the probe take the places of the oldest as they land), one of 101 answers 101.
 */
export const EXACT = { maxNegative: 100, scan: { fromMs: 0, toMs: 1_600, probesAtMs: [600, 1_200] } as ScanShape } as const;

export const exactScenario = (seed: number): ScenarioSpec => ({
  name: 'scan, a tenth of the bound',
  seed,
  durationMs: EXACT.scan.toMs + 200,
  instances: 1,
  ttlMs: NEG.ttlMs,
  cache: { maxEntries: NEG.positiveEntries },
  origin: { latencyMs: 20, jitterMs: 10, capacity: 64, absent },
  keys: { kind: 'picker', make: picker(seed, { pattern: 'S', ratePerSec: SCAN_PER_SEC, scan: EXACT.scan, bound: EXACT.maxNegative }) },
  load: { kind: 'open', ratePerSec: SCAN_PER_SEC },
});

/**
 * Two caches built one after the other in one process, each in a world of its own: in the
 * first the ids twin:0-19 do not exist, in the second they do. The second must answer their
 * values: negative entries belong to the cache that made them.
 */
export const TWINS = Array.from({ length: 20 }, (_, i) => `twin:${i}`);
export const twinScenario = (seed: number, exists: boolean): ScenarioSpec => ({
  name: exists ? 'a second cache, the ids exist' : 'a first cache, the ids absent',
  seed,
  durationMs: 1_000,
  instances: 1,
  ttlMs: NEG.ttlMs,
  origin: { latencyMs: 20, absent: (key) => !exists && key.startsWith('twin:') },
  keys: { kind: 'list', keys: TWINS },
  load: { kind: 'open', ratePerSec: 200 },
});

/**
 * The store entry's last millisecond, made likely: 4 instances, a 200 ms negative TTL, four ids
 * read 8,000 times a second in all (each instance reads each one every 2 ms or so), created at
 * 1.2 s without a word. A store read lands in an entry's last millisecond (PTTL 0) many times;
 * a copy taken then with ttl 0 is one lru-cache keeps for ever.
 */
export const EDGE = { negativeTtlMs: 200, createdAtMs: 1_200, durationMs: 2_000, keys: ['edge:0', 'edge:1', 'edge:2', 'edge:3'] } as const;
export const edgeScenario = (seed: number): ScenarioSpec => ({
  name: 'fleet x4, every store read near an expiry',
  seed,
  durationMs: EDGE.durationMs,
  instances: 4,
  ttlMs: NEG.ttlMs,
  origin: { latencyMs: 20, jitterMs: 10, capacity: 64, absent: (key, atMs = Infinity) => atMs < EDGE.createdAtMs },
  keys: { kind: 'list', keys: [...EDGE.keys] },
  load: { kind: 'open', ratePerSec: 8_000 },
});

export interface RunShape {
  instances?: number;
  /** The crawler's scan (SCAN by default), or false for none. */
  scan?: ScanShape | false;
  originFaults?: ScenarioSpec['originFaults'];
  timeoutMs?: number;
  durationMs?: number;
  name?: string;
}

/** The run: items, absent ids, created keys, and (unless `scan: false`) the crawler's scan. */
export function negativeScenario(seed: number, shape: RunShape = {}): ScenarioSpec {
  const scan = shape.scan === false ? undefined : (shape.scan ?? SCAN);
  const pattern = scan ? PATTERN : QUIET;
  const ratePerSec = (pattern.length * 1000) / 10;
  return {
    name: shape.name ?? (scan ? 'absent-id scan' : 'absent ids, no scan'),
    seed,
    durationMs: shape.durationMs ?? (scan === undefined ? QUIET_MS : scan.toMs + 2_000),
    instances: shape.instances ?? 1,
    ttlMs: NEG.ttlMs,
    cache: { maxEntries: NEG.positiveEntries },
    origin: { latencyMs: 20, jitterMs: 10, capacity: 64, absent, ...(shape.timeoutMs ? { timeoutMs: shape.timeoutMs } : {}) },
    keys: { kind: 'picker', make: picker(seed, { pattern, ratePerSec, scan }) },
    load: { kind: 'open', ratePerSec },
    ...(shape.originFaults ? { originFaults: shape.originFaults } : {}),
  };
}

/**
 * Origin trouble, no scan: down from 5 s to 7 s (every query fails), then from 16 s to 18 s so
 * slow that every query times out (200 ms timeout, service x20 = 400 ms and more); 12 s after
 * it for the claim to hold again.
 */
export const FAULTS = { down: { fromMs: 5_000, toMs: 7_000 }, slow: { fromMs: 16_000, toMs: 18_000, factor: 20 }, timeoutMs: 200 } as const;

export const faultyScenario = (seed: number, instances = 1): ScenarioSpec =>
  negativeScenario(seed, {
    scan: false,
    instances,
    name: 'absent ids, origin down and timing out',
    timeoutMs: FAULTS.timeoutMs,
    originFaults: [
      { kind: 'down', ...FAULTS.down },
      { kind: 'slow', ...FAULTS.slow },
    ],
  });
