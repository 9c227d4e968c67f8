/**
 * The parent/child protocol of a process fleet: one init, then bursts on demand, then finish.
 * Every message is plain JSON over the IPC channel; a child never sends anything unasked except
 * `error`, its one line when something went wrong.
 */
import type { Target } from '../define.js';

/** The files an instance loads: a module's own, or a fixture's under `dir`. */
export interface FleetFiles {
  id: string;
  files: Record<string, string[]>;
  /** Repository-relative folder of the files, instead of modules/<id> or solutions/<id>. */
  dir?: string;
}

/** What one child needs to build its instance. */
export interface ChildConfig {
  /** "i0".."iN-1": the origin logs its queries under this id. */
  instance: string;
  index: number;
  /** The module whose app builder builds this instance. */
  definition: string;
  /** The files this instance runs (no RegExps over IPC). */
  module: FleetFiles;
  target: Target;
  originUrl: string;
  /** Every child shares this one prefix, so they share one keyspace. */
  redis?: { url: string; prefix: string };
  ttlMs: number;
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
  /** null when the app has no lockWaits() (module 02, a starter without it). */
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
