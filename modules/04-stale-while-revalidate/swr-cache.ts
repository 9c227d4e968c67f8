/**
 * Module 04: stale-while-revalidate.
 *
 * Goal: nobody waits at a TTL boundary. After 03 the fleet rebuilds a key once per boundary, but
 * every request that arrives during that rebuild still waits for it. Give each entry two expiries:
 * a soft one (freshUntil, inside the entry) and a hard one (the store's PX). A fresh entry is
 * served. A stale one is served at once, and exactly one refresh runs in the background for the
 * whole fleet (a refresh claim in the store). Nothing cached (or past the hard expiry): wait for
 * the rebuild, as in 03 (deps.coldFill is module 03's reference lock). A refresh that fails keeps
 * the stale value served until its hard expiry, and the fleet's next attempt comes swr.retryMs
 * after the failure: not sooner (not on the next read), not later (not claimMs later).
 *
 * The starter is plain cache-aside: it treats the soft expiry as the end of the value and
 * rebuilds in the request path, once per miss. Run `pnpm grade 04`; `pnpm hint 04` if stuck.
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
  const { store, clock, origin, swr } = deps;

  const read = async (key: string): Promise<Entry | undefined> => {
    const raw = await store.get(key);
    return raw === null ? undefined : (JSON.parse(raw) as Entry);
  };

  return {
    async get(key) {
      const entry = await read(key);
      // TODO: a stale entry (clock.now() >= entry.freshUntil) is still served, at once; start a
      //       refresh in the background (not awaited, its failure caught) unless one is running.
      if (entry !== undefined) return entry.value;
      // TODO: nothing cached: wait for the fleet's one rebuild with deps.coldFill(key) instead.
      const value = await origin.fetch(key);
      const fresh: Entry = { value, freshUntil: clock.now() + swr.softTtlMs };
      // TODO: the entry lives in the store until its HARD expiry.
      await store.set(key, JSON.stringify(fresh), swr.softTtlMs);
      return value;
    },
  };
}

// TODO: the refresh, for the whole fleet: claim `refresh:${key}` in the store (store.acquire with a
//       token of your own, PX swr.claimMs); if someone else holds it, do nothing. With the claim:
//       read the entry again (another instance may have just refreshed it), take a fence
//       (store.nextFence(key)), fetch from the origin, write a new entry (freshUntil = now +
//       softTtlMs) with store.setFenced(key, entry, fence, swr.hardTtlMs), and release the claim.
//       When the fetch fails, make sure the fleet's next attempt comes swr.retryMs after the
//       failure: not on the next read, not claimMs later. A refresh slower than claimMs has lost
//       its claim to a newer refresher: it must not put its older value over theirs (the fence)
//       nor cut their claim short (shorten only a claim that is still yours).
