/**
 * The parent/child protocol of a process fleet: one init, then bursts on demand, then finish.
 * Every message is plain JSON over the IPC channel; a child never sends anything unasked except
 * `error`, its one line when something went wrong.
 */
import type { LockOptions } from '../scenarios.js';
import type { Target } from '../types.js';

export type FleetPhase = 'single-flight' | 'lock';


/** What one child needs to build its instance. */
export interface ChildConfig {
  /** "i0".."iN-1": the origin logs its queries under this id. */
  instance: string;
  index: number;
  phase: FleetPhase;
  /** The module whose file this instance runs (manifest id and files; no RegExps over IPC). */
  module: { id: string; files: Record<string, string[]> };
  target: Target;
  originUrl: string;
  /** The lock phase only: every child shares this one prefix, so they share one keyspace. */
  redis?: { url: string; prefix: string };
  ttlMs: number;
  lock: LockOptions;
  seed: number;
  key: string;
}

export type ToChild =
  | { type: 'init'; config: ChildConfig }
  /** Fire `size` get()s at wall time `at` (see wallNow) plus a seeded offset in [0, spreadMs). */
  | { type: 'burst'; index: number; at: number; size: number; spreadMs: number }
  | { type: 'finish' };

export type FromChild =
  | { type: 'ready' }
  | { type: 'burst-done'; index: number; latencies: number[]; failed: number; firstFailure?: string }
  /** null when the app has no lockWaits() (the single-flight phase, a starter without it). */
  | { type: 'finished'; lockWaits: number[] | null }
  /** One line, already naming the file to look at; the child exits after sending it. */
  | { type: 'error'; line: string };

/**
 * Milliseconds since the epoch at sub-millisecond precision: the one time base parent and
 * children agree on (each process's performance.now() counts from its own start).
 */
export function wallNow(): number {
  return performance.timeOrigin + performance.now();
}
