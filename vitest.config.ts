import { defineConfig } from 'vitest/config';

// Two projects: the harness's own unit tests (fast, default timeout) and the grader's tests,
// which run whole grading scenarios and may take several seconds each.
export default defineConfig({
  test: {
    // Three at once on two cores: several test files spend their time waiting (real processes,
    // real Redis, watchdogs), and the rest keep both cores busy meanwhile.
    maxWorkers: 3,
    projects: [
      {
        test: {
          name: 'harness',
          include: ['shared/**/*.test.ts'],
          exclude: ['**/node_modules/**'],
          environment: 'node',
          // Whole scenarios run here too: a loaded 2-core machine must not turn them into timeouts.
          testTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'grader',
          include: ['grader/**/*.test.ts'],
          exclude: ['**/node_modules/**'],
          environment: 'node',
          testTimeout: 60_000,
        },
      },
    ],
  },
});
