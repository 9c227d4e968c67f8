/**
 * `pnpm grade NN --room URL --name NAME`: posts the verdict (never code) to an instructor's room,
 * with the token the room gave this name the first time (kept in .herd/room-tokens.json, by room code).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { GraderError } from '../learner-error.js';
import type { SavedGrade } from '../saved-grade.js';
import { writeJsonAtomic } from '../state-file.js';

/** The room's base URL and code from what `pnpm room serve` printed: http://host:port/r/CODE */
export function parseRoomUrl(raw: string): { base: string; code: string } {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new GraderError(`--room takes the URL pnpm room serve printed (http://host:port/r/CODE), got "${raw}"`, 1);
  }
  const m = /^\/r\/([A-Za-z0-9]{4,16})\/?$/.exec(url.pathname);
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || m === null) {
    throw new GraderError(`--room takes the URL pnpm room serve printed, with the room code: http://host:port/r/CODE (got "${raw}")`, 1);
  }
  return { base: url.origin, code: m[1]!.toUpperCase() };
}

type Tokens = Record<string, Record<string, string>>;

function readTokens(file: string): Tokens {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Tokens;
  } catch {
    return {};
  }
}

function saveToken(file: string, code: string, name: string, token: string): void {
  const all = readTokens(file);
  all[code] = { ...(all[code] ?? {}), [name]: token };
  writeJsonAtomic(file, all, 0o600);
}

export interface PostResult {
  ok: boolean;
  status?: number;
  /** One line for the learner. */
  message: string;
}

export async function postVerdict(roomUrl: string, name: string, grade: SavedGrade, tokensFile: string, timeoutMs = 5000): Promise<PostResult> {
  const { base, code } = parseRoomUrl(roomUrl);
  const room = `${base}/r/${code}`;
  // By code, not URL: a room restarted on another port or address is still the same room.
  const token = readTokens(tokensFile)[code]?.[name];
  const body = {
    name,
    module: grade.id,
    status: grade.status,
    checks: grade.checks.map(({ name: n, status, measured }) => ({ name: n, status, measured: measured.slice(0, 300) })),
    gradedAt: grade.gradedAt,
  };
  let res: Response;
  try {
    res = await fetch(`${room}/verdicts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    const why = error instanceof Error ? ((error.cause as { code?: string } | undefined)?.code ?? error.message) : String(error);
    return { ok: false, message: `room: could not reach ${base} (${why}); your grade stands, it is just not posted` };
  }
  const reply = (await res.json().catch(() => ({}))) as { token?: string; error?: string };
  if (!res.ok) return { ok: false, status: res.status, message: `room: refused (${res.status}): ${reply.error ?? res.statusText}` };
  if (reply.token) saveToken(tokensFile, code, name, reply.token);
  return { ok: true, status: res.status, message: `room: posted ${grade.id.slice(0, 2)} (${grade.status}) to ${room} as ${name}` };
}
