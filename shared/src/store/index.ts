/** The shared store's public surface. store-keys.ts, spawnRedis and the option types stay internal. */
export { WORKSHOP_PREFIX, type SharedStore } from './shared-store.js';
export { createEmbeddedStore } from './embedded-store.js';
export { createRedisStore } from './redis-store.js';
export { locateRedis, type RedisLocation } from './locate-redis.js';
export { countReads, type ReadCounter } from './count-reads.js';
export { withLatency } from './with-latency.js';
