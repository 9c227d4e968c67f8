/**
 * Module 14, the capstone: assemble the service's read path from the layers you built.
 *
 * Goal: under a steady hot-key load on four processes, each TTL boundary reaches the origin as
 * one rebuild fleet-wide, with no sawtooth and no request waiting on the rebuild.
 *
 * Return the layers innermost first (closest to the origin first), each name once:
 *   'single-flight'  module 02: one rebuild per process
 *   'lock'           module 03: one rebuild fleet-wide, for cold keys
 *   'swr' | 'xfetch' module 04 or 05 (one of them): the hot key never waits at its boundary
 *   'jitter'         module 06: an in-process L1 whose TTLs are jittered
 *   'negative'       module 07: "not found" answers cached briefly
 *   'breaker'        module 13: a breaker around every Redis command, stale copy when open
 *   'shedding'       module 10: admission at the door
 * A layer runs your own module once `pnpm grade NN` passed it; until then, the reference.
 * Try one at a time: `pnpm capstone load hot-key --layers single-flight,lock`.
 */
export function stack(): string[] {
  return [
    // TODO: add the layers, innermost first, e.g. 'single-flight', then 'lock', ...
  ];
}
