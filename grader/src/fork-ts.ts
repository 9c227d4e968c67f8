/**
 * Forks a TypeScript file as a Node child process with an IPC channel. The child loads tsx by
 * absolute URL and runs from the repository root, so it compiles .ts whatever the caller's cwd
 * or runner (tsx, vitest).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { repoRoot } from '@herd/harness/engine';

const TSX = pathToFileURL(createRequire(path.join(repoRoot, 'package.json')).resolve('tsx')).href;

/**
 * stdout and stderr are piped (the caller drains or shows them), or with `terminal` inherited, so
 * the child writes to the terminal itself and sees it as one (colours, live pacing).
 */
export function forkTs(file: string, args: string[] = [], options: { terminal?: boolean; env?: NodeJS.ProcessEnv; heapMb?: number } = {}): ChildProcess {
  return fork(file, args, {
    cwd: repoRoot,
    execArgv: ['--import', TSX, ...(options.heapMb ? [`--max-old-space-size=${options.heapMb}`] : [])],
    stdio: options.terminal ? ['inherit', 'inherit', 'inherit', 'ipc'] : ['ignore', 'pipe', 'pipe', 'ipc'],
    env: options.env ?? process.env,
  });
}

/**
 * Ties `child` to this process: it is killed when this process exits, or is ended with SIGTERM
 * (as `pnpm grade --watch` ends a run), since a child stuck in a loop never reads its IPC channel
 * again and so never notices its parent is gone. Call the returned function once the child is done.
 */
export function killWithParent(child: ChildProcess): () => void {
  const kill = (): void => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  const onTerm = (): void => {
    kill();
    process.exit(143);
  };
  process.once('exit', kill);
  process.once('SIGTERM', onTerm);
  return () => {
    kill();
    process.removeListener('exit', kill);
    process.removeListener('SIGTERM', onTerm);
  };
}
