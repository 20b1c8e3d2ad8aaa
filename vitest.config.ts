import { defineConfig } from 'vitest/config';

/**
 * Suites whose clients carry their own short, fixed timeouts (ophyd's own tests wait 1 s for a
 * connection; the example eval suite scores the timing of real Python scripts): they run after the rest,
 * one file at a time, so the machine's other test work does not decide their outcome.
 */
const alone = [
  'test/interop/ophyd-own-tests.test.ts',
  'test/interop/real-clients.test.ts',
  'test/cli/eval.test.ts',
];

const common = {
  testTimeout: 30_000,
  hookTimeout: 30_000,
};

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          ...common,
          name: 'parallel',
          include: ['test/**/*.test.ts'],
          exclude: alone,
          // Interop tests spawn python/libca clients; two cores, so keep parallelism modest.
          maxWorkers: 2,
          sequence: { groupOrder: 0 },
        },
      },
      {
        test: {
          ...common,
          name: 'alone',
          include: alone,
          fileParallelism: false,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
