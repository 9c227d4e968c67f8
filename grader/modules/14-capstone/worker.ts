/**
 * One process of the capstone's service (a node:cluster worker). Fastify on the shared port:
 * GET /items/:id reads through the composed stack, PUT /items/:id writes to the origin where it
 * can and invalidates, GET /health answers. The primary configures the stack over IPC before each
 * row (fresh prefix, fresh stack, counters reset), so one fleet serves every row of a table.
 * Whatever goes wrong in learner code reaches the primary as one line naming the file.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import Fastify, { type FastifyReply } from 'fastify';
import { createRedisStore, createRng, httpOrigin, realClock, type Clock, type Origin, type SharedStore } from '@herd/harness/engine';
import { describeLearnerError } from '../../src/learner-error.js';
import { loadExports } from '../../src/load-learner.js';
import type { ModuleSpec } from '../../src/manifest.js';
import { ShedError, compose, type Composed, type NodeView, type Parts } from './compose.js';
import { LAYER_MODULE } from './layers.js';
import type { FromWorker, ToWorker, WorkerConfig, WorkerStats } from './protocol.js';
import { peerPath } from './peers.js';
import { pgOrigin } from './pg-origin.js';

const id = process.env.CAPSTONE_WORKER ?? '0';
const instance = `w${id}`;
const port = Number(process.env.CAPSTONE_PORT ?? 0);

let composed: Composed | undefined;
let store: SharedStore | undefined;
let origin: Origin | undefined;
let closeOrigin: (() => Promise<void>) | undefined;
let config: WorkerConfig | undefined;
let closePeer: (() => Promise<void>) | undefined;
/** Bumped at every configure and park: a request counts only in the row it started in. */
let generation = 0;
let stats: WorkerStats = { requests: 0, misses: 0, shed: 0, errors: 0, active: 0 };
/** The file a failure is blamed on when its stack names none: the stack's first layer's. */
let file = 'modules/14-capstone/stack.ts';

const send = (m: FromWorker): void => {
  if (process.connected) process.send!(m);
};

/** Marks the request it runs under as a miss; set per request. */
const request = new AsyncLocalStorage<{ miss: boolean }>();

// The door's FIFO: at most `concurrency` requests run at once, the rest wait here; shedding reads it.
let active = 0;
const waiting: Array<{ since: number; go: () => void }> = [];
const recent: Array<{ at: number; latency: number; queued: number }> = [];
let nextId = 0;

function view(): NodeView {
  const now = realClock.now();
  while (recent.length > 0 && now - recent[0]!.at > 1000) recent.shift();
  const mean = (f: (r: { latency: number; queued: number }) => number): number => (recent.length === 0 ? 0 : recent.reduce((s, r) => s + f(r), 0) / recent.length);
  return {
    now,
    workers: config!.settings.concurrency,
    inFlight: active,
    queueLength: waiting.length,
    oldestQueuedWaitMs: waiting.length === 0 ? 0 : now - waiting[0]!.since,
    recentQueueWaitMs: mean((r) => r.queued),
    recentLatencyMs: mean((r) => r.latency),
  };
}

async function enter(): Promise<number> {
  const since = realClock.now();
  if (active < config!.settings.concurrency) {
    active++;
    return 0;
  }
  await new Promise<void>((go) => waiting.push({ since, go }));
  return realClock.now() - since;
}

function leave(): void {
  const next = waiting.shift();
  if (next) next.go();
  else active--;
}

/**
 * The fleet's one time line. Each process's realClock counts from its own start, so a freshUntil
 * or an expiry written by one worker would be read seconds off by another; wall time is shared.
 */
function fleetClock(epochMs: number): Clock {
  return { now: () => performance.timeOrigin + performance.now() - epochMs, sleep: realClock.sleep };
}

async function configure(c: WorkerConfig): Promise<void> {
  const parts: Parts = {};
  for (const layer of c.layers) {
    const m = LAYER_MODULE[layer];
    const spec = { id: m.id, files: { [m.file]: m.exports } } as unknown as ModuleSpec;
    file = `${c.sources[m.id] ?? 'solutions'}/${m.id}/${m.file}`;
    Object.assign(parts, await loadExports(spec, c.sources[m.id] === 'modules' ? 'starter' : 'solution'));
  }
  const old = store;
  store = await createRedisStore({ url: c.redisUrl, prefix: c.prefix });
  await old?.close();
  if (config?.originUrl !== c.originUrl || origin === undefined) {
    await closeOrigin?.();
    if (c.originUrl.startsWith('postgres')) {
      const pg = pgOrigin(c.originUrl, instance, c.settings);
      origin = pg.origin;
      closeOrigin = pg.close;
    } else {
      origin = httpOrigin(c.originUrl, instance);
      closeOrigin = undefined;
    }
  }
  config = c;
  generation++;
  stats = { requests: 0, misses: 0, shed: 0, errors: 0, active: 0 };
  file = c.layers.length > 0 ? `${c.sources[LAYER_MODULE[c.layers[0]!].id]}/${LAYER_MODULE[c.layers[0]!].id}/${LAYER_MODULE[c.layers[0]!].file}` : file;
  const onMiss = (): void => {
    const r = request.getStore();
    if (r) r.miss = true;
  };
  await closePeer?.();
  closePeer = undefined;
  if (c.peer !== undefined) {
    const p = await peerPath(c.peer, origin, c.settings, c.redisUrl, c.prefix, onMiss, c.peerUrl === undefined ? undefined : { url: c.peerUrl, instance });
    closePeer = p.close;
    composed = p;
    return;
  }
  composed = compose(
    c.layers,
    parts,
    { clock: fleetClock(c.epochMs), rng: createRng(c.seed).fork(`learner:${instance}`), origin, ttlMs: c.settings.ttlMs, instance },
    store,
    c.settings,
    onMiss,
  );
}

