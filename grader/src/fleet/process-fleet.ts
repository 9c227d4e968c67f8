/**
 * A fleet of real Node processes against one HTTP origin and, when given a Redis URL, one shared Redis.
 * The parent serves the origin (so it owns the query log, the measurement), forks one child per
 * instance, fires every burst in all of them at the same wall-clock moment, and measures origin
 * queries per boundary per instance from the log. Children are always killed at the end, and the
 * whole phase has a hard deadline that names the instance that never answered.
 */
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import {
  WORKSHOP_PREFIX,
  clusterBoundaries,
  createRedisStore,
  percentile,
  realClock,
  serveOrigin,
  type OriginOptions,
  type SharedStore,
} from '@herd/harness/engine';
import { forkTs, killWithParent } from '../fork-ts.js';
import { lastLine } from '../learner-error.js';
import { BURSTS } from '../../modules/03-distributed-lock/scenarios.js';
import { mainFile } from '../load-learner.js';
import type { Target } from '../define.js';
import { FleetError } from './fleet-error.js';
import { wallNow, type ChildConfig, type FleetFiles, type FromChild, type ToChild } from './fleet-protocol.js';

export type { FleetFiles } from './fleet-protocol.js';

export interface ProcessFleetOptions {
  /** Child processes, one instance each: 2 to 8. */
  processes: number;
  /** The module whose app every instance builds (its definition's app builder), e.g. '03-distributed-lock'. */
  module: string;
  /** Which copy of the module's files: the starter or the reference. Default 'solution'. */
  target?: Target;
  /** The defaults of the settings below are module 03's BURSTS, its Redis check's. */
  bursts?: number;
  /** Requests per process per burst. */
  burstSize?: number;
  /** Between bursts, ms. Longer than TTL + one rebuild, so each burst meets an expired key. */
  everyMs?: number;
  /** Each request lands at a seeded offset in [0, spreadMs) after its burst's moment. */
  spreadMs?: number;
  ttlMs?: number;
  /** Default: no jitter, unlimited capacity. */
  origin?: OriginOptions;
  /** Every instance shares one Redis keyspace here (the module's store); without it, instances share nothing but the origin. */
  redisUrl?: string;
  /** Key prefix every child shares; default `herd:fleet:<random>:`. Everything under it is deleted at the end. */
  prefix?: string;
  /** Default 1. */
  seed?: number;
  /** The whole phase, forks included, ms. Default 30 000. */
  deadlineMs?: number;
  /** Other files to load instead of the module's own (a test's fixture); graded with the module's builder. */
  files?: FleetFiles;
  /** Default 'home'. */
  key?: string;
}

export interface FleetBoundary {
  /** First query of the boundary, ms after the first burst's moment. */
  start: number;
  queries: number;
  /** Queries per instance, index i is instance `i<i>`. */
  byInstance: number[];
}

export interface FleetRunReport {
  /** The module whose builder the instances ran. */
  module: string;
  target: Target;
  /** The file the instances ran, repository-relative. */
  file: string;
  processes: number;
  instances: string[];
  bursts: number;
  burstSize: number;
  boundaries: FleetBoundary[];
  origin: { queries: number; failed: number };
  requests: number;
  failed: number;
  /** The first failed request, one line naming the file, with how many failed. */
  failure?: string;
  /** Fork to last child gone, ms. */
  wallMs: number;
  /** Fork to every child ready, ms. */
  startupMs: number;
  latency: { p50: number; p99: number };
  /** From lockWaits() of every child whose app has one; undefined when none has. */
  lockWaits?: { count: number; p50: number; p99: number; byInstance: number[][] };
}

/** Time between telling the children about a burst and its moment: covers IPC delivery on a busy box. */
const LEAD_MS = 150;
/** A child that finished gets this long to exit on its own before it is killed. */
const EXIT_GRACE_MS = 1000;

const CHILD_FILE = fileURLToPath(new URL('./fleet-child.ts', import.meta.url));

