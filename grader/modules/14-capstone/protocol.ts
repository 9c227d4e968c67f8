/** The messages between the capstone's primary process and its workers (node:cluster IPC). */
import type { Layer, Source } from './layers.js';
import type { Peer } from './peers.js';
import type { CapstoneSettings } from './settings.js';

export interface WorkerConfig {
  layers: Layer[];
  /** A peer library's read path instead of the layers (the table's peer rows). */
  peer?: Peer;
  /** The nginx rows: the proxy cache in front of the origin that the workers read through. */
  peerUrl?: string;
  /** Module id to the folder its code is read from. */
  sources: Record<string, Source>;
  redisUrl: string;
  /** This row's prefix: every key any worker writes is under it. */
  prefix: string;
  originUrl: string;
  seed: number;
  /** Wall-clock ms every worker's clock counts from: one time line for the fleet. */
  epochMs: number;
  settings: CapstoneSettings;
}

export interface WorkerStats {
  requests: number;
  misses: number;
  shed: number;
  errors: number;
  /** Requests being served right now. */
  active: number;
  /** The first error's line, for the report. */
  firstError?: string;
}

export type ToWorker = { type: 'configure'; config: WorkerConfig } | { type: 'stats' } | { type: 'park' } | { type: 'stop' };

export type FromWorker =
  | { type: 'configured' }
  | { type: 'stats'; stats: WorkerStats }
  | { type: 'parked' }
  | { type: 'error'; line: string }
  | { type: 'stopped' };
