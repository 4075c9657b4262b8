import { defineConfig } from 'vitest/config';

// Kernel tests create real namespaces; they use unique prefixes so files may run in parallel,
// but two workers are enough on this 2-core machine.
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
    maxWorkers: 2,
  },
});
