#!/usr/bin/env node
// Fresh-machine set-up with only Node 20+ and npm: gets pnpm if it is missing, installs the
// workspace, then runs `pnpm grade` (npm run start) or `pnpm test` (npm run check).
// Plain Node, no dependencies: it runs before anything is installed.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const PNPM = 'pnpm@10.34.8';
const [task = 'grade', ...rest] = process.argv.slice(2);
const run = (cmd, args) => spawnSync(cmd, args, { stdio: 'inherit', shell: process.platform === 'win32' }).status ?? 1;
const quiet = (cmd, args) => spawnSync(cmd, args, { stdio: 'ignore', shell: process.platform === 'win32' }).status === 0;

const [major] = process.versions.node.split('.').map(Number);
if (major < 20) {
  console.error(`Tame the Herd needs Node 20 or newer; this is Node ${process.versions.node}.`);
  process.exit(2);
}

let pnpm = ['pnpm'];
if (!quiet('pnpm', ['--version'])) {
  console.log(`pnpm not found: installing ${PNPM} with npm...`);
  if (run('npm', ['install', '-g', PNPM]) !== 0 || !quiet('pnpm', ['--version'])) {
    console.log(`global install failed; using npx ${PNPM} instead`);
    pnpm = ['npx', '-y', PNPM];
  }
}
const pnpmRun = (args) => run(pnpm[0], [...pnpm.slice(1), ...args]);
const pnpmWord = pnpm.join(' ');
const fallbackNote = () => {
  if (pnpm[0] === 'npx') console.log(`\npnpm is not on your PATH, so from now on type \`${pnpmWord}\` wherever the docs say \`pnpm\` (for example \`${pnpmWord} grade 01\`).`);
};

const frozen = existsSync('pnpm-lock.yaml') ? ['--frozen-lockfile'] : [];
if (pnpmRun(['install', ...frozen]) !== 0) {
  console.error('pnpm install failed: see the lines above (network? Node version?).');
  process.exit(2);
}
// -s: no ELIFECYCLE line from pnpm after a failing grade, which would read as a failed set-up.
const status = pnpmRun(['-s', task, ...rest]);
if (task === 'grade' && status === 1) {
  // A failing module is where every learner starts: the set-up worked.
  console.log('\nSet-up done. A failing module above is expected: its starter is yours to write.');
  console.log('Next: open the README of the module marked "current" (modules/01-stampede/README.md on a fresh clone), then run `pnpm grade` again.');
  fallbackNote();
  process.exit(0);
}
fallbackNote();
process.exit(status);
