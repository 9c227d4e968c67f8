/**
 * Module 14's checks: the service for real (four processes, real Redis, the HTTP origin, real
 * time), one short autocannon row each on the shared fleet (session.ts). Every figure is read
 * from outside: origin queries per TTL boundary from the origin's own log, clustered per
 * boundary, so a figure cannot straddle two boundaries; the miss rate from the workers. Bounds
 * sit far from both the wrong and the right figure (see the instructor page for the spread):
 * naive 30-60 per boundary against at most 1.5; single flight 4 against 2..4.5.
 */
import type { CheckContext, CheckFn, Outcome } from '../../src/define.js';
import { CapstoneError } from './fleet.js';
import { checkStack, labelOf, type Layer } from './layers.js';
import { measureRow, type Row } from './session.js';
import { WORKERS } from './settings.js';

/** The full stack and the lock: a mean of at most this many origin queries per boundary... */
export const ONE_REBUILD_MEAN = 1.5;
/** ...and no boundary above this: one stray boundary of 3 was seen at load 15 (SWR, `yes` x2), where single flight alone sends 4 at every boundary. */
export const ONE_REBUILD_MAX = 3;
/** Single flight alone: at least this many per boundary on average (one per process, N = 4)... */
export const PER_PROCESS_MIN = 2;
/** SWR or XFetch: requests that found no value anywhere, at most this share (the lock alone: 10-20%). */
export const MISS_RATE_MAX = 0.01;

function stackOf(ctx: CheckContext): Layer[] | Outcome {
  const raw = (ctx.exports.stack as () => unknown)();
  const layers = checkStack(raw, ctx.file);
  if (typeof layers === 'string') return { pass: false, measured: 'no run', message: layers };
  return layers;
}

/** The row, or the one line saying why the service could not run it. */
async function row(layers: readonly Layer[], ctx: CheckContext): Promise<Row | Outcome> {
  try {
    return await measureRow(layers, ctx.target);
  } catch (e) {
    if (e instanceof CapstoneError) return { pass: false, measured: 'no run', message: e.message };
    throw e;
  }
}

const isOutcome = (x: unknown): x is Outcome => typeof x === 'object' && x !== null && 'pass' in x && 'measured' in x;

const per = (r: Row): string => `${r.perBoundary.toFixed(1)} per boundary (max ${r.maxPerBoundary}, ${r.boundaries} boundaries)`;

/** Problems every row must be free of, whatever its layers: keys, errors, too few boundaries. */
function rowTrouble(r: Row, ctx: CheckContext): string | undefined {
  const label = `stack ${labelOf(r.layers)}`;
  if (r.stray !== undefined && r.stray.length > 0) return `${label}: key ${r.stray[0]} is outside the run's prefix: every key must go through deps.store`;
  if (r.left > 0) return `${label}: ${r.left} keys were still under the row's prefix after its cleanup`;
  // The service's own failures (an exception in the read path), not the load generator's
  // timeouts: on a starved machine autocannon gives up on a few requests whatever the stack.
  if (r.stats.errors > 0) return `${ctx.file}: ${label}: ${r.stats.errors} requests failed${r.stats.firstError ? `: ${r.stats.firstError}` : ''}`;
  return undefined;
}

/** Checked last: a herd already over its bound fails for that, however few boundaries it took. */
function tooFew(r: Row): string | undefined {
  return r.boundaries < 2 ? `stack ${labelOf(r.layers)}: only ${r.boundaries} TTL boundaries in ${r.requests} requests: the machine is too busy to measure; run it again` : undefined;
}

const full: CheckFn = async (ctx) => {
  const layers = stackOf(ctx);
  if (isOutcome(layers)) return layers;
  const r = await row(layers, ctx);
  if (isOutcome(r)) return r;
  const base = { measured: per(r), series: r.perSecond, figure: r.perBoundary, bound: ONE_REBUILD_MEAN };
  const trouble = rowTrouble(r, ctx);
  if (trouble) return { ...base, pass: false, message: trouble };
  if (r.perBoundary > ONE_REBUILD_MEAN || r.maxPerBoundary > ONE_REBUILD_MAX) {
    return {
      ...base,
      pass: false,
      message: `${ctx.file}: stack ${labelOf(layers)}: the fleet sent ${r.perBoundary.toFixed(1)} origin queries per TTL boundary (max ${r.maxPerBoundary}), want at most ${ONE_REBUILD_MEAN} (max ${ONE_REBUILD_MAX}): ${layers.length === 0 ? 'list the layers in stack()' : 'add the layer that makes it one fleet-wide'}`,
    };
  }
  if (r.sawtooth) return { ...base, pass: false, message: `${ctx.file}: the origin's query rate still spikes at every TTL boundary (a sawtooth), want a flat rate` };
  const few = tooFew(r);
  return few ? { ...base, pass: false, message: few } : { ...base, pass: true };
};

