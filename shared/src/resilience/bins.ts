/**
 * Counts per fixed-width time bin, growing as time goes on: the raw material of every chart of
 * a resilience run. Times are relative to the run's start `t0`, so a real-time run bins like a
 * virtual one.
 */
export class Bins {
  private data = new Float64Array(64);
  /** One past the highest bin written. */
  private used = 0;

  constructor(
    readonly t0: number,
    readonly binMs: number,
  ) {}

  add(t: number, value = 1): void {
    const i = Math.floor((t - this.t0) / this.binMs);
    if (i < 0) return;
    this.reach(i);
    this.data[i]! += value;
  }

  /** Writes `value` into bin `i` (a sample, not a count). */
  set(i: number, value: number): void {
    if (i < 0) return;
    this.reach(i);
    this.data[i] = value;
  }

  /** Bins written so far (one past the highest). */
  get length(): number {
    return this.used;
  }

  private reach(i: number): void {
    if (i >= this.data.length) {
      const bigger = new Float64Array(Math.max(this.data.length * 2, i + 1));
      bigger.set(this.data);
      this.data = bigger;
    }
    if (i >= this.used) this.used = i + 1;
  }

  /** The first `n` bins as a plain array (zeros past the last one written). */
  values(n: number): number[] {
    const out = new Array<number>(n);
    for (let i = 0; i < n; i++) out[i] = i < this.data.length ? this.data[i]! : 0;
    return out;
  }
}