export async function runProcessFleet(options: ProcessFleetOptions): Promise<FleetRunReport> {
  const o = {
    target: 'solution' as Target,
    bursts: BURSTS.count,
    burstSize: BURSTS.size,
    everyMs: BURSTS.everyMs,
    spreadMs: BURSTS.spreadMs,
    ttlMs: BURSTS.ttlMs,
    origin: { ...BURSTS.origin },
    seed: 1,
    deadlineMs: 30_000,
    key: 'home',
    // An option passed as undefined keeps its default.
    ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)),
  } as Required<Omit<ProcessFleetOptions, 'redisUrl' | 'prefix' | 'files'>> & ProcessFleetOptions;
  if (!Number.isInteger(o.processes) || o.processes < 2 || o.processes > 8) {
    throw new FleetError('FLEET_BAD_OPTIONS', `a process fleet takes 2 to 8 processes, got ${String(o.processes)}`);
  }
  // Imported here, not at the top: module 03's demo imports this file, and the course list imports module 03.
  const { findModule } = await import('../manifest.js');
  const def = findModule(o.module);
  if (def?.app === undefined) {
    throw new FleetError('FLEET_BAD_OPTIONS', `a process fleet runs a module with an app builder; "${o.module}" has none`);
  }
  const target: Target = o.target;
  const files: FleetFiles = o.files ?? { id: def.id, files: def.files };
  const file = mainFile({ ...def, ...files }, target);
  const instances = Array.from({ length: o.processes }, (_, i) => `i${i}`);

  const started = performance.now();
  // Opened before any fork: an unreachable Redis is one line before four processes start.
  const redis = o.redisUrl ? { url: o.redisUrl, prefix: o.prefix ?? `${WORKSHOP_PREFIX}fleet:${randomBytes(4).toString('hex')}:` } : undefined;
  const store: SharedStore | undefined = redis ? await createRedisStore(redis) : undefined;
  const server = await serveOrigin({ ...o.origin, seed: o.seed }).catch(async (e: unknown) => {
    await store?.close();
    throw e;
  });

  // The first failure wins: a child's error line, an unexpected exit, or the deadline.
  let abort!: (e: FleetError) => void;
  const aborted = new Promise<never>((_, reject) => (abort = reject));
  aborted.catch(() => undefined);
  const guard = <T>(p: Promise<T>): Promise<T> => Promise.race([p, aborted]);

  const children = instances.map(
    (instance, index) =>
      new FleetChild(
        instance,
        {
          instance,
          index,
          definition: def.id,
          module: files,
          target,
          originUrl: server.url,
          redis,
          ttlMs: o.ttlMs,
          seed: o.seed,
          key: o.key,
        },
        (e) => abort(e),
      ),
  );
  const deadline = setTimeout(() => {
    const late = children.filter((c) => c.owes !== undefined);
    const first = late[0];
    const others = late.length > 1 ? ` (${late.length - 1} more still owed answers: ${late.slice(1).map((c) => c.id).join(', ')})` : '';
    abort(
      new FleetError(
        'FLEET_DEADLINE',
        first === undefined
          ? `the ${def.id} fleet did not finish within ${o.deadlineMs / 1000} s`
          : `${first.id} never answered ${first.owes} within the ${o.deadlineMs / 1000} s deadline: a get() in ${file} that never settles, or a wait with no maxWaitMs?${others}`,
        first?.id,
      ),
    );
  }, o.deadlineMs);

  let failure: unknown;
  try {
    await guard(Promise.all(children.map((c) => c.ready)));
    const startupMs = performance.now() - started;

    const firstAt = wallNow() + LEAD_MS;
    // Origin-log time (the parent's realClock) of the first burst's moment: boundaries count from it.
    const t0 = realClock.now() + (firstAt - wallNow());
    const latencies: number[] = [];
    let failed = 0;
    let firstFailure: string | undefined;
    for (let b = 0; b < o.bursts; b++) {
      // A burst that ran long (lock waits) pushes the next one back rather than overlapping it.
      const at = Math.max(firstAt + b * o.everyMs, wallNow() + LEAD_MS);
      const done = await guard(
        Promise.all(children.map((c) => c.ask({ type: 'burst', index: b, at, size: o.burstSize, spreadMs: o.spreadMs }, 'burst-done', `burst ${b + 1} of ${o.bursts}`))),
      );
      for (const d of done) {
        latencies.push(...d.latencies);
        failed += d.failed;
        firstFailure ??= d.firstFailure;
      }
    }
    const finished = await guard(Promise.all(children.map((c) => c.ask({ type: 'finish' }, 'finished', 'its lock waits at the end'))));
    await Promise.all(children.map((c) => c.stop(EXIT_GRACE_MS)));
    const wallMs = performance.now() - started;

    const log = server.origin.log.filter((q) => q.key === o.key);
    const boundaries = clusterBoundaries(log, o.ttlMs / 2, instances).map((b) => ({
      start: b.start - t0,
      queries: b.queries,
      byInstance: b.byInstance,
    }));
    const requests = o.processes * o.bursts * o.burstSize;
    const waits = finished.map((f) => f.lockWaits);
    const all = waits.flatMap((w) => w ?? []);
    return {
      module: def.id,
      target,
      file,
      processes: o.processes,
      instances,
      bursts: o.bursts,
      burstSize: o.burstSize,
      boundaries,
      origin: { queries: log.length, failed: log.filter((q) => q.outcome === 'error' || q.outcome === 'timeout' || q.outcome === 'overloaded').length },
      requests,
      failed,
      failure: firstFailure === undefined ? undefined : `${firstFailure} (get() failed on ${failed} of ${requests} requests)`,
      wallMs,
      startupMs,
      latency: { p50: percentile(latencies, 50), p99: percentile(latencies, 99) },
      lockWaits: waits.some((w) => w !== null)
        ? { count: all.length, p50: percentile(all, 50), p99: percentile(all, 99), byInstance: waits.map((w) => w ?? []) }
        : undefined,
    };
  } catch (error) {
    failure = error;
    throw error;
  } finally {
    clearTimeout(deadline);
    await Promise.all(children.map((c) => c.stop(0)));
    await server.close();
    if (store) {
      // Keys under the run's prefix only (SCAN), never FLUSHDB. A cleanup failure must not hide
      // the run's own failure; after a clean run it is the error.
      try {
        await store.cleanup();
      } catch (e) {
        if (failure === undefined) throw e;
      } finally {
        await store.close();
      }
    }
  }
}

