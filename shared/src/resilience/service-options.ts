/**
 * What a service node is made of (options) and what it reports (stats, series), apart from the
 * node itself so learner-facing types can be read without the machinery.
 */
import type { QueueDiscipline } from '../capacity-queue.js';
import type { Rng } from '../rng.js';
import type { Bins } from './bins.js';

export type ServiceTime =
  | { kind: 'fixed'; ms: number }
  | { kind: 'uniform'; minMs: number; maxMs: number }
  | { kind: 'exponential'; meanMs: number };

/** How a node that is down behaves: answers nothing (callers time out) or fails fast. */
export type DownMode = 'silent' | 'fail-fast';

export interface ServiceOptions {
  workers: number;
  serviceTime: ServiceTime;
  /** Requests allowed to wait; beyond it a request is rejected at once (503). Default unlimited. */
  maxQueue?: number;
  /** Default fifo. */
  discipline?: QueueDiscipline;
  /** Skip (and count) a request already past its deadline when a worker takes it. Default false. */
  dropExpired?: boolean;
  /**
   * Thrashing past capacity: a request starting work while the node holds more than `from` x
   * workers requests (queued plus in service; default 2) takes service time x (1 + slope x
   * excess), excess = held / workers - from, capped at maxFactor (default 10). Off by default.
   */
  degradation?: { slope: number; from?: number; maxFactor?: number };
  /**
   * 'queued': a health check waits in the same queue as work (and goes through admission as a
   * critical request); 'out-of-band': answered by a separate thread, alive whatever the backlog.
   * Default 'out-of-band'.
   */
  healthCheck?: 'queued' | 'out-of-band';
  /** Work a health check takes, ms. Default 1. */
  healthCheckMs?: number;
  /** Default for 'down' faults that do not say. Default 'fail-fast'. */
  downMode?: DownMode;
  /** Retry-After of a rejection because the queue is full. Default none. */
  queueFullRetryAfterMs?: number;
  /** Trailing window of the view's recent figures, ms. Default 1000. */
  windowMs?: number;
}

/** What faults make of a node; the baseline is `{ down: false, slowFactor: 1, capacityFactor: 1 }`. */
export interface NodeCondition {
  down: false | DownMode;
  slowFactor: number;
  capacityFactor: number;
}

/**
 * Where a node's answer goes: 'ok' once the work is done, 'rejected' and 'failed' fast. An
 * object rather than a callback, so a caller can be its own sink and allocate no closure.
 */
export interface ReplySink {
  /** `node` is the answering node's index. */
  onReply(status: 'ok' | 'rejected' | 'failed', retryAfterMs: number | undefined, node: number): void;
}

/** Counters of one node, written as requests meet each outcome. */
export interface ServiceStats {
  received: number;
  /** Work requests finished by a worker: throughput, whether or not anyone still waited. */
  completed: number;
  rejectedByAdmission: number;
  rejectedQueueFull: number;
  /** Answered 'failed' (down, fail-fast) or never answered (down, silent). */
  failedDown: number;
  /** Requests the node lost when it went down (queued or in service). */
  lostInCrash: number;
  /** Skipped by dropExpired. */
  droppedExpired: number;
  /** Work requests finished at or after their deadline: their caller had already given up. */
  wasted: number;
  wastedMs: number;
  healthChecks: number;
}

/** Per-bin series of one node (the runner samples queue length and in-flight itself). */
export interface ServiceSeries {
  completed: Bins;
  rejected: Bins;
  wasted: Bins;
}

/** Draws service times from the spec's distribution with the node's own stream. */
export function serviceTimeSampler(spec: ServiceTime, rng: Rng): () => number {
  switch (spec.kind) {
    case 'fixed':
      return () => spec.ms;
    case 'uniform':
      return () => rng.between(spec.minMs, spec.maxMs);
    case 'exponential':
      return () => rng.exponential(spec.meanMs);
  }
}

