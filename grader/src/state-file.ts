/**
 * Where the grader keeps the learner's state (.herd/, git-ignored; HERD_STATE_DIR moves it for
 * tests), and how a state file is written: whole or not at all, so a command stopped with Ctrl-C
 * or two commands at once never leave half a JSON file behind.
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from '@herd/harness/engine';

export const stateDir = (): string => process.env.HERD_STATE_DIR ?? path.join(repoRoot, '.herd');

/** Writes `value` as JSON to a temporary file beside `file`, then renames it over `file`. */
export function writeJsonAtomic(file: string, value: unknown, mode?: number): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(value, null, 2)}\n`, mode === undefined ? undefined : { mode });
  renameSync(tmp, file);
}
