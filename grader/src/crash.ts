/** One line for a grading process that died in the middle of a check, from how it ended and what it said last. */
import { lastLine } from './learner-error.js';

export function describeCrash(file: string, current: { name: string; seed: number } | undefined, code: number | null, signal: NodeJS.Signals | null, stderr: string): string {
  const where = current === undefined ? 'loading the file' : `"${current.name}" (seed ${current.seed})`;
  if (/heap out of memory|Reached heap limit|Allocation failed/.test(stderr)) {
    return `${file}: ${where} ran the grading process out of memory: something grows without bound (a cache with no eviction, a list of every request, an allocation in a loop)`;
  }
  const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
  const said = lastLine(stderr);
  return `${file}: the grading process ${how} during ${where}${said ? ` (it said: ${said})` : ''}: did your code end or signal the process (process.exit, process.kill)?`;
}
