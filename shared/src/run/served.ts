/**
 * What every request of a run got, from the harness's side: when it started, how long it took,
 * its key and instance, whether it succeeded, and the value it was served (its version and age).
 * Struct-of-arrays, so a million requests cost a few typed arrays, not a million objects.
 */

/** One request, read back from a Served log. */
export interface ServedRequest {
  /** Start, ms from the run's start. */
  start: number;
  latency: number;
  key: string;
  /** Instance index (0 for "i0"). */
  instance: number;
  ok: boolean;
  /** The value's version (OriginValue.version), or 0 when the answer was no OriginValue. */
  version: number;
  /** How old the value was when it was served: answer time minus its builtAt, ms; NaN when unknown. */
  ageMs: number;
  /** What the answer was (Answer): the key's own value, null, another key's value, or something else. */
  answer: Answer;
}

/** What a successful get() resolved to, as the harness sees it. */
export const Answer = { own: 0, null: 1, otherKey: 2, other: 3 } as const;
export type Answer = (typeof Answer)[keyof typeof Answer];

/** Classifies an answer to get(key): the origin's value for `key`, null, another key's value, or anything else. */
export function answerOf(value: unknown, key: string): Answer {
  if (value === null) return Answer.null;
  const k = (value as { key?: unknown } | undefined)?.key;
  if (typeof k !== 'string' || typeof (value as { version?: unknown }).version !== 'number') return Answer.other;
  return k === key ? Answer.own : Answer.otherKey;
}

export class Served {
  private cap = 1 << 16;
  /** Requests recorded so far; written by add only. */
  n = 0;
  start = new Float64Array(this.cap);
  latency = new Float64Array(this.cap);
  key = new Uint32Array(this.cap);
  instance = new Uint16Array(this.cap);
  ok = new Uint8Array(this.cap);
  version = new Uint32Array(this.cap);
  ageMs = new Float64Array(this.cap);
  answer = new Uint8Array(this.cap);
  /** Key names by id, in the order keys were first seen; written by keyId. */
  readonly keys: string[] = [];
  private readonly ids = new Map<string, number>();
  // The last key looked up: a hot-key run asks for the same key a million times.
  private lastKey = '';
  private lastId = -1;

  keyId(key: string): number {
    if (key === this.lastKey) return this.lastId;
    let id = this.ids.get(key);
    if (id === undefined) {
      id = this.keys.length;
      this.ids.set(key, id);
      this.keys.push(key);
    }
    this.lastKey = key;
    this.lastId = id;
    return id;
  }

  idOf(key: string): number | undefined {
    return this.ids.get(key);
  }

  add(start: number, latency: number, key: number, instance: number, ok: boolean, version: number, ageMs: number, answer: Answer = Answer.own): void {
    if (this.n === this.cap) this.grow();
    const i = this.n++;
    this.start[i] = start;
    this.latency[i] = latency;
    this.key[i] = key;
    this.instance[i] = instance;
    this.ok[i] = ok ? 1 : 0;
    this.version[i] = version;
    this.ageMs[i] = ageMs;
    this.answer[i] = answer;
  }

  /** Request i as an object (for checks; the hot paths read the arrays). */
  at(i: number): ServedRequest {
    return {
      start: this.start[i]!,
      latency: this.latency[i]!,
      key: this.keys[this.key[i]!]!,
      instance: this.instance[i]!,
      ok: this.ok[i] === 1,
      version: this.version[i]!,
      ageMs: this.ageMs[i]!,
      answer: this.answer[i]! as Answer,
    };
  }

  private grow(): void {
    this.cap *= 2;
    const grow = <A extends Float64Array | Uint32Array | Uint16Array | Uint8Array>(a: A, make: new (n: number) => A): A => {
      const b = new make(this.cap);
      b.set(a);
      return b;
    };
    this.start = grow(this.start, Float64Array);
    this.latency = grow(this.latency, Float64Array);
    this.key = grow(this.key, Uint32Array);
    this.instance = grow(this.instance, Uint16Array);
    this.ok = grow(this.ok, Uint8Array);
    this.version = grow(this.version, Uint32Array);
    this.ageMs = grow(this.ageMs, Float64Array);
    this.answer = grow(this.answer, Uint8Array);
  }
}
