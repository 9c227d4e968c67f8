/**
 * Reading a run's per-bin series: the mean over a window, the time a fault takes to heal, and
 * the retry-wave detector of module 09. Pure functions of the series, so a check can apply
 * them to any window it likes.
 */

/** Bins [from, to) of a window given in ms, clipped to the series. */
function binRange(length: number, binMs: number, fromMs: number, toMs: number): [number, number] {
  const from = Math.max(0, Math.floor(fromMs / binMs));
  const to = Math.min(length, Math.ceil(toMs / binMs));
  return [from, Math.max(from, to)];
}

/** Mean per bin of `series` over [fromMs, toMs); NaN for an empty window. */
export function meanOver(series: readonly number[], binMs: number, fromMs: number, toMs: number): number {
  const [from, to] = binRange(series.length, binMs, fromMs, toMs);
  if (to === from) return NaN;
  let sum = 0;
  for (let i = from; i < to; i++) sum += series[i]!;
  return sum / (to - from);
}

/** Sum of `series` over [fromMs, toMs). */
export function sumOver(series: readonly number[], binMs: number, fromMs: number, toMs: number): number {
  const [from, to] = binRange(series.length, binMs, fromMs, toMs);
  let sum = 0;
  for (let i = from; i < to; i++) sum += series[i]!;
  return sum;
}

export interface RecoveryOptions {
  /** Goodput counts as recovered within this fraction of offered load. Default 0.1. */
  tolerance?: number;
  /** ... held for this long. Default 1000 ms. */
  sustainMs?: number;
}

/**
 * Time from `fromMs` (a fault's end) until goodput is back within `tolerance` of offered load
 * and stays there for `sustainMs`, measured over the sustain window as a whole (single bins are
 * noisy when arrivals are Poisson). Null when that never happens before the series ends.
 */
export function recoveryTime(
  goodput: readonly number[],
  offered: readonly number[],
  binMs: number,
  fromMs: number,
  options: RecoveryOptions = {},
): number | null {
  const tolerance = options.tolerance ?? 0.1;
  const span = Math.max(1, Math.round((options.sustainMs ?? 1000) / binMs));
  const start = Math.max(0, Math.floor(fromMs / binMs));
  for (let i = start; i + span <= goodput.length; i++) {
    let good = 0;
    let load = 0;
    for (let j = i; j < i + span; j++) {
      good += goodput[j]!;
      load += offered[j]!;
    }
    if (load > 0 && good >= (1 - tolerance) * load) return Math.max(0, i * binMs - fromMs);
  }
  return null;
}

export interface Waves {
  /** Highest bin in the window. */
  peak: number;
  /** Mean bin in the window. */
  mean: number;
  /** peak / mean (0 for an empty window): ~1 for smooth traffic, high for synchronised waves. */
  ratio: number;
  /** Start of the peak bin, ms. */
  peakAtMs: number;
  /** Bins at least `factor` x the mean: how many waves (adjacent bins count once). */
  waves: number;
}

/**
 * Retry waves: how far the busiest bin stands above the mean over a window, like the sawtooth
 * detector of metrics.ts for origin queries. Clients retrying on the same schedule land in a few
 * bins (ratio near the bins-per-wave period); jittered ones spread out (ratio near 1).
 */
export function detectWaves(series: readonly number[], binMs: number, fromMs: number, toMs: number, factor = 2): Waves {
  const [from, to] = binRange(series.length, binMs, fromMs, toMs);
  let peak = 0;
  let peakAt = from;
  let sum = 0;
  for (let i = from; i < to; i++) {
    sum += series[i]!;
    if (series[i]! > peak) {
      peak = series[i]!;
      peakAt = i;
    }
  }
  const mean = to > from ? sum / (to - from) : 0;
  let waves = 0;
  let previous = -2;
  for (let i = from; i < to; i++) {
    if (mean === 0 || series[i]! < factor * mean) continue;
    if (i - previous > 1) waves++;
    previous = i;
  }
  return { peak, mean, ratio: mean > 0 ? peak / mean : 0, peakAtMs: peakAt * binMs, waves };
}
