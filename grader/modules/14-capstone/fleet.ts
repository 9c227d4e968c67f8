/**
 * The capstone's primary process: the origin (the harness's HTTP origin, or PostgreSQL when asked
 * for and reachable), a Redis (a private redis-server on a free port when the machine has one, so
 * every key in it can be checked; else the one locateRedis finds), and node:cluster workers on one
 * port. `configure` switches every worker to a stack under a fresh prefix; `stop` ends it all and
 * deletes every key under the run's prefix. Failures are one line naming the fix (CapstoneError).
 */
import cluster, { type Worker } from 'node:cluster';
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Redis } from 'ioredis';
import { createRedisStore, freePort, isHerdError, locateRedis, spawnRedis, realClock, repoRoot, serveOrigin, type OriginServer, type QueryRecord } from '@herd/harness/engine';
import type { Layer } from './layers.js';
import type { Peer } from './peers.js';
import { PG_DEFAULT_URL, preparePg } from './pg-origin.js';
import type { FromWorker, ToWorker, WorkerConfig, WorkerStats } from './protocol.js';
import { ORIGIN, SETTINGS, WORKERS, isAbsent, type CapstoneSettings } from './settings.js';

export class CapstoneError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CapstoneError';
  }
}

const TSX = pathToFileURL(createRequire(path.join(repoRoot, 'package.json')).resolve('tsx')).href;
const WORKER = fileURLToPath(new URL('./worker.ts', import.meta.url));

export interface FleetOptions {
  workers?: number;
  /** The service's port; 0 (default) picks a free one. */
  port?: number;
  /** 'http' (default) or 'pg'. */
  origin?: 'http' | 'pg';
  /** Ids the PostgreSQL origin creates rows for. */
  ids?: readonly string[];
  seed?: number;
  settings?: CapstoneSettings;
  /** Said once, as each part comes up. */
  say?: (line: string) => void;
}

/** One origin query, ms on this process's clock (the log's own). */
export type Query = Pick<QueryRecord, 't' | 'key' | 'instance'>;

export interface Fleet {
  url: string;
  originUrl: string;
  originKind: 'http' | 'pg';
  redisUrl: string;
  /** 'private' when this run started its own redis-server: every key in it is the run's. */
  redisHow: string;
  runPrefix: string;
  workers: number;
  settings: CapstoneSettings;
  /** Switches every worker to `layers` under a fresh prefix; resolves when all are ready. */
  configure(layers: readonly Layer[], sources: Record<string, 'modules' | 'solutions'>, peer?: Peer, peerUrl?: string): Promise<string>;
  stats(): Promise<WorkerStats>;
  /** Waits (up to 10 s) until no request is in flight, then closes every worker's store. */
  park(): Promise<void>;
  /** Origin queries since `from` (ms on realClock, the HTTP origin's own clock). */
  queries(from: number): Promise<Query[]>;
  /** Keys in Redis outside the run's prefix (private Redis only; else undefined). */
  strayKeys(): Promise<string[] | undefined>;
  /** Keys under the run's prefix. */
  keysLeft(): Promise<number>;
  /** Deletes every key under `prefix` (one row's, inside the run's); returns how many are left. */
  clear(prefix: string): Promise<number>;
  stop(): Promise<{ deleted: number; left: number }>;
}

