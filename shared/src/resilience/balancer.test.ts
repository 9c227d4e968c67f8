import { describe, expect, it } from 'vitest';
import { createRng } from '../rng.js';
import { VirtualClock } from '../virtual-clock.js';
import { Balancer, createBalancerPolicy, type BackendView, type BalancerOptions, type BalancerPolicy } from './balancer.js';
import { Service } from './service.js';
import type { Request } from './types.js';

function setup(options: BalancerOptions, n = 3, policy: BalancerPolicy = createBalancerPolicy(options)) {
  const clock = new VirtualClock();
  const nodes = Array.from({ length: n }, (_, i) => new Service(`n${i}`, i, { workers: 1, serviceTime: { kind: 'fixed', ms: 100 }, healthCheck: 'queued' }, { scheduler: clock, rng: createRng(i) }));
  let ids = 0;
  const errors: unknown[] = [];
  const lb = new Balancer(nodes, options, { scheduler: clock, rng: createRng(9), policy, t0: 0, nextId: () => ids++, onError: (e) => errors.push(e) });
  const routed: number[] = [];
  const send = (): number => {
    const req: Request = { id: ids++, originalId: 0, attempt: 1, priority: 'normal', deadline: Infinity, kind: 'work', sentAt: clock.now() };
    const b = lb.dispatch(req, { onReply: () => lb.settled(b) });
    routed.push(b);
    return b;
  };
  return { clock, nodes, lb, send, routed, errors };
}

const backends = (healthy: boolean[], outstanding: number[] = healthy.map(() => 0)): BackendView[] =>
  healthy.map((h, index) => ({ id: `n${index}`, index, healthy: h, outstanding: outstanding[index]!, consecutiveFailures: 0, consecutiveSuccesses: 0 }));

describe('createBalancerPolicy', () => {
  const ctx = { now: 0, rng: createRng(1), request: {} as Request };

  it('round robin cycles over healthy nodes only', () => {
    const p = createBalancerPolicy({ routing: 'round-robin' });
    const b = backends([true, false, true]);
    expect(Array.from({ length: 4 }, () => p.route(b, ctx)!.id)).toEqual(['n0', 'n2', 'n0', 'n2']);
  });

  it('least outstanding picks the least loaded node, sharing ties', () => {
    const p = createBalancerPolicy({ routing: 'least-outstanding' });
    expect(p.route(backends([true, true, true], [3, 1, 2]), ctx)!.id).toBe('n1');
    const ties = Array.from({ length: 3 }, () => p.route(backends([true, true, true]), ctx)!.id);
    expect(new Set(ties).size).toBe(3);
  });

  it('random spreads over healthy nodes', () => {
    const p = createBalancerPolicy({ routing: 'random' });
    const seen = new Set(Array.from({ length: 50 }, () => p.route(backends([true, true, false]), ctx)!.id));
    expect([...seen].sort()).toEqual(['n0', 'n1']);
  });

  it('routes nowhere when no node is healthy, and to every node below the panic threshold', () => {
    expect(createBalancerPolicy({}).route(backends([false, false]), ctx)).toBeUndefined();
    const panic = createBalancerPolicy({ panicThresholdPct: 50 });
    // 1 of 3 healthy (33% < 50%): all three take traffic.
    expect(new Set(Array.from({ length: 3 }, () => panic.route(backends([true, false, false]), ctx)!.id)).size).toBe(3);
    // 2 of 3 healthy: only those two.
    expect(new Set(Array.from({ length: 4 }, () => panic.route(backends([true, true, false]), ctx)!.id))).toEqual(new Set(['n0', 'n1']));
  });
});

describe('Balancer', () => {
  const hc = { intervalMs: 100, timeoutMs: 50, unhealthyThreshold: 2, healthyThreshold: 3 };

  it('ejects a node after `unhealthyThreshold` failed checks and re-admits it after `healthyThreshold` passed ones', async () => {
    const { clock, nodes, lb } = setup({ healthCheck: hc });
    nodes[1]!.setCondition({ down: 'silent', slowFactor: 1, capacityFactor: 1 });
    lb.startHealthChecks(2000);
    await clock.run(clock.sleep(550));
    nodes[1]!.setCondition({ down: false, slowFactor: 1, capacityFactor: 1 });
    await clock.run(clock.sleep(2000));
    // Checks at 100, 200 fail (timeouts at 150, 250): ejected at 250. Pass at 600, 700, 800.
    expect(lb.events).toEqual([
      { t: 250, node: 'n1', event: 'ejected' },
      { t: 801, node: 'n1', event: 'readmitted' },
    ]);
    expect(lb.healthChecksSent).toBe(19 * 3);
  });

  it('ejects a node whose queued health check waits behind work past the timeout', async () => {
    const { clock, lb, send } = setup({ healthCheck: hc, routing: 'round-robin' }, 1);
    for (let i = 0; i < 5; i++) send();
    lb.startHealthChecks(400);
    await clock.run(clock.sleep(2000));
    expect(lb.events[0]).toEqual({ t: 250, node: 'n0', event: 'ejected' });
  });

  it('counts outstanding attempts per node and rejects when no node is left', async () => {
    const { clock, lb, send, nodes } = setup({ routing: 'least-outstanding' }, 2);
    send();
    send();
    send();
    expect(lb.backends.map((b) => b.outstanding)).toEqual([2, 1]);
    await clock.run(clock.sleep(1000));
    expect(lb.backends.map((b) => b.outstanding)).toEqual([0, 0]);
    void nodes;
    const none = setup({}, 2, { route: () => undefined, onHealthCheck: () => true });
    let status = '';
    none.lb.dispatch({ id: 1, originalId: 1, attempt: 1, priority: 'normal', deadline: Infinity, kind: 'work', sentAt: 0 }, { onReply: (s, _r, node) => (status = `${s}@${node}`) });
    await none.clock.run(none.clock.sleep(1));
    expect(status).toBe('rejected@-1');
  });

  it('lets a learner policy replace routing and ejection', async () => {
    const calls: string[] = [];
    const custom: BalancerPolicy = {
      route: (b) => b[b.length - 1],
      onHealthCheck: (b, ok) => {
        calls.push(`${b.id}:${ok}`);
        return b.id !== 'n0';
      },
    };
    const { clock, lb, send } = setup({ healthCheck: hc }, 2, custom);
    expect(send()).toBe(1);
    lb.startHealthChecks(150);
    await clock.run(clock.sleep(500));
    expect(calls.sort()).toEqual(['n0:true', 'n1:true']);
    expect(lb.events).toEqual([{ t: 101, node: 'n0', event: 'ejected' }]);
  });
});
