/**
 * The room's state: who posted which verdict, kept in one JSON file written atomically (a
 * temporary file renamed over the old one), so a restart of `pnpm room serve` loses nothing and a
 * crash mid-write never leaves half a file. Learners' tokens are kept as hashes only.
 */
import { createHash, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import { readFileSync, existsSync } from 'node:fs';
import { writeJsonAtomic } from '../state-file.js';
import path from 'node:path';

export type VerdictStatus = 'pass' | 'fail' | 'error' | 'skipped';
export const STATUSES: readonly VerdictStatus[] = ['pass', 'fail', 'error', 'skipped'];

export interface RoomCheck {
  name: string;
  status: VerdictStatus;
  measured: string;
}

export interface RoomRow {
  status: VerdictStatus;
  checks: RoomCheck[];
  /** When the learner's grade ran (their clock), and when the room got it (the room's). */
  gradedAt: string;
  receivedAt: string;
}

export interface RoomLearner {
  tokenHash: string;
  joinedAt: string;
  modules: Record<string, RoomRow>;
}

export interface RoomState {
  version: 1;
  code: string;
  createdAt: string;
  learners: Record<string, RoomLearner>;
  /** Failed grades in all, by "NN-name/check name": the page ranks the room's most failed checks. */
  failed: Record<string, number>;
}

/** No 0/O, 1/I/L: a code read off a projector. */
const ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
export const newCode = (): string => Array.from({ length: 6 }, () => ALPHABET[randomInt(ALPHABET.length)]).join('');
export const newToken = (): string => randomBytes(24).toString('base64url');
export const hashToken = (token: string): string => createHash('sha256').update(token).digest('hex');

export function tokenMatches(token: string, hash: string): boolean {
  const a = Buffer.from(hashToken(token), 'hex');
  const b = Buffer.from(hash, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}

export function loadRoomState(file: string, now: Date): RoomState {
  if (!existsSync(file)) return { version: 1, code: newCode(), createdAt: now.toISOString(), learners: {}, failed: {} };
  const raw = JSON.parse(readFileSync(file, 'utf8')) as Partial<RoomState>;
  if (raw.version !== 1 || typeof raw.code !== 'string' || typeof raw.learners !== 'object' || raw.learners === null) {
    throw new Error(`${file} is not a room state file (version 1); move it away to start a new room`);
  }
  return { version: 1, code: raw.code, createdAt: raw.createdAt ?? now.toISOString(), learners: raw.learners, failed: raw.failed ?? {} };
}

export function saveRoomState(file: string, state: RoomState): void {
  writeJsonAtomic(file, state);
}

/** What the page and /room.json show: everything but the tokens. */
export interface RoomView {
  code: string;
  learners: Array<{ name: string; modules: Record<string, RoomRow> }>;
  mostFailed: Array<{ module: string; check: string; failedGrades: number; stuckNow: number }>;
}

export function roomView(state: RoomState): RoomView {
  const learners = Object.entries(state.learners)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, l]) => ({ name, modules: l.modules }));
  const stuck = (module: string, check: string): number =>
    learners.filter((l) => l.modules[module]?.checks.some((c) => c.name === check && c.status !== 'pass')).length;
  const mostFailed = Object.entries(state.failed)
    .map(([key, failedGrades]) => {
      const cut = key.indexOf('/');
      const module = key.slice(0, cut);
      const check = key.slice(cut + 1);
      return { module, check, failedGrades, stuckNow: stuck(module, check) };
    })
    .sort((a, b) => b.failedGrades - a.failedGrades || b.stuckNow - a.stuckNow || a.module.localeCompare(b.module) || a.check.localeCompare(b.check))
    .slice(0, 3);
  return { code: state.code, learners, mostFailed };
}
