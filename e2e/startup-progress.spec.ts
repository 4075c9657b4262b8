/**
 * Issue 12 on the page: while the server's first read runs, the page says how far it is
 * ("Reading namespaces N of M…"), then draws the picture once the first snapshot arrives.
 *
 * The first read takes milliseconds here, so two real things are held, and nothing is invented:
 * the server (the real live server, listening in this process) starts its first read only when
 * the test lets it, so that the page is connected while it runs; and the page's WebSocket goes
 * through a pass-through proxy (routeWebSocket + connectToServer) that forwards every message of
 * the server as it comes but keeps the snapshot until the test has seen the progress text.
 * Ordering is asserted, never time.
 */
import { join } from 'node:path';
import type { WebSocketRoute } from '@playwright/test';
import type { ProgressMessage, ServerMessage, SnapshotMessage } from '../common/protocol.js';
import { namespacePath } from '../server/discovery/index.js';
import { listenServer } from '../server/serve.js';
import type { ListeningServer } from '../server/serve.js';
import { heldDiscovery } from '../server/testing/heldDiscovery.js';
import { testServeOptions } from '../server/testing/liveServer.js';
import type { TestNamespaces } from '../test/testNamespaces.js';
import { makeNamespaces } from '../test/testNamespaces.js';
import { REPO_ROOT, expect, hostNsId, nsId, test, uniquePrefix } from './fixtures.js';

const TOKEN = 'e2e-startup-progress-token-0123456789';

/** The server's messages as the proxy saw them, and the snapshot it keeps back until released. */
class SnapshotHoldingProxy {
  readonly seen: ServerMessage[] = [];
  held: SnapshotMessage | null = null;
  private heldRaw: string | null = null;
  private toPage: WebSocketRoute | null = null;

  route = (page: WebSocketRoute): void => {
    this.toPage = page;
    const server = page.connectToServer();
    // Page -> server flows through untouched (no handler on that side); server -> page here.
    server.onMessage((raw) => {
      const text = typeof raw === 'string' ? raw : raw.toString('utf8');
      const msg = JSON.parse(text) as ServerMessage;
      this.seen.push(msg);
      if (msg.type === 'snapshot' && this.held === null && this.heldRaw === null) {
        this.held = msg;
        this.heldRaw = text;
        return;
      }
      page.send(text);
    });
  };

  progress(): ProgressMessage[] {
    return this.seen.filter((m): m is ProgressMessage => m.type === 'progress');
  }

  releaseSnapshot(): void {
    if (this.heldRaw === null || this.toPage === null) throw new Error('no snapshot held');
    this.toPage.send(this.heldRaw);
  }
}

let ns: TestNamespaces | null = null;
let server: ListeningServer | null = null;

test.afterAll(async () => {
  try {
    await server?.close();
  } finally {
    await ns?.remove();
  }
});

test('the page shows the progress of the first read, then the picture once the snapshot arrives', async ({
  browser,
}) => {
  ns = await makeNamespaces(uniquePrefix('sp'), ['named', 'named']);
  const held = heldDiscovery();
  server = await listenServer(
    testServeOptions(TOKEN, {
      readOnly: true,
      readOnlyReason: 'test',
      staticDir: join(REPO_ROOT, 'dist/client'),
    }),
    { discovery: held.discovery, namespacePath, watch: false, log: () => undefined },
  );
  await expect.poll(() => held.fulls(), { message: 'the first read to be asked for' }).toBe(1);

  const context = await browser.newContext({ baseURL: server.origin });
  try {
    const page = await context.newPage();
    const proxy = new SnapshotHoldingProxy();
    await page.routeWebSocket(/\/api\/live/, proxy.route);
    await page.goto(`/?token=${encodeURIComponent(TOKEN)}`);
    const status = page.getByTestId('placeholder');

    // Connected while the read has not begun: the server says so, and so does the page.
    await expect.poll(() => proxy.progress().length, { message: 'a progress message' }).toBeGreaterThan(0);
    await expect(status).toHaveText('Finding namespaces…');

    held.release();
    await expect.poll(() => proxy.held !== null, { message: 'the first snapshot (kept back)' }).toBe(true);
    const last = proxy.progress().at(-1)!;
    const snapshot = proxy.held!;
    // The progress the server really sent: every namespace of the model it then published.
    expect(last.total).toBe(snapshot.topology.namespaces.length);
    expect(last.done).toBe(last.total);
    expect(snapshot.topology.namespaces.map((n) => n.inode)).toEqual(expect.arrayContaining(ns.inodes));
    await expect(status).toHaveText(`Reading namespaces ${last.done} of ${last.total}…`);
    await expect(status).toHaveAttribute('role', 'status');
    await expect(page.locator('.react-flow__node-namespace')).toHaveCount(0);

    proxy.releaseSnapshot();
    for (const id of [await hostNsId(), ...ns.inodes.map((i) => nsId(i))])
      await expect(page.locator(`.react-flow__node[data-id="${id}"]`)).toBeVisible();
    await expect(status).toHaveCount(0);
    // Exactly one snapshot reached the page, after every progress message.
    const types = proxy.seen.map((m) => m.type);
    expect(types.filter((t) => t === 'snapshot')).toHaveLength(1);
    expect(types.lastIndexOf('progress')).toBeLessThan(types.indexOf('snapshot'));
  } finally {
    await context.close();
  }
});
