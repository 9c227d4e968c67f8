/**
 * Turns whatever learner code threw (or the harness raised about it) into one line that names
 * the learner's file and what to look at. Never a harness stack trace.
 */
import path from 'node:path';
import { isHerdError, learnerFrame, repoRelative, repoRoot } from '@herd/harness/engine';

export class GraderError extends Error {
  /** Exit code for the CLI: 2 means the grader itself could not run. */
  readonly exitCode: number;
  constructor(message: string, exitCode = 2) {
    super(message);
    this.name = 'GraderError';
    this.exitCode = exitCode;
  }
}

/** A learner file could not be loaded or does not export what the module needs. */
export class LoadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LoadError';
  }
}

/** Requests failed inside a scenario run: carries the first failure and how many there were. */
export class RequestFailures extends Error {
  constructor(
    readonly first: unknown,
    readonly count: number,
    readonly total: number,
  ) {
    super(`get() failed on ${count} of ${total} requests`);
    this.name = 'RequestFailures';
  }
}

/** One line for a learner-caused failure. `file` is the module's main file, used when no frame is known. */
export function describeLearnerError(error: unknown, file: string): string {
  if (error instanceof LoadError) return error.message;
  if (error instanceof RequestFailures) {
    return `${describeLearnerError(error.first, file)} (get() failed on ${error.count} of ${error.total} requests)`;
  }
  if (isHerdError(error)) {
    // GLOBAL_TIMER already names the file and line; a store out of reach is the machine's
    // problem, not the file's, and its message names the fix; the others name the call.
    if (error.code === 'GLOBAL_TIMER' || error.code === 'STORE_UNAVAILABLE') return error.message;
    const frame = error.stack ? learnerFrame(error.stack) : undefined;
    return `${frame ?? file}: ${error.message}`;
  }
  if (error instanceof Error) {
    const frame = learnerFrame(error.stack);
    const text = firstLine(`${error.name}: ${error.message}`);
    return frame ? `${frame}: threw ${text}` : `${file}: threw ${text}`;
  }
  return `${file}: threw ${firstLine(String(error))}`;
}

const graderDirs = ['grader', 'shared'].map((d) => path.join(repoRoot, d) + path.sep);

/**
 * True for an error the grader raised about itself: a plain Error (no HerdError, no load or
 * request failure) thrown from the grader's or the harness's code with no learner file anywhere
 * on its stack. Those are reported as grader bugs, never blamed on the learner.
 */
export function isGraderBug(error: unknown): boolean {
  if (!(error instanceof Error) || isHerdError(error) || error instanceof LoadError || error instanceof RequestFailures || error instanceof GraderError) return false;
  if (learnerFrame(error.stack) !== undefined) return false;
  // The first frame with a file: built-ins (Array.reduce) have none.
  const file = (error.stack ?? '')
    .split('\n')
    .map((l) => /^\s+at .*?(?:file:\/\/)?(\/[^\s():]+\.[cm]?[tj]s):\d+/.exec(l)?.[1])
    .find((f) => f !== undefined);
  return file !== undefined && graderDirs.some((d) => file.startsWith(d)) && !file.includes(`${path.sep}fixtures${path.sep}`);
}

export function firstLine(text: string): string {
  const line = text.split('\n').find((l) => l.trim() !== '') ?? text;
  return clip(line);
}

/** The last non-blank line: what a process that died said last on stderr. */
export function lastLine(text: string): string {
  return clip(text.split('\n').map((l) => l.trim()).filter((l) => l !== '').pop() ?? '');
}

const clip = (line: string): string => (line.length > 240 ? `${line.slice(0, 237)}...` : line);

export { repoRelative };
