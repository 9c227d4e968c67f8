/**
 * The cache modules' headline figures: what a run did to the origin at its TTL boundaries, how
 * long requests waited, how often the cache missed, and how old the values served were.
 */
import type { RunReport } from '@herd/harness/engine';

export interface Figure {
  name: string;
  value(report: RunReport): string;
}

const herd = (r: RunReport): string => {
  const q = r.boundaries.map((b) => b.queries);
  if (q.length === 0) return '0';
  const lo = Math.min(...q);
  const hi = Math.max(...q);
  return lo === hi ? `${lo}` : `${lo}-${hi}`;
};

export const CACHE_FIGURES: readonly Figure[] = [
  { name: 'origin queries per boundary', value: herd },
  { name: 'origin queries in total', value: (r) => r.origin.queries.toLocaleString('en-US') },
  { name: 'p99 at the boundary (worst)', value: (r) => `${Math.round(Math.max(0, ...r.boundaries.map((b) => b.p99)))} ms` },
  { name: 'p99 overall', value: (r) => `${Math.round(r.latency.p99)} ms` },
  { name: 'miss rate', value: (r) => `${(r.cache.missRate * 100).toFixed(2)}%` },
  { name: 'oldest value served', value: (r) => (r.freshness.measured === 0 ? '-' : `${(r.freshness.maxAgeMs / 1000).toFixed(1)} s`) },
  { name: 'sawtooth', value: (r) => (r.sawtooth.detected ? `yes (${r.sawtooth.spikes} spikes)` : 'no') },
];
