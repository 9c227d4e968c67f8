/**
 * The instructor's room: a small HTTP service (node:http, no framework: three routes and JSON
 * bodies need none, and nothing new to install or audit) and one page listing learners by module.
 *
 *   GET  /                    the page (refreshes itself every 15 s)
 *   GET  /room.json           the same, as JSON (no tokens)
 *   POST /r/CODE/verdicts     a learner's verdict (pnpm grade NN --room URL --name NAME)
 *
 * A post needs the room code (in the path), a JSON body of at most 16 KiB, and, once a name has
 * posted, the token the room gave that name: one learner cannot overwrite another's rows.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { renderPage } from './page.js';
import { parseVerdict, type RoomModule } from './verdict.js';
import { hashToken, loadRoomState, newToken, roomView, saveRoomState, tokenMatches, type RoomState } from './state.js';

export const MAX_BODY = 16 * 1024;

export interface RoomOptions {
  stateFile: string;
  modules: readonly RoomModule[];
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  now?: () => Date;
  /** Logs each refused or accepted post, one line. */
  log?: (line: string) => void;
}

export interface Room {
  /** http://host:port */
  url: string;
  code: string;
  /** What learners pass to --room: url + /r/CODE */
  joinUrl: string;
  state(): RoomState;
  close(): Promise<void>;
}

class Refusal extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > MAX_BODY) return Promise.reject(new Refusal(413, `body of ${declared} bytes: a verdict is at most ${MAX_BODY} bytes`));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new Refusal(413, `body over ${MAX_BODY} bytes: a verdict is at most ${MAX_BODY} bytes`));
        req.removeAllListeners('data');
        req.resume();
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

const send = (res: ServerResponse, status: number, body: unknown, close = false): void => {
  const text = `${JSON.stringify(body)}\n`;
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...(close ? { connection: 'close' } : {}) });
  res.end(text);
};

export async function startRoom(options: RoomOptions): Promise<Room> {
  const now = options.now ?? (() => new Date());
  const state = loadRoomState(options.stateFile, now());
  saveRoomState(options.stateFile, state);
  const log = options.log ?? (() => {});
  let base = '';

  async function post(req: IncomingMessage, res: ServerResponse, code: string): Promise<void> {
    if (code !== state.code) throw new Refusal(403, 'wrong room code: copy the --room URL pnpm room serve printed');
    const type = String(req.headers['content-type'] ?? '');
    if (!/^application\/json\b/i.test(type)) throw new Refusal(415, 'send the verdict as application/json');
    const text = await readBody(req);
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new Refusal(400, 'the body is not JSON');
    }
    const verdict = parseVerdict(body, options.modules);
    if (typeof verdict === 'string') throw new Refusal(422, verdict);
    const auth = /^Bearer (\S+)$/.exec(String(req.headers.authorization ?? ''))?.[1];
    const at = now().toISOString();
    let learner = state.learners[verdict.name];
    let token: string | undefined;
    if (learner === undefined) {
      token = newToken();
      learner = state.learners[verdict.name] = { tokenHash: hashToken(token), joinedAt: at, modules: {} };
    } else if (auth === undefined) {
      throw new Refusal(401, `the name "${verdict.name}" has posted here before: its token is missing (post from the machine that first used it, or pick another --name)`);
    } else if (!tokenMatches(auth, learner.tokenHash)) {
      throw new Refusal(403, `the name "${verdict.name}" belongs to another learner in this room: pick another --name`);
    }
    learner.modules[verdict.module] = { status: verdict.status, checks: verdict.checks, gradedAt: verdict.gradedAt || at, receivedAt: at };
    for (const c of verdict.checks) if (c.status === 'fail' || c.status === 'error') state.failed[`${verdict.module}/${c.name}`] = (state.failed[`${verdict.module}/${c.name}`] ?? 0) + 1;
    saveRoomState(options.stateFile, state);
    log(`${at} ${verdict.name}: ${verdict.module} ${verdict.status}`);
    send(res, token ? 201 : 200, { ok: true, ...(token ? { token } : {}), name: verdict.name, module: verdict.module });
  }

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://room');
    const route = /^\/r\/([^/]+)\/verdicts\/?$/.exec(url.pathname);
    const handle = async (): Promise<void> => {
      if (url.pathname === '/' || url.pathname === '/room.json') {
        if (req.method !== 'GET' && req.method !== 'HEAD') throw new Refusal(405, 'GET only');
        if (url.pathname === '/room.json') return send(res, 200, roomView(state));
        const html = renderPage(roomView(state), options.modules, { joinUrl: `${base}/r/${state.code}`, now: now() });
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
        res.end(req.method === 'HEAD' ? undefined : html);
        return;
      }
      if (route !== null) {
        if (req.method !== 'POST') throw new Refusal(405, 'POST a verdict here');
        return post(req, res, decodeURIComponent(route[1]!));
      }
      throw new Refusal(404, 'no such page: the room is at /');
    };
    handle().catch((error: unknown) => {
      if (error instanceof Refusal) {
        log(`refused ${req.method} ${url.pathname}: ${error.status} ${error.message}`);
        return send(res, error.status, { error: error.message }, error.status === 413);
      }
      log(`error on ${req.method} ${url.pathname}: ${error instanceof Error ? error.message : String(error)}`);
      send(res, 500, { error: 'the room could not handle that; see its log' });
    });
  });
  server.requestTimeout = 10_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  base = `http://${host}:${address.port}`;
  return {
    url: base,
    code: state.code,
    joinUrl: `${base}/r/${state.code}`,
    state: () => state,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
