/**
 * The peers' read paths, for the table's last rows: what a team would reach for instead of the
 * course's layers, each used as its documentation says, on the same fleet, load and origin.
 *   lru-cache   fetch(): an in-process cache whose concurrent fetches of a key share one call.
 *   cache-manager  wrap() on its default in-memory store: concurrent wraps of a key in one
 *               process share one call of the function (it caches null as a value).
 *   bentocache  getOrSet() with grace: memory L1 over a Redis L2 (under the row's prefix), its
 *               own stampede protection, and stale values served during the grace period.
 *   nginx       proxy_cache in front of the origin (nginx.ts), one cache for the fleet: the lock
 *               alone, then the lock with stale answers while one background update runs. The
 *               workers cache nothing themselves; nginx's X-Cache-Status tells a miss (MISS,
 *               EXPIRED), though a request the lock held and then served from the new entry
 *               reads HIT: the row's miss rate counts only the requests that went upstream.
 */
import { BentoCache, bentostore } from 'bentocache';
import { memoryDriver } from 'bentocache/drivers/memory';
import { redisDriver } from 'bentocache/drivers/redis';
import { createCache } from 'cache-manager';
import { LRUCache } from 'lru-cache';
import { Agent, request } from 'node:http';
import type { Origin, OriginValue } from '@herd/harness/engine';
import type { Composed, OnMiss } from './compose.js';
import type { CapstoneSettings } from './settings.js';

export const PEERS = ['lru-cache', 'cache-manager', 'bentocache', 'nginx-lock', 'nginx-stale'] as const;
export type Peer = (typeof PEERS)[number];
/** The rows that need nginx running in front of the origin. */
export const NGINX_PEERS: ReadonlySet<Peer> = new Set(['nginx-lock', 'nginx-stale']);

export const PEER_LABEL: Readonly<Record<Peer, string>> = {
  'lru-cache': 'lru-cache fetch()',
  'cache-manager': 'cache-manager wrap()',
  bentocache: 'bentocache + grace',
  'nginx-lock': 'nginx cache_lock',
  'nginx-stale': 'nginx lock+stale+bg',
};

/** `via`: the nginx rows' proxy cache (the origin's API in front of it) and this worker's name. */
export async function peerPath(peer: Peer, origin: Origin, settings: CapstoneSettings, redisUrl: string, prefix: string, onMiss: OnMiss, via?: { url: string; instance: string }): Promise<Composed & { close(): Promise<void> }> {
  if (NGINX_PEERS.has(peer)) {
    if (via === undefined) throw new Error(`grader bug: the ${peer} row has no nginx to read through`);
    const agent = new Agent({ keepAlive: true });
    return {
      path: { get: (key) => throughNginx(via.url, via.instance, agent, key, onMiss) },
      // Open-source nginx cannot purge one key: a write shows once the entry expires.
      invalidate: async () => undefined,
      close: async () => agent.destroy(),
    };
  }
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

/** One read through nginx: the origin's answer (null for an absent id), or an error naming the status. */
function throughNginx(via: string, instance: string, agent: Agent, key: string, onMiss: OnMiss): Promise<OriginValue | null> {
  return new Promise((resolve, reject) => {
    const target = new URL('/query', via);
    target.search = new URLSearchParams({ key, instance }).toString();
    const req = request(target, { agent }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('error', reject);
      res.on('end', () => {
        const status = String(res.headers['x-cache-status'] ?? '');
        if (status === 'MISS' || status === 'EXPIRED' || status === '') onMiss();
        if (res.statusCode === 200) return resolve(JSON.parse(body) as OriginValue | null);
        reject(new Error(`nginx answered ${res.statusCode} for "${key}": ${body.slice(0, 80)}`));
      });
    });
    req.on('error', (e) => reject(new Error(`nginx at ${via} unreachable (${(e as NodeJS.ErrnoException).code ?? e.message})`)));
    req.end();
  });
}
