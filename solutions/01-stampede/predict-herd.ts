/**
 * Module 01, reference: the herd at one TTL boundary under steady arrivals. The first miss
 * starts a rebuild lasting rebuildMs; everything that arrives before it lands misses too.
 */
export function predictHerd(input: { ratePerSec: number; rebuildMs: number }): number {
  return (input.ratePerSec * input.rebuildMs) / 1000;
}
