/**
 * The capstone's layers: the names a learner lists in stack.ts, the module each one comes from,
 * the order they must be listed in (innermost first: the order they are added in the course), and
 * where each module's code is read from: the learner's own files once `pnpm grade` saved a passing
 * grade for exactly those files, else the reference.
 */

export const LAYERS = ['single-flight', 'lock', 'swr', 'xfetch', 'jitter', 'negative', 'breaker', 'shedding'] as const;
export type Layer = (typeof LAYERS)[number];

/** The module that teaches each layer, and the export the capstone composes from it. */
export const LAYER_MODULE: Readonly<Record<Layer, { id: string; file: string; exports: string[] }>> = {
  'single-flight': { id: '02-single-flight', file: 'single-flight.ts', exports: ['createSingleFlight'] },
  lock: { id: '03-distributed-lock', file: 'locked-cache.ts', exports: ['createLockedCache'] },
  swr: { id: '04-stale-while-revalidate', file: 'swr-cache.ts', exports: ['createSwrCache'] },
  xfetch: { id: '05-early-expiration', file: 'xfetch-cache.ts', exports: ['createXFetchCache'] },
  jitter: { id: '06-ttl-jitter', file: 'jittered-cache.ts', exports: ['createJitteredCache'] },
  negative: { id: '07-negative-caching', file: 'negative-cache.ts', exports: ['createNegativeCache'] },
  breaker: { id: '13-circuit-breaker', file: 'circuit-breaker.ts', exports: ['createBreaker'] },
  shedding: { id: '10-load-shedding', file: 'admission.ts', exports: ['createAdmission'] },
};

/** What each layer is, in a few words, for the one-line summaries. */
export const LAYER_ROLE: Readonly<Record<Layer, string>> = {
  'single-flight': 'one rebuild per process',
  lock: 'one rebuild fleet-wide (cold keys)',
  swr: 'serve stale, refresh in the background',
  xfetch: 'refresh early, by probability',
  jitter: 'in-process L1, jittered TTL',
  negative: '"not found" cached briefly',
  breaker: 'breaker around Redis, stale fallback',
  shedding: 'admission at the door',
};

/** Where a module's code comes from: the learner's folder or the reference's. */
export type Source = 'modules' | 'solutions';

/**
 * The stack as stack.ts returned it, checked: known names, no repeats, SWR or XFetch (not both:
 * each owns the value in Redis), in course order. Returns the layers, or one line saying what to fix.
 */
export function checkStack(raw: unknown, file: string): Layer[] | string {
  if (!Array.isArray(raw)) return `${file}: stack() must return an array of layer names, got ${typeof raw}`;
  const out: Layer[] = [];
  for (const name of raw) {
    if (typeof name !== 'string' || !(LAYERS as readonly string[]).includes(name)) {
      return `${file}: unknown layer ${JSON.stringify(name)}; the layers are ${LAYERS.join(', ')}`;
    }
    if (out.includes(name as Layer)) return `${file}: '${name}' is listed twice; list each layer once`;
    out.push(name as Layer);
  }
  if (out.includes('swr') && out.includes('xfetch')) {
    return `${file}: list 'swr' or 'xfetch', not both: each one owns the value in Redis and decides when it is rebuilt`;
  }
  for (let i = 1; i < out.length; i++) {
    if (LAYERS.indexOf(out[i]!) < LAYERS.indexOf(out[i - 1]!)) {
      return `${file}: '${out[i]}' must come before '${out[i - 1]}': list the layers innermost first (${LAYERS.join(', ')})`;
    }
  }
  return out;
}

/** Parses `--layers a,b,c` (or "naive" for none). */
export function parseLayers(text: string, file = '--layers'): Layer[] | string {
  const names = text.trim() === '' || text.trim() === 'naive' ? [] : text.split(',').map((s) => s.trim());
  return checkStack(names, file);
}

/** The label a row gets: "naive" or its last layer. */
export function labelOf(layers: readonly Layer[]): string {
  return layers.length === 0 ? 'naive' : layers.join('+');
}
