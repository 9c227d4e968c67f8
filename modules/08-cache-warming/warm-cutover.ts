/**
 * Module 08: cache warming.
 *
 * Goal: the new cache tier answers live traffic the moment it takes it. Today the cutover sends
 * every read to a tier that is empty, and the origin, sized for a tier that answers 99% of reads,
 * gets all of them at once: its queue passes the timeout, reads fail, retries pile on.
 *
 * Two things to write. warmTier fills the new tier before the cutover from a sample of the access
 * log: each logged key once, the most-read first, through p-limit so that no more than
 * floor(originCapacity x warmShare) warming queries are ever at the origin (the rest of its slots
 * belong to live traffic). A failed fetch skips its key. cutoverGate resolves when it is safe to
 * cut over: every checkEveryMs it reads a shadow sample of the latest live keys in the new tier,
 * and it opens once one sample's hit rate is at least the threshold.
 *
 * Run `pnpm grade 08`; `pnpm hint 08` if you are stuck.
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

export async function warmTier(deps: WarmDeps): Promise<void> {
  const { origin, tier, ttlMs } = deps;
  // TODO: count the log and warm each key once, most-read first (the log is a ranking).
  // TODO: bound the fetches with pLimit(floor(originCapacity x warmShare), at least 1).
  // TODO: a failed fetch skips its key; it must not stop the rest.
  void pLimit;
  await Promise.all(deps.accessLog.map(async (key) => {
    const value = await origin.fetch(key);
    if (value !== null) await tier.set(key, value, ttlMs);
  }));
}

export async function cutoverGate(deps: GateDeps): Promise<void> {
  // TODO: every deps.checkEveryMs, read deps.shadowSample()'s keys in deps.tier; return once the
  //       share found is >= deps.threshold. Until then, keep the old tier serving.
  void deps;
}
