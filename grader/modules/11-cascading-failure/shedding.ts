/**
 * The load shedding module 11 injects into every node when the learner turns it on: module 10's
 * reference. Until module 10 is built, a stand-in with the same interface: shed work once the
 * oldest queued request has waited 100 ms, never a critical request (health checks travel as
 * critical), with a Retry-After.
 */
import type { AdmissionFactory } from '@herd/harness/engine';

export const STAND_IN_WAIT_MS = 100;

export const standInShedding: AdmissionFactory = () => (req, node) => ({
  admit: req.priority === 'critical' || node.oldestQueuedWaitMs < STAND_IN_WAIT_MS,
  retryAfterMs: 1000,
});

export interface SheddingSource {
  factory: AdmissionFactory;
  label: string;
}

let loaded: Promise<SheddingSource> | undefined;

/** Module 10's reference when the course has it built, else the stand-in; loaded once per process. */
export function loadShedding(): Promise<SheddingSource> {
  loaded ??= Promise.resolve({ factory: standInShedding, label: 'stand-in: shed past 100 ms queue wait' });
  return loaded;
}
