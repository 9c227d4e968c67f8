import { describe, expect, it } from 'vitest';
import { driveLoad, keyPicker, type KeySpec, type LoadSpec } from './load.js';
import { createRng } from './rng.js';
import { VirtualClock } from './virtual-clock.js';

interface Sent {
  t: number;
  instance: number;
  key: string;
  done: () => void;
}

/** Drives `spec` against an app that answers every request after `latencyMs` of virtual time. */
async function drive(spec: LoadSpec, opts: { latencyMs: number; endAt: number; instances?: number; keys?: KeySpec; seed?: number }) {
  const clock = new VirtualClock();
  const sent: Sent[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const main = driveLoad(spec, keyPicker(opts.keys), {
    scheduler: clock,
    rng: createRng(opts.seed ?? 1).fork('load'),
    instances: opts.instances ?? 1,
    endAt: opts.endAt,
    send: (instance, key, done) => {
      sent.push({ t: clock.now(), instance, key, done });
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      clock.schedule(opts.latencyMs, () => {
        inFlight--;
        done();
      });
    },
  });
  await clock.run(main);
  return { sent, endedAt: clock.now(), inFlight, maxInFlight };
}

/** Groups closed-loop sends by client: each client passes the same `done` callback every time. */
function byClient(sent: Sent[]): Sent[][] {
  const clients = new Map<() => void, Sent[]>();
  for (const s of sent) {
    let list = clients.get(s.done);
    if (list === undefined) clients.set(s.done, (list = []));
    list.push(s);
  }
  return [...clients.values()];
}

describe('keyPicker', () => {
  const rng = createRng(1);

  it('hot: always the same key, "hot" by default', () => {
    expect(keyPicker()(rng)).toBe('hot');
    expect(keyPicker({ kind: 'hot', key: 'home' })(rng)).toBe('home');
  });

  it('list: only listed keys, all of them eventually', () => {
    const pick = keyPicker({ kind: 'list', keys: ['a', 'b', 'c'] });
    const seen = new Set(Array.from({ length: 300 }, () => pick(rng)));
    expect([...seen].sort()).toEqual(['a', 'b', 'c']);
  });

  it('zipf: keys in range with rank-1 the most popular, about 1/H(n) of the picks', () => {
    const pick = keyPicker({ kind: 'zipf', count: 10, prefix: 'u' });
    const counts = new Map<string, number>();
    const n = 20_000;
    for (let i = 0; i < n; i++) {
      const k = pick(rng);
      counts.set(k, (counts.get(k) ?? 0) + 1);
    }
    expect([...counts.keys()].every((k) => /^u[0-9]$/.test(k))).toBe(true);
    const h10 = Array.from({ length: 10 }, (_, i) => 1 / (i + 1)).reduce((a, b) => a + b, 0);
    const share0 = counts.get('u0')! / n;
    expect(share0).toBeGreaterThan(1 / h10 - 0.02);
    expect(share0).toBeLessThan(1 / h10 + 0.02);
    expect(counts.get('u0')!).toBeGreaterThan(counts.get('u1')!);
    expect(counts.get('u1')!).toBeGreaterThan(counts.get('u9')!);
  });
});

describe('driveLoad: closed loop', () => {
  const spec: LoadSpec = { kind: 'closed', clients: 100, thinkMs: [100, 200] };

  it('sends a plausible number of requests and resolves once all are answered', async () => {
    const fast = await drive(spec, { latencyMs: 0, endAt: 10_000 });
    // Each client asks about every 150 ms (think 100..200): 10 s / 150 ms * 100 clients.
    expect(fast.sent.length).toBeGreaterThan(6000);
    expect(fast.sent.length).toBeLessThan(7300);
    expect(fast.sent.every((s) => s.t < 10_000)).toBe(true);
    expect(fast.maxInFlight).toBeLessThanOrEqual(100);

    const slow = await drive(spec, { latencyMs: 50, endAt: 10_000 });
    // 200 ms per cycle instead of 150.
    expect(slow.sent.length).toBeGreaterThan(4500);
    expect(slow.sent.length).toBeLessThan(5500);
    expect(slow.inFlight).toBe(0);
    expect(slow.maxInFlight).toBeLessThanOrEqual(100);
  });

  it('each client waits for its answer, then thinks [min, max] before asking again', async () => {
    const { sent } = await drive(spec, { latencyMs: 30, endAt: 5_000 });
    const clients = byClient(sent);
    expect(clients).toHaveLength(100);
    for (const c of clients) {
      expect(c[0]!.t).toBeLessThanOrEqual(200);
      for (let i = 1; i < c.length; i++) {
        const gap = c[i]!.t - c[i - 1]!.t;
        expect(gap).toBeGreaterThanOrEqual(130);
        expect(gap).toBeLessThanOrEqual(230);
      }
    }
  });

  it('client i always talks to instance i mod instances', async () => {
    const { sent } = await drive({ kind: 'closed', clients: 6, thinkMs: [10, 20] }, { latencyMs: 5, endAt: 2_000, instances: 3 });
    const clients = byClient(sent);
    expect(clients).toHaveLength(6);
    const perInstance = [0, 0, 0];
    for (const c of clients) {
      expect(new Set(c.map((s) => s.instance)).size).toBe(1);
      perInstance[c[0]!.instance]!++;
    }
    expect(perInstance).toEqual([2, 2, 2]);
  });

  it("a client's start time and key sequence do not depend on how slow the app is", async () => {
    const keys: KeySpec = { kind: 'zipf', count: 1000 };
    const signatures = async (latencyMs: number, seed = 5): Promise<string[]> => {
      const { sent } = await drive(spec, { latencyMs, endAt: 10_000, keys, seed });
      return byClient(sent)
        .map((c) => `${c[0]!.t}|${c[0]!.instance}|${c.slice(0, 10).map((s) => s.key).join(',')}`)
        .sort();
    };
    const fast = await signatures(0);
    const slow = await signatures(300);
    expect(fast).toHaveLength(100);
    expect(slow).toEqual(fast);
    // And the seed matters.
    expect(await signatures(0, 6)).not.toEqual(fast);
  });
});

describe('driveLoad: open loop', () => {
  it('fixed arrivals: exactly every 1000/rate ms from startMs, round-robin over instances', async () => {
    const { sent } = await drive({ kind: 'open', ratePerSec: 10, startMs: 50 }, { latencyMs: 5, endAt: 1_000, instances: 3 });
    expect(sent.map((s) => s.t)).toEqual([50, 150, 250, 350, 450, 550, 650, 750, 850, 950]);
    expect(sent.map((s) => s.instance)).toEqual([0, 1, 2, 0, 1, 2, 0, 1, 2, 0]);
  });

  it('arrival times and keys are identical whether the app is fast or slow, and the run waits for the last answer', async () => {
    const spec: LoadSpec = { kind: 'open', ratePerSec: 200, arrivals: 'poisson' };
    const keys: KeySpec = { kind: 'list', keys: ['a', 'b', 'c', 'd'] };
    const fast = await drive(spec, { latencyMs: 1, endAt: 5_000, instances: 2, keys });
    const slow = await drive(spec, { latencyMs: 2_000, endAt: 5_000, instances: 2, keys });
    const view = (r: { sent: Sent[] }) => r.sent.map((s) => [s.t, s.instance, s.key]);
    expect(view(slow)).toEqual(view(fast));
    expect(fast.sent.length).toBeGreaterThan(900);
    expect(fast.sent.length).toBeLessThan(1100);
    expect(slow.maxInFlight).toBeGreaterThan(300);
    const last = slow.sent[slow.sent.length - 1]!.t;
    expect(slow.endedAt).toBe(last + 2_000);
    // Poisson gaps vary.
    expect(new Set(fast.sent.slice(1).map((s, i) => s.t - fast.sent[i]!.t)).size).toBeGreaterThan(100);
  });
});

describe('driveLoad: bursts', () => {
  it('lands `size` requests per instance at each burst, every everyMs from startMs', async () => {
    const { sent } = await drive({ kind: 'burst', size: 3, startMs: 100, everyMs: 1_000 }, { latencyMs: 10, endAt: 3_500, instances: 2 });
    expect(sent).toHaveLength(4 * 2 * 3);
    const at = new Map<number, number[]>();
    for (const s of sent) {
      let perInstance = at.get(s.t);
      if (perInstance === undefined) at.set(s.t, (perInstance = [0, 0]));
      perInstance[s.instance]!++;
    }
    expect([...at.entries()]).toEqual([
      [100, [3, 3]],
      [1100, [3, 3]],
      [2100, [3, 3]],
      [3100, [3, 3]],
    ]);
  });

  it('spreads each burst over [burst, burst + spreadMs) when asked', async () => {
    const { sent } = await drive({ kind: 'burst', size: 50, everyMs: 10_000, spreadMs: 40 }, { latencyMs: 10, endAt: 20_000, instances: 1 });
    expect(sent).toHaveLength(100);
    const first = sent.filter((s) => s.t < 10_000).map((s) => s.t);
    const second = sent.filter((s) => s.t >= 10_000).map((s) => s.t - 10_000);
    for (const ts of [first, second]) {
      expect(ts).toHaveLength(50);
      expect(Math.min(...ts)).toBeGreaterThanOrEqual(0);
      expect(Math.max(...ts)).toBeLessThan(40);
      expect(new Set(ts).size).toBeGreaterThan(10);
    }
  });
});
