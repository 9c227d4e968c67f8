/**
 * The slow origin over HTTP, for runs whose instances are separate processes: one process serves
 * a SlowOrigin on loopback and owns its query log (the measurement); every instance reaches it
 * through httpOrigin(), an Origin like any other. Failures cross the wire as status codes and come
 * back as the same HerdError codes, so code under test cannot tell the two origins apart.
 *
 *   GET /query?key=K&instance=I  200 OriginValue JSON (or null) | 503 ORIGIN_OVERLOADED |
 *                                504 ORIGIN_TIMEOUT | 500 ORIGIN_ERROR | 400 no key or instance
 */
import { Agent, createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { realClock } from './clock.js';
import { HerdError, isHerdError, type HerdErrorCode } from './errors.js';
import { SlowOrigin, type Origin, type OriginOptions, type OriginValue } from './origin.js';
import { createRng } from './rng.js';

export type ServeOriginOptions = OriginOptions & {
  /** Port on 127.0.0.1. Default 0: a free one, read back from `url`. */
  port?: number;
  /** Seed of the origin's jitter and error draws. Default 1. */
  seed?: number;
};

export interface OriginServer {
  /** `http://127.0.0.1:<port>`: what httpOrigin() takes. */
  url: string;
  /** The origin behind the server: its `log` holds every query, attributed to its instance. */
  origin: SlowOrigin;
  /** Stops the server; open keep-alive connections are closed, not waited for. */
  close(): Promise<void>;
}

/** The one error body the server sends; `code` is a HerdErrorCode for origin failures. */
interface ErrorBody {
  code: string;
  message: string;
}

const STATUS: Partial<Record<HerdErrorCode, number>> = {
  ORIGIN_OVERLOADED: 503,
  ORIGIN_TIMEOUT: 504,
  ORIGIN_ERROR: 500,
};
const ORIGIN_CODES = new Set<string>(Object.keys(STATUS));

export async function serveOrigin(options: ServeOriginOptions): Promise<OriginServer> {
  const { port = 0, seed = 1, ...originOptions } = options;
  const origin = new SlowOrigin(realClock, createRng(seed).fork('origin'), originOptions);

  const server = createServer((req, res) => {
    void answer(origin, req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> =>
    (closing ??= new Promise<void>((resolve) => {
      server.close(() => resolve());
      // Idle keep-alive sockets would hold close() open until they time out; busy ones get a
      // moment to finish their answer first.
      server.closeIdleConnections();
      const force = setTimeout(() => server.closeAllConnections(), 500);
      force.unref();
    }));

  return { url, origin, close };
}

async function answer(origin: SlowOrigin, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const u = new URL(req.url ?? '/', 'http://origin');
  if (u.pathname !== '/query') return send(res, 404, { code: 'NOT_FOUND', message: `no ${u.pathname} here: the origin serves GET /query?key=K&instance=I` });
  if (req.method !== 'GET') return send(res, 405, { code: 'METHOD_NOT_ALLOWED', message: `${req.method} /query: use GET` });
  const key = u.searchParams.get('key');
  const instance = u.searchParams.get('instance');
  if (key === null || key === '' || instance === null || instance === '') {
    return send(res, 400, { code: 'BAD_REQUEST', message: 'GET /query needs both key and instance, e.g. /query?key=home&instance=i0' });
  }
  try {
    send(res, 200, await origin.forInstance(instance).fetch(key));
  } catch (e) {
    const code = isHerdError(e) && ORIGIN_CODES.has(e.code) ? e.code : 'ORIGIN_ERROR';
    send(res, STATUS[code] ?? 500, { code, message: e instanceof Error ? e.message : String(e) });
  }
}

function send(res: ServerResponse, status: number, body: OriginValue | null | ErrorBody): void {
  // The caller may have hung up while its query ran; the query is logged either way.
  if (res.destroyed) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** The origin at `url` (from serveOrigin), as instance `instance` sees it: its queries are logged under that id. */
export function httpOrigin(url: string, instance: string): Origin {
  const base = new URL(url);
  // One kept-alive connection per concurrent query: a burst must not pay a TCP handshake each.
  const agent = new Agent({ keepAlive: true });

  const once = (key: string): Promise<{ status: number; body: string }> =>
    new Promise((resolve, reject) => {
      const target = new URL('/query', base);
      target.search = new URLSearchParams({ key, instance }).toString();
      const req = request(target, { agent }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        res.on('error', reject);
      });
      req.on('error', (e) => reject(Object.assign(e, { reused: req.reusedSocket })));
      req.end();
    });

  return {
    async fetch(key) {
      let reply: { status: number; body: string };
      try {
        reply = await once(key);
      } catch (e) {
        // A kept-alive socket the server closed between two queries fails on reuse: that query
        // never reached the origin, so one retry on a fresh connection is safe.
        const { reused, code } = e as { reused?: boolean; code?: string };
        if (!(reused && code === 'ECONNRESET')) throw unreachable(url, e);
        try {
          reply = await once(key);
        } catch (e2) {
          throw unreachable(url, e2);
        }
      }
      return decode(url, key, instance, reply.status, reply.body);
    },
  };
}

function unreachable(url: string, e: unknown): HerdError {
  const errno = (e as NodeJS.ErrnoException).code ?? (e instanceof Error ? e.message : String(e));
  return new HerdError('ORIGIN_ERROR', `origin at ${url} unreachable (${errno})`, { url, cause: e });
}

function decode(url: string, key: string, instance: string, status: number, text: string): OriginValue | null {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new HerdError('ORIGIN_ERROR', `origin at ${url} answered ${status} with a body that is not JSON for "${key}"`, { url, key, instance, status });
  }
  if (status === 200) return body as OriginValue | null;
  const { code, message } = (body ?? {}) as Partial<ErrorBody>;
  if (typeof code === 'string' && ORIGIN_CODES.has(code) && typeof message === 'string') {
    throw new HerdError(code as HerdErrorCode, message, { key, instance, status });
  }
  throw new HerdError('ORIGIN_ERROR', `origin at ${url} answered ${status} for "${key}": ${typeof message === 'string' ? message : text}`, {
    url,
    key,
    instance,
    status,
  });
}
