/**
 * Module 08, reference: warm the new tier before the cutover, and hold the cutover until the new
 * tier would answer live traffic. The warmer ranks the sampled access log by how often each key
 * was read, hottest first, and fetches each key once from the origin through p-limit, with no
 * more queries in flight than the share of the origin's slots it may take from live traffic. The
 * gate reads the new tier in the shadow of live traffic (the keys live reads just asked for) and
 * opens once one sample's hit rate reaches the threshold.
 */
import pLimit from 'p-limit';
import type { Clock, Origin, OriginValue } from '@herd/harness';

/** A cache tier as the warmer and the gate see it (the grader's, shared by the fleet). */
export interface Tier {
  /** The cached value, or null when the tier does not hold the key. */
  get(key: string): Promise<OriginValue | null>;
  set(key: string, value: OriginValue, ttlMs: number): Promise<void>;
}

export interface WarmDeps {
  /** A sample of the access log: one key per sampled read, oldest first. */
  accessLog: readonly string[];
  /** The database, as the warmer sees it. */
  origin: Origin;
  /** The new tier, cold. */
  tier: Tier;
  ttlMs: number;
  /** Queries the origin serves at once. */
  originCapacity: number;
  /** The share of those slots warming may take from live traffic, in (0, 1]. */
  warmShare: number;
}

export interface GateDeps {
  clock: Clock;
  /** The new tier, for shadow reads only. */
  tier: Pick<Tier, 'get'>;
  /** The keys of the latest live reads (a fresh copy each call): what the new tier would be asked now. */
  shadowSample(): readonly string[];
  /** Cut over once one sample's hit rate in the new tier is at least this. */
  threshold: number;
  /** How often to take a sample, ms. */
  checkEveryMs: number;
}

/** The keys of `log`, each once, most-read first. */
export function hottestFirst(log: readonly string[]): string[] {
  const counts = new Map<string, number>();
  for (const key of log) counts.set(key, (counts.get(key) ?? 0) + 1);
  return [...counts.keys()].sort((a, b) => counts.get(b)! - counts.get(a)!);
}

export async function warmTier(deps: WarmDeps): Promise<void> {
  const { origin, tier, ttlMs } = deps;
  // Floor, not round: 16 slots at a 30% share is 4.8, and 5 would take more than the share.
  // One slot at least, or warming would never start.
  const slots = Math.max(1, Math.floor(deps.originCapacity * deps.warmShare));
  const limit = pLimit(slots);
  await Promise.all(
    hottestFirst(deps.accessLog).map((key) =>
      limit(async () => {
        try {
          const value = await origin.fetch(key);
          if (value !== null) await tier.set(key, value, ttlMs);
        } catch {
          // A failed fetch warms nothing: the key is left to live traffic, never stored as an
          // error, and the rest of the log still warms.
        }
      }),
    ),
  );
}

export async function cutoverGate(deps: GateDeps): Promise<void> {
  const { clock, tier, threshold, checkEveryMs } = deps;
  for (;;) {
    const sample = deps.shadowSample();
    if (sample.length > 0) {
      const found = await Promise.all(sample.map((key) => tier.get(key)));
      const hits = found.filter((v) => v !== null).length;
      if (hits / sample.length >= threshold) return;
    }
    await clock.sleep(checkEveryMs);
  }
}
