import os from 'node:os';
import path from 'node:path';
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

// As root (CI, kernel tests) the cache stays in node_modules/.vite; any other user may not be
// allowed to write into the checkout, so its cache goes to its own temp directory. The config
// itself is loaded with `--configLoader runner` (package.json `test:unit`), which writes no
// bundled copy into node_modules/.vite-temp.
const cacheDir =
  process.getuid?.() === 0
    ? undefined
    : path.join(os.tmpdir(), `netns-explorer-vite-${process.getuid?.() ?? 'user'}`);

export default defineConfig({
  cacheDir,
  test: {
    // Servers the tests start never run podman against the host's own storage (events.ts).
    env: { NETNS_EXPLORER_PODMAN_ROOT: '/nonexistent/netns-explorer-tests/podman' },
    testTimeout: 60_000,
    hookTimeout: 120_000,
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ALL,
          exclude: [KERNEL, '**/node_modules/**'],
          // Pure tests keep no state in modules, so a worker reuses its loaded modules across files:
          // loading zod, express and React again for each of ~90 files was most of the run
          // (75 s -> 17 s on 2 cores).
          isolate: false,
        },
      },
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