export async function startFleet(options: FleetOptions = {}): Promise<Fleet> {
  const say = options.say ?? (() => undefined);
  const workers = options.workers ?? WORKERS;
  const settings = options.settings ?? SETTINGS;
  const seed = options.seed ?? 1;
  const runPrefix = `herd:run:${randomBytes(4).toString('hex')}:cap:`;
  const stops: Array<() => Promise<void>> = [];
  const stopAll = async (): Promise<void> => {
    for (const s of stops.reverse()) await s().catch(() => undefined);
  };

  try {
    const redis = await privateRedis();
    stops.push(redis.stop);

    // The origin.
    let originUrl: string;
    let originKind: 'http' | 'pg' = 'http';
    let http: OriginServer | undefined;
    let pgLog: Awaited<ReturnType<typeof preparePg>> | undefined;
    // realClock's zero as wall-clock ms: the database stamps its log in wall time.
    const epoch = performance.timeOrigin + (performance.now() - realClock.now());
    if (options.origin === 'pg') {
      const url = process.env.DATABASE_URL ?? PG_DEFAULT_URL;
      const ready = await preparePg(url, options.ids ?? ['hot']);
      if (typeof ready === 'string') {
        say(`PostgreSQL at ${url.replace(/\/\/[^@/]*@/, '//')} not reachable (${ready.slice(0, 60)}): using the HTTP origin`);
      } else {
        pgLog = ready;
        stops.push(() => ready.close());
        originUrl = url;
        originKind = 'pg';
      }
    }
    if (originKind === 'http') {
      try {
        http = await serveOrigin({ ...ORIGIN, seed, absent: isAbsent });
      } catch (e) {
        throw new CapstoneError(`the HTTP origin could not start (${(e as Error).message}): free a loopback port and retry`);
      }
      const h = http;
      stops.push(() => h.close());
      originUrl = h.url;
    }

    // The workers.
    const port = options.port ?? (await freePort());
    cluster.setupPrimary({ exec: WORKER, execArgv: ['--import', TSX], silent: true, cwd: repoRoot } as Parameters<typeof cluster.setupPrimary>[0]);
    const procs: Worker[] = [];
    let fatal: string | undefined;
    const listening = Promise.all(
      Array.from({ length: workers }, (_, i) => {
        const w = cluster.fork({ CAPSTONE_WORKER: String(i), CAPSTONE_PORT: String(port) });
        procs.push(w);
        let err = '';
        w.process.stderr?.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-2000)));
        w.process.stdout?.resume();
        return new Promise<void>((resolve, reject) => {
          w.once('listening', () => resolve());
          w.once('exit', (code) => {
            fatal ??= lastLine(err) || `worker ${i} exited with code ${code}`;
            reject(new CapstoneError(`the service's worker ${i} did not start: ${fatal}`));
          });
        });
      }),
    );
    const stopWorkers = async (): Promise<void> => {
      await Promise.all(
        procs.map(
          (w) =>
            new Promise<void>((resolve) => {
              if (w.isDead()) return resolve();
              const t = setTimeout(() => (w.process.kill('SIGKILL'), resolve()), 2000);
              w.once('exit', () => (clearTimeout(t), resolve()));
              w.send({ type: 'stop' } satisfies ToWorker);
            }),
        ),
      );
    };
    stops.push(stopWorkers);
    await listening;

    const ask = <T extends FromWorker['type']>(w: Worker, m: ToWorker, want: T): Promise<Extract<FromWorker, { type: T }>> =>
      new Promise((resolve, reject) => {
        const on = (r: FromWorker): void => {
          if (r.type === want) {
            w.off('message', on);
            resolve(r as Extract<FromWorker, { type: T }>);
          } else if (r.type === 'error') {
            w.off('message', on);
            reject(new CapstoneError(r.line));
          }
        };
        w.on('message', on);
        w.send(m);
      });

    let row = 0;
    const store = await createRedisStore({ url: redis.url, prefix: runPrefix });
    stops.push(() => store.close());
    const raw = new Redis(redis.url, { lazyConnect: true, maxRetriesPerRequest: 1 });
    raw.on('error', () => undefined);
    await raw.connect();
    stops.push(async () => void raw.disconnect());

    const scan = async (match: string): Promise<string[]> => {
      const out: string[] = [];
      for await (const batch of raw.scanStream({ match, count: 500 })) out.push(...(batch as string[]));
      return out;
    };

    return {
      url: `http://127.0.0.1:${port}`,
      originUrl: originUrl!,
      originKind,
      redisUrl: redis.url,
      redisHow: redis.how,
      runPrefix,
      workers,
      settings,
      async configure(layers, sources, peer, peerUrl) {
        const prefix = `${runPrefix}r${++row}:`;
        const config: WorkerConfig = { layers: [...layers], peer, peerUrl, sources, redisUrl: redis.url, prefix, originUrl: originUrl!, seed, epochMs: Date.now(), settings };
        await Promise.all(procs.map((w) => ask(w, { type: 'configure', config }, 'configured')));
        return prefix;
      },
      async stats() {
        const all = await Promise.all(procs.map((w) => ask(w, { type: 'stats' }, 'stats')));
        const sum: WorkerStats = { requests: 0, misses: 0, shed: 0, errors: 0, active: 0 };
        for (const { stats: s } of all) {
          sum.requests += s.requests;
          sum.misses += s.misses;
          sum.shed += s.shed;
          sum.errors += s.errors;
          sum.active += s.active;
          sum.firstError ??= s.firstError;
        }
        return sum;
      },
      async park() {
        for (let i = 0; i < 100; i++) {
          const all = await Promise.all(procs.map((w) => ask(w, { type: 'stats' }, 'stats')));
          if (all.every((a) => a.stats.active === 0)) break;
          await sleep(100);
        }
        await Promise.all(procs.map((w) => ask(w, { type: 'park' }, 'parked')));
      },
      async queries(from) {
        if (http) return http.origin.log.filter((q) => q.t >= from).map(({ t, key, instance }) => ({ t, key, instance }));
        const rows = await (pgLog as Exclude<typeof pgLog, string | undefined>)!.queries(new Date(epoch + from));
        return rows.map((q) => ({ ...q, t: q.t - epoch }));
      },
      async strayKeys() {
        if (redis.how !== 'private') return undefined;
        return (await scan('*')).filter((k) => !k.startsWith(runPrefix));
      },
      async clear(prefix) {
        if (!prefix.startsWith(runPrefix)) throw new Error(`grader bug: ${prefix} is not under ${runPrefix}`);
        const keys = await scan(`${prefix}*`);
        for (let i = 0; i < keys.length; i += 500) await raw.del(...keys.slice(i, i + 500));
        return (await scan(`${prefix}*`)).length;
      },
      async keysLeft() {
        return (await scan(`${runPrefix}*`)).length;
      },
      async stop() {
        // Workers first: a write still in flight must not land after the cleanup.
        await stopWorkers();
        let deleted = 0;
        try {
          deleted = await store.cleanup();
        } catch {
          // Redis went away: nothing is left to delete.
        }
        const left = await scan(`${runPrefix}*`).then((k) => k.length, () => 0);
        await stopAll();
        return { deleted, left };
      },
    };
  } catch (e) {
    await stopAll();
    if (e instanceof CapstoneError) throw e;
    if (isHerdError(e)) throw new CapstoneError(e.message);
    throw e;
  }
}

/**
 * A redis-server of this run's own on a free port (no persistence), so every key in it can be
 * checked; else REDIS_URL or 127.0.0.1:6379 as locateRedis finds them.
 */
async function privateRedis(): Promise<{ url: string; how: string; stop(): Promise<void> }> {
  if (process.env.REDIS_URL === undefined || process.env.REDIS_URL === '') {
    const own = await spawnRedis();
    if ('url' in own) return { ...own, how: 'private' };
  }
  const found = await locateRedis().catch((e: unknown) => {
    throw new CapstoneError(e instanceof Error ? e.message : String(e));
  });
  if ('skip' in found) throw new CapstoneError('no Redis: install redis-server, or start one with `redis-server --daemonize yes`, or set REDIS_URL');
  return { url: found.url, how: found.how, stop: found.stop };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function lastLine(text: string): string {
  return (
    text
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean)
      .pop() ?? ''
  );
}
