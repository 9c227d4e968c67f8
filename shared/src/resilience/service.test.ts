import { describe, expect, it } from 'vitest';
import { createRng } from '../rng.js';
import { VirtualClock } from '../virtual-clock.js';
import { Service, type ReplySink, type ServiceOptions } from './service.js';
import type { AdmissionHook, NodeView, Request } from './types.js';

interface Answer {
  id: number;
  status: string;
  at: number;
  retryAfterMs?: number;
}

function setup(options: Partial<ServiceOptions> = {}, admission?: AdmissionHook) {
  const clock = new VirtualClock();
  const errors: unknown[] = [];
  const node = new Service('a', 0, { workers: 1, serviceTime: { kind: 'fixed', ms: 100 }, ...options }, {
    scheduler: clock,
    rng: createRng(1),
    admission,
    onError: (e) => errors.push(e),
  });
  const answers: Answer[] = [];
  let ids = 0;
  const send = (extra: Partial<Request> = {}): number => {
    const id = ids++;
    const req: Request = { id, originalId: id, attempt: 1, priority: 'normal', deadline: Infinity, kind: 'work', sentAt: clock.now(), ...extra };
    const sink: ReplySink = { onReply: (status, retryAfterMs) => answers.push({ id, status, at: clock.now(), ...(retryAfterMs === undefined ? {} : { retryAfterMs }) }) };
    node.submit(req, sink);
    return id;
  };
  /** Runs the clock until `ms` (nothing keeps a run alive, so a sleep is the main). */
  const until = (ms: number): Promise<void> => clock.run(clock.sleep(ms - clock.now()));
  return { clock, node, send, answers, until, errors };
}

