/**
 * The peers' read paths, for the table's last rows: what a team would reach for instead of the
 * course's layers, each used as its documentation says, on the same fleet, load and origin.
 *   lru-cache   fetch(): an in-process cache whose concurrent fetches of a key share one call.
 *   cache-manager  wrap() on its default in-memory store: concurrent wraps of a key in one
 *               process share one call of the function (it caches null as a value).
 *   bentocache  getOrSet() with grace: memory L1 over a Redis L2 (under the row's prefix), its
 *               own stampede protection, and stale values served during the grace period.
 */
import { BentoCache, bentostore } from 'bentocache';
import { memoryDriver } from 'bentocache/drivers/memory';
import { redisDriver } from 'bentocache/drivers/redis';
import { createCache } from 'cache-manager';
import { LRUCache } from 'lru-cache';
import type { Origin, OriginValue } from '@herd/harness/engine';
import type { Composed, OnMiss } from './compose.js';
import type { CapstoneSettings } from './settings.js';

export const PEERS = ['lru-cache', 'cache-manager', 'bentocache'] as const;
export type Peer = (typeof PEERS)[number];

export const PEER_LABEL: Readonly<Record<Peer, string>> = {
  'lru-cache': 'lru-cache fetch()',
  'cache-manager': 'cache-manager wrap()',
  bentocache: 'bentocache + grace',
};

export async function peerPath(peer: Peer, origin: Origin, settings: CapstoneSettings, redisUrl: string, prefix: string, onMiss: OnMiss): Promise<Composed & { close(): Promise<void> }> {
  if (peer === 'lru-cache') {
    // lru-cache keeps no null: the answer is boxed.
    const cache = new LRUCache<string, { v: OriginValue | null }>({ max: 10_000, ttl: settings.ttlMs, fetchMethod: async (key) => ({ v: await origin.fetch(key) }) });
    return {
      path: {
        async get(key) {
          if (!cache.has(key)) onMiss();
          return (await cache.fetch(key))!.v;
        },
      },
      invalidate: async (key) => void cache.delete(key),
      close: async () => undefined,
    };
  }
  if (peer === 'cache-manager') {
    const cache = createCache();
    return {
      path: {
        async get(key) {
          // A miss as the lru-cache row counts one: every request that found no value, the
          // callers that joined another's wrap() included.
          if ((await cache.get(key)) === undefined) onMiss();
          return cache.wrap(key, () => origin.fetch(key), settings.ttlMs);
        },
      },
      invalidate: async (key) => void (await cache.del(key)),
      close: () => cache.disconnect(),
    };
  }
  const u = new URL(redisUrl);
  const bento = new BentoCache({
    default: 'capstone',
    stores: {
      capstone: bentostore()
        .useL1Layer(memoryDriver({ maxItems: 10_000 }))
        .useL2Layer(redisDriver({ connection: { host: u.hostname, port: Number(u.port || 6379) }, prefix: `${prefix}bento` })),
    },
  });
  return {
    path: {
      get: (key) =>
        bento.getOrSet<OriginValue | null>({
          key,
          factory: async () => {
            onMiss();
            return origin.fetch(key);
          },
          ttl: settings.ttlMs,
          grace: settings.swr.hardTtlMs,
        }),
    },
    invalidate: async (key) => void (await bento.delete({ key })),
    close: () => bento.disconnectAll(),
  };
}
