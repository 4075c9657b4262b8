/**
 * "Keep this change?" in real Chromium against the real kernel (issue 19). A server of this spec's
 * own is pointed at a test namespace as its host (--host-netns, as the kernel tests do) with a
 * short confirm window. An address added to the stand-in host from the interface panel brings the
 * prompt with its countdown; Keep keeps it past the window; a second change left unanswered is
 * rolled back, the page says so, and `ip -j` of the stand-in is exactly as before that change.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Page } from '@playwright/test';
import type { ExplorerServer } from './fixtures.js';
import {
  cleanupPrefix,
  expect,
  ifId,
  ipJson,
  nsInode,
  pollUntil,
  runShell,
  startServer,
  stopServer,
  test,
  uniquePrefix,
} from './fixtures.js';
import { selectById } from './page-helpers.js';

const P = uniquePrefix('kc');
const HOST = `${P}h`;
const OTHER = `${P}o`;
const DEV = `${P}a`;
const WINDOW_S = 15;
// Made in beforeAll, not when the file loads: Playwright's runner loads spec files to list their
// tests too, and a folder made then was never removed (one left in /tmp per run).
let dir = '';
let auditLog = '';
let server: ExplorerServer;
let child: ChildProcess | null = null;

/** The stand-in host as `ip -j` shows it (link, addr, every route table); counters dropped. */
async function standIn(): Promise<string> {
  const strip = (rows: unknown[]) =>
    JSON.stringify(rows, (k, v: unknown) =>
      ['stats', 'stats64', 'valid_life_time', 'preferred_life_time'].includes(k) ? undefined : v,
    );
  const ns = { name: HOST };
  return [
    strip(await ipJson<unknown[]>(['-d', 'link', 'show'], ns)),
    strip(await ipJson<unknown[]>(['addr', 'show'], ns)),
    strip(await ipJson<unknown[]>(['-4', 'route', 'show', 'table', 'all'], ns)),
    strip(await ipJson<unknown[]>(['-6', 'route', 'show', 'table', 'all'], ns)),
  ].join('\n');
}

async function addressesOfDev(): Promise<string[]> {
  const rows = await ipJson<Array<{ addr_info: Array<{ local: string; prefixlen: number }> }>>(
    ['addr', 'show', 'dev', DEV],
    { name: HOST },
  );
  return rows
    .flatMap((r) => r.addr_info.map((a) => `${a.local}/${a.prefixlen}`))
    .filter((a) => a.startsWith('10.'));
}

const auditActions = () =>
  readFileSync(auditLog, 'utf8')
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { action: string; ok: boolean; params: unknown });

test.describe.configure({ timeout: 300_000 });

test.beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'nx-e2e-keep-'));
  auditLog = join(dir, 'audit.log');
  await runShell(`
    ip netns add ${HOST}; ip netns add ${OTHER}
    ip -n ${HOST} link add name ${DEV} type veth peer name ${P}b netns ${OTHER}
    ip -n ${HOST} link set lo up; ip -n ${HOST} link set ${DEV} up
  `);
  ({ server, child } = await startServer([
    '--host-netns',
    `/run/netns/${HOST}`,
    '--confirm-window',
    String(WINDOW_S),
    '--audit-log',
    auditLog,
    '--no-capture',
  ]));
});

test.afterAll(async () => {
  if (child) await stopServer(child);
  await cleanupPrefix(P);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function openPage(context: BrowserContext): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`/?token=${encodeURIComponent(server.token)}`);
  await page.waitForURL((u) => u.pathname === '/' && !u.searchParams.has('token'));
  await expect(page.getByTestId('connection-status')).toHaveAttribute('data-state', 'live', {
    timeout: 60_000,
  });
  return page;
}

async function addAddressFromPanel(page: Page, cidr: string): Promise<void> {
  const panel = page.getByTestId('side-panel');
  await panel.getByLabel('New address').fill(cidr);
  await panel.getByRole('button', { name: 'Add address' }).click();
}

test('a host change from the page asks to be kept: Keep keeps it, no answer rolls it back', async ({
  browser,
}) => {
  const context = await browser.newContext({ baseURL: server.baseURL });
  try {
    const page = await openPage(context);
    const inode = await nsInode(`/run/netns/${HOST}`);
    const [dev] = await ipJson<Array<{ ifindex: number }>>(['link', 'show', 'dev', DEV], { name: HOST });
    const devId = ifId(inode, dev!.ifindex);
    await selectById(page, devId, 60_000);
    const panel = page.getByTestId('side-panel');
    const addresses = panel.getByRole('list', { name: 'Addresses' });

    // 1. Keep: the prompt shows with its countdown, Keep closes it, the change outlives the window.
    await addAddressFromPanel(page, '10.97.1.1/24');
    const prompt = page.getByTestId('keep-change');
    await expect(prompt, server.logs().slice(-2000)).toBeVisible({ timeout: 120_000 });
    await expect(prompt).toContainText('Keep this change?');
    const left = Number(await prompt.getByTestId('keep-change-left').textContent());
    expect(left).toBeGreaterThan(0);
    expect(left).toBeLessThanOrEqual(WINDOW_S);
    expect(await addressesOfDev()).toContain('10.97.1.1/24');
    const keptAt = Date.now();
    await prompt.getByRole('button', { name: 'Keep' }).click();
    await expect(prompt).toHaveCount(0);
    expect(auditActions().some((a) => a.action === 'address.add.keep' && a.ok)).toBe(true);
    await pollUntil(
      () => Date.now() > keptAt + (WINDOW_S + 2) * 1000,
      'the confirm window to pass',
      (WINDOW_S + 10) * 1000,
    );
    expect(await addressesOfDev()).toContain('10.97.1.1/24');
    await expect(addresses).toContainText('10.97.1.1/24');
    expect(auditActions().filter((a) => a.action.endsWith('.rollback'))).toEqual([]);

    // 2. No answer: the server rolls it back when the window closes and the page says so.
    const before = await standIn();
    await addAddressFromPanel(page, '10.97.2.1/24');
    await expect(prompt, server.logs().slice(-2000)).toBeVisible({ timeout: 120_000 });
    expect(await addressesOfDev()).toContain('10.97.2.1/24');
    await expect(addresses).toContainText('10.97.2.1/24');
    const expired = page.getByTestId('keep-change-expired');
    await expect(expired).toBeVisible({ timeout: (WINDOW_S + 10) * 1000 });
    await expect(expired).toContainText('not confirmed in time');
    await expect(prompt).toHaveCount(0);
    // The picture follows the kernel: the address leaves the panel, and ip -j is as before.
    await pollUntil(async () => (await standIn()) === before, 'the stand-in host as before', 90_000).catch(
      (e: unknown) => {
        throw new Error(
          `${String(e)}\naudit:\n${readFileSync(auditLog, 'utf8')}\n${server.logs().slice(-3000)}`,
        );
      },
    );
    await expect(addresses, server.logs().slice(-3000)).not.toContainText('10.97.2.1/24', {
      timeout: 60_000,
    });
    expect(await addressesOfDev()).toEqual(['10.97.1.1/24']);
    expect(auditActions().filter((a) => a.action.endsWith('.rollback'))).toEqual([
      expect.objectContaining({
        action: 'address.add.rollback',
        ok: true,
        params: { reason: 'not confirmed in time' },
      }),
    ]);
    await expired.getByRole('button', { name: 'Dismiss' }).click();
    await expect(expired).toHaveCount(0);
  } finally {
    await context.close();
  }
});
