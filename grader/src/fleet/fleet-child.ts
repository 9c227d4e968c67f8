/**
 * One instance of a process fleet, in its own Node process (forked by process-fleet.ts with tsx).
 * It builds its deps the way the in-process fleet does, except that the origin is reached over
 * HTTP and the shared store is a real Redis; then it fires the bursts the parent asks for and
 * reports what each request took. Whatever goes wrong is sent to the parent as one line naming
 * the file under test, and the child exits: never a stack dump.
 */
import {
  createMemoryCache,
  createRedisStore,
  createRng,
  httpOrigin,
  realClock,
  type AppDeps,
  type FleetContext,
  type Rng,
  type ReadThrough,
  type SharedStore,
} from '@herd/harness/engine';
import { describeLearnerError } from '../learner-error.js';
import { loadExports, mainFile } from '../load-learner.js';
import { findModule, type ModuleSpec } from '../manifest.js';
import { wallNow, type ChildConfig, type FromChild, type ToChild } from './fleet-protocol.js';

interface FleetApp extends ReadThrough {
  lockWaits?(): number[];
}

/** The file errors are attributed to when no stack frame names one; set once init arrives. */
let file = 'the file under test';
let app: FleetApp | undefined;
let store: SharedStore | undefined;
let config: ChildConfig | undefined;
/** Each child's own stream for the offsets of its requests inside a burst. */
let loadRng: Rng | undefined;
/** Set once an error went out: later failures would only repeat or obscure the first. */
let failing = false;

function send(message: FromChild, then?: () => void): void {
  if (!process.connected) return void then?.();
  process.send!(message, undefined, {}, () => then?.());
}

/** One line to the parent, then exit. Harness lines (no Redis) are sent as they are. */
function fail(line: string): void {
  if (failing) return;
  failing = true;
  process.exitCode = 1;
  const who = config === undefined ? '' : ` (process ${config.instance})`;
  send({ type: 'error', line: `${line}${who}` }, () => process.exit(1));
}

const learnerFailure = (error: unknown): void => fail(describeLearnerError(error, file));
process.on('uncaughtException', learnerFailure);
process.on('unhandledRejection', learnerFailure);
// The parent is gone (killed, or Ctrl-C): nothing is left to report to.
process.on('disconnect', () => process.exit(process.exitCode ?? 0));

process.on('message', (raw) => {
  const message = raw as ToChild;
  if (failing) return;
  switch (message.type) {
    case 'init':
      void init(message.config);
      break;
    case 'burst':
      burst(message.index, message.at, message.size, message.spreadMs);
      break;
    case 'finish':
      void finish();
      break;
  }
});

async function init(c: ChildConfig): Promise<void> {
  config = c;
  const def = findModule(c.definition);
  if (def?.app === undefined) return fail(`module ${c.definition} has no app builder (a process-fleet bug)`);
  const spec: ModuleSpec = { ...def, ...c.module };
  file = mainFile(spec, c.target);
  loadRng = createRng(c.seed).fork(`load:${c.instance}`);
  const rng = createRng(c.seed);
  const base: AppDeps = {
    clock: realClock,
    rng: rng.fork(`learner:${c.index}`),
    origin: httpOrigin(c.originUrl, c.instance),
    cache: createMemoryCache(realClock),
    ttlMs: c.ttlMs,
    instance: c.instance,
  };
  let exports: Record<string, unknown>;
  try {
    exports = await loadExports(spec, c.target);
  } catch (error) {
    return learnerFailure(error);
  }
  let built: Awaited<ReturnType<NonNullable<typeof def.app>>>;
  try {
    if (c.redis !== undefined) store = await createRedisStore({ url: c.redis.url, prefix: c.redis.prefix });
    const shared = store;
    built = await def.app(exports, shared === undefined ? {} : { store: () => shared });
  } catch (error) {
    // Not the learner's doing: the harness's own one line (for Redis, naming the URL and the fix).
    return fail(error instanceof Error ? error.message : String(error));
  }
  // This process is one instance of the fleet: the parent's origin log is the measurement, so
  // the read counts a run would take have nowhere to go.
  const context = { clock: realClock, rng, spec: undefined, origin: undefined, recordRead: () => undefined } as unknown as FleetContext;
  try {
    app = built.factory(built.extend ? built.extend(base, context) : base) as FleetApp;
  } catch (error) {
    return learnerFailure(error);
  }
  send({ type: 'ready' });
}

function burst(index: number, at: number, size: number, spreadMs: number): void {
  const { key } = config!;
  const latencies: number[] = [];
  let failed = 0;
  let firstFailure: string | undefined;
  let settled = 0;
  const settle = (started: number): void => {
    latencies.push(performance.now() - started);
    if (++settled === size) send({ type: 'burst-done', index, latencies, failed, firstFailure });
  };
  const fire = (): void => {
    const started = performance.now();
    // new Promise catches a get() that throws before returning its promise, too.
    new Promise<unknown>((resolve) => resolve(app!.get(key))).then(
      () => settle(started),
      (error: unknown) => {
        failed++;
        firstFailure ??= describeLearnerError(error, file);
        settle(started);
      },
    );
  };
  const delay = at - wallNow();
  for (let r = 0; r < size; r++) {
    const offset = spreadMs > 0 ? loadRng!.int(0, spreadMs - 1) : 0;
    setTimeout(fire, Math.max(0, delay + offset));
  }
}

async function finish(): Promise<void> {
  let lockWaits: number[] | null = null;
  try {
    lockWaits = typeof app?.lockWaits === 'function' ? app.lockWaits() : null;
  } catch (error) {
    return learnerFailure(error);
  }
  await store?.close().catch(() => undefined);
  send({ type: 'finished', lockWaits }, () => process.exit(0));
}
