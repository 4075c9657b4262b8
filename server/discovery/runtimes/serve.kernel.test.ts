/**
 * The live server with containerd's event stream wired in: a pod and a member container that joins
 * its namespace reach a WebSocket client with their names, go when stopped, and a killed containerd
 * becomes one line in the status errors while the rest of the topology keeps streaming.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDiscovery, namespacePath } from '../index.js';
import { startServer } from '../../serve.js';
import type { RunningServer } from '../../serve.js';
import { LiveClient, testServeOptions } from '../../testing/liveServer.js';
import { cleanupPrefix, pollUntil, sh, uniquePrefix } from '../../../test/kernel.js';
import type { ContainerdHarness } from '../../../test/runtimes.js';
import { busyboxRootfs, runtimesMissing, startContainerd, podLabelFlags } from '../../../test/runtimes.js';

const P = uniquePrefix('rs');
const ROOTFS = `/tmp/${P}-rootfs`;
const TOKEN = 'runtime-events-test-token-0123456789';
/** Generous: on a shared machine with a thousand namespaces a host refresh takes seconds. */
const DEADLINE = 90_000;
let cd: ContainerdHarness;
let srv: RunningServer;
let client: LiveClient | null = null;

const labels = (kind: 'sandbox' | 'container', container?: string) =>
  podLabelFlags({ name: `${P}pod`, namespace: `${P}ns` }, kind, container);

beforeAll(async () => {
  const missing = runtimesMissing();
  if (missing) throw new Error(missing);
  await busyboxRootfs(ROOTFS);
  cd = await startContainerd(P);
  srv = await startServer(testServeOptions(TOKEN, { readOnly: true, readOnlyReason: 'test' }), {
    discovery: createDiscovery({ runtimes: { containerdSocket: cd.socket } }),
    namespacePath,
    runtimeEvents: { containerdSocket: cd.socket },
    resyncMs: 3_600_000,
    log: () => undefined,
  });
  client = await LiveClient.open(`ws://127.0.0.1:${srv.port}/api/live`, { Authorization: `Bearer ${TOKEN}` });
  await pollUntil(() => client!.snapshots === 1, 'snapshot');
}, 120_000);

afterAll(async () => {
  await client?.close();
  await srv?.close();
  await cd?.stop();
  await cleanupPrefix(P);
  await sh(`rm -rf ${ROOTFS}`);
}, 120_000);

describe('live server and runtime events', () => {
  it(
    'streams a pod and its member container with their names, and their going',
    { timeout: 400_000 },
    async () => {
      const c = client!;
      await cd.ctr('k8s.io', `run -d ${labels('sandbox')} --rootfs ${ROOTFS} ${P}sbx /bin/sleep 3600`);
      const sbx = await cd.taskPid('k8s.io', `${P}sbx`);
      const pod = (await pollUntil(
        () => c.topology.namespaces.find((n) => n.pids.includes(sbx) && n.name === `${P}ns/${P}pod`),
        'pod on the client',
        DEADLINE,
      ))!;
      await cd.ctr(
        'k8s.io',
        `run -d ${labels('container', 'web')} --with-ns network:/proc/${sbx}/ns/net --rootfs ${ROOTFS} ${P}web /bin/sleep 3600`,
      );
      const withWeb = (await pollUntil(
        () => c.topology.namespaces.find((n) => n.id === pod.id && n.containers.length > 0),
        'member on the client',
        DEADLINE,
      ))!;
      expect(withWeb.containers).toEqual([
        {
          runtime: 'kubernetes',
          id: `${P}web`,
          name: 'web',
          image: null,
          pod: `${P}ns/${P}pod`,
          group: { kind: 'kubernetes', name: `${P}ns` },
          sharedNamespace: false,
        },
      ]);
      await cd.remove('k8s.io', `${P}web`);
      await pollUntil(
        () => c.topology.namespaces.some((n) => n.id === pod.id && n.containers.length === 0),
        'member gone on the client',
        DEADLINE,
      );
      await cd.remove('k8s.io', `${P}sbx`);
      await pollUntil(
        () => !c.topology.namespaces.some((n) => n.id === pod.id),
        'pod gone on the client',
        DEADLINE,
      );
      expect(c.gaps).toEqual([]);
    },
  );

  it(
    'shows a killed containerd as one status line; the topology keeps streaming',
    { timeout: 200_000 },
    async () => {
      const c = client!;
      await cd.kill();
      // Something else changes: its refresh asks containerd again and reports it.
      await sh(`ip link add ${P}x0 type veth peer name ${P}x1`);
      await pollUntil(
        () => c.topology.interfaces.some((i) => i.name === `${P}x0`),
        'veth on the client',
        DEADLINE,
      );
      const status = (): string[] => {
        const last = c.messages.filter((m) => m.type === 'status').at(-1);
        return last && last.type === 'status' ? last.errors : [];
      };
      await pollUntil(
        () => status().some((e) => e.startsWith('containerd (')),
        'containerd status line',
        DEADLINE,
      );
      expect(status().filter((e) => e.includes('containerd'))).toEqual([
        expect.stringMatching(/^containerd \(.*\): not answering/),
      ]);
    },
  );
});