function failed(reply: FastifyReply, e: unknown): FastifyReply {
  if (e instanceof ShedError) {
    stats.shed++;
    return reply.code(503).header('retry-after', '1').send({ error: 'shed', message: e.message });
  }
  stats.errors++;
  const line = describeLearnerError(e, file);
  stats.firstError ??= line;
  return reply.code(502).send({ error: 'failed', message: line });
}

const ID_SCHEMA = { type: 'object', properties: { id: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,64}$' } }, required: ['id'] } as const;

async function main(): Promise<void> {
  const app = Fastify({ logger: false, keepAliveTimeout: 10_000 });

  app.get('/health', async () => ({ ok: true, worker: instance, stack: config?.layers ?? null }));

  app.get<{ Params: { id: string } }>('/items/:id', { schema: { params: ID_SCHEMA } }, async (req, reply) => {
    if (composed === undefined) return reply.code(503).send({ error: 'starting', message: 'the stack is not configured yet' });
    const row = generation;
    const started = realClock.now();
    const admission = composed.admission;
    if (admission) {
      const decision = admission({ id: nextId++, priority: 'normal', deadline: started + 1000, kind: 'work' }, view());
      if (!decision.admit) {
        stats.requests++;
        stats.shed++;
        return reply
          .code(503)
          .header('retry-after', String(Math.max(1, Math.ceil((decision.retryAfterMs ?? 1000) / 1000))))
          .send({ error: 'shed', message: 'the service is over its wait budget: retry later' });
      }
    }
    const queued = await enter();
    // A request that waited at the door through a change of stack belongs to no row.
    const c = composed;
    if (c === undefined || row !== generation) {
      leave();
      return reply.code(503).send({ error: 'reconfigured', message: 'the stack changed while this request waited' });
    }
    stats.requests++;
    const mark = { miss: false };
    try {
      const value = await request.run(mark, () => c.path.get(req.params.id));
      if (row !== generation) return reply.code(503).send({ error: 'reconfigured', message: 'the stack changed during this request' });
      if (mark.miss) stats.misses++;
      if (value === null) return reply.code(404).send({ id: req.params.id, found: false });
      return reply.send(value);
    } catch (e) {
      if (row !== generation) return reply.code(503).send({ error: 'reconfigured', message: 'the stack changed during this request' });
      return failed(reply, e);
    } finally {
      leave();
      recent.push({ at: realClock.now(), latency: realClock.now() - started, queued });
    }
  });

  app.put<{ Params: { id: string }; Body: { value: string } }>(
    '/items/:id',
    { schema: { params: ID_SCHEMA, body: { type: 'object', properties: { value: { type: 'string', maxLength: 1000 } }, required: ['value'], additionalProperties: false } } },
    async (req, reply) => {
      const c = composed;
      if (c === undefined) return reply.code(503).send({ error: 'starting', message: 'the stack is not configured yet' });
      try {
        const write = (origin as Origin & { write?(key: string, value: string): Promise<void> }).write;
        if (write) await write(req.params.id, req.body.value);
        await c.invalidate(req.params.id);
        return reply.code(204).send();
      } catch (e) {
        return failed(reply, e);
      }
    },
  );

  process.on('message', (raw) => {
    const m = raw as ToWorker;
    if (m.type === 'configure') {
      configure(m.config).then(
        () => send({ type: 'configured' }),
        (e: unknown) => send({ type: 'error', line: describeLearnerError(e, file) }),
      );
    } else if (m.type === 'stats') {
      send({ type: 'stats', stats: { ...stats, active: active + waiting.length } });
    } else if (m.type === 'park') {
      // Between rows: the stack's store closed, so no background refresh can write under the
      // row's prefix once the primary has deleted it.
      composed = undefined;
      generation++;
      void closePeer?.();
      closePeer = undefined;
      const s = store;
      store = undefined;
      void (s?.close() ?? Promise.resolve()).then(() => send({ type: 'parked' }));
    } else if (m.type === 'stop') {
      void (async () => {
        await app.close().catch(() => undefined);
        await store?.close();
        await closeOrigin?.();
        send({ type: 'stopped' });
        process.exit(0);
      })();
    }
  });

  await app.listen({ port, host: '127.0.0.1' });
}

// A rejection nobody awaited, in learner code: counted and named, the service keeps serving.
process.on('unhandledRejection', (e) => {
  stats.errors++;
  stats.firstError ??= describeLearnerError(e, file);
});
process.on('disconnect', () => process.exit(0));

main().catch((e: unknown) => {
  send({ type: 'error', line: `worker ${instance}: ${e instanceof Error ? e.message : String(e)}` });
  process.exit(1);
});