/** A check of one layer: the row of the stack's layers up to it, against bounds of its own. */
function layerCheck(wanted: readonly Layer[], required: readonly Layer[], judge: (r: Row, ctx: CheckContext) => string | undefined, missing: string): CheckFn {
  return async (ctx) => {
    const layers = stackOf(ctx);
    if (isOutcome(layers)) return layers;
    const mine = layers.filter((l) => wanted.includes(l));
    if (!mine.some((l) => required.includes(l))) {
      return { pass: false, measured: 'not in the stack', message: `${ctx.file}: ${missing}` };
    }
    const r = await row(mine, ctx);
    if (isOutcome(r)) return r;
    const base = { measured: per(r), series: r.perSecond, figure: r.perBoundary };
    const trouble = rowTrouble(r, ctx) ?? judge(r, ctx) ?? tooFew(r);
    return trouble ? { ...base, pass: false, message: trouble } : { ...base, pass: true };
  };
}

const perProcess = layerCheck(
  ['single-flight'],
  ['single-flight'],
  (r, ctx) => {
    if (r.perBoundary < PER_PROCESS_MIN) return `${ctx.file}: single flight alone sent ${r.perBoundary.toFixed(1)} per boundary, want ${PER_PROCESS_MIN} to ${WORKERS}: it cannot coordinate ${WORKERS} processes, so fewer means the load did not reach them all`;
    if (r.perBoundary > WORKERS + 0.5 || r.maxPerBoundary > 2 * WORKERS) {
      return `single flight (02) sent ${r.perBoundary.toFixed(1)} origin queries per boundary (max ${r.maxPerBoundary}), want at most one per process (${WORKERS}): the concurrent misses of a process must share one rebuild`;
    }
    return undefined;
  },
  "stack() does not list 'single-flight': add it first, innermost",
);

const fleetWide = layerCheck(
  ['single-flight', 'lock'],
  ['lock'],
  (r) =>
    r.perBoundary > ONE_REBUILD_MEAN || r.maxPerBoundary > ONE_REBUILD_MAX
      ? `the lock (03) let ${r.perBoundary.toFixed(1)} origin queries per boundary through (max ${r.maxPerBoundary}), want at most ${ONE_REBUILD_MEAN} (max ${ONE_REBUILD_MAX}): one rebuild for the whole fleet`
      : undefined,
  "stack() does not list 'lock': add it after 'single-flight'",
);

const noWait = layerCheck(
  ['single-flight', 'lock', 'swr', 'xfetch'],
  ['swr', 'xfetch'],
  (r) => {
    const which = r.layers.includes('xfetch') ? 'XFetch (05)' : 'SWR (04)';
    if (r.perBoundary > ONE_REBUILD_MEAN || r.maxPerBoundary > ONE_REBUILD_MAX) {
      return `${which} sent ${r.perBoundary.toFixed(1)} origin queries per refresh (max ${r.maxPerBoundary}), want at most ${ONE_REBUILD_MEAN}: one refresh for the fleet`;
    }
    if (r.missRate > MISS_RATE_MAX) {
      return `with ${which}, ${(100 * r.missRate).toFixed(1)}% of requests found no value and waited for a rebuild, want at most ${100 * MISS_RATE_MAX}%: the hot key must be served through its boundary`;
    }
    return undefined;
  },
  "stack() lists neither 'swr' nor 'xfetch': add one after 'lock'",
);

export const checks: Record<string, CheckFn> = {
  'full stack: one rebuild': full,
  'single flight: one per process': perProcess,
  'lock: one fleet-wide': fleetWide,
  'SWR or XFetch: no wait': noWait,
};
