/**
 * TypeScript errors in a learner's files, as warning lines: the grader runs the code anyway (tsx
 * strips types), but a type error is often the bug. The check runs in its own process, beside
 * the grading, so it costs no wall time; `typeWarnings` resolves with at most a few lines.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { repoRoot } from '@herd/harness/engine';
import { forkTs, killWithParent } from './fork-ts.js';
import { stateDir } from './state-file.js';

const CHILD = fileURLToPath(new URL('./typecheck-child.ts', import.meta.url));
/** Lines shown at most; the rest are counted. */
const MAX_LINES = 3;

/** Answers already computed, by a hash of the files' contents: a re-grade without an edit costs nothing. */
const cacheFile = (): string => path.join(stateDir(), 'typecheck.json');
const CACHE_ENTRIES = 50;

function contentKey(files: readonly string[]): string {
  const h = createHash('sha256');
  for (const f of files) {
    const abs = path.join(repoRoot, f);
    h.update(f).update(existsSync(abs) ? readFileSync(abs) : '');
  }
  return h.digest('hex').slice(0, 20);
}

function readCache(): Record<string, string[]> {
  try {
    return JSON.parse(readFileSync(cacheFile(), 'utf8')) as Record<string, string[]>;
  } catch {
    return {};
  }
}

/** Starts type-checking `files` (repository-relative); resolves with warning lines, [] when clean or on any trouble. */
export async function typeWarnings(files: readonly string[], timeoutMs = 20_000): Promise<string[]> {
  const key = contentKey(files);
  const cached = readCache()[key];
  if (cached !== undefined) return cached;
  const lines = await check(files, timeoutMs);
  // No answer (a timeout, a crash): nothing to show, and nothing to remember.
  if (lines === null) return [];
  try {
    const cache = readCache();
    cache[key] = lines;
    const keys = Object.keys(cache);
    for (const old of keys.slice(0, Math.max(0, keys.length - CACHE_ENTRIES))) delete cache[old];
    mkdirSync(path.dirname(cacheFile()), { recursive: true });
    writeFileSync(cacheFile(), JSON.stringify(cache));
  } catch {
    // A cache that cannot be written only costs the next grade a type check.
  }
  return lines;
}

function check(files: readonly string[], timeoutMs: number): Promise<string[] | null> {
  return new Promise((resolve) => {
    const child = forkTs(CHILD);
    const release = killWithParent(child);
    child.stdout?.resume();
    child.stderr?.resume();
    const timer = setTimeout(() => done(null), timeoutMs);
    let settled = false;
    function done(lines: string[] | null): void {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      release();
      resolve(lines);
    }
    child.on('message', (m: { errors?: string[] }) => {
      const errors = m.errors ?? [];
      const shown = errors.slice(0, MAX_LINES);
      if (errors.length > MAX_LINES) shown.push(`... and ${errors.length - MAX_LINES} more type errors (pnpm typecheck shows them all)`);
      done(shown);
    });
    child.once('close', () => done(null));
    child.once('error', () => done(null));
    child.send({ files: files.map((f) => path.join(repoRoot, f)) });
  });
}
