import { defineConfig } from 'vitest/config';

// Two projects: `unit` (pure: recorded data, fakes; runs as any user, no namespaces needed) and
// `kernel` (`*.kernel.test.ts`: root, real namespaces, Docker). Kernel tests create namespaces
// under unique prefixes, but several assert that the kernel is exactly as before (rollback,
// hostile input): their files run one at a time.
const KERNEL = '**/*.kernel.test.ts';
const ALL = [
  'server/**/*.test.ts',
  'common/**/*.test.ts',
  'client/src/**/*.test.ts',
  'test/**/*.test.ts',
  'bench/**/*.test.ts',
];

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 120_000,
    projects: [
      { extends: true, test: { name: 'unit', include: ALL, exclude: [KERNEL, '**/node_modules/**'] } },
      {
        extends: true,
        test: {
          name: 'kernel',
          include: ALL.map((p) => p.replace('*.test.ts', '*.kernel.test.ts')),
          fileParallelism: false,
        },
      },
    ],
  },
});
