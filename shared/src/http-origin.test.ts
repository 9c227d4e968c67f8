import { afterEach, describe, expect, it } from 'vitest';
import { isHerdError } from './errors.js';
import { httpOrigin, serveOrigin, type OriginServer } from './http-origin.js';

const servers: OriginServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function serve(options: Parameters<typeof serveOrigin>[0]): Promise<OriginServer> {
  const server = await serveOrigin(options);
  servers.push(server);
  return server;
}

/** The raw answer, for the status codes themselves. */
async function raw(url: string): Promise<{ status: number; body: unknown }> {
  const res = await fetch(url);
  return { status: res.status, body: await res.json() };
}

const failure = (p: Promise<unknown>): Promise<unknown> =>
  p.then(
    () => undefined,
    (e: unknown) => e,
  );

describe('serveOrigin + httpOrigin', () => {
  it('serves values over loopback, logs every query in the serving process, attributed to its instance', async () => {
    const { url, origin } = await serve({ latencyMs: 10 });
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const [a, b] = await Promise.all([httpOrigin(url, 'i0').fetch('home'), httpOrigin(url, 'i1').fetch('home')]);
    expect([a!.by, b!.by].sort()).toEqual(['i0', 'i1']);
    expect([a!.version, b!.version].sort()).toEqual([1, 2]);
    expect(a!.key).toBe('home');
    const again = await httpOrigin(url, 'i0').fetch('other key/ü?&=');
    expect(again).toMatchObject({ key: 'other key/ü?&=', version: 1, by: 'i0' });
    expect(origin.log.map((q) => [q.key, q.instance, q.outcome]).sort()).toEqual([
      ['home', 'i0', 'ok'],
      ['home', 'i1', 'ok'],
      ['other key/ü?&=', 'i0', 'ok'],
    ]);
    // Real time: the latency is served, and generous bounds only.
    expect(origin.log[0]!.durationMs).toBeGreaterThanOrEqual(9);
    expect(origin.log[0]!.durationMs).toBeLessThan(2000);
  });

  it('reuses kept-alive connections across sequential queries', async () => {
    const { url, origin } = await serve({ latencyMs: 5 });
    const db = httpOrigin(url, 'i3');
    for (let i = 1; i <= 5; i++) expect((await db.fetch('k'))!.version).toBe(i);
    expect(origin.queries).toBe(5);
  });

  it('an absent key answers 200 null and resolves to null', async () => {
    const { url, origin } = await serve({ latencyMs: 5, absent: (k) => k.startsWith('gone') });
    expect(await httpOrigin(url, 'i0').fetch('gone:1')).toBeNull();
    expect(await raw(`${url}/query?key=gone:2&instance=i0`)).toEqual({ status: 200, body: null });
    expect(origin.log.map((q) => q.outcome)).toEqual(['absent', 'absent']);
  });

  it('ORIGIN_ERROR is 500 and comes back as the same HerdError', async () => {
    const { url, origin } = await serve({ latencyMs: 5 });
    origin.failNext(2);
    const e = await failure(httpOrigin(url, 'i0').fetch('k'));
    expect(isHerdError(e, 'ORIGIN_ERROR')).toBe(true);
    expect((e as Error).message).toBe('origin query for "k" failed');
    expect(await raw(`${url}/query?key=k&instance=i1`)).toEqual({ status: 500, body: { code: 'ORIGIN_ERROR', message: 'origin query for "k" failed' } });
    expect(origin.log.map((q) => [q.instance, q.outcome])).toEqual([
      ['i0', 'error'],
      ['i1', 'error'],
    ]);
  });

  it('ORIGIN_OVERLOADED is 503 and ORIGIN_TIMEOUT is 504, each back as its HerdError', async () => {
    // No slot and no queue: every query is refused at once, whatever the timing.
    const { url, origin } = await serve({ latencyMs: 5, capacity: 0, maxQueue: 0 });
    const e = await failure(httpOrigin(url, 'i0').fetch('k'));
    expect(isHerdError(e, 'ORIGIN_OVERLOADED')).toBe(true);
    expect((e as Error).message).toMatch(/queue is full/);
    expect(await raw(`${url}/query?key=k&instance=i1`)).toMatchObject({ status: 503, body: { code: 'ORIGIN_OVERLOADED' } });
    expect(origin.log.map((q) => q.outcome)).toEqual(['overloaded', 'overloaded']);

    const slow = await serve({ latencyMs: 200, timeoutMs: 10 });
    const t = await failure(httpOrigin(slow.url, 'i0').fetch('k'));
    expect(isHerdError(t, 'ORIGIN_TIMEOUT')).toBe(true);
    expect((t as Error).message).toMatch(/timed out after 10 ms/);
    expect((await raw(`${slow.url}/query?key=k&instance=i0`)).status).toBe(504);
  });

  it('400 without key or instance, 404 elsewhere; neither reaches the origin', async () => {
    const { url, origin } = await serve({ latencyMs: 5 });
    for (const q of ['/query', '/query?key=k', '/query?instance=i0', '/query?key=&instance=i0']) {
      const r = await raw(url + q);
      expect(r.status, q).toBe(400);
      expect(r.body).toMatchObject({ code: 'BAD_REQUEST' });
    }
    expect((await raw(`${url}/nope?key=k&instance=i0`)).status).toBe(404);
    expect(origin.queries).toBe(0);
  });

  it('a client whose origin is gone gets one ORIGIN_ERROR line naming the URL and the errno', async () => {
    const server = await serveOrigin({ latencyMs: 5 });
    const db = httpOrigin(server.url, 'i0');
    expect(await db.fetch('k')).toMatchObject({ version: 1 });
    await server.close();
    const e = await failure(db.fetch('k'));
    expect(isHerdError(e, 'ORIGIN_ERROR')).toBe(true);
    expect((e as Error).message).toBe(`origin at ${server.url} unreachable (ECONNREFUSED)`);
  });
});
