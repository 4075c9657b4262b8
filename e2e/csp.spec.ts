import { test, expect, hostNsId } from './fixtures.js';

/**
 * The page runs under the server's Content-Security-Policy (default-src 'self', no inline script
 * or style) without a single violation: the bundle, the stylesheet, the ELK layout worker and the
 * live WebSocket all load, and the host box is laid out and drawn.
 */
test('the page loads, lays out and goes live without any CSP violation', async ({ page, explorer }) => {
  const violations: string[] = [];
  page.on('console', (m) => {
    if (/Content[- ]Security[- ]Policy/i.test(m.text())) violations.push(`console: ${m.text()}`);
  });
  await page.exposeFunction('reportCspViolation', (v: string) => violations.push(v));
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      const report = (window as unknown as { reportCspViolation(v: string): void }).reportCspViolation;
      report(`${e.violatedDirective} blocked ${e.blockedURI} (${e.sourceFile}:${e.lineNumber})`);
    });
  });
  const res = await page.goto('/');
  const csp = res?.headers()['content-security-policy'] ?? '';
  expect(csp).toContain("default-src 'self'");
  expect(csp).toContain("script-src 'self'");

  await expect(page.getByTestId('connection-status')).toHaveAttribute('data-state', 'live', {
    timeout: 30_000,
  });
  // A laid-out host box means the ELK worker ran.
  await expect(page.locator(`.react-flow__node[data-id="${await hostNsId()}"]`)).toBeVisible({
    timeout: 30_000,
  });
  expect(violations, explorer.logs().slice(-2000)).toEqual([]);
});
