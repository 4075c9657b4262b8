import { defineConfig } from 'vitest/config';

// Kernel tests create real namespaces under unique prefixes, but several assert that the kernel is
// exactly as before (rollback, hostile input): files therefore run one at a time.
export default defineConfig({
  test: {
    include: [
      'server/**/*.test.ts',
      'common/**/*.test.ts',
      'client/src/**/*.test.ts',
      'test/**/*.test.ts',
      'bench/**/*.test.ts',
    ],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    fileParallelism: false,
  },
});
