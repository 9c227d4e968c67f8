/**
 * The Redis-backed shared store (ioredis). Locks are `SET NX PX` plus a compare-and-delete
 * script, fences are INCR, and a fenced write is one script that checks and records the fence
 * atomically. Both scripts are registered once per client (EVALSHA, EVAL only on a cold cache).
 *
 * A store must never hang a run or print a stack trace: connecting has a deadline, commands have
 * a timeout, nothing queues while disconnected, and every failure to reach Redis surfaces as one
 * HerdError('STORE_UNAVAILABLE') naming the URL and the fix.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { HerdError } from '../errors.js';
import type { SharedStore } from './shared-store.js';
import { WORKSHOP_PREFIX } from './shared-store.js';
import { acceptedFenceName, checkFence, checkPrefix, checkPx, fenceCounterName, globEscape } from './store-keys.js';

export interface RedisStoreOptions {
  url: string;
  /** Defaults to `herd:run:<random id>:`, so concurrent runs on one Redis never share a key. */
  prefix?: string;
  /** How long connecting (TCP, ready check and a PING) may take before giving up. Default 1000. */
  connectTimeoutMs?: number;
}

/** A live Redis answers in well under a millisecond; two seconds means it is stalled or gone. */
const COMMAND_TIMEOUT_MS = 2000;
/** After a connection that worked drops, try this many reconnects (100, 200, 300 ms), then give up. */
const RECONNECT_ATTEMPTS = 3;

const RELEASE_LUA = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

// KEYS: value, last accepted fence. ARGV: value, fence, px. No expiry on the fence record: once
// it expired, a writer holding an old fence would be let back in.
const SET_FENCED_LUA = `
local last = redis.call('GET', KEYS[2])
if last and tonumber(ARGV[2]) < tonumber(last) then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[3])
redis.call('SET', KEYS[2], ARGV[2])
return 1`;

interface Scripted {
  herdRelease(key: string, token: string): Promise<number>;
  herdSetFenced(valueKey: string, fenceKey: string, value: string, fence: string, px: string): Promise<number>;
}

export async function createRedisStore(options: RedisStoreOptions): Promise<SharedStore> {
  const prefix = checkPrefix(options.prefix ?? `${WORKSHOP_PREFIX}run:${randomBytes(4).toString('hex')}:`);
  const connectTimeoutMs = options.connectTimeoutMs ?? 1000;
  const target = parseUrl(options.url);

  // Set once the first connection is ready: only a connection that once worked is worth retrying.
  let everReady = false;
  // The socket-level cause (ECONNREFUSED, ECONNRESET) behind ioredis's generic command errors.
  let lastError: Error | undefined;
  let closed = false;

  const client = new Redis(options.url, {
    lazyConnect: true,
    connectTimeout: connectTimeoutMs,
    commandTimeout: COMMAND_TIMEOUT_MS,
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    autoResendUnfulfilledCommands: false,
    retryStrategy: (times) => (everReady && !closed && times <= RECONNECT_ATTEMPTS ? 100 * times : null),
  }) as Redis & Scripted;
  // Without a listener ioredis prints every connection error; the reason reaches callers instead.
  client.on('error', (e: Error) => {
    lastError = e;
  });
  client.on('ready', () => {
    everReady = true;
    lastError = undefined;
  });
  client.defineCommand('herdRelease', { numberOfKeys: 1, lua: RELEASE_LUA });
  client.defineCommand('herdSetFenced', { numberOfKeys: 2, lua: SET_FENCED_LUA });

  try {
    await withDeadline(client.connect().then(() => client.ping()), connectTimeoutMs);
  } catch (e) {
    closed = true;
    client.disconnect();
    throw unavailable(target, 'did not answer', reasonOf(lastError ?? e));
  }

  /** Runs one command; a reply error stays an Error, anything else means Redis is out of reach. */
  const call = async <T>(op: string, name: string, run: () => Promise<T>): Promise<T> => {
    try {
      return await run();
    } catch (e) {
      if (e instanceof Error && e.name === 'ReplyError') {
        throw new Error(`${op}('${name}'): Redis replied ${oneLine(e.message)}`, { cause: e });
      }
      if (closed) {
        throw new HerdError('STORE_UNAVAILABLE', `${op}('${name}') on the Redis store ${prefix} after close(): close a store only once its run is over`, { url: target.shown });
      }
      throw unavailable(target, `stopped answering during ${op}`, reasonOf(lastError ?? e));
    }
  };

  return {
    kind: 'redis',
    prefix,

    get: (name) => call('get', name, () => client.get(prefix + name)),

    set: async (name, value, pxMs) => {
      checkPx('set', name, pxMs);
      await call('set', name, () => client.set(prefix + name, value, 'PX', pxMs));
    },

    del: (name) => call('del', name, () => client.del(prefix + name)),

    pttl: (name) => call('pttl', name, () => client.pttl(prefix + name)),

    acquire: async (name, token, pxMs) => {
      checkPx('acquire', name, pxMs);
      return (await call('acquire', name, () => client.set(prefix + name, token, 'PX', pxMs, 'NX'))) === 'OK';
    },

    release: async (name, token) => (await call('release', name, () => client.herdRelease(prefix + name, token))) === 1,

    nextFence: (name) => call('nextFence', name, () => client.incr(prefix + fenceCounterName(name))),

    setFenced: async (name, value, fence, pxMs) => {
      checkPx('setFenced', name, pxMs);
      checkFence(name, fence);
      const ok = await call('setFenced', name, () =>
        client.herdSetFenced(prefix + name, prefix + acceptedFenceName(name), value, String(fence), String(pxMs)),
      );
      return ok === 1;
    },

    // SCAN walks the keyspace in small steps (KEYS would block Redis); only our prefix matches.
    cleanup: () =>
      call('cleanup', '*', async () => {
        let n = 0;
        for await (const batch of client.scanStream({ match: `${globEscape(prefix)}*`, count: 500 })) {
          const keys = batch as string[];
          if (keys.length > 0) n += await client.del(...keys);
        }
        return n;
      }),

    close: async () => {
      if (closed) return;
      closed = true;
      try {
        await withDeadline(client.quit(), connectTimeoutMs);
      } catch {
        client.disconnect();
      }
    },
  };
}

