/**
 * Module 01: predict the herd before you measure it.
 *
 * Goal: requests arrive steadily at `ratePerSec`, the cached key expires, and rebuilding it from
 * the origin takes `rebuildMs`. With the naive cache, how many origin queries does that one TTL
 * boundary cause? Return your prediction; the grader measures the real herd at six settings.
 */
export function predictHerd(input: { ratePerSec: number; rebuildMs: number }): number {
  // TODO: derive the herd size from the arrival rate and the rebuild time.
  void input;
  return 0;
}
