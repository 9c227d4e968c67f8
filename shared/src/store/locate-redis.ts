/**
 * Finds a Redis for the Redis-backed checks, in a fixed order: REDIS_URL (and nothing else when it
 * is set), then 127.0.0.1:6379, then a private redis-server on a free port. Without any of them
 * the checks are skipped with a reason, except in CI, where a missing Redis is an error.
 */
import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { HerdError, isHerdError } from '../errors.js';
import { createRedisStore } from './redis-store.js';

export type RedisLocation =
  | { url: string; how: 'REDIS_URL' | 'default' | 'spawned'; stop(): Promise<void> }
  | { skip: string };

export interface LocateRedisOptions {
  /** A skip becomes an error. Default: process.env.CI === 'true'. */
  ci?: boolean;
}

const DEFAULT_URL = 'redis://127.0.0.1:6379';
const SKIP =
  'no Redis: set REDIS_URL, or start one with `redis-server --daemonize yes`, or install redis-server; Redis-backed checks skipped';

export async function locateRedis(options: LocateRedisOptions = {}): Promise<RedisLocation> {
  const ci = options.ci ?? process.env.CI === 'true';
  const fromEnv = process.env.REDIS_URL;
  if (fromEnv !== undefined && fromEnv !== '') {
    // An explicit choice that fails is reported, never swapped for another Redis behind its back.
    const failed = await probe(fromEnv, 1000);
    if (failed !== undefined) {
      const shown = typeof failed.context.url === 'string' ? failed.context.url : 'REDIS_URL';
      throw new HerdError(
        'STORE_UNAVAILABLE',
        `REDIS_URL=${shown} did not answer (${reasonOf(failed)}): start that Redis, fix REDIS_URL, or unset it to use 127.0.0.1:6379`,
        { ...failed.context, cause: failed },
      );
    }
    return { url: fromEnv, how: 'REDIS_URL', stop: async () => {} };
  }
  if ((await probe(DEFAULT_URL, 300)) === undefined) {
    return { url: DEFAULT_URL, how: 'default', stop: async () => {} };
  }
  const bin = findOnPath('redis-server');
  let failure = '';
  if (bin !== undefined) {
    const spawned = await spawnRedis(bin);
    if ('url' in spawned) return spawned;
    failure = ` (a private redis-server did not start: ${spawned.failure})`;
  }
  if (ci) {
    throw new HerdError('STORE_UNAVAILABLE', `no Redis in CI${failure}: CI must make Redis reachable (a redis service on 127.0.0.1:6379, or REDIS_URL)`);
  }
  return { skip: SKIP.replace('no Redis', `no Redis${failure}`) };
}

/** redis-server ($3) on port $2 for as long as process $1 lives; SIGTERM stops both, the shell last (stop() resolves once the server is gone). */
const WATCHED_REDIS = `command -v "$3" >/dev/null || exit 127
"$3" --port "$2" --bind 127.0.0.1 --save '' --appendonly no >/dev/null 2>&1 & R=$!
trap 'kill $R 2>/dev/null; wait $R; exit 0' TERM INT
while kill -0 "$1" 2>/dev/null && kill -0 $R 2>/dev/null; do sleep 0.5; done
kill $R 2>/dev/null`;

/**
 * Starts a throwaway redis-server on a free loopback port, with no persistence, and waits until
 * it answers; it stops with stop(), or when this process ends, however it ends. Engine only
 * (tests kill a Redis under a live store with it; the capstone runs its own); not for learners.
 */
export async function spawnRedis(
  bin = 'redis-server',
  readyWithinMs = 5000,
): Promise<{ url: string; how: 'spawned'; stop(): Promise<void> } | { failure: string }> {
  const port = await freePort();
  const url = `redis://127.0.0.1:${port}`;
  // Through a shell that watches this process: a parent killed outright (a watchdog's SIGKILL)
  // runs no exit handler, and the redis-server must not outlive it.
  const child = spawn('sh', ['-c', WATCHED_REDIS, 'sh', String(process.pid), String(port), bin], { stdio: 'ignore' });
  // A forgotten stop() must neither keep this process alive nor leave the server running after it.
  child.unref();
  const killOnExit = (): void => {
    child.kill('SIGTERM'); // the shell's trap stops redis-server; a SIGKILL would orphan it
  };
  process.once('exit', killOnExit);

  let exited: string | undefined;
  const exitedPromise = new Promise<void>((resolve) => {
    child.once('error', (e) => {
      exited ??= e.message;
      resolve();
    });
    child.once('exit', (code, signal) => {
      exited ??= code === 127 ? `${bin} not found` : `exited with ${signal ?? `code ${code}`}`;
      resolve();
    });
  });

  const stop = async (): Promise<void> => {
    process.removeListener('exit', killOnExit);
    if (exited !== undefined) return;
    child.kill('SIGTERM');
    const gone = await Promise.race([exitedPromise.then(() => true), sleep(2000).then(() => false)]);
    if (!gone) {
      child.kill('SIGKILL');
      await exitedPromise;
    }
  };

  const deadline = performance.now() + readyWithinMs;
  let why: string | undefined = 'not started';
  while (exited === undefined && performance.now() < deadline) {
    const failed = await probe(url, 300);
    if (failed === undefined) return { url, how: 'spawned', stop };
    why = reasonOf(failed);
    await sleep(50);
  }
  await stop();
  return { failure: exited ?? `no answer on port ${port} within ${readyWithinMs} ms (${why})` };
}

/** Undefined when a Redis at `url` answers PING within `timeoutMs`, else why not. */
async function probe(url: string, timeoutMs: number): Promise<HerdError | undefined> {
  try {
    const store = await createRedisStore({ url, connectTimeoutMs: timeoutMs });
    await store.close();
    return undefined;
  } catch (e) {
    if (isHerdError(e, 'STORE_UNAVAILABLE')) return e;
    throw e;
  }
}

function reasonOf(e: HerdError): string {
  return typeof e.context.reason === 'string' ? e.context.reason : e.message;
}

function findOnPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (dir === '') continue;
    const file = path.join(dir, name);
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      // not in this directory
    }
  }
  return undefined;
}

/** A port the OS just handed out, freed for a server. Should another process grab it first, the server exits and that is the reported failure. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
