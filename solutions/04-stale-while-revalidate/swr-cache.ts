/**
 * Module 04, reference: stale-while-revalidate on the fleet's shared store. Each entry carries
 * its soft expiry (freshUntil) and lives in the store until its hard expiry (PX). A fresh entry is
 * served; a stale one is served at once while one refresh runs in the background for the whole
 * fleet (a claim in the store); nothing cached waits for module 03's lock (deps.coldFill). A
 * failed refresh keeps serving the stale value, and the fleet's next attempt comes retryMs after
 * the failure. Both writes of a refresh are fenced, the entry and the shortened claim: a refresh
 * that outlived its claim can neither put back an older value nor cut a newer refresher's claim.
 */
import type { AppDeps, OriginValue, ReadThrough, SharedStore } from '@herd/harness';

export type SwrCacheDeps = AppDeps & {
  /** The store the whole fleet shares: entries, and the refresh claims. */
  store: SharedStore;
  swr: {
    /** An entry is fresh this long after it was written. */
    softTtlMs: number;
    /** ... and may be served stale until this long after it was written (the store's PX). */
    hardTtlMs: number;
    /** The refresh claim's expiry: how long a refresher that died blocks the next one. */
    claimMs: number;
    /** After a failed refresh, the fleet's next attempt comes this long after the failure: not sooner, not later. */
    retryMs: number;
  };
  /**
   * The cold path, given: module 03's reference lock. One instance rebuilds for the whole fleet,
   * the others wait; it writes a fresh entry (PX hardTtlMs) and returns the value.
   */
  coldFill: (key: string) => Promise<OriginValue | null>;
};

/** What the store holds under a key, as JSON. */
export interface Entry {
  value: OriginValue | null;
  /** deps.clock time until which the value is fresh. */
  freshUntil: number;
}

export function createSwrCache(deps: SwrCacheDeps): ReadThrough {
  const { store, clock, rng, origin, instance, swr } = deps;
  // This instance's refreshes in flight: its other stale reads need not ask the store again.
  const refreshing = new Set<string>();

  const read = async (key: string): Promise<Entry | undefined> => {
    const raw = await store.get(key);
    return raw === null ? undefined : (JSON.parse(raw) as Entry);
  };

  const refresh = async (key: string): Promise<void> => {
    const claim = `refresh:${key}`;
    const token = `${instance}:${rng.int(0, 2 ** 31)}`;
    if (!(await store.acquire(claim, token, swr.claimMs))) return;
    // The claim's own fence, recorded on it: whoever claims after ours lapsed records a higher
    // one, so the failure path below can only ever shorten a claim that is still ours.
    const claimFence = await store.nextFence(claim);
    await store.setFenced(claim, token, claimFence, swr.claimMs);
    let failed = true;
    try {
      // Another instance may have refreshed between our stale read and our claim.
      const now = await read(key);
      if (now !== undefined && clock.now() < now.freshUntil) {
        failed = false;
        return;
      }
      // Taken before the fetch: a refresher that claims after ours lapsed takes a higher one.
      const fence = await store.nextFence(key);
      const value = await origin.fetch(key);
      const entry: Entry = { value, freshUntil: clock.now() + swr.softTtlMs };
      // Refused when a newer write (a refresher that claimed after ours lapsed, the cold path)
      // landed first: a slow refresh never puts an older value over a newer one.
      await store.setFenced(key, JSON.stringify(entry), fence, swr.hardTtlMs);
      failed = false;
    } finally {
      // Success frees the claim. A failure keeps it, shortened to retryMs: the stale value is
      // still served, and the fleet's next attempt comes retryMs after this failure. Fenced: a
      // refresh slower than claimMs has lost the claim to a newer refresher, and a plain
      // store.set would cut that one's claim short and let a third refresh start beside it.
      if (failed) await store.setFenced(claim, token, claimFence, swr.retryMs);
      else await store.release(claim, token);
    }
  };

  return {
    async get(key) {
      const entry = await read(key);
      if (entry === undefined) return deps.coldFill(key);
      if (clock.now() >= entry.freshUntil && !refreshing.has(key)) {
        refreshing.add(key);
        // Not awaited: the caller has its value. Every failure ends here, never unhandled.
        void refresh(key)
          .catch(() => undefined)
          .then(() => refreshing.delete(key));
      }
      return entry.value;
    },
  };
}
