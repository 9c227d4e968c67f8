/**
 * The starters as committed, whatever has happened to the working copies: an instructor who
 * solved the modules in their checkout to rehearse still gets a green `pnpm test`. A file that
 * differs from HEAD is read from git into .herd/committed/ (git-ignored), never written under
 * modules/. Without git (a tarball), the working copies are used, and said so.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from '@herd/harness/engine';
import type { ModuleSpec } from '../../src/manifest.js';

function gitShow(rel: string): string | undefined {
  try {
    return execFileSync('git', ['show', `HEAD:${rel}`], { cwd: repoRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  } catch {
    return undefined;
  }
}

export function committedStarter(spec: ModuleSpec): ModuleSpec {
  const files = Object.keys(spec.files);
  const committed = files.map((f) => gitShow(`modules/${spec.id}/${f}`));
  if (committed.some((c) => c === undefined)) {
    console.warn(`${spec.id}: no committed starter in git; testing the working copies in modules/${spec.id}/`);
    return spec;
  }
  const working = files.map((f) => {
    try {
      return readFileSync(path.join(repoRoot, 'modules', spec.id, f), 'utf8');
    } catch {
      return undefined;
    }
  });
  if (committed.every((c, i) => c === working[i])) return spec;
  const dir = path.join('.herd', 'committed', spec.id);
  mkdirSync(path.join(repoRoot, dir), { recursive: true });
  files.forEach((f, i) => writeFileSync(path.join(repoRoot, dir, f), committed[i]!));
  console.warn(`${spec.id}: modules/${spec.id}/ differs from HEAD; testing the starter as committed (${dir})`);
  return { ...spec, dir };
}
