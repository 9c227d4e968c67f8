/**
 * A mean over a trailing time window, kept in ten sub-buckets so adding is O(1) and reading is
 * O(10) however many values the window holds. The window slides a sub-bucket at a time: what an
 * admission hook reads as "recent queue wait" is at most windowMs/10 staler than exact.
 */
const SLOTS = 10;

export class WindowMean {
  private readonly width: number;
  private readonly sums = new Float64Array(SLOTS);
  private readonly counts = new Float64Array(SLOTS);
  /** Sub-bucket number each slot holds; a slot holding an older one is stale and reads as empty. */
  private readonly held = new Float64Array(SLOTS).fill(-Infinity);

  constructor(readonly windowMs: number) {
    this.width = windowMs / SLOTS;
  }

  add(t: number, value: number): void {
    const b = Math.floor(t / this.width);
    const slot = b % SLOTS;
    if (this.held[slot] !== b) {
      this.held[slot] = b;
      this.sums[slot] = 0;
      this.counts[slot] = 0;
    }
    this.sums[slot]! += value;
    this.counts[slot]!++;
  }

  /** Mean of the values added in the window ending at `t`; 0 when there are none. */
  mean(t: number): number {
    const b = Math.floor(t / this.width);
    let sum = 0;
    let n = 0;
    for (let i = 0; i < SLOTS; i++) {
      const h = this.held[i]!;
      if (h > b - SLOTS && h <= b) {
        sum += this.sums[i]!;
        n += this.counts[i]!;
      }
    }
    return n === 0 ? 0 : sum / n;
  }
}
