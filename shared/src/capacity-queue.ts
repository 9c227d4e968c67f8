/**
 * A fixed number of slots and a queue in front of them: the shape of every server in the course
 * (the slow origin's connection pool, a resilience service's workers). Items that find every
 * slot taken wait, in arrival order (fifo) or newest first (lifo), up to `maxQueue`; a freed
 * slot goes straight to the next waiting item. The queue is a ring buffer, so a 10,000-deep
 * backlog costs O(1) per operation in either discipline.
 */

export type QueueDiscipline = 'fifo' | 'lifo';

export interface CapacityQueueOptions<T> {
  /** Items served at once. Default: unlimited. May change at runtime (see `capacity`). */
  capacity?: number;
  /** Items allowed to wait; `offer` answers 'full' beyond it. Default: unlimited. */
  maxQueue?: number;
  /** Which waiting item a freed slot goes to. Default fifo. */
  discipline?: QueueDiscipline;
  /**
   * Starts an item that just got a slot. Returning false declines it (its caller gave up while
   * it waited): the slot goes to the next waiting item at once, as a real pool skips a dead
   * connection.
   */
  start: (item: T) => boolean | void;
}

export type OfferResult = 'started' | 'queued' | 'full';

export class CapacityQueue<T> {
  /** Items holding a slot; written as items start and as `release` frees their slot. */
  inService = 0;
  /** Highest `inService` seen. */
  peakInService = 0;
  /** Highest queue length seen. */
  peakQueued = 0;
  private ring: Array<T | undefined> = new Array<T | undefined>(16);
  private head = 0;
  private size = 0;
  private slots: number;
  private readonly maxQueue: number;
  private readonly lifo: boolean;
  private readonly startItem: (item: T) => boolean | void;

  constructor(options: CapacityQueueOptions<T>) {
    this.slots = options.capacity ?? Infinity;
    this.maxQueue = options.maxQueue ?? Infinity;
    this.lifo = options.discipline === 'lifo';
    this.startItem = options.start;
  }

  /** Items waiting for a slot. */
  get queued(): number {
    return this.size;
  }

  get capacity(): number {
    return this.slots;
  }

  /**
   * Raising capacity starts waiting items at once; lowering it lets items in service finish and
   * starts none until `inService` is below the new capacity (a worker is not killed mid-request).
   */
  set capacity(slots: number) {
    this.slots = slots;
    this.pump();
  }

  /** Starts `item` if a slot is free, else queues it, else (queue at maxQueue) refuses it. */
  offer(item: T): OfferResult {
    if (this.inService < this.slots && this.size === 0) {
      this.begin(item);
      return 'started';
    }
    if (this.size >= this.maxQueue) return 'full';
    this.push(item);
    if (this.size > this.peakQueued) this.peakQueued = this.size;
    return 'queued';
  }

  /** Frees one slot and hands it (and any other free slot) to waiting items. */
  release(): void {
    this.inService--;
    this.pump();
  }

  /** The item that has waited longest (the head in both disciplines), without removing it. */
  oldest(): T | undefined {
    return this.size === 0 ? undefined : this.ring[this.head];
  }

  /** Removes and returns every waiting item, oldest first (a crashed server loses its queue). */
  drain(): T[] {
    const out: T[] = [];
    while (this.size > 0) out.push(this.take(false));
    return out;
  }

  private pump(): void {
    while (this.inService < this.slots && this.size > 0) this.begin(this.take(this.lifo));
  }

  private begin(item: T): void {
    // The slot is counted before the item starts: a start that releases at once (a zero service
    // time answered synchronously) must find its own slot taken.
    this.inService++;
    if (this.startItem(item) === false) {
      this.inService--;
      return;
    }
    if (this.inService > this.peakInService) this.peakInService = this.inService;
  }

  private push(item: T): void {
    if (this.size === this.ring.length) {
      const bigger = new Array<T | undefined>(this.ring.length * 2);
      for (let i = 0; i < this.size; i++) bigger[i] = this.ring[(this.head + i) % this.ring.length];
      this.ring = bigger;
      this.head = 0;
    }
    this.ring[(this.head + this.size) % this.ring.length] = item;
    this.size++;
  }

  private take(newest: boolean): T {
    const n = this.ring.length;
    const at = newest ? (this.head + this.size - 1) % n : this.head;
    const item = this.ring[at] as T;
    this.ring[at] = undefined;
    if (!newest) this.head = (this.head + 1) % n;
    this.size--;
    return item;
  }
}

export function createCapacityQueue<T>(options: CapacityQueueOptions<T>): CapacityQueue<T> {
  return new CapacityQueue(options);
}
