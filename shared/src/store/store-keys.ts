/**
 * What the embedded and Redis stores must agree on, kept in one place so they cannot drift: the
 * names of the companion keys behind fencing, the argument checks Redis would make, and the
 * prefix rules that keep every key under `herd:`. Internal: not exported from the package.
 */
import { WORKSHOP_PREFIX } from './shared-store.js';

/** INCR counter behind nextFence(name). A separate key, so the lock or value under `name` is untouched. */
export function fenceCounterName(name: string): string {
  return `${name}:fence`;
}

/** Last fence setFenced accepted for `name`. No expiry: forgetting it would let a stale writer back in. */
export function acceptedFenceName(name: string): string {
  return `${name}:fence:accepted`;
}

/** Redis answers `ERR invalid expire time` / `value is not an integer`; both stores refuse alike, before any I/O. */
export function checkPx(op: string, name: string, pxMs: number): void {
  if (!Number.isSafeInteger(pxMs) || pxMs <= 0) {
    throw new RangeError(
      `${op}('${name}'): PX must be a positive whole number of ms, got ${String(pxMs)} (Redis rejects it); round it, e.g. Math.max(1, Math.round(ms))`,
    );
  }
}

export function checkFence(name: string, fence: number): void {
  if (!Number.isSafeInteger(fence)) {
    throw new RangeError(`setFenced('${name}'): fence must be a whole number from nextFence(), got ${String(fence)}`);
  }
}

/** A custom prefix must still sit under `herd:` and name something narrower than all of it. */
export function checkPrefix(prefix: string): string {
  if (!prefix.startsWith(WORKSHOP_PREFIX) || prefix.length <= WORKSHOP_PREFIX.length) {
    throw new RangeError(`store prefix '${prefix}' must start with '${WORKSHOP_PREFIX}' and name a run under it, e.g. '${WORKSHOP_PREFIX}run:1:'`);
  }
  return prefix;
}

/** SCAN MATCH is a glob: escape its metacharacters so `prefix*` matches only the literal prefix. */
export function globEscape(s: string): string {
  return s.replace(/[*?[\]\\]/g, '\\$&');
}