describe('Service', () => {
  it('serves `workers` at once and queues the rest in arrival order (fifo)', async () => {
    const { send, answers, until, node } = setup({ workers: 2 });
    for (let i = 0; i < 5; i++) send();
    expect(node.view.inFlight).toBe(2);
    expect(node.view.queueLength).toBe(3);
    await until(1000);
    expect(answers.map((a) => [a.id, a.at])).toEqual([
      [0, 100],
      [1, 100],
      [2, 200],
      [3, 200],
      [4, 300],
    ]);
    expect(node.stats.completed).toBe(5);
  });

  it('serves the newest waiting request first with lifo', async () => {
    const { send, answers, until } = setup({ discipline: 'lifo' });
    for (let i = 0; i < 4; i++) send();
    await until(1000);
    expect(answers.map((a) => a.id)).toEqual([0, 3, 2, 1]);
  });

  it('rejects at once (on the next step, same instant) when the queue is full, with the configured Retry-After', async () => {
    const { send, answers, until, node } = setup({ maxQueue: 1, queueFullRetryAfterMs: 250 });
    send();
    send();
    send();
    await until(500);
    expect(answers).toEqual([
      { id: 2, status: 'rejected', at: 0, retryAfterMs: 250 },
      { id: 0, status: 'ok', at: 100 },
      { id: 1, status: 'ok', at: 200 },
    ]);
    expect(node.stats.rejectedQueueFull).toBe(1);
  });

  it('shows admission a live read-only view and turns its verdicts into fast rejections', async () => {
    const seen: Array<Partial<NodeView>> = [];
    const hook: AdmissionHook = (req, view) => {
      seen.push({ now: view.now, queueLength: view.queueLength, inFlight: view.inFlight, oldestQueuedWaitMs: view.oldestQueuedWaitMs, workers: view.workers });
      return req.id === 3 ? { admit: false, retryAfterMs: 50 } : { admit: true };
    };
    const { send, answers, until, clock, node } = setup({}, hook);
    send();
    send();
    await clock.run(clock.sleep(30));
    send();
    send();
    expect(() => {
      (node.view as { queueLength: number }).queueLength = 0;
    }).toThrow();
    await until(1000);
    expect(seen).toEqual([
      { now: 0, queueLength: 0, inFlight: 0, oldestQueuedWaitMs: 0, workers: 1 },
      { now: 0, queueLength: 0, inFlight: 1, oldestQueuedWaitMs: 0, workers: 1 },
      { now: 30, queueLength: 1, inFlight: 1, oldestQueuedWaitMs: 30, workers: 1 },
      { now: 30, queueLength: 2, inFlight: 1, oldestQueuedWaitMs: 30, workers: 1 },
    ]);
    expect(answers.find((a) => a.id === 3)).toEqual({ id: 3, status: 'rejected', at: 30, retryAfterMs: 50 });
    expect(node.stats.rejectedByAdmission).toBe(1);
    // Work started after waits of 0 ms (t=0), 100 ms (t=100) and 170 ms (t=200); at t=1000 the
    // trailing second, in 100 ms steps, holds the last two.
    expect(node.view.recentQueueWaitMs).toBe(135);
  });

  it('answers `failed` and records the error when the admission hook throws', async () => {
    const { send, answers, until, errors } = setup({}, () => {
      throw new Error('boom');
    });
    send();
    await until(10);
    expect(answers).toEqual([{ id: 0, status: 'failed', at: 0 }]);
    expect((errors[0] as Error).message).toBe('boom');
  });

  it('counts work finished at or after its deadline as wasted, and dropExpired skips it instead', async () => {
    for (const dropExpired of [false, true]) {
      const { send, answers, until, node } = setup({ dropExpired });
      send({ deadline: 150 }); // served 0..100: in time
      send({ deadline: 150 }); // starts at 100, done at 200: wasted
      send({ deadline: 150 }); // starts at 200 (or is dropped): past its deadline already
      await until(1000);
      if (dropExpired) {
        expect(answers.map((a) => [a.id, a.at])).toEqual([
          [0, 100],
          [1, 200],
        ]);
        expect(node.stats).toMatchObject({ completed: 2, wasted: 1, wastedMs: 100, droppedExpired: 1 });
      } else {
        expect(answers.map((a) => [a.id, a.at])).toEqual([
          [0, 100],
          [1, 200],
          [2, 300],
        ]);
        expect(node.stats).toMatchObject({ completed: 3, wasted: 2, wastedMs: 200, droppedExpired: 0 });
      }
    }
  });

  it('draws service times from the seeded distribution', async () => {
    const draw = async (kind: ServiceOptions['serviceTime'], seed: number): Promise<number[]> => {
      const clock = new VirtualClock();
      const node = new Service('a', 0, { workers: 1000, serviceTime: kind }, { scheduler: clock, rng: createRng(seed) });
      const times: number[] = [];
      for (let i = 0; i < 1000; i++) {
        node.submit({ id: i, originalId: i, attempt: 1, priority: 'normal', deadline: Infinity, kind: 'work', sentAt: 0 }, { onReply: () => times.push(clock.now()) });
      }
      await clock.run(clock.sleep(10_000));
      return times;
    };
    const u = await draw({ kind: 'uniform', minMs: 10, maxMs: 20 }, 1);
    expect(Math.min(...u)).toBeGreaterThanOrEqual(10);
    expect(Math.max(...u)).toBeLessThan(20);
    const e = await draw({ kind: 'exponential', meanMs: 10 }, 1);
    const mean = e.reduce((s, x) => s + x, 0) / e.length;
    expect(mean).toBeGreaterThan(9);
    expect(mean).toBeLessThan(11);
    expect(await draw({ kind: 'exponential', meanMs: 10 }, 1)).toEqual(e);
    expect(await draw({ kind: 'exponential', meanMs: 10 }, 2)).not.toEqual(e);
  });

  it('slows down past `from` x workers when degradation is on', async () => {
    const { send, answers, until } = setup({ workers: 1, degradation: { slope: 1, from: 2 } });
    for (let i = 0; i < 4; i++) send();
    await until(10_000);
    // 0 starts alone: 100 ms. 1 starts holding 3 (itself and two queued; excess 1): 200 ms. Then 100, 100.
    expect(answers.map((a) => a.at)).toEqual([100, 300, 400, 500]);
  });

  it('changes capacity at runtime: more workers start queued work at once, fewer let running work finish', async () => {
    const { send, answers, until, clock, node } = setup({ workers: 2 });
    for (let i = 0; i < 6; i++) send();
    await clock.run(clock.sleep(50));
    node.setCondition({ down: false, slowFactor: 1, capacityFactor: 2 });
    expect(node.view.workers).toBe(4);
    expect(node.view.inFlight).toBe(4);
    node.setCondition({ down: false, slowFactor: 1, capacityFactor: 0.5 });
    expect(node.view.workers).toBe(1);
    await until(1000);
    expect(answers.map((a) => a.at)).toEqual([100, 100, 150, 150, 250, 350]);
  });

  it('multiplies service time while slow', async () => {
    const { send, answers, until, node } = setup();
    node.setCondition({ down: false, slowFactor: 3, capacityFactor: 1 });
    send();
    await until(1000);
    expect(answers[0]!.at).toBe(300);
  });

  it('going down fail-fast fails queued and running work at once and every new request fast', async () => {
    const { send, answers, until, clock, node } = setup();
    send();
    send();
    await clock.run(clock.sleep(50));
    node.setCondition({ down: 'fail-fast', slowFactor: 1, capacityFactor: 1 });
    send();
    await until(100);
    expect(answers).toEqual([
      { id: 1, status: 'failed', at: 50 },
      { id: 0, status: 'failed', at: 50 },
      { id: 2, status: 'failed', at: 50 },
    ]);
    expect(node.stats).toMatchObject({ lostInCrash: 2, failedDown: 1, completed: 0 });
    node.setCondition({ down: false, slowFactor: 1, capacityFactor: 1 });
    send();
    await until(1000);
    expect(answers[3]).toEqual({ id: 3, status: 'ok', at: 200 });
  });

  it('going down silently answers nothing at all', async () => {
    const { send, answers, until, node } = setup();
    send();
    node.setCondition({ down: 'silent', slowFactor: 1, capacityFactor: 1 });
    send();
    await until(1000);
    expect(answers).toEqual([]);
    expect(node.stats).toMatchObject({ lostInCrash: 1, failedDown: 1 });
  });

  it('answers health checks behind the queue, or out of band', async () => {
    for (const mode of ['queued', 'out-of-band'] as const) {
      const { send, until, clock, node } = setup({ healthCheck: mode, healthCheckMs: 1 });
      for (let i = 0; i < 3; i++) send();
      let answeredAt = NaN;
      node.checkHealth({ id: 99, originalId: -1, attempt: 0, priority: 'critical', deadline: Infinity, kind: 'health', sentAt: 0 }, (ok) => {
        expect(ok).toBe(true);
        answeredAt = clock.now();
      });
      await until(1000);
      expect(answeredAt).toBe(mode === 'queued' ? 301 : 1);
      expect(node.stats.completed).toBe(3);
    }
  });
});
