/**
 * One fleet per process for the checks: starting four workers costs seconds, so every check (and
 * both targets in one test run) measures its row on the same fleet, each row on a fresh prefix.
 * The fleet stops once nothing used it for a moment; if the process ends first, its workers exit
 * with it (their IPC channel closes) and the private redis-server is killed on exit.
 */
import { appendFileSync } from 'node:fs';
import { startFleet, type Fleet } from './fleet.js';
import type { Layer } from './layers.js';
import { runLoad, type RowFigures, type Scenario } from './load.js';
import { sourcesOf } from './sources.js';

/** The checks' short rows: long enough for four or five TTL boundaries. */
export const ROW = { seconds: 4, rate: 300 } as const;
export const TABLE_ROW = { seconds: 6, rate: 300 } as const;

/** How long the fleet waits for its next row before it stops (one grade's checks, both test directions). */
const IDLE_MS = 5000;

let fleet: Promise<Fleet> | undefined;
/** The previous fleet's stop: a new fleet starts only once it is over, so two never overlap. */
let stopping: Promise<void> = Promise.resolve();
let users = 0;
let idle: NodeJS.Timeout | undefined;

async function acquire(): Promise<Fleet> {
  clearTimeout(idle);
  users++;
  if (fleet === undefined) {
    const previous = stopping;
    fleet = previous.then(() => startFleet());
  }
  try {
    return await fleet;
  } catch (e) {
    fleet = undefined;
    users--;
    throw e;
  }
}

function release(): void {
  if (--users > 0) return;
  const f = fleet;
  idle = setTimeout(() => {
    if (users > 0 || fleet !== f) return;
    fleet = undefined;
    stopping = (f ?? Promise.reject(new Error('no fleet'))).then((x) => x.stop()).then(
      () => undefined,
      () => undefined,
    );
  }, IDLE_MS);
  idle.unref();
}

export interface Row extends RowFigures {
  layers: Layer[];
  /** Keys outside the run's prefix (undefined on a shared Redis, where they cannot be told apart). */
  stray?: string[];
  /** Keys of this row still in Redis after its cleanup. */
  left: number;
  workers: number;
}

/** Measures one row: the stack on the fleet under a fresh prefix, then deletes the row's keys. */
export async function measureRow(layers: readonly Layer[], target: 'starter' | 'solution', scenario: Scenario = 'hot-key', load: { seconds: number; rate: number } = ROW): Promise<Row> {
  const f = await acquire();
  try {
    const prefix = await f.configure(layers, await sourcesOf(layers, target));
    const figures = await runLoad(f, { scenario, ...load });
    await f.park();
    const stray = await f.strayKeys();
    const left = await f.clear(prefix);
    const row = { ...figures, layers: [...layers], stray, left, workers: f.workers };
    // For establishing the checks' margins over many runs: one JSON line per row measured.
    const log = process.env.HERD_CAPSTONE_LOG;
    if (log) appendFileSync(log, `${JSON.stringify({ target, ...row, perSecond: undefined, stats: undefined })}\n`);
    return row;
  } finally {
    release();
  }
}
