/**
 * Every module's interview data, found by convention (grader/modules/NN-name/interview.ts), so no
 * list besides the course list names them. Loaded once, when this file is first imported.
 */
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { repoRoot } from '@herd/harness/engine';
import type { Interview } from './define.js';

const modulesDir = path.join(repoRoot, 'grader', 'modules');

async function loadAll(): Promise<ReadonlyMap<string, Interview>> {
  const found = new Map<string, Interview>();
  for (const d of readdirSync(modulesDir, { withFileTypes: true })) {
    const file = path.join(modulesDir, d.name, 'interview.ts');
    if (!d.isDirectory() || !existsSync(file)) continue;
    const loaded = (await import(pathToFileURL(file).href)) as { default?: Interview };
    if (loaded.default === undefined || !Array.isArray(loaded.default.questions)) throw new Error(`grader bug: ${path.relative(repoRoot, file)} must default-export defineInterview({ questions })`);
    const ids = loaded.default.questions.map((q) => q.id);
    const dup = ids.find((id, i) => ids.indexOf(id) !== i);
    if (dup !== undefined) throw new Error(`grader bug: ${path.relative(repoRoot, file)} has two questions with id "${dup}"`);
    found.set(d.name, loaded.default);
  }
  return found;
}

export const interviews: ReadonlyMap<string, Interview> = await loadAll();

/** Repository-relative path of a module's interview data. */
export const interviewFile = (id: string): string => `grader/modules/${id}/interview.ts`;
