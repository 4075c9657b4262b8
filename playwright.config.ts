import { defineConfig } from '@playwright/test';

// End-to-end tests run Debian's Chromium against the real server and the real kernel. They change
// the machine's namespaces, so they run one at a time (workers: 1) and never retry (a flaky kernel
// test is a bug to fix, not to hide). Servers and the demo lab are started by e2e/fixtures.ts.
// Servers the tests start never run podman against the host's own storage (events.ts).
process.env.NETNS_EXPLORER_PODMAN_ROOT ??= '/nonexistent/netns-explorer-tests/podman';

export default defineConfig({
  testDir: 'e2e',
  testMatch: '**/*.spec.ts',
  outputDir: 'test-results',
  fullyParallel: false,
  workers: 1,
  retries: 0,
  forbidOnly: !!process.env.CI,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: [['list'], ['html', { outputFolder: 'playwright-report', open: 'never' }]],
  use: {
    browserName: 'chromium',
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
      ],
    },
    viewport: { width: 1440, height: 900 },
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
  },
});
