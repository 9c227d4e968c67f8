/** Runs a CLI body: GraderError → its one line and exit code; anything else is a grader bug (exit 2). */
import chalk from 'chalk';
import { GraderError } from '../learner-error.js';
import { paragraph, terminalWidth, width } from '../render.js';

export interface MainOptions {
  /**
   * For commands whose exit code 1 means "graded, and a check fails" (grade, solution): at an
   * interactive terminal the table has said so, so the command exits 0 and pnpm adds no
   * ELIFECYCLE line after the grader's last one. Piped, in CI or with --json it stays 1.
   */
  verdictExit?: boolean;
}

/**
 * A line laid out in columns (a table row, a chart, a sparkline): box or block characters, or
 * three or more fields apart by runs of spaces. It must fit by layout, not by wrapping. (An event
 * line, a time then its text, is prose.)
 */
const columnar = (line: string): boolean => {
  const plain = line.trimStart().replace(/\u001b\[[0-9;]*m/g, '');
  return /[─│┤┼╭╮╰╯▁▂▃▄▅▆▇█]/.test(plain) || (plain.match(/\S {2,}(?=\S)/g)?.length ?? 0) >= 2;
};

/**
 * Fits printed text to `w` columns: a prose line too long (a message with a long path, a
 * sentence of a demo) wraps at spaces, later parts indented. Returns the text and the lines that
 * were too long although laid out in columns: those are layout bugs (the width test fails on them).
 */
export function fitLines(text: string, w = terminalWidth()): { text: string; columnarOverflow: string[] } {
  const columnarOverflow: string[] = [];
  const out = text
    .split('\n')
    .map((line) => {
      if (width(line) <= w) return line;
      if (columnar(line)) columnarOverflow.push(line);
      const indent = /^ */.exec(line)![0].length;
      return paragraph(line.slice(indent), indent + 2, w)
        .split('\n')
        .map((l, i) => (i === 0 ? ' '.repeat(indent) + l : l))
        .join('\n');
    })
    .join('\n');
  return { text: out, columnarOverflow };
}

/**
 * Every line a command prints through console.log or console.error fits the terminal (fitLines):
 * tables and charts are laid out to fit already; this is the net under prose.
 */
function fitConsole(): void {
  // HERD_RAW_WIDTH=1 shows what commands print before this net; --json is data for programs, and
  // a line wrapped at 80 columns is no longer JSON.
  if (process.env.HERD_RAW_WIDTH === '1' || process.argv.includes('--json')) return;
  for (const name of ['log', 'error'] as const) {
    const real = console[name].bind(console);
    console[name] = (...args: unknown[]) => (args.length === 1 && typeof args[0] === 'string' ? real(fitLines(args[0]).text) : real(...args));
  }
}

export function main(body: () => Promise<number>, options: MainOptions = {}): void {
  fitConsole();
  const interactive = process.stdout.isTTY === true && !process.env.CI && !process.argv.includes('--json');
  // `pnpm solution 02 | head` closes the pipe early; that is not an error.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
  body().then(
    (code) => {
      process.exitCode = code === 1 && options.verdictExit && interactive ? 0 : code;
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
