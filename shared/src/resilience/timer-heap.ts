/**
 * Many timers behind one clock wake-up. A run with 600,000 attempts would otherwise put 600,000
 * timeout callbacks on the clock, nearly all of them no-ops because the answer came first; here
 * a timer is an entry, the clock holds a wake-up for the earliest live one only, and entries
 * whose owner is done are dropped unfired. Timers added in time order (one timeout for a whole
 * client group: the usual case) go to a FIFO at O(1); others to a heap. Entries due at the same
 * time fire in the order they were added.
 */
import type { Scheduler } from '../load.js';

export interface Timer {
  /** Absolute time it is due. */
  readonly at: number;
  /** True once firing would change nothing (the answer came first): dropped unfired. */
  readonly settled: boolean;
  /** Fired when due; a timer that no longer matters just returns. */
  fire(): void;
}

interface Entry {
  at: number;
  seq: number;
  timer: Timer;
}

export class TimerHeap {
  private readonly items: Entry[] = [];
  /** Entries in (at, seq) order from `head`; compacted once half of it is spent. */
  private fifo: Entry[] = [];
  private head = 0;
  private seq = 0;
  /** Time of the wake-up on the clock that is current (Infinity: none); earlier ones are stale. */
  private wakeAt = Infinity;

  constructor(private readonly scheduler: Scheduler) {}

  add(timer: Timer): void {
    const e: Entry = { at: timer.at, seq: this.seq++, timer };
    const f = this.fifo;
    if (f.length === this.head || f[f.length - 1]!.at <= e.at) f.push(e);
    else this.push(e);
    if (timer.at < this.wakeAt) this.arm(timer.at);
  }

  /** The earliest entry, FIFO or heap, after dropping settled ones; undefined when none is left. */
  private peek(): Entry | undefined {
    for (;;) {
      const f = this.fifo[this.head];
      const h = this.items[0];
      const fromFifo = f !== undefined && (h === undefined || this.less(f, h));
      const e = fromFifo ? f : h;
      if (e === undefined || !e.timer.settled) return e;
      this.take(fromFifo);
    }
  }

  private take(fromFifo: boolean): Entry {
    if (!fromFifo) return this.pop();
    const e = this.fifo[this.head++]!;
    if (this.head > 1024 && this.head * 2 > this.fifo.length) {
      this.fifo = this.fifo.slice(this.head);
      this.head = 0;
    }
    return e;
  }

  /**
   * A wake-up remembers the time it was armed for: a superseded one finds wakeAt moved and does
   * nothing, and one a real-time driver fires a fraction of a millisecond early still fires
   * what was due at its time.
   */
  private arm(at: number): void {
    this.wakeAt = at;
    this.scheduler.schedule(at - this.scheduler.now(), () => this.run(at));
  }

  private run(at: number): void {
    if (at !== this.wakeAt) return;
    this.wakeAt = Infinity;
    const due = Math.max(at, this.scheduler.now());
    for (let e = this.peek(); e !== undefined && e.at <= due; e = this.peek()) {
      this.take(e === this.fifo[this.head]);
      e.timer.fire();
    }
    const next = this.peek();
    if (next !== undefined && next.at < this.wakeAt) this.arm(next.at);
  }

  private less(x: Entry, y: Entry): boolean {
    return x.at < y.at || (x.at === y.at && x.seq < y.seq);
  }

  private push(e: Entry): void {
    const a = this.items;
    let i = a.length;
    a.push(e);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(e, a[parent]!)) break;
      a[i] = a[parent]!;
      i = parent;
    }
    a[i] = e;
  }

  private pop(): Entry {
    const a = this.items;
    const top = a[0]!;
    const last = a.pop()!;
    if (a.length > 0) {
      let i = 0;
      const n = a.length;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const r = l + 1;
        const c = r < n && this.less(a[r]!, a[l]!) ? r : l;
        if (!this.less(a[c]!, last)) break;
        a[i] = a[c]!;
        i = c;
      }
      a[i] = last;
    }
    return top;
  }
}
