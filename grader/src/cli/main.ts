/** Runs a CLI body: GraderError → its one line and exit code; anything else is a grader bug (exit 2). */
import chalk from 'chalk';
import { GraderError } from '../learner-error.js';

export function main(body: () => Promise<number>): void {
  // `pnpm solution 02 | head` closes the pipe early; that is not an error.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
  body().then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      if (error instanceof GraderError) {
        console.error(chalk.red(`grader: ${error.message}`));
        process.exitCode = error.exitCode;
      } else {
        console.error(chalk.red(`grader: internal error, please report it: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`));
        process.exitCode = 2;
      }
    },
  );
}