interface Target {
  /** The URL without credentials: what messages may print. */
  shown: string;
  host: string;
  port: string;
}

function parseUrl(url: string): Target {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    u = new URL('invalid:');
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') {
    // Credentials stay out of the message, even from a malformed URL.
    const shown = oneLine(url).replace(/\/\/[^@/]*@/, '//');
    throw new HerdError('STORE_UNAVAILABLE', `'${shown}' is not a Redis URL: set REDIS_URL like redis://127.0.0.1:6379`, {
      url: shown,
      reason: 'not a redis:// or rediss:// URL',
    });
  }
  const path = u.pathname === '/' ? '' : u.pathname;
  return { shown: `${u.protocol}//${u.host}${path}`, host: u.hostname, port: u.port || '6379' };
}

function unavailable(target: Target, what: string, reason: string): HerdError {
  const local = ['127.0.0.1', 'localhost', '[::1]', '::1'].includes(target.host);
  const fix = local
    ? `start it with \`redis-server --port ${target.port} --save '' --daemonize yes\` or set REDIS_URL`
    : `check that ${target.host}:${target.port} is reachable or set REDIS_URL`;
  return new HerdError('STORE_UNAVAILABLE', `Redis at ${target.shown} ${what} (${reason}): ${fix}`, {
    url: target.shown,
    reason,
  });
}

/** ioredis's wordings for a lost connection, shortened to what a learner can act on. */
const REASONS: Array<[RegExp, string]> = [
  [/Stream isn't writeable|Connection is closed|max retries per request/i, 'connection lost'],
  [/Command timed out/i, `no reply within ${COMMAND_TIMEOUT_MS} ms`],
];

/** The errno code when there is one (ECONNREFUSED), else a short reason, on one line. */
function reasonOf(e: unknown): string {
  const code = (e as { code?: unknown } | undefined)?.code;
  if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) return code;
  const message = oneLine(e instanceof Error ? e.message : String(e)).replace(/\.$/, '');
  return REASONS.find(([re]) => re.test(message))?.[1] ?? message;
}

function oneLine(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}

function withDeadline<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}