/** One forked child: what the parent is waiting for from it, and its last words on stderr. */
class FleetChild {
  /** What the parent is waiting for from this child, for the deadline's message; undefined when nothing. */
  owes: string | undefined = 'ready (loading its file)';
  readonly ready: Promise<void>;
  private readonly proc: ChildProcess;
  private readonly exited: Promise<void>;
  private waiting: { type: FromChild['type']; resolve: (m: FromChild) => void } | undefined;
  /** A few hundred bytes of stderr: why a child died when it could not say so itself. */
  private stderrTail = '';
  /** Set once the parent ends the child: its exit is then expected, not a failure. */
  private ending = false;
  /** Unties the child from this process's exit and SIGTERM; called once it is gone. */
  private readonly release: () => void;

  constructor(
    readonly id: string,
    config: ChildConfig,
    private readonly fail: (e: FleetError) => void,
  ) {
    this.proc = forkTs(CHILD_FILE);
    this.release = killWithParent(this.proc);
    // Drained so a chatty child never blocks on a full pipe; learner console output is not shown.
    this.proc.stdout?.resume();
    this.proc.stderr?.setEncoding('utf8');
    this.proc.stderr?.on('data', (chunk: string) => {
      this.stderrTail = (this.stderrTail + chunk).slice(-2000);
    });
    this.proc.on('message', (m: FromChild) => this.receive(m));
    this.proc.on('error', (e) => this.fail(new FleetError('FLEET_CHILD_EXITED', `${id}: ${e.message}`, id)));
    this.exited = new Promise((resolve) =>
      this.proc.once('exit', () => {
        this.release();
        resolve();
      }),
    );
    // 'close' comes after the child's last IPC message is delivered, so an error line it sent wins.
    this.proc.once('close', (code, signal) => {
      if (this.ending) return;
      const said = lastLine(this.stderrTail);
      this.fail(
        new FleetError(
          'FLEET_CHILD_EXITED',
          `${id} exited (${signal ?? `code ${code}`}) while the parent waited for ${this.owes ?? 'nothing'}${said ? `: ${said}` : ''}`,
          id,
        ),
      );
    });
    this.ready = this.expect('ready').then(() => undefined);
    this.proc.send({ type: 'init', config } satisfies ToChild);
  }

  /** Sends `message` and resolves with the child's `type` reply. */
  ask<T extends FromChild['type']>(message: ToChild, type: T, what: string): Promise<Extract<FromChild, { type: T }>> {
    this.owes = what;
    if (message.type === 'finish') this.ending = true;
    const reply = this.expect(type);
    this.proc.send(message);
    return reply;
  }

  /** Kills the child unless it exits on its own within `graceMs`; resolves once it is gone. */
  async stop(graceMs: number): Promise<void> {
    this.ending = true;
    if (this.proc.exitCode !== null || this.proc.signalCode !== null) return;
    if (graceMs > 0) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([this.exited, new Promise<void>((r) => (timer = setTimeout(r, graceMs)))]);
      clearTimeout(timer);
      if (this.proc.exitCode !== null || this.proc.signalCode !== null) return;
    }
    this.proc.kill('SIGKILL');
    await this.exited;
  }

  private expect<T extends FromChild['type']>(type: T): Promise<Extract<FromChild, { type: T }>> {
    return new Promise((resolve) => {
      this.waiting = { type, resolve: resolve as (m: FromChild) => void };
    });
  }

  private receive(m: FromChild): void {
    if (m.type === 'error') {
      this.fail(new FleetError('FLEET_LEARNER_ERROR', m.line, this.id));
      return;
    }
    if (this.waiting?.type === m.type) {
      const { resolve } = this.waiting;
      this.waiting = undefined;
      this.owes = undefined;
      resolve(m);
    }
  }
}
