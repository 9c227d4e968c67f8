/**
 * Loads a module's files for one target through the one switch the checks use: `starter` reads
 * modules/<id>/, `solution` reads solutions/<id>/, and a spec with a `dir` reads that folder (a
 * test's fixture, the committed starters). Missing files, syntax errors and wrong exports become
 * one LoadError line naming the file.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { addLearnerDir, addLearnerImports, repoRoot } from '@herd/harness/engine';
import { LoadError, firstLine } from './learner-error.js';
import type { ModuleSpec } from './manifest.js';
import type { Exports, Target } from './define.js';

export function targetDir(target: Target): string {
  return target === 'solution' ? 'solutions' : 'modules';
}

/** Repository-relative folder a module's files are read from for a target. */
export function learnerDir(spec: ModuleSpec, target: Target): string {
  return spec.dir ?? path.join(targetDir(target), spec.id);
}

/** Repository-relative path of one of a module's files for a target. */
export function learnerPath(spec: ModuleSpec, target: Target, file: string): string {
  return path.join(learnerDir(spec, target), file);
}

/** The file people should look at first: the module's first listed file. */
export function mainFile(spec: ModuleSpec, target: Target): string {
  return learnerPath(spec, target, Object.keys(spec.files)[0]!);
}

export async function loadExports(spec: ModuleSpec, target: Target): Promise<Exports> {
  const merged: Exports = {};
  // Whatever folder the files come from, the guard and the error lines treat them as learner code.
  addLearnerDir(path.join(repoRoot, learnerDir(spec, target)));
  for (const [file, names] of Object.entries(spec.files)) {
    const rel = learnerPath(spec, target, file);
    const abs = path.join(repoRoot, rel);
    if (!existsSync(abs)) {
      throw new LoadError(`${rel} is missing: restore the starter with \`git checkout -- ${rel}\``);
    }
    // The libraries it imports follow the virtual clock during a run, from their first call on.
    addLearnerImports(readFileSync(abs, 'utf8'), rel);
    let mod: Record<string, unknown>;
    try {
      mod = (await import(pathToFileURL(abs).href)) as Record<string, unknown>;
    } catch (error) {
      throw new LoadError(describeImportError(error, rel, abs));
    }
    for (const name of names) {
      if (typeof mod[name] !== 'function') {
        const found = Object.keys(mod).filter((k) => k !== 'default');
        const byName = `export it by name: \`export function ${name}(...)\``;
        let has = found.length > 0 ? `it exports: ${found.join(', ')}` : 'it exports nothing';
        if (mod.default !== undefined) has = found.length > 0 ? `${has}, and a default export; ${byName}` : `it has only a default export; ${byName}`;
        throw new LoadError(`${rel} must export a function named ${name} (${has})`);
      }
    }
    Object.assign(merged, mod);
  }
  return merged;
}

/** esbuild's transform errors carry "file:line:col: ERROR: text"; runtime errors a stack frame. */
function describeImportError(error: unknown, rel: string, abs: string): string {
  // esbuild (tsx, vite) reports syntax errors as structured `errors` and as "file:line:col: ERROR: text".
  const first = (error as { errors?: Array<{ text?: string; location?: { line: number; column: number } }> }).errors?.[0];
  if (first?.location && first.text) return `${rel}:${first.location.line}:${first.location.column}: does not compile: ${first.text}`;
  const text = error instanceof Error ? `${error.message}\n${error.stack ?? ''}` : String(error);
  const syntax = /:(\d+):(\d+): ERROR: (.*)/.exec(text);
  if (syntax) return `${rel}:${syntax[1]}:${syntax[2]}: does not compile: ${syntax[3]}`;
  // Vite's parser (under vitest): "[PARSE_ERROR] text" and "[ path:line:col ]", with colours.
  const plain = text.replace(/\u001b\[[0-9;]*m/g, '');
  const parse = /\[PARSE_ERROR\]\s*(.*)/.exec(plain);
  const loc = /[\w./-]+\.[cm]?ts:(\d+):(\d+)/.exec(plain);
  if (parse && loc) return `${rel}:${loc[1]}:${loc[2]}: does not compile: ${parse[1]!.trim()}`;
  const frame = new RegExp(`${escape(abs)}:(\\d+)`).exec(error instanceof Error ? (error.stack ?? '') : '');
  const where = frame ? `${rel}:${frame[1]}` : rel;
  const what = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return `${where}: failed to load: ${firstLine(what)}`;
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A module's reference exports, loaded once per process (03 runs 02's single flight, 04 runs 03's lock). */
const references = new Map<string, Promise<Exports>>();
export function referenceExports(spec: ModuleSpec): Promise<Exports> {
  let p = references.get(spec.id);
  if (p === undefined) references.set(spec.id, (p = loadExports({ ...spec, dir: undefined }, 'solution')));
  return p;
}
